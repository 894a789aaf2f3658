package views

import (
	"slices"
	"strings"

	"github.com/shcr-project/shcr/internal/text"
	"github.com/shcr-project/shcr/record"
	"github.com/shcr-project/shcr/views/vocab"
)

// Column is one column of a section table.
type Column struct {
	Title string
	Min   int  // never narrower than this (0: the title's width)
	Max   int  // never wider than this when space is short (0: no cap)
	Flex  bool // takes what width is left over
	// Wrap: in a row taller than a line (a Whole cell's pieces), the cell wraps into the
	// row's lines rather than being cut on the first ("…" only when it still does not fit).
	Wrap bool
	// Whole: the cell is a list (", " between its pieces: phone numbers) and no piece is ever
	// cut. The column is never narrower than its widest piece; a cell wider than the column
	// puts its pieces on lines of their own and the row grows (RowHeight).
	Whole bool
}

// Row is one item of a section, already turned into text. Building rows costs one pass
// over the section; rendering a frame touches only the visible rows.
type Row struct {
	Index      int           // position of the item in its section slice (care packages: referrals follow the packages)
	Group      int           // rows sort within their group, groups in order (referrals and orders after care packages)
	Domain     record.Domain // shown as a text marker on every row
	Cells      []string      // one per column; empty for a restricted row
	Keys       []string      // sort keys per column where the text does not sort (dates, ranks); "" means use the cell
	Restricted bool          // the row is masked
	Withheld   bool          // masked because the person objected to sharing from its back end
	Phone      string        // the number `y` copies, where the item has one
	// TextCells, when set, replace Cells in the text output (shcr get), which has no details
	// pane: every phone number with its label rather than the numbers to call alone.
	TextCells []string
}

// SortKey is the key column c sorts on.
func (r *Row) SortKey(c int) string {
	if c < len(r.Keys) && r.Keys[c] != "" {
		return r.Keys[c]
	}
	if c < len(r.Cells) {
		return strings.ToLower(r.Cells[c])
	}
	return ""
}

// Matches reports whether the row's text contains the lower-case filter text.
func (r *Row) Matches(lowerFilter string) bool {
	if lowerFilter == "" {
		return true
	}
	for _, c := range r.Cells {
		if containsFold(c, lowerFilter) {
			return true
		}
	}
	return false
}

func containsFold(s, lower string) bool {
	if len(lower) > len(s) {
		return false
	}
	return strings.Contains(strings.ToLower(s), lower)
}

// Table is a section as rows and columns.
type Table struct {
	Section record.Section
	Columns []Column
	Rows    []Row
	// NoDomain leaves out the domain marker column (tables of people, not of items).
	NoDomain bool
	// DefaultSort is the column sorted on first and whether descending (newest first).
	DefaultSort int
	DefaultDesc bool
}

// fixed columns before the cells: the cursor marker and the domain marker.
const (
	markerWidth = 2 // "> "
	domainWidth = 4 // "NHS " / "LA  "
	gap         = 2
)

// Widths lays the columns out in width cells (the whole row, markers included). It looks at
// every row once, so callers cache the answer until the rows or the width change.
func Widths(t *Table, width int) []int { return layoutWidths(t, width, true) }

// NaturalWidths is Widths without growing the flex column: for text output.
func NaturalWidths(t *Table, width int) []int { return layoutWidths(t, width, false) }

func layoutWidths(t *Table, width int, grow bool) []int {
	n := len(t.Columns)
	w := make([]int, n)
	for i, c := range t.Columns {
		w[i] = max(text.Width(c.Title), c.Min)
	}
	for ri := range t.Rows {
		r := &t.Rows[ri]
		for i := 0; i < n && i < len(r.Cells); i++ {
			if cw := text.Width(r.Cells[i]); cw > w[i] {
				w[i] = cw
			}
		}
	}
	floors := make([]int, n) // what a column never goes under: a whole piece, its Min
	for i, c := range t.Columns {
		floors[i] = c.Min
		if c.Whole {
			for ri := range t.Rows {
				if i < len(t.Rows[ri].Cells) {
					for _, piece := range pieces(t.Rows[ri].Cells[i]) {
						// The number (before its label) whole, with its ","; the whole piece
						// up to Max: a longer label wraps under its number.
						head, _ := splitPiece(piece)
						floors[i] = max(floors[i], text.Width(head)+1)
						if c.Max > 0 {
							floors[i] = max(floors[i], min(text.Width(piece)+1, c.Max))
						}
					}
				}
			}
			floors[i] = min(floors[i], w[i])
		}
	}
	avail := width - markerWidth - gap*max(n-1, 0)
	if !t.NoDomain {
		avail -= domainWidth
	}
	if avail < n {
		avail = n
	}
	total := 0
	for _, x := range w {
		total += x
	}
	// Shrink: first cap columns at Max, then take from the widest until it fits.
	natural := slices.Clone(w)
	capAt := func(whole bool) {
		for i, c := range t.Columns {
			if limit := max(c.Max, floors[i]); c.Whole == whole && c.Max > 0 && w[i] > limit && total > avail {
				total -= w[i] - limit
				w[i] = limit
			}
		}
	}
	capAt(false) // a Whole column (phone numbers) is capped only after the flex column gave way
	// The flex column gives way first, down to a useful width.
	for i, c := range t.Columns {
		if c.Flex && total > avail {
			floor := max(floors[i], text.Width(c.Title), 12)
			if cut := min(total-avail, w[i]-floor); cut > 0 {
				w[i] -= cut
				total -= cut
			}
		}
	}
	capAt(true)
	// What capping the Whole column freed goes back to the flex column, up to its own width.
	for i, c := range t.Columns {
		if c.Flex && total < avail && w[i] < natural[i] {
			give := min(avail-total, natural[i]-w[i])
			w[i] += give
			total += give
		}
	}
	for total > avail {
		wi := -1
		for i := range w {
			if w[i] > floors[i] && (wi < 0 || w[i] > w[wi]) {
				wi = i
			}
		}
		if wi < 0 {
			break
		}
		floor := max(min(text.Width(t.Columns[wi].Title), 6), 3, floors[wi])
		if w[wi] <= floor {
			break
		}
		w[wi]--
		total--
	}
	// Grow the flex column into what is left.
	if grow && total < avail {
		for i, c := range t.Columns {
			if c.Flex {
				w[i] += avail - total
				break
			}
		}
	}
	return w
}

// Window is what a table frame shows: the row order after filter and sort, the first
// visible position and the cursor position within Order.
type Window struct {
	Order  []int // indexes into Table.Rows, in shown order
	Offset int
	Cursor int
}

// RenderTable draws a header and at most height-1 rows of the window. It reads only the
// visible rows, so its cost does not depend on how many rows the table has.
func RenderTable(t *Table, widths []int, win Window, v vocab.Vocabulary, st Styles, width, height int) string {
	var b strings.Builder
	b.Grow((height + 1) * (width + 16))
	hdr := make([]string, 0, len(t.Columns))
	for i, c := range t.Columns {
		hdr = append(hdr, text.Fit(c.Title, widths[i]))
	}
	line := strings.Repeat(" ", markerWidth)
	if !t.NoDomain {
		line += text.Fit(v.ColDomain, domainWidth-1) + " "
	}
	line += strings.Join(hdr, "  ")
	b.WriteString(st.Header.Render(text.Fit(line, width)))
	used := 0
	for p := win.Offset; p < len(win.Order) && used < height-1; p++ {
		r := &t.Rows[win.Order[p]]
		lines := renderRow(t, r, widths, v, st, width, p == win.Cursor, !t.NoDomain)
		if used > 0 && used+len(lines) > height-1 {
			break // a row is shown whole or not at all (the first one is cut only when taller than the table)
		}
		for _, l := range lines[:min(len(lines), height-1-used)] {
			b.WriteByte('\n')
			b.WriteString(l)
			used++
		}
	}
	return b.String()
}

// pieces splits a Whole cell into its pieces at each ", " outside brackets ("07700 900999
// (mobile, ended 03-Jan-2025)" is one piece).
func pieces(cell string) []string {
	cell = text.OneLine(cell)
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(cell); i++ {
		switch cell[i] {
		case '(':
			depth++
		case ')':
			depth = max(depth-1, 0)
		case ',':
			if depth == 0 && i+1 < len(cell) && cell[i+1] == ' ' {
				out = append(out, cell[start:i])
				start = i + 2
				i++
			}
		}
	}
	return append(out, cell[start:])
}

// splitPiece splits a piece before its label: "07700 900123" and "(mobile, ended …)".
func splitPiece(p string) (head, label string) {
	if i := strings.Index(p, " ("); i > 0 {
		return p[:i], p[i+1:]
	}
	return p, ""
}

// wholeLines lays a Whole cell out in w cells: on one line when it fits, else as few pieces
// a line as fit, each line but the last ending in ","; a piece wider than w puts its label
// under its number. A number is never cut nor broken.
func wholeLines(cell string, w int) []string {
	if text.Width(cell) <= w {
		return []string{cell}
	}
	var out []string
	cur := ""
	flush := func() {
		if cur != "" {
			out = append(out, cur+",")
			cur = ""
		}
	}
	for _, p := range pieces(cell) {
		switch {
		case cur == "" && text.Width(p)+1 <= w:
			cur = p
		case cur != "" && text.Width(cur)+2+text.Width(p)+1 <= w:
			cur += ", " + p
		case text.Width(p)+1 <= w:
			flush()
			cur = p
		default:
			flush()
			head, label := splitPiece(p)
			out = append(out, head)
			out = append(out, text.Wrap(label, w-1)...)
			cur = out[len(out)-1]
			out = out[:len(out)-1]
		}
	}
	return append(out, cur)
}

// wrapInto wraps cell to w cells in at most h lines, the last cut with "…" when more is left.
func wrapInto(cell string, w, h int) []string {
	lines := text.Wrap(text.OneLine(cell), w)
	if len(lines) > h {
		rest := strings.Join(lines[h-1:], " ")
		lines = append(lines[:h-1], text.Truncate(rest, w))
	}
	return lines
}

// RowHeight is how many lines row ri takes with these column widths: one, or more where a
// Whole cell puts its pieces on lines of their own.
func RowHeight(t *Table, widths []int, ri int) int {
	h := 1
	r := &t.Rows[ri]
	if r.Restricted {
		return h
	}
	for i, c := range t.Columns {
		if c.Whole && i < len(r.Cells) && i < len(widths) && text.Width(r.Cells[i]) > widths[i] {
			h = max(h, len(wholeLines(r.Cells[i], widths[i])))
		}
	}
	return h
}

// renderRow is a row's lines: the cells on the first, truncated with "…" where they do not
// fit, and a Whole cell's further pieces on the lines under it.
func renderRow(t *Table, r *Row, widths []int, v vocab.Vocabulary, st Styles, width int, selected, domain bool) []string {
	cells := make([][]string, len(widths))
	h := 1
	for i, wd := range widths {
		cell := ""
		if i < len(r.Cells) {
			cell = r.Cells[i]
		}
		if i < len(t.Columns) && t.Columns[i].Whole {
			cells[i] = wholeLines(cell, wd)
			h = max(h, len(cells[i]))
		} else {
			cells[i] = []string{cell}
		}
	}
	if r.Restricted || r.Withheld {
		h = 1
	}
	for i, wd := range widths {
		if h > 1 && i < len(t.Columns) && t.Columns[i].Wrap && text.Width(cells[i][0]) > wd {
			cells[i] = wrapInto(cells[i][0], wd, h)
		}
	}
	out := make([]string, h)
	for li := range h {
		var lb strings.Builder
		lb.Grow(width + 8)
		switch {
		case selected && li == 0:
			lb.WriteString("> ")
		default:
			lb.WriteString("  ")
		}
		if domain {
			marker := ""
			if li == 0 {
				marker = DomainMarker(r.Domain, v)
			}
			lb.WriteString(text.Fit(marker, domainWidth-1))
			lb.WriteByte(' ')
		}
		if r.Withheld {
			lb.WriteString(v.WithheldObjection)
		} else if r.Restricted {
			lb.WriteString(v.Restricted)
		} else {
			for i, wd := range widths {
				if i > 0 {
					lb.WriteString("  ")
				}
				cell := ""
				if li < len(cells[i]) {
					cell = cells[i][li]
				}
				lb.WriteString(text.Fit(cell, wd))
			}
		}
		line := text.Fit(lb.String(), width)
		switch {
		case selected:
			out[li] = st.RowSelected.Render(line)
		case r.Restricted:
			out[li] = st.Restricted.Render(line)
		default:
			out[li] = st.Row.Render(line)
		}
	}
	return out
}

// DomainMarker is the text marker of a domain: "NHS" or "LA".
func DomainMarker(d record.Domain, v vocab.Vocabulary) string {
	switch d {
	case record.DomainHealth:
		return v.DomainHealth
	case record.DomainSocialCare:
		return v.DomainSocialCare
	}
	return ""
}

// DomainLong is the domain in words for the details pane.
func DomainLong(d record.Domain, v vocab.Vocabulary) string {
	switch d {
	case record.DomainHealth:
		return v.DomainHealthLong
	case record.DomainSocialCare:
		return v.DomainSocialLong
	}
	return string(d)
}

// SortOrder sorts order (indexes into t.Rows) by column col, stably, descending when desc.
// The default-sorted table keeps the natural order for equal keys.
func SortOrder(t *Table, order []int, col int, desc bool) {
	if col < 0 || col >= len(t.Columns) {
		return
	}
	keys := make([]string, len(t.Rows))
	for _, i := range order {
		keys[i] = t.Rows[i].SortKey(col)
	}
	slices.SortStableFunc(order, func(a, b int) int {
		if g := t.Rows[a].Group - t.Rows[b].Group; g != 0 {
			return g
		}
		c := strings.Compare(keys[a], keys[b])
		if desc {
			return -c
		}
		return c
	})
}
