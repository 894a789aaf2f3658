package tui

import (
	"strings"
	"time"

	"github.com/shcr-project/shcr/record"
	"github.com/shcr-project/shcr/views"
	"github.com/shcr-project/shcr/views/vocab"
)

// domainFilter is the `d` cycle: all, health only, social care only.
type domainFilter int

const (
	domainAll domainFilter = iota
	domainHealth
	domainSocial
)

func (d domainFilter) next() domainFilter { return (d + 1) % 3 }

func (d domainFilter) keep(x record.Domain) bool {
	switch d {
	case domainHealth:
		return x == record.DomainHealth
	case domainSocial:
		return x == record.DomainSocialCare
	}
	return true
}

func (d domainFilter) text(v vocab.Vocabulary) string {
	switch d {
	case domainHealth:
		return v.ShowHealth
	case domainSocial:
		return v.ShowSocial
	}
	return v.ShowAll
}

// tablePane is a virtualised table of one section: it keeps the rows built once, the order
// after filter and sort, and a cursor; a frame renders only the visible rows.
type tablePane struct {
	sec    record.Section
	table  views.Table
	built  bool // table reflects the record and vocabulary
	order  []int
	cursor int // position in order
	offset int // first visible position

	filter   string
	sortCol  int
	sortDesc bool
	sortSet  bool // the user chose a sort with `s`

	moved bool // the user has moved the cursor: keep their row selected as data arrives
	// rebuiltAt is the selected item's index + 1 in a record built again in another order
	// (0: none): ensure selects it there (arrivals.go keepingSelection).
	rebuiltAt  int
	widths     []int
	widthsFor  int
	lastHeight int
	lastWidth  int // the width last drawn (mouse.go)
}

func newTablePane(sec record.Section) *tablePane { return &tablePane{sec: sec} }

// invalidate marks the rows stale (new data or another vocabulary).
func (p *tablePane) invalidate() { p.built = false }

// ensure rebuilds rows and order when stale.
func (p *tablePane) ensure(rec *record.Record, v vocab.Vocabulary, dom domainFilter, revealed func(string) bool, now time.Time) {
	if p.built {
		return
	}
	selected := -1
	if p.moved {
		selected = p.itemIndex()
	}
	p.rebuiltAt = 0
	p.table = views.SectionTable(rec, p.sec, v, revealed, now)
	if !p.sortSet {
		p.sortCol, p.sortDesc = p.table.DefaultSort, p.table.DefaultDesc
	}
	p.built = true
	p.widths = nil
	p.reorder(dom, selected)
}

// selectedIndex is the section index of the selected row, -1 when none.
func (p *tablePane) selectedIndex() int {
	if p.cursor < 0 || p.cursor >= len(p.order) || !p.built && len(p.table.Rows) == 0 {
		return -1
	}
	r := p.order[p.cursor]
	if r >= len(p.table.Rows) {
		return -1
	}
	return p.table.Rows[r].Index
}

// itemIndex is the selected item's index in the record as it now is: where a record built
// again put it, else the selected row's (selectedIndex).
func (p *tablePane) itemIndex() int {
	if p.rebuiltAt > 0 {
		return p.rebuiltAt - 1
	}
	return p.selectedIndex()
}

// selectedRow is the selected row, nil when there is none.
func (p *tablePane) selectedRow() *views.Row {
	if p.cursor < 0 || p.cursor >= len(p.order) {
		return nil
	}
	return &p.table.Rows[p.order[p.cursor]]
}

// reorder applies the domain filter, the text filter and the sort, keeping the selected
// item selected where it is still shown.
func (p *tablePane) reorder(dom domainFilter, keepIndex int) {
	lf := strings.ToLower(p.filter)
	p.order = p.order[:0]
	for i := range p.table.Rows {
		r := &p.table.Rows[i]
		if dom.keep(r.Domain) && r.Matches(lf) {
			p.order = append(p.order, i)
		}
	}
	views.SortOrder(&p.table, p.order, p.sortCol, p.sortDesc)
	p.cursor = 0
	if keepIndex >= 0 {
		for pos, ri := range p.order {
			if p.table.Rows[ri].Index == keepIndex {
				p.cursor = pos
				break
			}
		}
	}
	p.clamp(p.lastHeight)
}

// cycleSort moves to the next sort: each column ascending then descending, then the next column.
func (p *tablePane) cycleSort(dom domainFilter) {
	n := len(p.table.Columns)
	if n == 0 {
		return
	}
	keep := p.selectedIndex()
	if !p.sortDesc {
		p.sortDesc = true
	} else {
		p.sortDesc = false
		p.sortCol = (p.sortCol + 1) % n
	}
	p.sortSet = true
	p.reorder(dom, keep)
}

// visible is how many rows fit under the header in height lines.
func visible(height int) int { return max(height-1, 1) }

func (p *tablePane) move(delta int) {
	p.moved = true
	p.cursor += delta
	p.clamp(p.lastHeight)
}

func (p *tablePane) top()    { p.moved = true; p.cursor = 0; p.clamp(p.lastHeight) }
func (p *tablePane) bottom() { p.moved = true; p.cursor = len(p.order) - 1; p.clamp(p.lastHeight) }

// clamp keeps the cursor in range and on screen.
func (p *tablePane) clamp(height int) {
	if p.cursor >= len(p.order) {
		p.cursor = len(p.order) - 1
	}
	if p.cursor < 0 {
		p.cursor = 0
	}
	if height <= 0 {
		return
	}
	vis := visible(height)
	if p.cursor < p.offset {
		p.offset = p.cursor
	}
	// The cursor's row shows whole: the first row shown is the earliest from which the rows
	// up to the cursor's fit (rows may take more than a line: a contact's numbers).
	if p.cursor >= 0 {
		first, used := p.cursor, p.rowLines(p.cursor)
		for first > p.offset && used+p.rowLines(first-1) <= vis {
			first--
			used += p.rowLines(first)
		}
		p.offset = first
	}
	// No empty lines under the last row while rows above could fill them.
	used := 0
	for i := p.offset; i < len(p.order) && used <= vis; i++ {
		used += p.rowLines(i)
	}
	for p.offset > 0 && used+p.rowLines(p.offset-1) <= vis {
		p.offset--
		used += p.rowLines(p.offset)
	}
	if p.offset < 0 {
		p.offset = 0
	}
}

// rowLines is how many lines the row at position pos takes at the widths last drawn.
func (p *tablePane) rowLines(pos int) int {
	if p.widths == nil || pos < 0 || pos >= len(p.order) {
		return 1
	}
	return views.RowHeight(&p.table, p.widths, p.order[pos])
}

// rowAt is the position (in order) of the row drawn on line y of the table (0: the header),
// -1 when none is.
func (p *tablePane) rowAt(y int) int {
	if y < 1 {
		return -1
	}
	line := 1
	for pos := p.offset; pos < len(p.order) && line < max(p.lastHeight, 1); pos++ {
		h := p.rowLines(pos)
		if y < line+h {
			return pos
		}
		line += h
	}
	return -1
}

// view renders the table in width × height (header included).
func (p *tablePane) view(v vocab.Vocabulary, st views.Styles, width, height int) string {
	if p.widths == nil || p.widthsFor != width {
		p.widths = views.Widths(&p.table, width)
		p.widthsFor = width
	}
	p.lastHeight, p.lastWidth = height, width
	p.clamp(height)
	return views.RenderTable(&p.table, p.widths, views.Window{Order: p.order, Offset: p.offset, Cursor: p.cursor}, v, st, width, height)
}

// shownRows is the positions of the first and last rows the last frame showed (from 1), and
// whether that was every row: a table that scrolls says which it shows.
func (p *tablePane) shownRows() (first, last int, all bool) {
	if len(p.order) == 0 {
		return 0, 0, true
	}
	used, last := 0, p.offset
	for pos := p.offset; pos < len(p.order); pos++ {
		if used += p.rowLines(pos); used > visible(p.lastHeight) {
			break
		}
		last = pos
	}
	return p.offset + 1, last + 1, p.offset == 0 && last == len(p.order)-1
}
