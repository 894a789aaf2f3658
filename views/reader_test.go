package views_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/shcr-project/shcr/internal/text"
	"github.com/shcr-project/shcr/record"
	"github.com/shcr-project/shcr/views"
	"github.com/shcr-project/shcr/views/viewstest"
)

// ItemText is an item whole: where it came from first, then every field, nothing cut, every
// line within the width, at any width.
func TestItemTextWhole(t *testing.T) {
	rec := viewstest.Hard()
	for _, v := range vocabs {
		for _, sec := range views.TabSections() {
			for i := range rec.Count(sec) {
				for _, w := range []int{40, 78, 198} {
					lines := views.ItemText(rec, sec, i, v, w, nil, viewstest.Now)
					if len(lines) == 0 {
						t.Fatalf("%s %s %d: no text", v.Name, sec, i)
					}
					for _, l := range lines {
						if text.Width(l) > w {
							t.Errorf("%s %s %d at %d: line %d wide: %q", v.Name, sec, i, w, text.Width(l), l)
						}
						if strings.Contains(l, "SECRET") {
							t.Errorf("%s %s %d: restricted content: %q", v.Name, sec, i, l)
						}
					}
					joined := strings.Join(strings.Fields(strings.Join(lines, " ")), " ")
					it := rec.Sections.Items(sec)[i]
					if !strings.HasPrefix(lines[0], v.Backend) || !strings.Contains(joined, it.Provenance.Backend) ||
						!strings.Contains(joined, views.DomainLong(it.Provenance.Domain, v)) {
						t.Errorf("%s %s %d: not from %s (%s) on top:\n%s", v.Name, sec, i, it.Provenance.Backend, it.Provenance.Domain, strings.Join(lines, "\n"))
					}
				}
			}
		}
	}
	// A note's text is there whole, its paragraphs kept.
	for i, n := range rec.Sections.Notes {
		if n.Restricted || n.Text == "" {
			continue
		}
		lines := views.ItemText(rec, record.SectionNotes, i, vocabs[0], 30, nil, viewstest.Now)
		joined := strings.Join(lines, "\n")
		for _, para := range strings.Split(n.Text, "\n") {
			if para != "" && !strings.Contains(strings.Join(strings.Fields(joined), " "), strings.Join(strings.Fields(para), " ")) {
				t.Errorf("note %d: %q not whole in:\n%s", i, para, joined)
			}
		}
		if strings.Contains(n.Text, "\n\n") && !strings.Contains(joined, "\n\n") {
			t.Errorf("note %d: paragraphs not kept:\n%s", i, joined)
		}
	}
}

// A phone number is never cut in the next of kin table, at any width shcr draws: the column
// keeps every number whole, a row taking more lines where it must.
func TestNextOfKinNumbersNeverCut(t *testing.T) {
	rec := viewstest.Hard()
	c := rec.Sections.NextOfKin[0]
	c.Key, c.Rank = "nok-long", 1
	c.Phones = []record.Phone{{Number: "+44 7700 900123", Use: "mobile"}, {Number: "0113 496 0000 ext 1234", Use: "work"}}
	rec.Sections.NextOfKin = append(rec.Sections.NextOfKin, c)
	for _, v := range vocabs {
		tab := views.SectionTable(rec, record.SectionNextOfKin, v, nil, viewstest.Now)
		order := views.DefaultOrder(&tab)
		for w := 64; w <= 200; w++ {
			widths := views.Widths(&tab, w)
			lines := 1
			for _, ri := range order {
				lines += views.RowHeight(&tab, widths, ri)
			}
			out := views.RenderTable(&tab, widths, views.Window{Order: order, Cursor: -1}, v, views.TextStyles(), w, lines)
			for _, num := range []string{"+44 7700 900123", "0113 496 0000 ext 1234", "01632 960888", "01632 960777"} {
				if !strings.Contains(out, num) {
					t.Fatalf("%s at %d: %q cut:\n%s", v.Name, w, num, out)
				}
			}
			for _, l := range strings.Split(out, "\n") {
				if text.Width(l) > w {
					t.Fatalf("%s at %d: line %d wide", v.Name, w, text.Width(l))
				}
			}
		}
	}
}

// The Summary names three next of kin and counts the others; SummaryText names them all.
func TestSummaryCountsKinAndTheReaderNamesThem(t *testing.T) {
	rec := viewstest.Record()
	kin := rec.Sections.NextOfKin[0]
	for i := range 6 {
		c := kin
		c.Key, c.Name, c.Rank = fmt.Sprintf("k%d", i), fmt.Sprintf("Contact Number%d", i), 10+i
		rec.Sections.NextOfKin = append(rec.Sections.NextOfKin, c)
	}
	for _, v := range vocabs {
		sum := views.Summary(rec, v, views.TextStyles(), 120, 0, viewstest.Now, nil)
		if !strings.Contains(sum, fmt.Sprintf(v.MoreEnter, 6)) {
			t.Errorf("%s: the Summary does not count the 6 others:\n%s", v.Name, sum)
		}
		full := strings.Join(views.SummaryText(rec, v, 120, viewstest.Now, nil), "\n")
		for i := range 6 {
			if !strings.Contains(full, fmt.Sprintf("Contact Number%d", i)) {
				t.Errorf("%s: the reader leaves out contact %d:\n%s", v.Name, i, full)
			}
		}
		if strings.Contains(full, "(Enter)") {
			t.Errorf("%s: the Summary in full still says something is left out:\n%s", v.Name, full)
		}
	}
}
