package tui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/aymanbagabas/go-osc52/v2"
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/shcr-project/shcr/config"
	"github.com/shcr-project/shcr/views"
	"github.com/shcr-project/shcr/views/vocab"
)

// common is what both pages share: words, styles, keys, clock and size.
type common struct {
	opts   Options
	ctx    context.Context
	v      vocab.Vocabulary
	st     views.Styles
	keys   KeyMap
	now    func() time.Time
	log    *slog.Logger
	width  int
	height int
	// tick is tea.Tick; the tests' synchronous driver replaces it so that timers never run.
	tick func(time.Duration, func(time.Time) tea.Msg) tea.Cmd
}

type page int

// component is the contract every page keeps: a tea.Model that draws itself in the size it
// was given, with its keys in the one KeyMap (enabled by the root for what has focus).
type component interface {
	tea.Model
	SetSize(w, h int)
}

var (
	_ component = (*searchPage)(nil)
	_ component = (*recordPage)(nil)
)

const (
	pageSearch page = iota
	pageRecord
)

// Model is the root: it owns the two pages and handles only global keys, page switches,
// the status-bar message and the clipboard.
type Model struct {
	c      *common
	page   page
	search *searchPage
	record *recordPage
	help   help.Model

	flash    string
	flashErr bool
	flashID  int
	osc      string // an OSC 52 sequence written with the next frame
	oscID    int

	g gov // purpose of access, reveal prompt, idle lock (governance.go)

	si signInState // the sign-in panel or the sign-out question (signin.go)
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
	m := &Model{c: c, help: help.New()}
	m.styleHelp()
	m.search = newSearchPage(c)
	m.record = newRecordPage(c)
	m.initGov()
	m.setKeys()
	m.layout()
	return m, nil
}

func (m *Model) styleHelp() {
	st := m.c.st
	m.help.Styles.ShortKey, m.help.Styles.FullKey = st.Key, st.Key
	m.help.Styles.ShortDesc, m.help.Styles.FullDesc = st.KeyDesc, st.KeyDesc
	m.help.Styles.ShortSeparator, m.help.Styles.FullSeparator = st.Faint, st.Faint
	m.help.Styles.Ellipsis = st.Faint
}

// close cancels anything still in flight.
func (m *Model) close() {
	m.search.stop()
	m.record.close()
	m.stopSignIn()
}

// Init focuses the search field and starts the idle clock.
func (m *Model) Init() tea.Cmd { return tea.Batch(m.search.init(), m.idleTick()) }

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
	if cmd, done := m.govUpdate(msg); done {
		return m, cmd
	}
	if cmd, done := m.signInMsg(msg); done {
		return m, cmd
	}
	var cmds []tea.Cmd
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.c.width, m.c.height = msg.Width, msg.Height
		m.help.Width = msg.Width
		m.layout()
		return m, nil
	case tea.KeyMsg:
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
			m.help.ShowAll = !m.help.ShowAll
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
		m.record.close()
		m.page = pageSearch
		m.help.ShowAll = false
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
		m.oscID++
		id := m.oscID
		m.osc = osc52.New(msg.text).String()
		return m, tea.Batch(m.flashCmd(strings.ReplaceAll(m.c.v.Copied, "%s", msg.text), false),
			m.c.tick(500*time.Millisecond, func(time.Time) tea.Msg { return clearCopyMsg{id} }))
	case clearCopyMsg:
		if msg.id == m.oscID {
			m.osc = ""
		}
		return m, nil
	}
	// Results go to the page that asked, whichever is showing; the rest to the active page.
	var to component = m.search
	switch msg.(type) {
	case searchDoneMsg:
	case fetchMsg, partMsg, backendMsg, openDoneMsg, spinner.TickMsg:
		to = m.record
	default:
		if m.page == pageRecord {
			to = m.record
		}
	}
	_, cmd := to.Update(msg)
	if err := m.record.takeAuditErr(); err != nil {
		cmd = tea.Batch(cmd, m.auditFailed(err))
	}
	m.setKeys()
	m.layout()
	return m, cmd
}

// textFocused reports whether a text field has the keys.
func (m *Model) textFocused() bool {
	if m.page == pageRecord {
		return m.record.filtering
	}
	return !m.search.focusList
}

func (m *Model) switchVocabulary() {
	m.c.v = m.c.v.Other()
	m.c.keys.SetVocabulary(m.c.v)
	m.record.invalidate()
	m.search.vocabularyChanged()
}

func (m *Model) flashCmd(text string, isErr bool) tea.Cmd {
	m.flashID++
	id := m.flashID
	m.flash, m.flashErr = text, isErr
	return m.c.tick(4*time.Second, func(time.Time) tea.Msg { return clearFlashMsg{id} })
}

// setKeys enables the keys that apply to what has focus now.
func (m *Model) setKeys() {
	defer m.signInKeys()
	k := &m.c.keys
	if m.page == pageRecord {
		ctx, table, phone := m.record.keyContext()
		k.setContext(ctx, table, phone)
		m.govKeys()
		return
	}
	k.setContext(m.search.keyContext(), false, false)
	m.govKeys()
}

// layout gives the pages the screen above the footer (which grows with the full help).
func (m *Model) layout() {
	w, h := m.c.width, m.c.height
	bodyH := max(h-lipgloss.Height(m.footer(w)), 1)
	m.search.SetSize(w, bodyH)
	m.record.SetSize(w, bodyH)
}

// MinWidth and MinHeight are the smallest terminal shcr draws into: the banner, the tabs,
// the verdict or details lines and at least three rows of every table (measured with the
// demo record on every tab in both vocabularies: at 60×16 most tabs show one row, at 60×20
// the care packages tab one of two; at 64×20 every demo table shows all its rows, up to
// four; 80×24 has room to spare). Below it the screen says so instead of showing a garbled or empty page;
// the state is kept, and resizing back shows it.
const (
	MinWidth  = 64
	MinHeight = 20
)

// View draws the active page above the status bar and the help.
func (m *Model) View() string {
	if m.tooSmall() {
		return m.tooSmallView()
	}
	if s, ok := m.govView(); ok {
		return s
	}
	var active component = m.search
	if m.page == pageRecord {
		active = m.record
	}
	footer := m.footer(m.c.width)
	body := fitHeight(active.View(), max(m.c.height-lipgloss.Height(footer), 1))
	if panel := m.panelView(m.c.width); panel != "" {
		body = centreOver(body, panel, m.c.width, max(m.c.height-lipgloss.Height(footer), 1))
	}
	return m.osc + body + "\n" + footer
}

func (m *Model) tooSmall() bool { return m.c.width < MinWidth || m.c.height < MinHeight }

// tooSmallView is the whole screen when the terminal is smaller than MinWidth×MinHeight:
// what is needed, wrapped to the width, centred where there is room, cut to the height. It
// shows no personal data (a small window is no reason to show less care than a large one).
func (m *Model) tooSmallView() string {
	w, h := max(m.c.width, 1), max(m.c.height, 1)
	v := m.c.v
	msg := fmt.Sprintf(v.TooSmall, MinWidth, MinHeight, m.c.width, m.c.height)
	var lines []string
	if head, tail, ok := strings.Cut(msg, ": "); ok && lipgloss.Width(msg) > w {
		// "terminal too small:" above "need 60×16 (now 40×10)" rather than a break anywhere.
		lines = append(wrapPlain(head+":", w), wrapPlain(tail, w)...)
	} else {
		lines = wrapPlain(msg, w)
	}
	if h > len(lines)+1 {
		lines = append(lines, "")
		lines = append(lines, wrapPlain(v.TooSmallHint, w)...)
	}
	for i, l := range lines {
		l = clipText(l, w)
		if pad := (w - lipgloss.Width(l)) / 2; pad > 0 && l != "" {
			l = strings.Repeat(" ", pad) + l
		}
		lines[i] = m.c.st.Text.Render(l)
	}
	top := max((h-len(lines))/2, 0)
	return fitHeight(strings.Repeat("\n", top)+strings.Join(lines, "\n"), h)
}

// footer is one line: a timed message or the short help on the left, the signed-in user and
// the vocabulary on the right; or the full help when `?` is on.
func (m *Model) footer(w int) string {
	st := m.c.st
	label := m.c.v.Label
	if r := roleWord(m.c.opts.Role, m.c.v); r != "" {
		label = r + " · " + label
	}
	right := st.Faint.Render("[" + label + "]")
	if who := m.signedInText(); who != "" {
		right = who + " " + right
	}
	rw := lipgloss.Width(right)
	if m.help.ShowAll {
		lines := strings.Split(m.help.View(m.c.keys), "\n")
		for i, l := range lines {
			lines[i] = clipText(l, w)
		}
		return strings.Join(lines, "\n") + "\n" + strings.Repeat(" ", max(w-rw, 0)) + right
	}
	leftW := max(w-rw-1, 10)
	var left string
	switch {
	case m.flash != "" && m.flashErr:
		left = st.Error.Render(clipText(m.flash, leftW))
	case m.flash != "":
		left = st.Success.Render(clipText(m.flash, leftW))
	default:
		hm := m.help
		hm.Width = leftW
		left = clipText(hm.ShortHelpView(m.c.keys.ShortHelp()), leftW)
	}
	gapW := w - lipgloss.Width(left) - rw
	if gapW < 1 {
		return clipText(left, w)
	}
	return left + strings.Repeat(" ", gapW) + right
}

// fitHeight pads or cuts s to exactly h lines.
func fitHeight(s string, h int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

// roleWord is the role as the vocabulary says it.
func roleWord(role config.Role, v vocab.Vocabulary) string {
	switch role {
	case RoleDischarge:
		return v.RoleDischarge
	case RoleSocialWorker:
		return v.RoleSocialWorker
	case RoleDispatcher:
		return v.RoleDispatcher
	}
	return ""
}
