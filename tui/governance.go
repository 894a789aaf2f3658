package tui

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/shcr-project/shcr/client"
	"github.com/shcr-project/shcr/config"
	"github.com/shcr-project/shcr/internal/audit"
	"github.com/shcr-project/shcr/internal/logscrub"
	"github.com/shcr-project/shcr/internal/purpose"
	"github.com/shcr-project/shcr/record"
)

// gov is the root's information governance state: the purpose asked per person, the reveal
// prompt, and the idle lock. The dialogs and the lock panel take every key while open.
type gov struct {
	sess    purpose.Session // purposes chosen this session, per person (memory only)
	keys    KeyMap          // every binding enabled: the dialogs match keys with these
	ask     *purposeDialog  // the purpose question, when open
	reveal  *revealPrompt   // the reveal reason, when open
	lastKey time.Time       // when the last key was pressed

	signingOut string // who is signing out, taken before the sign-out forgets them

	locked    bool
	lockMsg   string // why an unlock or sign-out did not complete
	lockErr   bool
	unlocking context.CancelFunc // an Unlock (sign-in) in flight
}

type (
	// IdleTickMsg is the idle lock's check, once a second (tea.Tick). A driver that does not
	// wait for timers (tests, the screenshot tool) drops it, and may send one to check the
	// lock at once, e.g. after moving its clock on.
	IdleTickMsg struct{}
	// unlockDoneMsg is the outcome of Options.Unlock.
	unlockDoneMsg struct{ err error }
)

// record appends events to the audit trail in order; nil Audit records nothing.
func (c *common) record(events ...audit.Event) error {
	if c.opts.Audit == nil {
		return nil
	}
	for _, e := range events {
		if err := c.opts.Audit(e); err != nil {
			c.log.Error("audit trail append failed", "event", e.Event)
			return err
		}
	}
	return nil
}

// personKey is who a purpose is remembered for: the NHS number, else the back end's id.
func personKey(p record.Person) string {
	if p.NHSNumber != "" {
		return p.NHSNumber
	}
	if len(p.Sources) > 0 {
		return p.Sources[0].Backend + "/" + p.Sources[0].ID
	}
	return ""
}

// initGov starts the idle clock.
func (m *Model) initGov() {
	m.g.keys = DefaultKeyMap()
	m.g.keys.Reveal.SetEnabled(true)
	m.g.lastKey = m.c.now()
}

// idleAfter is how long without a key before the screen locks (config idle_lock).
func (m *Model) idleAfter() time.Duration {
	if d := m.c.opts.Config.IdleLock; d > 0 {
		return d
	}
	return config.DefaultIdleLock
}

func (m *Model) idleTick() tea.Cmd {
	return m.c.tick(time.Second, func(time.Time) tea.Msg { return IdleTickMsg{} })
}

// purposeGate runs before a record opens: with a purpose preset or already chosen for this
// person this session, the record opens with it (ok false: carry on); otherwise the purpose
// question opens and the record waits for the answer.
func (m *Model) purposeGate(match client.Match) (tea.Cmd, bool) {
	ch, ask := m.g.sess.For(m.c.opts.Purpose, personKey(match.Person))
	if !ask {
		m.record.choice = ch
		return nil, false
	}
	m.g.ask = newPurposeDialog(m.c, match, false, purpose.Choice{})
	m.modalKeys()
	return nil, true
}

// govUpdate handles what governance owns before the root sees a message: the idle clock,
// the lock panel, the dialogs. ok false means the root handles msg as usual.
func (m *Model) govUpdate(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case IdleTickMsg:
		next := m.idleTick()
		if !m.g.locked && m.c.now().Sub(m.g.lastKey) >= m.idleAfter() {
			return tea.Batch(next, m.lock()), true
		}
		return next, true
	case unlockDoneMsg:
		if m.g.unlocking == nil {
			return nil, true
		}
		m.g.unlocking()
		m.g.unlocking = nil
		if msg.err != nil {
			m.g.lockMsg, m.g.lockErr = fmt.Sprintf(m.c.v.LockFailed, flatLine(msg.err.Error())), true
			return nil, true
		}
		return m.unlock(purpose.Choice{}), true
	case revealAskMsg:
		m.g.reveal = newRevealPrompt(msg)
		m.modalKeys()
		return m.g.reveal.reason.Focus(), true
	case backMsg:
		// A reveal lasts only while the record is open.
		m.record.reveals = &record.Reveals{}
		m.record.invalidate()
		return nil, false
	case tea.MouseMsg:
		m.g.lastKey = m.c.now()
	case tea.KeyMsg:
		m.g.lastKey = m.c.now()
		if key.Matches(msg, m.g.keys.ForceQuit) {
			return nil, false
		}
		switch {
		case m.g.locked:
			cmd := m.lockKey(msg)
			m.modalKeys()
			return cmd, true
		case m.g.ask != nil:
			cmd := m.askKey(msg)
			m.modalKeys()
			return cmd, true
		case m.g.reveal != nil:
			cmd := m.revealKey(msg)
			m.modalKeys()
			return cmd, true
		}
	}
	return nil, false
}

// modalKeys sets the status bar's keys while a dialog or the lock has the keys: none (each
// panel names its own keys); otherwise the keys of what has focus.
func (m *Model) modalKeys() {
	if !m.modal() {
		m.setKeys()
		return
	}
	k := &m.c.keys
	k.setContext(ctxRecordFilter, false, false)
	k.Apply.SetEnabled(false)
	k.Cancel.SetEnabled(false)
	k.Reveal.SetEnabled(false)
}

func (m *Model) modal() bool { return m.g.locked || m.g.ask != nil || m.g.reveal != nil }

// govKeys enables `x` where there is something restricted to reveal.
func (m *Model) govKeys() {
	if m.modal() {
		m.modalKeys()
		return
	}
	_, _, ok := m.record.revealTarget()
	m.c.keys.Reveal.SetEnabled(m.page == pageRecord && !m.record.filtering && ok)
}

// askKey handles a key in the purpose question.
func (m *Model) askKey(msg tea.KeyMsg) tea.Cmd {
	d := m.g.ask
	cmd, done := d.key(m.c, m.g.keys, msg)
	if done == nil {
		return cmd
	}
	m.g.ask = nil
	if d.unlock {
		if done.cancelled {
			return nil // back to the lock panel
		}
		return m.unlock(done.choice)
	}
	if done.cancelled {
		// Nothing was opened, so nothing is recorded: back to the search.
		m.page = pageSearch
		m.setKeys()
		return m.search.init()
	}
	m.g.sess.Set(personKey(d.match.Person), done.choice)
	match := d.match
	return func() tea.Msg { return openMsg{match} }
}

// auditFailed closes the record: a look the audit trail did not take is not shown.
func (m *Model) auditFailed(err error) tea.Cmd {
	m.record.close()
	m.record.reset()
	gone := m.record.match
	m.record.rec, m.record.match = nil, client.Match{}
	m.search.recent = slices.DeleteFunc(m.search.recent, func(o client.Match) bool { return samePerson(o.Person, gone.Person) })
	m.page = pageSearch
	m.search.message, m.search.msgErr = fmt.Sprintf(m.c.v.AuditFailed, flatLine(err.Error())), true
	m.setKeys()
	m.layout()
	return m.search.init()
}

// lock replaces the screen with the lock panel: reveals are forgotten, the status bar message
// and any clipboard sequence dropped, dialogs closed.
func (m *Model) lock() tea.Cmd {
	m.g.locked, m.g.lockMsg, m.g.lockErr = true, "", false
	m.g.ask, m.g.reveal = nil, nil
	m.record.reveals = &record.Reveals{}
	m.record.invalidate()
	m.flash, m.osc = "", ""
	m.help.ShowAll = false
	m.modalKeys()
	e := audit.Event{Event: audit.ScreenLocked}
	if m.page == pageRecord && m.record.rec != nil {
		e.NHSNumber, e.Purpose, e.Reason = m.record.match.Person.NHSNumber, string(m.record.choice.Purpose), m.record.choice.Reason
	}
	_ = m.c.record(e)
	m.c.log.Info("screen locked", "idle_s", int(m.idleAfter().Seconds()))
	return nil
}

// lockKey handles a key on the lock panel: enter unlocks, ctrl+o signs out.
func (m *Model) lockKey(msg tea.KeyMsg) tea.Cmd {
	k := m.g.keys
	if m.g.ask != nil {
		return m.askKey(msg)
	}
	switch {
	case m.g.unlocking != nil:
		if key.Matches(msg, k.Cancel) {
			m.g.unlocking()
			m.g.unlocking = nil
			m.g.lockMsg = ""
		}
		return nil
	case key.Matches(msg, k.Apply):
		return m.startUnlock()
	case key.Matches(msg, k.SignOut):
		return m.lockSignOut()
	}
	return nil
}

// signedInNow names the signed-in member of staff, "" when nobody is.
func (m *Model) signedInNow() string {
	if m.c.opts.SignedIn == nil {
		return ""
	}
	return m.c.opts.SignedIn()
}

// startUnlock asks the signed-in user to sign in again (Options.Unlock); without a sign-in,
// it asks to confirm the purpose of access of the record on screen (or the preset one).
func (m *Model) startUnlock() tea.Cmd {
	m.g.lockMsg, m.g.lockErr = "", false
	if m.c.opts.Unlock != nil && m.signedInNow() != "" {
		ctx, cancel := context.WithCancel(m.c.ctx)
		m.g.unlocking = cancel
		m.g.lockMsg = m.c.v.LockSigningIn
		f := m.c.opts.Unlock
		pctx, prompts := m.unlockPrompts(ctx) // the code or address goes in the lock panel
		return tea.Batch(prompts, func() tea.Msg { return unlockDoneMsg{err: f(pctx)} })
	}
	open := m.page == pageRecord && m.record.rec != nil
	if open || m.c.opts.Purpose.Preset() {
		m.g.ask = newPurposeDialog(m.c, m.record.match, true, m.record.choice)
		return nil
	}
	return m.unlock(purpose.Choice{})
}

// unlock takes the lock away; a purpose re-confirmed for the record on screen is kept for
// that person and recorded.
func (m *Model) unlock(ch purpose.Choice) tea.Cmd {
	m.g.locked, m.g.ask, m.g.lockMsg = false, nil, ""
	m.g.lastKey = m.c.now()
	e := audit.Event{Event: audit.ScreenUnlocked}
	if m.page == pageRecord && m.record.rec != nil {
		if !ch.IsZero() {
			m.record.choice = ch
			if !m.c.opts.Purpose.Preset() {
				m.g.sess.Set(personKey(m.record.match.Person), ch)
			}
		}
		e.NHSNumber, e.Purpose, e.Reason = m.record.match.Person.NHSNumber, string(m.record.choice.Purpose), m.record.choice.Reason
	} else if !ch.IsZero() {
		e.Purpose, e.Reason = string(ch.Purpose), ch.Reason
	}
	_ = m.c.record(e)
	m.c.log.Info("screen unlocked")
	m.setKeys()
	m.layout()
	return nil
}

// lockSignOut signs out from the lock panel (Options.SignOut) and ends the session for the
// next member of staff. If the sign-out fails the screen stays locked.
func (m *Model) lockSignOut() tea.Cmd {
	m.g.signingOut = m.signedInNow()
	if m.c.opts.SignOut != nil {
		if err := m.c.opts.SignOut(); err != nil {
			m.c.log.Warn("sign-out did not complete")
			m.g.lockMsg, m.g.lockErr = fmt.Sprintf(m.c.v.SignOutFailed, flatLine(err.Error())), true
			m.g.signingOut = ""
			return nil
		}
	}
	cmd := m.endSession()
	m.g.locked, m.g.lockMsg = false, ""
	m.g.lastKey = m.c.now()
	m.setKeys()
	m.layout()
	return tea.Batch(cmd, m.flashCmd(m.c.v.SignedOut, false))
}

// endSession is what signing out leaves: no record open, no reveals, no people opened this
// session, no purposes remembered; recorded as signed-out (naming m.g.signingOut, who was
// signed in before the sign-out, where the caller set it).
func (m *Model) endSession() tea.Cmd {
	_ = m.c.record(audit.Event{Event: audit.SignedOut, SignedInUser: m.g.signingOut})
	m.g.signingOut = ""
	m.g.sess.Reset()
	m.g.ask, m.g.reveal = nil, nil
	m.record.close()
	m.record.reset()
	m.record.rec, m.record.match, m.record.choice = nil, client.Match{}, purpose.Choice{}
	s := m.search
	s.stop()
	s.input.Reset()
	s.recent, s.results, s.statuses, s.message, s.searching, s.cursor = nil, nil, nil, "", false, 0
	s.gen++
	m.page = pageSearch
	m.help.ShowAll = false
	m.c.log.Info("session ended: signed out")
	return s.init()
}

// govView draws the lock panel (the whole screen) or a dialog over the page; ok false when
// neither is open.
func (m *Model) govView() (string, bool) {
	w, h := m.c.width, m.c.height
	switch {
	case m.g.locked && m.g.ask != nil:
		return lipgloss.Place(w, h, lipgloss.Center, lipgloss.Center, m.g.ask.view(m.c, w)), true
	case m.g.locked:
		return lipgloss.Place(w, h, lipgloss.Center, lipgloss.Center, m.lockView(w)), true
	case m.g.ask != nil, m.g.reveal != nil:
		var panel string
		if m.g.ask != nil {
			panel = m.g.ask.view(m.c, w)
		} else {
			panel = m.revealView(w)
		}
		footer := m.footer(w)
		bodyH := max(h-lipgloss.Height(footer), 1)
		var active component = m.search
		if m.page == pageRecord {
			active = m.record
		}
		body := fitHeight(active.View(), bodyH)
		if lipgloss.Height(panel) >= bodyH {
			body = fitHeight(panel, bodyH)
		} else {
			body = centreOver(body, panel, w, bodyH)
		}
		return body + "\n" + footer, true
	}
	return "", false
}

// lockView is the lock panel. It shows no personal data: no name, NHS number or record text,
// only the words of the vocabulary and the keys.
func (m *Model) lockView(w int) string {
	v, st := m.c.v, m.c.st
	inner := min(max(w-6, 20), 64)
	mins := int(m.idleAfter().Round(time.Minute) / time.Minute)
	after := fmt.Sprintf("%d min", max(mins, 1))
	if m.idleAfter() < time.Minute {
		after = fmt.Sprintf("%d s", int(m.idleAfter().Seconds()))
	}
	b := []string{st.Title.Render(v.LockTitle), ""}
	for _, l := range wrapPlain(fmt.Sprintf(v.LockText, after), inner) {
		b = append(b, st.Text.Render(l))
	}
	b = append(b, "")
	unlock := v.LockUnlockKey
	if m.c.opts.Unlock != nil && m.signedInNow() != "" {
		unlock = v.LockUnlockSignIn
	}
	b = append(b, st.Text.Render(clipText(unlock, inner)), st.Text.Render(clipText(v.LockSignOut, inner)),
		st.Faint.Render(clipText(fmt.Sprintf("%-8s%s", "ctrl+c", v.HelpForceQuit), inner)))
	if m.g.lockMsg != "" {
		s := st.Text
		if m.g.lockErr {
			s = st.Error
		}
		b = append(b, "")
		for _, l := range wrapPlain(m.g.lockMsg, inner) {
			b = append(b, s.Render(l))
		}
	}
	b = append(b, m.unlockPromptLines(inner)...)
	return panelBox(st.Rule, strings.Join(b, "\n"), inner)
}

// auditSearch records a search that found nobody: person-not-found, with the kind of search
// (never what was typed), and every back end that refused or failed it. When someone was
// found, a back end's refusal is recorded with the record it would have been part of
// (audit.Opened carries the search's failures into the record's back ends).
func (c *common) auditSearch(q record.Query, statuses []record.BackendStatus, found int) {
	if found == 0 {
		_ = c.record(audit.NotFound(q, c.opts.Purpose.Choice, statuses)...)
	}
}

// fetched records the record opened (with every back end that refused or failed) once the
// back ends have answered, then each section already shown. If the audit trail does not take
// them, the record is closed.
func (p *recordPage) fetched() tea.Cmd {
	p.answered = true
	events := audit.Opened(p.rec, p.choice, record.Sections())
	events = append(events, p.pendingViews()...)
	if err := p.c.record(events...); err != nil && p.auditErr == nil {
		p.auditErr = err
	}
	return nil
}

// takeAuditErr returns (once) an audit trail failure met while the record was open.
func (p *recordPage) takeAuditErr() error {
	err := p.auditErr
	p.auditErr = nil
	return err
}

// shownSection notes a tab shown; it is recorded once per open record, after the open.
func (p *recordPage) shownSection(sec record.Section) {
	p.viewed[sec] = true
	if !p.answered {
		return
	}
	if err := p.c.record(p.pendingViews()...); err != nil && p.auditErr == nil {
		p.auditErr = err
	}
}

// pendingViews are the section-viewed events not yet recorded, in tab order.
func (p *recordPage) pendingViews() []audit.Event {
	var out []audit.Event
	for _, sec := range record.Sections() {
		if p.viewed[sec] && !slices.Contains(p.auditedViews, sec) {
			p.auditedViews = append(p.auditedViews, sec)
			out = append(out, audit.Viewed(p.rec, p.choice, sec))
		}
	}
	return out
}

// centreOver puts the panel in the middle of the body, replacing the lines it covers.
func centreOver(body, panel string, w, h int) string {
	lines := strings.Split(fitHeight(body, h), "\n")
	pl := strings.Split(panel, "\n")
	top := max((h-len(pl))/2, 0)
	left := strings.Repeat(" ", max((w-lipgloss.Width(panel))/2, 0))
	for i, l := range pl {
		if top+i < len(lines) {
			lines[top+i] = clipText(left+l, w)
		}
	}
	return strings.Join(lines, "\n")
}

// flatLine keeps a message to one line.
//
// Errors may quote a server (a sign-in server's discovery document or error description):
// anything a terminal would act on, and any credential echoed, is removed first.
func flatLine(s string) string {
	return strings.Join(strings.Fields(logscrub.ServerText(s)), " ")
}
