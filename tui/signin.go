package tui

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/shcr-project/shcr/client"
	"github.com/shcr-project/shcr/client/auth"
	"github.com/shcr-project/shcr/config"
	"github.com/shcr-project/shcr/internal/audit"
	"github.com/shcr-project/shcr/record"
	"github.com/shcr-project/shcr/views"
)

// SignIn is what the interface needs of the sign-in manager (*auth.Manager has it): which
// back ends need a sign-in, and running one. Login reports the device code or browser
// address through auth.WithPrompt on its context.
type SignIn interface {
	NeedsLogin(backend string) bool
	Login(ctx context.Context, backend string) (auth.Identity, error)
}

var _ SignIn = (*auth.Manager)(nil)

// panelMode is which panel is over the page: none, a sign-in, or the sign-out question.
type panelMode int

const (
	panelNone panelMode = iota
	panelSignIn
	panelSignOut
)

// signInState is the sign-in panel: one sign-in at a time, for one back end.
type signInState struct {
	mode    panelMode
	backend string
	prompt  *auth.Prompt
	err     string
	running bool
	gen     int
	cancel  context.CancelFunc

	// unlock is the device code or browser address of the sign-in the idle lock asked for
	// (Options.Unlock), shown in the lock panel.
	unlock    *auth.Prompt
	unlockGen int
}

type (
	// signInEventMsg is a prompt or the end of a sign-in, with the command waiting for the
	// next one.
	signInEventMsg struct {
		gen  int
		msg  tea.Msg
		next tea.Cmd
	}
	signInPromptMsg struct{ p auth.Prompt }
	signInDoneMsg   struct {
		backend string
		id      auth.Identity
		err     error
	}
	// unlockPromptMsg is the prompt of the idle lock's sign-in.
	unlockPromptMsg struct {
		gen  int
		p    auth.Prompt
		next tea.Cmd
	}
	// signInTickMsg redraws the countdown.
	signInTickMsg struct{ gen int }
	// rematchMsg is the person found again after a sign-in, so that the back end just
	// signed in to is asked too.
	rematchMsg struct {
		gen   int
		match client.Match
		ok    bool
	}
)

// userSignIn reports whether a back end signs in a person (pkce or device): only those
// can be fixed by the sign-in panel.
func userSignIn(cfg config.Config, name string) bool {
	for _, b := range cfg.Backends {
		if b.Name == name {
			return b.Auth.Type == config.AuthPKCE || b.Auth.Type == config.AuthDevice
		}
	}
	return false
}

// signInNeeded lists, in config order, the back ends that need a person to sign in: no
// usable session (an expired one included), or the server refused the token (401: a
// session ended at the provider) in a search or in one of the record's sections.
func (c *common) signInNeeded(statuses []record.BackendStatus, sections []record.SectionStatus) []string {
	if c.opts.SignIn == nil {
		return nil
	}
	var out []string
	for _, b := range c.opts.Config.Backends {
		if !userSignIn(c.opts.Config, b.Name) {
			continue
		}
		refused := slices.ContainsFunc(statuses, func(s record.BackendStatus) bool {
			return s.Name == b.Name && s.HTTPStatus == 401
		}) || slices.ContainsFunc(sections, func(s record.SectionStatus) bool {
			return s.Backend == b.Name && s.State == record.StateFailed && s.HTTPStatus == 401
		})
		if refused || c.opts.SignIn.NeedsLogin(b.Name) {
			out = append(out, b.Name)
		}
	}
	return out
}

// signInHints are the lines that stand in for a back end's data until someone signs in.
func (c *common) signInHints(statuses []record.BackendStatus, sections []record.SectionStatus, w int) []string {
	var out []string
	for _, name := range c.signInNeeded(statuses, sections) {
		out = append(out, c.st.Warning.Render(clipText(fmt.Sprintf(c.v.SignInNeeded, name, c.keys.SignIn.Help().Key), w)))
	}
	return out
}

// signInStatuses are the back ends' statuses for the status line: one that was not asked,
// or failed, because it needs a sign-in says just that, with the key (not the long reason).
func (c *common) signInStatuses(statuses []record.BackendStatus, sections []record.SectionStatus) []record.BackendStatus {
	need := c.signInNeeded(statuses, sections)
	if len(need) == 0 {
		return statuses
	}
	out := slices.Clone(statuses)
	for i, s := range out {
		if slices.Contains(need, s.Name) && (s.Status == record.BackendNotQueried || s.Status == record.BackendFailed) {
			out[i].Error = fmt.Sprintf(c.v.SignInShort, c.keys.SignIn.Help().Key)
		}
	}
	return out
}

// statuses are the back end and section statuses on screen now.
func (m *Model) statuses() ([]record.BackendStatus, []record.SectionStatus) {
	if m.page == pageRecord && m.record.rec != nil {
		return m.record.rec.Backends, m.record.rec.SectionStatus
	}
	return m.search.statuses, nil
}

// startSignIn opens the panel and signs in to the first back end that needs it.
func (m *Model) startSignIn() tea.Cmd {
	need := m.c.signInNeeded(m.statuses())
	if len(need) == 0 {
		return nil
	}
	m.stopSignIn()
	backend := need[0]
	m.si.gen++
	gen := m.si.gen
	ctx, cancel := context.WithCancel(m.c.ctx)
	m.si = signInState{mode: panelSignIn, backend: backend, running: true, gen: gen, cancel: cancel}
	ch := make(chan tea.Msg, 8)
	send := func(msg tea.Msg) {
		select {
		case ch <- msg:
		case <-ctx.Done():
		}
	}
	si := m.c.opts.SignIn
	pctx := auth.WithPrompt(ctx, func(p auth.Prompt) { send(signInPromptMsg{p}) })
	m.c.log.Info("sign-in started", "backend", backend)
	go func() {
		id, err := si.Login(pctx, backend)
		send(signInDoneMsg{backend: backend, id: id, err: err})
	}()
	return listenSignIn(ctx, gen, ch)
}

// listenSignIn waits for the sign-in's next prompt or its end.
func listenSignIn(ctx context.Context, gen int, ch chan tea.Msg) tea.Cmd {
	return func() tea.Msg {
		select {
		case msg := <-ch:
			return signInEventMsg{gen: gen, msg: msg, next: listenSignIn(ctx, gen, ch)}
		case <-ctx.Done():
			return nil
		}
	}
}

// stopSignIn cancels a sign-in in flight (the provider stops being polled).
func (m *Model) stopSignIn() {
	if m.si.cancel != nil {
		m.si.cancel()
		m.si.cancel = nil
	}
	m.si.running = false
}

// closePanel closes whichever panel is open.
func (m *Model) closePanel() {
	m.stopSignIn()
	m.si.mode, m.si.prompt, m.si.err = panelNone, nil, ""
	m.si.gen++
}

// signInMsg handles what the sign-in owns before the pages see a message: its keys, the
// panel's keys while it is open, and the sign-in's messages. ok false: the root carries on.
func (m *Model) signInMsg(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case unlockPromptMsg:
		if msg.gen != m.si.unlockGen {
			return nil, true
		}
		p := msg.p
		m.si.unlock = &p
		return msg.next, true
	case signInEventMsg, signInTickMsg, rematchMsg:
		cmd := m.signInUpdate(msg)
		m.setKeys()
		m.layout()
		return cmd, true
	case tea.KeyMsg:
		k := m.c.keys
		switch {
		case key.Matches(msg, k.ForceQuit):
			return nil, false
		case m.si.mode != panelNone:
			return m.panelKey(msg), true
		case key.Matches(msg, k.SignIn):
			return m.startSignIn(), true
		case key.Matches(msg, k.SignOut):
			m.askSignOut()
			return nil, true
		}
	}
	return nil, false
}

// signInKeys enables ctrl+l where a back end needs someone to sign in, and ctrl+o where
// there is a sign-in to end.
func (m *Model) signInKeys() {
	k := &m.c.keys
	k.SignIn.SetEnabled(len(m.c.signInNeeded(m.statuses())) > 0)
	k.SignOut.SetEnabled(m.c.opts.SignOut != nil)
}

// signInUpdate handles the sign-in's messages.
func (m *Model) signInUpdate(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case signInEventMsg:
		if msg.gen != m.si.gen || m.si.mode != panelSignIn {
			return nil
		}
		switch ev := msg.msg.(type) {
		case signInPromptMsg:
			p := ev.p
			m.si.prompt = &p
			return tea.Batch(msg.next, m.signInTick())
		case signInDoneMsg:
			return m.signInDone(ev)
		}
		return msg.next
	case signInTickMsg:
		if msg.gen != m.si.gen || m.si.mode != panelSignIn || !m.si.running {
			return nil
		}
		return m.signInTick()
	case rematchMsg:
		return m.record.rematch(msg)
	}
	return nil
}

func (m *Model) signInTick() tea.Cmd {
	gen := m.si.gen
	return m.c.tick(time.Second, func(time.Time) tea.Msg { return signInTickMsg{gen} })
}

// signInDone closes the panel and asks again for what is on screen, or keeps the panel
// open with the reason the sign-in failed.
func (m *Model) signInDone(ev signInDoneMsg) tea.Cmd {
	m.stopSignIn()
	if ev.err != nil {
		m.si.err = flatLine(ev.err.Error())
		m.c.log.Info("sign-in did not complete", "backend", ev.backend)
		return nil
	}
	m.closePanel()
	m.c.log.Info("signed in", "backend", ev.backend)
	_ = m.c.record(audit.Event{Event: audit.SignedIn, SignedInUser: ev.id.String(), Backends: []string{ev.backend}})
	flash := m.flashCmd(fmt.Sprintf(m.c.v.SignedInAs, ev.backend, ev.id.String()), false)
	switch {
	case m.page == pageRecord:
		return tea.Batch(flash, m.record.reload())
	case parseQuery(m.search.input.Value(), m.c.v).ready:
		return tea.Batch(flash, m.search.submit())
	}
	// Nothing to ask again: the statuses of the last search no longer hold.
	m.search.statuses = nil
	return flash
}

// panelKey handles a key while a panel is open: nothing else has the keys.
func (m *Model) panelKey(msg tea.KeyMsg) tea.Cmd {
	k := m.c.keys
	switch m.si.mode {
	case panelSignOut:
		switch msg.Type {
		case tea.KeyEnter:
			return m.signOut()
		case tea.KeyEscape:
			m.closePanel()
		}
		return nil
	case panelSignIn:
		switch {
		case msg.Type == tea.KeyEscape:
			m.closePanel()
		case key.Matches(msg, k.SignIn) && !m.si.running:
			return m.startSignIn()
		case msg.String() == "y" && m.si.prompt != nil && m.si.err == "":
			u := m.si.prompt.URL
			if m.si.prompt.URLComplete != "" {
				u = m.si.prompt.URLComplete
			}
			return func() tea.Msg { return copyMsg{text: u} }
		}
	}
	return nil
}

// askSignOut opens the sign-out question.
func (m *Model) askSignOut() {
	m.closePanel()
	m.si.mode = panelSignOut
}

// signOut forgets every back end's tokens, closes the record, forgets the people opened
// this session and goes back to an empty search: the next member of staff starts clean.
// The screen is cleared even when the sign-out did not complete (and says so).
func (m *Model) signOut() tea.Cmd {
	m.closePanel()
	var err error
	if m.c.opts.SignOut != nil {
		err = m.c.opts.SignOut()
	}
	cmd := m.endSession()
	m.setKeys()
	m.layout()
	if err != nil {
		m.c.log.Warn("sign-out did not complete")
		return tea.Batch(cmd, m.flashCmd(fmt.Sprintf(m.c.v.SignOutFailed, flatLine(err.Error())), true))
	}
	return tea.Batch(cmd, m.flashCmd(m.c.v.SignedOut, false))
}

// panelView draws the open panel, or "".
func (m *Model) panelView(w int) string {
	v, st, k := m.c.v, m.c.st, m.c.keys
	switch m.si.mode {
	case panelSignOut:
		return views.SignOutPanelView(v, st, "enter", "esc", w)
	case panelSignIn:
		d := views.SignInPanel{Backend: m.si.backend, Err: m.si.err, SignInKey: k.SignIn.Help().Key,
			CancelKey: "esc", CopyKey: "y"}
		if p := m.si.prompt; p != nil {
			d.Flow, d.URL, d.URLComplete, d.UserCode = p.Flow, p.URL, p.URLComplete, p.UserCode
			d.Left = time.Until(p.Expires)
			if p.BrowserErr != nil {
				d.BrowserErr = flatLine(p.BrowserErr.Error())
			}
		}
		return views.SignInPanelView(d, v, st, w)
	}
	return ""
}

// reload asks again for the person after a sign-in: found again by NHS number, so the back
// end just signed in to (not asked before) is asked too; the tab and the screen stay.
func (p *recordPage) reload() tea.Cmd {
	nhs := p.match.Person.NHSNumber
	if nhs == "" {
		return p.fetch()
	}
	gen := p.gen
	ctx, fed := p.c.ctx, p.c.opts.Federation
	return func() tea.Msg {
		ms, _ := fed.Search(ctx, record.Query{NHSNumber: nhs})
		for _, m := range ms {
			if m.Person.NHSNumber == nhs {
				return rematchMsg{gen: gen, match: m, ok: true}
			}
		}
		return rematchMsg{gen: gen}
	}
}

// rematch opens the person as found again (keeping the tab), or fetches again as before.
func (p *recordPage) rematch(msg rematchMsg) tea.Cmd {
	if msg.gen != p.gen || p.rec == nil {
		return nil
	}
	if msg.ok {
		p.match = msg.match
	}
	return p.fetch() // recorded in the audit trail as opened again, with every back end asked
}

// signedInText is the status bar's account: the member of staff signed in (name and
// identifier, never a token), "not signed in", or in the demo that nobody signs in; "" when
// the interface was given no sign-in at all.
func (m *Model) signedInText() string {
	o, st := m.c.opts, m.c.st
	if o.SignedIn == nil && o.SignIn == nil {
		return ""
	}
	if o.SignedIn != nil {
		if who := o.SignedIn(); who != "" {
			return st.Bold.Render(who)
		}
	}
	if o.Config.Demo {
		return st.Faint.Render(m.c.v.DemoSignedIn)
	}
	return st.Warning.Render(m.c.v.NotSignedIn)
}

// unlockPrompts gives the idle lock's sign-in (Options.Unlock) a context whose prompt — the
// device code or the browser address — is shown in the lock panel, and the command that
// waits for it. Without it the prompt would be written to the terminal under the interface.
func (m *Model) unlockPrompts(ctx context.Context) (context.Context, tea.Cmd) {
	m.si.unlockGen++
	gen := m.si.unlockGen
	m.si.unlock = nil
	ch := make(chan auth.Prompt, 4)
	pctx := auth.WithPrompt(ctx, func(p auth.Prompt) {
		select {
		case ch <- p:
		case <-ctx.Done():
		}
	})
	var listen func() tea.Cmd
	listen = func() tea.Cmd {
		return func() tea.Msg {
			select {
			case p := <-ch:
				return unlockPromptMsg{gen: gen, p: p, next: listen()}
			case <-ctx.Done():
				return nil
			}
		}
	}
	return pctx, listen()
}

// unlockPromptLines are the lock panel's lines for the idle lock's sign-in in progress.
func (m *Model) unlockPromptLines(inner int) []string {
	p := m.si.unlock
	if p == nil || m.g.unlocking == nil {
		return nil
	}
	d := views.SignInPanel{Backend: p.Backend, Flow: p.Flow, URL: p.URL, URLComplete: p.URLComplete,
		UserCode: p.UserCode, Left: time.Until(p.Expires)}
	if p.BrowserErr != nil {
		d.BrowserErr = flatLine(p.BrowserErr.Error())
	}
	lines := []string{"", m.c.st.Title.Render(clipText(fmt.Sprintf(m.c.v.SignInTitle, p.Backend), inner))}
	return append(lines, views.SignInLines(d, m.c.v, m.c.st, inner)...)
}
