package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/shcr-project/shcr/client"
	"github.com/shcr-project/shcr/internal/purpose"
	"github.com/shcr-project/shcr/internal/text"
	"github.com/shcr-project/shcr/views"
)

// purposeDialog asks why a record is being opened: direct care, safeguarding, emergency, or
// other with a typed reason. It is asked once per person per session (purpose.Session) when
// nothing is preset, and again to unlock the idle lock where there is no sign-in.
type purposeDialog struct {
	overlayBase
	match   client.Match      // the person being opened (open mode)
	unlock  bool              // confirming the purpose to unlock the screen
	options []purpose.Purpose // what may be chosen (only the preset one when there is one)
	preset  bool
	cursor  int
	typing  bool // the reason field has the keys (other)
	reason  textinput.Model
	msg     string // why the last confirm was refused
}

func newPurposeDialog(c *common, m client.Match, unlock bool, current purpose.Choice) *purposeDialog {
	d := &purposeDialog{overlayBase: overlayBase{c: c}, match: m, unlock: unlock, options: purpose.Choosable()}
	if r := c.opts.Purpose; r.Preset() {
		d.options, d.preset = []purpose.Purpose{r.Purpose}, true
	}
	in := textinput.New()
	in.Prompt = ""
	in.CharLimit = purpose.MaxReason
	in.Cursor.SetMode(cursor.CursorStatic)
	d.reason = in
	for i, p := range d.options {
		if p == current.Purpose {
			d.cursor = i
		}
	}
	if current.Purpose == purpose.Other {
		d.reason.SetValue(current.Reason)
	}
	return d
}

// purposeWord is a purpose as the vocabulary says it.
func (c *common) purposeWord(p purpose.Purpose) string {
	v := c.v
	switch p {
	case purpose.DirectCare:
		return v.PurposeDirectCare
	case purpose.Safeguarding:
		return v.PurposeSafeguarding
	case purpose.Emergency:
		return v.PurposeEmergency
	case purpose.Other:
		return v.PurposeOther
	case purpose.Demo:
		return v.PurposeDemo
	}
	return string(p)
}

// purposeDoneMsg is the dialog's answer when a record is being opened: a choice, or
// cancelled. (To unlock, a choice is an unlockMsg; cancelled goes back to the lock.)
type purposeDoneMsg struct {
	match     client.Match
	choice    purpose.Choice
	cancelled bool
}

// unlockMsg takes the idle lock away; a purpose re-confirmed (not zero) is kept for the
// record on screen.
type unlockMsg struct{ choice purpose.Choice }

func (d *purposeDialog) Place() placement {
	if d.unlock {
		return placeScreen
	}
	return placeDialog
}

func (d *purposeDialog) Modal() bool { return true }

func (d *purposeDialog) FullHelp() [][]key.Binding {
	k := d.c.dialogKeys
	if d.typing {
		return [][]key.Binding{{k.Apply, k.Cancel}}
	}
	return [][]key.Binding{{k.Up, k.Down, k.Tab, k.Apply, k.Cancel}}
}

// Update handles a key; when the dialog is finished it is done and says so with a message.
func (d *purposeDialog) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	km, ok := msg.(tea.KeyMsg)
	if !ok {
		return d, nil
	}
	cmd, out := d.key(d.c, d.c.dialogKeys, km)
	if out == nil {
		return d, cmd
	}
	d.done = true
	switch {
	case d.unlock && out.cancelled:
		return d, nil // back to the lock panel
	case d.unlock:
		return d, func() tea.Msg { return unlockMsg{choice: out.choice} }
	}
	out.match = d.match
	return d, func() tea.Msg { return *out }
}

// key handles a key; it returns the outcome when the dialog is finished.
func (d *purposeDialog) key(c *common, k KeyMap, msg tea.KeyMsg) (tea.Cmd, *purposeDoneMsg) {
	if d.typing {
		switch {
		case key.Matches(msg, k.Cancel):
			d.typing, d.msg = false, ""
			d.reason.Blur()
			return nil, nil
		case key.Matches(msg, k.Apply):
			ch, err := purpose.New(purpose.Other, d.reason.Value())
			if err != nil {
				d.msg = c.v.PurposeNeedReason
				if strings.TrimSpace(d.reason.Value()) != "" {
					d.msg = err.Error()
				}
				return nil, nil
			}
			return nil, &purposeDoneMsg{choice: ch}
		}
		var cmd tea.Cmd
		d.reason, cmd = d.reason.Update(msg)
		d.msg = ""
		return cmd, nil
	}
	switch {
	case key.Matches(msg, k.Cancel):
		return nil, &purposeDoneMsg{cancelled: true}
	case key.Matches(msg, k.Up):
		d.cursor = max(d.cursor-1, 0)
	case key.Matches(msg, k.Down):
		d.cursor = min(d.cursor+1, len(d.options)-1)
	case key.Matches(msg, k.Tab):
		i := int(msg.String()[0] - '1')
		if i < 0 || i >= len(d.options) {
			return nil, nil
		}
		d.cursor = i
		return d.choose(c)
	case key.Matches(msg, k.Apply):
		return d.choose(c)
	}
	return nil, nil
}

func (d *purposeDialog) choose(c *common) (tea.Cmd, *purposeDoneMsg) {
	p := d.options[d.cursor]
	if d.preset {
		return nil, &purposeDoneMsg{choice: c.opts.Purpose.Choice}
	}
	if p.NeedsReason() {
		d.typing, d.msg = true, ""
		return d.reason.Focus(), nil
	}
	return nil, &purposeDoneMsg{choice: purpose.Choice{Purpose: p}}
}

// View is the dialog as a bordered panel.
func (d *purposeDialog) View() string {
	c, w := d.c, d.w
	v, st := c.v, c.st
	inner := min(max(w-6, 20), 72)
	var b []string
	b = append(b, st.Title.Render(v.PurposeTitle), "")
	q := v.PurposeQuestion
	if d.unlock {
		q = v.PurposeUnlockQuestion
	}
	for _, l := range text.Wrap(q, max(inner, 10)) {
		b = append(b, st.Text.Render(l))
	}
	b = append(b, "")
	for i, p := range d.options {
		label := c.purposeWord(p)
		if d.preset {
			label = fmt.Sprintf(v.PurposePreset, label)
		}
		line := fmt.Sprintf("%d  %s", i+1, label)
		if i == d.cursor {
			b = append(b, st.RowSelected.Render(text.Truncate("> "+line, inner)))
		} else {
			b = append(b, st.Text.Render(text.Truncate("  "+line, inner)))
		}
	}
	if d.typing || d.reason.Value() != "" && d.options[d.cursor] == purpose.Other {
		d.reason.Width = max(inner-len(v.PurposeReason)-1, 10)
		b = append(b, "", st.Bold.Render(v.PurposeReason)+d.reason.View())
	}
	if d.msg != "" {
		b = append(b, "", st.Error.Render(text.Truncate(d.msg, inner)))
	}
	help := v.PurposeHelp
	if d.typing {
		help = v.PurposeReasonHelp
	}
	b = append(b, "", st.Faint.Render(text.Truncate(help, inner)))
	return views.Panel(strings.Join(b, "\n"), st, inner)
}
