package tui

import (
	"strings"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/shcr-project/shcr/internal/text"
)

// helpBar is the help in the status bar: one line of the keys that matter now, or with `?`
// the full help in columns. The full help is an overlay on the stack, but not a modal one:
// the page keeps its keys while it shows (a taller status bar, not a dialog); `?` or esc
// closes it.
type helpBar struct {
	c     *common
	model help.Model
	full  bool // on the stack: the full help shows
}

var _ overlay = (*helpBar)(nil)

func newHelpBar(c *common) *helpBar { return &helpBar{c: c, model: c.help()} }

// help is a help view in shcr's styles (the status bar's, the reader's keys line).
func (c *common) help() help.Model {
	m := help.New()
	st := c.st
	m.Styles.ShortKey, m.Styles.FullKey = st.Key, st.Key
	m.Styles.ShortDesc, m.Styles.FullDesc = st.KeyDesc, st.KeyDesc
	m.Styles.ShortSeparator, m.Styles.FullSeparator = st.Faint, st.Faint
	m.Styles.Ellipsis = st.Faint
	return m
}

func (h *helpBar) Init() tea.Cmd { return nil }

func (h *helpBar) SetSize(w, _ int) { h.model.Width = w }

// Update closes the full help on `?` or esc; it only watches the other keys (the page has them).
func (h *helpBar) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if km, ok := msg.(tea.KeyMsg); ok && (key.Matches(km, h.c.keys.Help) || km.Type == tea.KeyEsc) {
		h.full = false
	}
	return h, nil
}

// Done reports that the full help has closed (it is popped).
func (h *helpBar) Done() bool { return !h.full }

// Place: the full help is drawn in the status bar, which grows with it.
func (h *helpBar) Place() placement { return placeFooter }

// Modal, PassKeys: the page keeps its keys, shown in the full help.
func (h *helpBar) Modal() bool    { return false }
func (h *helpBar) PassKeys() bool { return true }

// View is the full help, each line cut to the width ("" when it is off).
func (h *helpBar) View() string {
	if !h.full {
		return ""
	}
	lines := strings.Split(h.model.FullHelpView(h.FullHelp()), "\n")
	for i, l := range lines {
		lines[i] = text.Truncate(l, h.model.Width)
	}
	return strings.Join(lines, "\n")
}

// line is the one-line help, at most w wide.
func (h *helpBar) line(w int) string {
	hm := h.model
	hm.Width = w
	return text.Truncate(hm.ShortHelpView(h.ShortHelp()), w)
}

// The keys are the root's KeyMap, enabled for what has focus now.
func (h *helpBar) ShortHelp() []key.Binding  { return h.c.keys.ShortHelp() }
func (h *helpBar) FullHelp() [][]key.Binding { return h.c.keys.FullHelp() }
