package tui

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/atotto/clipboard"
	"github.com/aymanbagabas/go-osc52/v2"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/shcr-project/shcr/config"
	"github.com/shcr-project/shcr/internal/audit"
	"github.com/shcr-project/shcr/internal/text"
	"github.com/shcr-project/shcr/record"
	"github.com/shcr-project/shcr/views"
)

// Copying: `y` copies the selected row's primary value (views.PrimaryCopy), `Y` opens the
// copy chooser (views.CopyChoices); `H` writes the handover summary to a file. A copy goes
// to the terminal's clipboard as an OSC 52 sequence written with the next frame (its payload
// is base64: nothing a server sent can act on the terminal), and to the system clipboard
// where there is one (Options.Clipboard); the status bar says what was copied and where,
// never the value itself.

// pushMsg asks the root to open an overlay the page made (the copy chooser, the handover
// summary's note of where it went).
type pushMsg struct{ o overlay }

// copiedMsg is the system clipboard's answer to a copy.
type copiedMsg struct {
	what string // "the phone number"; "" for a copy that names its text (a sign-in address)
	text string // only for what == ""
	err  error
}

// systemClipboard writes to the system clipboard (xclip, xsel or wl-copy on Linux; pbcopy;
// the Windows clipboard): none on a headless machine, which is said.
func systemClipboard(s string) error { return clipboard.WriteAll(s) }

// copy puts msg's text on the terminal's clipboard (OSC 52, with the next frame) and the
// system clipboard (in a command: it may run a program), then says what was copied.
func (m *Model) copy(msg copyMsg) tea.Cmd {
	if msg.what == m.c.v.CopyHandover && m.record.rec != nil {
		// The handover summary is a disclosure: recorded before it leaves, or not copied.
		if err := m.c.record(audit.Exported(m.record.rec, m.record.choice, audit.ExportClipboard)); err != nil {
			text := fmt.Sprintf(m.c.v.HandoverNotWritten, fmt.Sprintf(m.c.v.ExportNotAudited, flatLine(err.Error())))
			return func() tea.Msg { return flashMsg{text: text, err: true} }
		}
	}
	m.oscID++
	id := m.oscID
	m.osc = osc52.New(msg.text).String()
	clip := m.c.opts.Clipboard
	if clip == nil {
		clip = systemClipboard
	}
	s, what := msg.text, msg.what
	return tea.Batch(func() tea.Msg {
		err := clip(s)
		out := copiedMsg{what: what, err: err}
		if what == "" {
			out.text = s
		}
		return out
	}, m.c.tick(500*time.Millisecond, func(time.Time) tea.Msg { return clearCopyMsg{id} }))
}

// copied says what was copied and where it went. The log gets neither the value nor what
// it was: only whether the system clipboard took it.
func (m *Model) copied(msg copiedMsg) tea.Cmd {
	v := m.c.v
	if msg.err != nil {
		m.c.log.Debug("system clipboard unavailable; copied with OSC 52 only")
	}
	switch {
	case msg.what == "":
		return m.flashCmd(strings.ReplaceAll(v.Copied, "%s", msg.text), false)
	case msg.err != nil:
		return m.flashCmd(fmt.Sprintf(v.CopiedTerminal, msg.what), false)
	}
	return m.flashCmd(fmt.Sprintf(v.CopiedBoth, msg.what), false)
}

// selected is the section and item index of the selected row (the timeline's row names its
// item's own section); sec "" on the summary.
func (p *recordPage) selected() (record.Section, int) {
	pn := p.pane()
	if pn == nil {
		return "", -1
	}
	p.ensure(pn)
	r := pn.selectedRow()
	if r == nil {
		return pn.sec, -1
	}
	if pn == p.timeline() {
		return p.timelineItem(r.Index)
	}
	return pn.sec, r.Index
}

// primaryCopy is what `y` copies from the selected row; ok false when nothing.
func (p *recordPage) primaryCopy() (views.CopyChoice, bool) {
	if p.rec == nil {
		return views.CopyChoice{}, false
	}
	sec, i := p.selected()
	if sec != "" && i < 0 {
		return views.CopyChoice{}, false
	}
	return views.PrimaryCopy(p.shown(), sec, i, p.c.v, p.reveals.Has, p.c.now())
}

// canCopy reports whether `y` has something to copy, from the selected row alone (it is
// asked at every key): the NHS number on the summary; on a table, any row not restricted,
// but a contact with no number to call (as views.PrimaryCopy decides).
func (p *recordPage) canCopy() bool {
	if p.rec == nil {
		return false
	}
	pn := p.pane()
	if pn == nil {
		return p.rec.Person.NHSNumber != ""
	}
	p.ensure(pn)
	r := pn.selectedRow()
	switch {
	case r == nil || r.Restricted:
		return false
	case pn.sec == record.SectionNextOfKin && pn != p.timeline():
		return r.Phone != ""
	}
	return true
}

// copyKey is `y`.
func (p *recordPage) copyKey() tea.Cmd {
	if c, ok := p.primaryCopy(); ok {
		return func() tea.Msg { return copyMsg{text: c.Value, what: c.What} }
	}
	return flash(p.c.v.CopyNothing, true)
}

// copyChoices is what the chooser offers for the selected row, the handover summary last.
func (p *recordPage) copyChoices() []views.CopyChoice {
	sec, i := p.selected()
	v := p.c.v
	out := views.CopyChoices(p.shown(), sec, i, v, p.reveals.Has, p.c.now())
	return append(out, views.CopyChoice{Label: v.HandoverTitle, Value: p.handoverText(), What: v.CopyHandover})
}

// handoverText is the handover summary of the record as shown (restricted items withheld
// unless revealed).
func (p *recordPage) handoverText() string {
	return views.Handover(p.shown(), p.c.v, p.c.now(), p.reveals.Has)
}

// handoverKey is `H`: the handover summary is written to a new file (mode 0600) in the
// handover directory, and the status bar says where.
func (p *recordPage) handoverKey() tea.Cmd {
	if p.rec == nil {
		return nil
	}
	// Everything the command needs is taken here: it runs off the Update goroutine.
	body, dir, now, c, v := p.handoverText(), p.c.opts.HandoverDir, p.c.now(), p.c, p.c.v
	// Recorded before it leaves: no file the audit trail does not know of.
	if err := c.record(audit.Exported(p.rec, p.choice, audit.ExportFile)); err != nil {
		note := newNotePanel(c, v.HandoverTitle, fmt.Sprintf(v.HandoverNotWritten, fmt.Sprintf(v.ExportNotAudited, flatLine(err.Error()))), true)
		return func() tea.Msg { return pushMsg{note} }
	}
	return func() tea.Msg {
		path, err := writeHandover(dir, body, now)
		if err != nil {
			return pushMsg{newNotePanel(c, v.HandoverTitle, fmt.Sprintf(v.HandoverNotWritten, err), true)}
		}
		return pushMsg{newNotePanel(c, v.HandoverTitle, fmt.Sprintf(v.HandoverWritten, path), false)}
	}
}

// writeHandover writes body to handover-YYYYMMDD-HHMMSS.md in dir ("" : handover under the
// state directory), readable by the user only. The name holds no personal data.
func writeHandover(dir, body string, now time.Time) (string, error) {
	if dir == "" {
		state, err := config.StateDir(nil)
		if err != nil {
			return "", err
		}
		dir = filepath.Join(state, "handover")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", pathErr(err)
	}
	base := "handover-" + now.UTC().Format("20060102-150405")
	for n := 0; ; n++ {
		name := base + ".md"
		if n > 0 {
			name = fmt.Sprintf("%s-%d.md", base, n)
		}
		path := filepath.Join(dir, name)
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, os.ErrExist) && n < 100 {
			continue
		}
		if err != nil {
			return "", pathErr(err)
		}
		_, werr := f.WriteString(body)
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			_ = os.Remove(path)
			return "", pathErr(werr)
		}
		return path, nil
	}
}

// pathErr is an error without the operation's wording: "permission denied".
func pathErr(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// copyChooser is the `Y` overlay: a short list of what can be copied from the selected row
// (the NHS number, each phone of the contact, the address, the row as text, the handover
// summary); enter copies the one chosen, esc closes.
type copyChooser struct {
	overlayBase
	choices []views.CopyChoice
	cursor  int
}

var _ overlay = (*copyChooser)(nil)

func newCopyChooser(c *common, choices []views.CopyChoice) *copyChooser {
	return &copyChooser{overlayBase: overlayBase{c: c}, choices: choices}
}

func (d *copyChooser) Place() placement { return placeDialog }
func (d *copyChooser) Modal() bool      { return true }

func (d *copyChooser) FullHelp() [][]key.Binding {
	k := d.c.dialogKeys
	return [][]key.Binding{{k.Up, k.Down, k.Apply, k.Cancel}}
}

// Update moves the cursor; enter copies the chosen value and closes, esc closes.
func (d *copyChooser) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	km, ok := msg.(tea.KeyMsg)
	if !ok {
		return d, nil
	}
	k := d.c.dialogKeys
	switch {
	case key.Matches(km, k.Cancel):
		d.done = true
	case key.Matches(km, k.Up):
		d.cursor = max(d.cursor-1, 0)
	case key.Matches(km, k.Down):
		d.cursor = min(d.cursor+1, len(d.choices)-1)
	case key.Matches(km, k.Apply):
		d.done = true
		if d.cursor < len(d.choices) {
			c := d.choices[d.cursor]
			return d, func() tea.Msg { return copyMsg{text: c.Value, what: c.What} }
		}
	}
	return d, nil
}

// View is the chooser as a bordered panel: each choice on one line, cut with "…" where it
// does not fit (the value copied is always whole).
func (d *copyChooser) View() string {
	v, st := d.c.v, d.c.st
	inner := min(max(d.w-6, 20), 76)
	b := []string{st.Title.Render(v.CopyTitle), ""}
	for i, c := range d.choices {
		line := text.Truncate(text.OneLine(c.Label), inner-2)
		if i == d.cursor {
			b = append(b, st.RowSelected.Render(text.Pad("> "+line, inner)))
		} else {
			b = append(b, st.Text.Render("  "+line))
		}
	}
	b = append(b, "", st.Faint.Render(text.Truncate(v.CopyHelp, inner)))
	return views.Panel(strings.Join(b, "\n"), st, inner)
}

// notePanel says one thing that does not fit the status bar (where the handover summary
// was written: a path is long) until a key closes it.
type notePanel struct {
	overlayBase
	title, msg string
	isErr      bool
}

var _ overlay = (*notePanel)(nil)

func newNotePanel(c *common, title, msg string, isErr bool) *notePanel {
	return &notePanel{overlayBase: overlayBase{c: c}, title: title, msg: msg, isErr: isErr}
}

func (n *notePanel) Place() placement { return placeDialog }
func (n *notePanel) Modal() bool      { return true }

func (n *notePanel) FullHelp() [][]key.Binding {
	k := n.c.dialogKeys
	return [][]key.Binding{{k.Apply, k.Cancel}}
}

// Update closes the panel on enter or esc.
func (n *notePanel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if km, ok := msg.(tea.KeyMsg); ok && (key.Matches(km, n.c.dialogKeys.Apply) || key.Matches(km, n.c.dialogKeys.Cancel)) {
		n.done = true
	}
	return n, nil
}

// View is the note as a bordered panel, the message wrapped at spaces (a path longer than
// the panel is broken, never cut).
func (n *notePanel) View() string {
	v, st := n.c.v, n.c.st
	inner := min(max(n.w-6, 20), 76)
	b := []string{st.Title.Render(n.title), ""}
	style := st.Text
	if n.isErr {
		style = st.Error
	}
	for _, l := range text.Wrap(n.msg, inner) {
		for _, piece := range text.Break(l, inner) { // a path longer than the panel
			b = append(b, style.Render(piece))
		}
	}
	b = append(b, "", st.Faint.Render(text.Truncate(v.NoteHelp, inner)))
	return views.Panel(strings.Join(b, "\n"), st, inner)
}
