package tui

import (
	"strings"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/shcr-project/shcr/internal/text"
)

// helpBar is the help in the status bar: one line of the keys that matter now, or with `?`
// the full help in columns. It is a component like the overlays but not on their stack: the
// page keeps its keys while the full help shows (a taller status bar, not a dialog).
type helpBar struct {
	c     *common
	model help.Model
	full  bool
}

var (
	_ tea.Model                      = (*helpBar)(nil)
	_ help.KeyMap                    = (*helpBar)(nil)
	_ interface{ SetSize(w, h int) } = (*helpBar)(nil)
)

func newHelpBar(c *common) *helpBar {
	h := &helpBar{c: c, model: help.New()}
	st := c.st
	h.model.Styles.ShortKey, h.model.Styles.FullKey = st.Key, st.Key
	h.model.Styles.ShortDesc, h.model.Styles.FullDesc = st.KeyDesc, st.KeyDesc
	h.model.Styles.ShortSeparator, h.model.Styles.FullSeparator = st.Faint, st.Faint
	h.model.Styles.Ellipsis = st.Faint
	return h
}

func (h *helpBar) Init() tea.Cmd { return nil }

func (h *helpBar) SetSize(w, _ int) { h.model.Width = w }

// Update toggles the full help on `?`.
func (h *helpBar) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if km, ok := msg.(tea.KeyMsg); ok && key.Matches(km, h.c.keys.Help) {
		h.full = !h.full
	}
	return h, nil
}

// hide goes back to the one-line help.
func (h *helpBar) hide() { h.full = false }

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
