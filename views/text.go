package views

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/shcr-project/shcr/internal/text"
	"github.com/shcr-project/shcr/record"
	"github.com/shcr-project/shcr/views/vocab"
)

// TextStyles are styles that add nothing: for text written to files and pipes.
func TextStyles() Styles {
	s := lipgloss.NewStyle()
	return Styles{Plain: true, Text: s, Faint: s, Accent: s, Bold: s, Error: s, Warning: s, Success: s,
		BannerName: s, Banner: s, Chip: s, ChipAlert: s, ChipWarn: s, TabActive: s, TabInactive: s, TabBar: s,
		Header: s, Row: s, RowSelected: s, Domain: s, Restricted: s, Label: s, Title: s, Pane: s, Rule: s,
		Status: s, Key: s, KeyDesc: s, Match: s, MatchCurrent: s}
}

// RecordText is the record as plain text for people (`shcr get`): the person banner, the back
// ends' status, then each asked section as a table with what the back ends said about it.
// Restricted items are listed without content.
func RecordText(rec *record.Record, v vocab.Vocabulary, sections []record.Section, width int) string {
	return RecordTextWith(rec, v, sections, width, TextOptions{})
}

// TextOptions tune RecordTextWith.
type TextOptions struct {
	Now      time.Time             // for ages and active packages; zero means time.Now
	Revealed func(key string) bool // restricted items revealed (with an audited reason); nil: none
}

// RecordTextWith is RecordText with a clock and revealed restricted items. Give it
// rec.Masked(revealed), so that content not revealed is not even in memory here.
func RecordTextWith(rec *record.Record, v vocab.Vocabulary, sections []record.Section, width int, o TextOptions) string {
	now := o.Now
	if now.IsZero() {
		now = time.Now()
	}
	if width <= 0 {
		width = 100
	}
	st := TextStyles()
	v.Restricted = v.RestrictedText
	v.WithheldObjection = v.WithheldObjectionText
	var b strings.Builder
	b.WriteString(Banner(rec, v, st, width, now))
	b.WriteString("\n")
	b.WriteString(backendLines(rec.Backends, v, st, width, 0)) // every back end, however many lines
	b.WriteString("\n")
	b.WriteString(identityText(rec, v, width, now)) // identity.go
	for _, n := range rec.Notices {
		for _, l := range text.Wrap(fmt.Sprintf(v.NoticeLine, n.Backend, n.Text), width) {
			b.WriteString(text.Cell(l, width))
			b.WriteString("\n")
		}
	}
	all := len(sections) == 0 || len(sections) == len(record.Sections())
	if len(sections) == 0 {
		sections = record.Sections()
	}
	for _, sec := range sections {
		if all && quietWhenEmpty(rec, sec) {
			continue
		}
		b.WriteString("\n")
		title := SectionTitle(sec, v)
		fmt.Fprintf(&b, "%s (%s)\n", title, CountText(rec, sec))
		sv := sectionViews[sec]
		if sv.lead != nil {
			for _, l := range text.Wrap(sv.lead(rec, v, now, o.Revealed), width) {
				b.WriteString(l)
				b.WriteString("\n")
			}
		}
		for _, l := range SectionNotice(rec, sec, v, st, width) {
			b.WriteString(l)
			b.WriteString("\n")
		}
		if sv.text != nil {
			sv.text(&b, rec, v, st, width, o.Revealed)
			continue
		}
		t := SectionTable(rec, sec, v, o.Revealed, now)
		writeTable(&b, &t, v, st, width)
	}
	return trimLines(b.String())
}

// writeTable writes a table in its default order; nothing when it has no rows.
func writeTable(b *strings.Builder, t *Table, v vocab.Vocabulary, st Styles, width int) {
	if len(t.Rows) == 0 {
		return
	}
	for i := range t.Rows {
		if t.Rows[i].TextCells != nil {
			t.Rows[i].Cells = t.Rows[i].TextCells
		}
	}
	order := DefaultOrder(t)
	widths := NaturalWidths(t, width)
	lines := 1
	for _, ri := range order {
		lines += RowHeight(t, widths, ri)
	}
	b.WriteString(RenderTable(t, widths, Window{Order: order, Cursor: -1}, v, st, width, lines))
	b.WriteString("\n")
}

// DefaultOrder is the table's rows in its default sort order.
func DefaultOrder(t *Table) []int {
	order := make([]int, len(t.Rows))
	for i := range order {
		order[i] = i
	}
	SortOrder(t, order, t.DefaultSort, t.DefaultDesc)
	return order
}

// trimLines drops trailing spaces that padding leaves on each line.
func trimLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n")
}
