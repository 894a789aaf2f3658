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
	if total > avail {
		for i, c := range t.Columns {
			if c.Max > 0 && w[i] > c.Max {
				total -= w[i] - c.Max
				w[i] = c.Max
			}
		}
	}
	// The flex column gives way first, down to a useful width.
	for i, c := range t.Columns {
		if c.Flex && total > avail {
			floor := max(c.Min, text.Width(c.Title), 12)
			if cut := min(total-avail, w[i]-floor); cut > 0 {
				w[i] -= cut
				total -= cut
			}
		}
	}
	for total > avail {
		wi := -1
		for i := range w {
			if w[i] > t.Columns[i].Min && (wi < 0 || w[i] > w[wi]) {
				wi = i
			}
		}
		if wi < 0 {
			break
		}
		floor := max(min(text.Width(t.Columns[wi].Title), 6), 3, t.Columns[wi].Min)
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
	for p := win.Offset; p < len(win.Order) && p < win.Offset+height-1; p++ {
		b.WriteByte('\n')
		r := &t.Rows[win.Order[p]]
		selected := p == win.Cursor
		b.WriteString(renderRow(r, widths, v, st, width, selected, !t.NoDomain))
	}
	return b.String()
}

func renderRow(r *Row, widths []int, v vocab.Vocabulary, st Styles, width int, selected, domain bool) string {
	var lb strings.Builder
	lb.Grow(width + 8)
	if selected {
		lb.WriteString("> ")
	} else {
		lb.WriteString("  ")
	}
	if domain {
		lb.WriteString(text.Fit(DomainMarker(r.Domain, v), domainWidth-1))
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
			if i < len(r.Cells) {
				cell = r.Cells[i]
			}
			lb.WriteString(text.Fit(cell, wd))
		}
	}
	line := text.Fit(lb.String(), width)
	switch {
	case selected:
		return st.RowSelected.Render(line)
	case r.Restricted:
		return st.Restricted.Render(line)
	}
	return st.Row.Render(line)
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
