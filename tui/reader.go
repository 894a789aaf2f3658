package tui

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/shcr-project/shcr/internal/text"
	"github.com/shcr-project/shcr/views"
)

// readRequest is what the reader shows: a title and the text, built for a width (it is built
// again when the window changes size). live reports whether what it shows is still on
// screen beneath it (the same record open): when not, the reader closes. The page leaves it
// in recordPage.reading and the root opens the reader in the same Update, so that the keys
// typed after enter reach the reader, however fast they come.
type readRequest struct {
	title string
	build func(width int) []string
	live  func() bool
}

// read asks for the selected row of the tab in the reader, or the Summary in full.
func (p *recordPage) read() {
	if p.rec == nil {
		return
	}
	v, now := p.c.v, p.c.now()
	revealed := p.reveals.Has
	open := p.rec
	live := func() bool { return p.rec == open }
	// The text is built from the record as it is when the reader (re)wraps: sections that
	// arrive while it is open (back ends still answering) are in it (refresh).
	pn := p.pane()
	if pn == nil {
		p.reading = &readRequest{title: v.TabSummary, live: live,
			build: func(w int) []string { return views.SummaryText(p.shown(), v, w, now, revealed) }}
		return
	}
	p.ensure(pn)
	r := pn.selectedRow()
	if r == nil {
		return
	}
	sec, index := pn.sec, r.Index
	title := views.SectionTitle(sec, v)
	if !r.Restricted { // the row's first two cells: "Clinical notes · 24-Nov-2026 · Ward round note"
		n := 0
		for _, c := range r.Cells {
			if c = text.OneLine(c); c != "" && n < 2 {
				title += " · " + c
				n++
			}
		}
	}
	p.reading = &readRequest{title: title, live: live,
		build: func(w int) []string { return views.ItemText(p.shown(), sec, index, v, w, revealed, now) }}
}

// takeRead is the reader the page asked for, once.
func (p *recordPage) takeRead() *readRequest {
	r := p.reading
	p.reading = nil
	return r
}

// reader is an item (or the Summary) in full, on the whole screen: a bubbles viewport that
// scrolls (↑/↓, pgup/pgdn/space, g/G, the mouse wheel), `/` finds in the text, n/N go to the
// next and previous match (highlighted, "3/7"); the text is wrapped to the width and
// wrapped again when the window changes. esc closes it: the tab and the selected row are as
// they were.
type reader struct {
	overlayBase
	keys  KeyMap
	msg   readRequest
	lines []string // plain, wrapped to the width
	vp    viewport.Model

	finding bool
	findIn  textinput.Model
	query   string
	matches []textMatch
	cur     int // the match shown, -1 when none
}

// textMatch is a found text: its line and byte range in it, and where it goes on when the
// wrapping broke it across lines (cont: the byte ranges on the lines after).
type textMatch struct {
	line, start, end int
	cont             []textSpan
}

// textSpan is a byte range of one line.
type textSpan struct{ line, start, end int }

// spans are every line's part of the match, in order.
func (m textMatch) spans() []textSpan {
	return append([]textSpan{{m.line, m.start, m.end}}, m.cont...)
}

// readerGutter is the room left of the text: "> " marks the line of the match shown (not
// only by colour).
const readerGutter = 2

func newReader(c *common, msg readRequest) *reader {
	r := &reader{overlayBase: overlayBase{c: c}, keys: readerKeys(c), msg: msg, cur: -1}
	r.findIn = textinput.New()
	r.findIn.Prompt = ""
	r.findIn.CharLimit = 80
	r.findIn.Cursor.SetMode(cursor.CursorStatic)
	r.vp = viewport.New(1, 1)
	r.vp.KeyMap = viewport.KeyMap{} // keys are ours (readerKeys), matched with key.Matches
	r.vp.MouseWheelEnabled = false  // the wheel too: mouse()
	return r
}

// readerKeys are the reader's keys: moving, finding, closing.
func readerKeys(c *common) KeyMap {
	k := DefaultKeyMap()
	k.SetVocabulary(c.v)
	k.PageDown.SetHelp("pgdn/space", c.v.HelpPageDown)
	k.Top.SetHelp(k.Top.Help().Key, c.v.HelpTextTop)
	k.Bottom.SetHelp(k.Bottom.Help().Key, c.v.HelpTextEnd)
	return k
}

// SetSize fits the reader to the screen and wraps the text again for the width.
func (r *reader) SetSize(w, h int) {
	if w == r.w && h == r.h && r.lines != nil {
		return
	}
	r.w, r.h = w, h
	top := r.vp.YOffset
	old := len(r.lines)
	r.lines = r.msg.build(max(w-readerGutter, 10))
	r.vp.Width, r.vp.Height = max(w, 1), max(h-4, 1)
	r.find()
	r.render()
	if old > 0 { // the same place in the text, as near as the new wrapping allows
		r.vp.SetYOffset(top * len(r.lines) / old)
	}
}

// refresh builds the text again from the record as it is now (a part arrived), keeping the
// place in it and the find.
func (r *reader) refresh() {
	if r.lines == nil || r.Done() {
		return
	}
	top := r.vp.YOffset
	r.lines = r.msg.build(max(r.w-readerGutter, 10))
	r.find()
	r.render()
	r.vp.SetYOffset(top) // where the reader was: new text comes, the place stays
}

// Done reports that esc closed the reader, or that the record under it is gone.
func (r *reader) Done() bool { return r.done || r.msg.live != nil && !r.msg.live() }

// Place: the reader has the whole screen; Modal: the page's keys are off.
func (r *reader) Place() placement { return placeScreen }
func (r *reader) Modal() bool      { return true }

// Update moves, finds and closes.
func (r *reader) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	km, ok := msg.(tea.KeyMsg)
	if !ok {
		return r, nil
	}
	k := r.keys
	if r.finding {
		switch {
		case key.Matches(km, k.Apply):
			r.finding = false
			r.findIn.Blur()
			r.query = strings.TrimSpace(r.findIn.Value())
			r.find()
			r.cur = r.firstFrom(r.vp.YOffset)
			r.render()
			r.show()
			return r, nil
		case key.Matches(km, k.Cancel):
			r.finding = false
			r.findIn.Blur()
			return r, nil
		}
		if km.Type == tea.KeyRunes { // typed or pasted: no escape or control sequence reaches the field
			if km.Runes = cleanTyped(km.Runes); len(km.Runes) == 0 {
				return r, nil
			}
		}
		var cmd tea.Cmd
		r.findIn, cmd = r.findIn.Update(km)
		return r, cmd
	}
	switch {
	case key.Matches(km, k.Close):
		r.done = true
	case key.Matches(km, k.Up):
		r.vp.LineUp(1)
	case key.Matches(km, k.Down):
		r.vp.LineDown(1)
	case key.Matches(km, k.PageUp):
		r.vp.ViewUp()
	case key.Matches(km, k.PageDown):
		r.vp.ViewDown()
	case key.Matches(km, k.Top):
		r.vp.GotoTop()
	case key.Matches(km, k.Bottom):
		r.vp.GotoBottom()
	case key.Matches(km, k.Find):
		r.finding = true // a new search; the last one is the placeholder
		r.findIn.SetValue("")
		r.findIn.Placeholder = r.query
		return r, r.findIn.Focus()
	case key.Matches(km, k.FindNext):
		r.step(1)
	case key.Matches(km, k.FindPrev):
		r.step(-1)
	}
	return r, nil
}

// mouse scrolls with the wheel.
func (r *reader) mouse(msg tea.MouseMsg) tea.Cmd {
	if msg.Action != tea.MouseActionPress {
		return nil
	}
	switch msg.Button {
	case tea.MouseButtonWheelUp:
		r.vp.LineUp(3)
	case tea.MouseButtonWheelDown:
		r.vp.LineDown(3)
	}
	return nil
}

// find lists every match of the query in the lines (case folded), keeping the match shown
// where it still is. A paragraph's lines are searched as the text they were wrapped from
// (each next line's indent under its label dropped, the line break read as one space), so
// that words the wrapping put on two lines are found.
func (r *reader) find() {
	r.matches = r.matches[:0]
	if r.query == "" {
		r.cur = -1
		return
	}
	for a := 0; a < len(r.lines); {
		if r.lines[a] == "" {
			a++
			continue
		}
		b := a
		for b+1 < len(r.lines) && r.lines[b+1] != "" {
			b++
		}
		r.findRun(a, b)
		a = b + 1
	}
	if r.cur >= len(r.matches) {
		r.cur = len(r.matches) - 1
	}
}

// findRun adds the matches in lines a…b (one paragraph: no empty line between them).
func (r *reader) findRun(a, b int) {
	type piece struct{ line, from, at int } // the line's bytes from `from` are at `at` in joined
	var sb strings.Builder
	pieces := make([]piece, 0, b-a+1)
	for i := a; i <= b; i++ {
		l, from := r.lines[i], 0
		if i > a {
			from = len(l) - len(strings.TrimLeft(l, " "))
			sb.WriteByte(' ')
		}
		pieces = append(pieces, piece{i, from, sb.Len()})
		sb.WriteString(l[from:])
	}
	joined := sb.String()
	hay, q := strings.ToLower(joined), strings.ToLower(r.query)
	if len(hay) != len(joined) { // folding changed the length: match the case as typed
		hay, q = joined, r.query
	}
	for from := 0; ; {
		j := strings.Index(hay[from:], q)
		if j < 0 {
			return
		}
		s, e := from+j, from+j+len(q)
		from = e
		if !onRunes(joined, s, e) {
			continue
		}
		var segs []textSpan
		for k, p := range pieces {
			end := len(joined)
			if k+1 < len(pieces) {
				end = pieces[k+1].at - 1 // the space a line break stands for is no line's
			}
			if lo, hi := max(s, p.at), min(e, end); lo < hi {
				segs = append(segs, textSpan{p.line, p.from + lo - p.at, p.from + hi - p.at})
			}
		}
		if len(segs) > 0 {
			r.matches = append(r.matches, textMatch{line: segs[0].line, start: segs[0].start, end: segs[0].end, cont: segs[1:]})
		}
	}
}

// onRunes reports whether s[start:end] begins and ends on whole characters (folding the case
// kept the length but moved a boundary: not a match to cut there).
func onRunes(s string, start, end int) bool {
	return utf8.RuneStart(s[start]) && (end == len(s) || utf8.RuneStart(s[end]))
}

// firstFrom is the first match on or after line, else the first match; -1 when none.
func (r *reader) firstFrom(line int) int {
	for i, m := range r.matches {
		if m.line >= line {
			return i
		}
	}
	if len(r.matches) > 0 {
		return 0
	}
	return -1
}

// step goes to the next (1) or previous (-1) match, round the end.
func (r *reader) step(d int) {
	if len(r.matches) == 0 {
		return
	}
	if r.cur < 0 {
		r.cur = r.firstFrom(r.vp.YOffset)
	} else {
		r.cur = (r.cur + d + len(r.matches)) % len(r.matches)
	}
	r.render()
	r.show()
}

// show scrolls the match shown into view, a third of the way down.
func (r *reader) show() {
	if r.cur < 0 {
		return
	}
	l := r.matches[r.cur].line
	if l < r.vp.YOffset || l >= r.vp.YOffset+r.vp.Height {
		r.vp.SetYOffset(l - r.vp.Height/3)
	}
}

// render puts the lines in the viewport, matches highlighted, the match shown marked.
func (r *reader) render() {
	st := r.c.st
	type lineSpan struct {
		match      int
		start, end int
	}
	byLine := map[int][]lineSpan{}
	for i, m := range r.matches {
		for _, sp := range m.spans() {
			byLine[sp.line] = append(byLine[sp.line], lineSpan{i, sp.start, sp.end})
		}
	}
	out := make([]string, len(r.lines))
	for i, l := range r.lines {
		gutter := "  "
		if ms := byLine[i]; len(ms) > 0 {
			var b strings.Builder
			at := 0
			for _, m := range ms {
				b.WriteString(st.Text.Render(l[at:m.start]))
				style := st.Match
				if m.match == r.cur {
					style, gutter = st.MatchCurrent, "> "
				}
				b.WriteString(style.Render(l[m.start:m.end]))
				at = m.end
			}
			b.WriteString(st.Text.Render(l[at:]))
			out[i] = gutter + b.String()
			continue
		}
		out[i] = gutter + st.Text.Render(l)
	}
	r.vp.SetContent(strings.Join(out, "\n"))
}

// View is the title and where in the text, a rule, the text, the find line and the keys.
func (r *reader) View() string {
	if r.Done() {
		return ""
	}
	st, v, w := r.c.st, r.c.v, r.w
	first := r.vp.YOffset + 1
	last := min(r.vp.YOffset+r.vp.Height, len(r.lines))
	pos := fmt.Sprintf(v.ReadPosition, min(first, last), last, len(r.lines))
	titleW := max(w-text.Width(pos)-2, 10)
	title := st.Title.Render(text.Cell(r.msg.title, titleW))
	head := title + strings.Repeat(" ", max(w-text.Width(title)-text.Width(pos), 1)) + st.Faint.Render(pos)
	var find string
	switch {
	case r.finding:
		find = st.Bold.Render(v.ReadFind) + r.findIn.View()
	case r.query != "" && len(r.matches) == 0:
		find = st.Bold.Render(v.ReadFind) + st.Text.Render(r.query) + "  " + st.Warning.Render(v.ReadNoMatch)
	case r.query != "":
		find = st.Bold.Render(v.ReadFind) + st.Text.Render(r.query) + "  " +
			st.Bold.Render(fmt.Sprintf(v.ReadMatches, max(r.cur+1, 0), len(r.matches)))
	}
	hm := r.c.help()
	hm.Width = w
	help := text.Truncate(hm.ShortHelpView(r.ShortHelp()), w)
	body := fitHeight(r.vp.View(), r.vp.Height)
	return strings.Join([]string{text.Truncate(head, w), st.Rule.Render(strings.Repeat("─", w)), body,
		text.Truncate(find, w), help}, "\n")
}

// ShortHelp: while finding, enter and esc; else moving, finding, closing.
func (r *reader) ShortHelp() []key.Binding {
	k := r.keys
	if r.finding {
		k.Apply.SetHelp("enter", r.c.v.HelpFind)
		return []key.Binding{k.Apply, k.Cancel}
	}
	keys := []key.Binding{k.Close, k.Up, k.Down, k.PageDown, k.Find}
	if len(r.matches) > 0 {
		keys = append(keys, k.FindNext, k.FindPrev)
	}
	return append(keys, k.Top, k.Bottom)
}

func (r *reader) FullHelp() [][]key.Binding { return [][]key.Binding{r.ShortHelp()} }
