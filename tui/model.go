package tui

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/shcr-project/shcr/record"
	"github.com/shcr-project/shcr/views"
	"github.com/shcr-project/shcr/views/vocab"
)

// Model is the root: it owns the two pages, the session and the overlay stack, and handles
// only global keys, page switches, the window size, the status-bar message and the clipboard.
type Model struct {
	c      *common
	page   page
	search *searchPage
	record *recordPage
	help   *helpBar // the status bar's help: one line, or all of it with `?` (then on the stack)

	flash    string
	flashErr bool
	flashID  int
	osc      string // an OSC 52 sequence written with the next frame
	oscID    int

	sess  *session  // who is signed in, the purposes chosen, the idle clock (session.go)
	stack []overlay // sign-in, sign-out, purpose, reveal, lock, help: the top one has the keys (overlay.go)
}

// New builds the root model. ctx bounds every back end request the TUI makes.
func New(ctx context.Context, opts Options) (*Model, error) {
	if opts.Federation == nil {
		return nil, errors.New("tui: no back ends (Options.Federation is nil)")
	}
	v := opts.Vocabulary
	if v.Name == "" {
		var err error
		if v, err = vocab.Parse(opts.Config.Vocabulary); err != nil {
			return nil, err
		}
	}
	if opts.Role == "" {
		opts.Role = opts.Config.Role
	}
	now := opts.Clock
	if now == nil {
		now = time.Now
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	c := &common{opts: opts, ctx: ctx, v: v, st: views.NewStyles(views.DefaultTheme(), opts.Plain), keys: DefaultKeyMap(),
		now: now, log: log, width: 80, height: 24, tick: tea.Tick}
	c.keys.SetVocabulary(v)
	c.dialogKeys = DefaultKeyMap()
	c.dialogKeys.Reveal.SetEnabled(true)
	m := &Model{c: c, help: newHelpBar(c), sess: newSession(c)}
	m.search = newSearchPage(c)
	m.record = newRecordPage(c)
	m.setKeys()
	m.layout()
	return m, nil
}

// close cancels anything still in flight.
func (m *Model) close() {
	m.search.stop()
	m.record.close()
	for _, o := range m.stack {
		if s, ok := o.(interface{ stop() }); ok {
			s.stop()
		}
	}
}

// Init focuses the search field and starts the idle clock.
func (m *Model) Init() tea.Cmd {
	return tea.Batch(m.search.init(), m.sess.idleTick(), m.startupNotice())
}

// Update handles global keys and page switches and hands everything else to the active page.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	// While the terminal is too small to show anything, keys typed blind are ignored (but
	// ctrl+c): the state is as it was when the screen is big enough again.
	if km, ok := msg.(tea.KeyMsg); ok && m.tooSmall() {
		if key.Matches(km, m.c.keys.ForceQuit) {
			m.close()
			return m, tea.Quit
		}
		return m, nil
	}
	if _, ok := msg.(tea.MouseMsg); ok && m.tooSmall() {
		return m, nil // nothing is drawn where the mouse points
	}
	switch msg.(type) {
	case tea.KeyMsg, tea.MouseMsg:
		m.sess.touch()
	}
	if cmd, done := m.updateOverlays(msg); done {
		return m, cmd
	}
	if cmd, done := m.governance(msg); done {
		return m, cmd
	}
	var cmds []tea.Cmd
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.c.width, m.c.height = msg.Width, msg.Height
		m.help.SetSize(msg.Width, msg.Height)
		m.layout()
		return m, nil
	case tea.KeyMsg:
		switch {
		case key.Matches(msg, m.c.keys.SignIn):
			return m, m.startSignIn()
		case key.Matches(msg, m.c.keys.SignOut):
			m.push(newSignOutPanel(m.c))
			return m, nil
		}
		// Keys typed faster than the terminal is read arrive as one message ("6y"): outside a
		// text field, each is its own command.
		if msg.Type == tea.KeyRunes && len(msg.Runes) > 1 && !msg.Paste && !m.textFocused() {
			var cmds []tea.Cmd
			for _, r := range msg.Runes {
				_, cmd := m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}, Alt: msg.Alt})
				cmds = append(cmds, cmd)
			}
			return m, tea.Batch(cmds...)
		}
		k := m.c.keys
		switch {
		case key.Matches(msg, k.ForceQuit), key.Matches(msg, k.Quit):
			m.close()
			return m, tea.Quit
		case key.Matches(msg, k.Help):
			m.showHelp()
			m.setKeys()
			m.layout()
			return m, nil
		case key.Matches(msg, k.Vocab):
			m.switchVocabulary()
			return m, m.flashCmd(strings.ReplaceAll(m.c.v.VocabSwitched, "%s", m.c.v.Label), false)
		}
	case openMsg:
		if cmd, asking := m.purposeGate(msg.match); asking {
			return m, cmd
		}
		m.page = pageSearch
		if cmd := m.record.open(msg.match); cmd != nil {
			m.page = pageRecord
			m.search.remember(msg.match)
			m.search.input.Reset() // the person is one key away in the recent list
			cmds = append(cmds, cmd)
		}
		m.setKeys()
		m.layout()
		return m, tea.Batch(cmds...)
	case backMsg:
		// A reveal lasts only while the record is open.
		m.record.reveals = &record.Reveals{}
		m.record.invalidate()
		m.record.close()
		m.page = pageSearch
		m.hideHelp()
		m.setKeys()
		m.layout()
		return m, m.search.init()
	case flashMsg:
		return m, m.flashCmd(msg.text, msg.err)
	case clearFlashMsg:
		if msg.id == m.flashID {
			m.flash = ""
		}
		return m, nil
	case copyMsg:
		return m, m.copy(msg) // copy.go
	case copiedMsg:
		return m, m.copied(msg)
	case pushMsg:
		m.push(msg.o)
		m.layout()
		return m, nil
	case clearCopyMsg:
		if msg.id == m.oscID {
			m.osc = ""
		}
		return m, nil
	}
	// Results go to the page that asked, whichever is showing; the rest to the active page.
	var to component = m.search
	switch msg := msg.(type) {
	case searchDoneMsg:
	case spinner.TickMsg:
		if msg.ID != m.search.spin.ID() { // each page's spinner has its own id
			to = m.record
		}
	case fetchMsg, partMsg, backendMsg, openDoneMsg:
		to = m.record
	default:
		if m.page == pageRecord {
			to = m.record
		}
	}
	_, cmd := to.Update(msg)
	if _, ok := msg.(fetchMsg); ok {
		if r, ok := m.top().(*reader); ok {
			r.refresh() // a back end answered while the reader is open: it reads the record now
		}
	}
	if err := m.record.takeAuditErr(); err != nil {
		cmd = tea.Batch(cmd, m.auditFailed(err))
	}
	if r := m.record.takeRead(); r != nil {
		m.push(newReader(m.c, *r))
	}
	m.drop(overlay.Done) // a reader whose record has gone
	m.setKeys()
	m.layout()
	return m, cmd
}

// setKeys enables the keys that apply to what has focus now: none of the page's while a
// modal overlay is open (each panel names its own keys); `x` where there is something
// restricted to reveal; ctrl+l where a back end needs a sign-in, ctrl+o where one can end.
func (m *Model) setKeys() {
	k := &m.c.keys
	if m.page == pageRecord {
		ctx, table, phone := m.record.keyContext()
		k.setContext(ctx, table, phone)
	} else {
		k.setContext(m.search.keyContext(), false, false)
	}
	if m.modal() {
		k.setContext(ctxRecordFilter, false, false)
		k.Apply.SetEnabled(false)
		k.Cancel.SetEnabled(false)
		k.Reveal.SetEnabled(false)
	} else {
		_, _, ok := m.record.revealTarget()
		k.Reveal.SetEnabled(m.page == pageRecord && !m.record.filtering && ok)
	}
	k.ChildProtection.SetEnabled(m.page == pageRecord && !m.modal() && !m.record.filtering && len(m.record.deferredPlan()) > 0)
	k.SignIn.SetEnabled(len(m.c.signInNeeded(m.statuses())) > 0)
	k.SignOut.SetEnabled(m.c.opts.SignOut != nil)
}

// layout gives the pages the screen above the footer (which grows with the full help).
func (m *Model) layout() {
	w, h := m.c.width, m.c.height
	bodyH := max(h-lipgloss.Height(m.footer(w)), 1)
	m.search.SetSize(w, bodyH)
	m.record.SetSize(w, bodyH)
	for _, o := range m.stack {
		o.SetSize(w, h)
	}
}

// View draws the active page above the status bar and the help.
func (m *Model) View() string {
	if m.tooSmall() {
		return m.tooSmallView()
	}
	var active component = m.search
	if m.page == pageRecord {
		active = m.record
	}
	footer := m.footer(m.c.width)
	body := fitHeight(active.View(), max(m.c.height-lipgloss.Height(footer), 1))
	if m.modal() {
		return m.overlaysView(body, footer) // no clipboard sequence under a dialog or the lock
	}
	return m.osc + m.overlaysView(body, footer)
}
