package views

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/shcr-project/shcr/internal/text"
	"github.com/shcr-project/shcr/record"
	"github.com/shcr-project/shcr/views/vocab"
)

// unbroken are the runs a line never breaks inside: phone numbers ("+44 7700 900123",
// "0113 496 0000 ext 1234") and NHS numbers ("999 100 0003").
var unbroken = regexp.MustCompile(`\+?\d[\d ]*\d(?: ext \d+)?`)

// wrap is text.Wrap keeping numbers whole (unbroken).
func wrap(s string, w int) []string { return text.WrapKeep(s, w, unbroken) }

// moreLines is "… +3 more lines (Enter)": what a cut text left out, for the reader to show.
func moreLines(v vocab.Vocabulary, n int) string {
	if n == 1 {
		return v.MoreLine
	}
	return fmt.Sprintf(v.MoreLines, n)
}

// ItemText is one item in full, for the reader (and anything else that shows an item whole):
// where it came from on top (back end with its NHS / local authority domain, organisation,
// author, when recorded, source system, security labels, other back ends reporting it), a
// rule, then every field of the item. Short values sit beside their label; a long one (a
// note's text, a letter) gets a paragraph of its own under the label, its line breaks kept.
// Everything is wrapped to width and nothing is cut. The lines are plain text: the reader
// styles and highlights them. A restricted item not revealed shows only that it is
// restricted and where it came from. Nil when the section has no item index.
func ItemText(rec *record.Record, sec record.Section, index int, v vocab.Vocabulary, width int, revealed func(key string) bool, now time.Time) []string {
	item, fields := shownFields(rec, sec, index, v, revealed, now)
	if item == nil {
		return nil
	}
	width = max(width, 20)
	head := ProvenanceFields(*item, v)
	lw := labelWidth(head, fields, width)
	lines := fieldLines(head, lw, width)
	lines = append(lines, strings.Repeat("─", min(width, 40)))
	return append(lines, fieldLines(fields, lw, width)...)
}

// SummaryText is the Summary in full for the reader: every line of every field, wrapped to
// width, none cut (the Summary tab cuts a long field after three lines and says so).
func SummaryText(rec *record.Record, v vocab.Vocabulary, width int, now time.Time, revealed func(key string) bool) []string {
	fields := summaryFields(rec, v, now, revealed, -1)
	width = max(width, 20)
	return fieldLines(fields, labelWidth(nil, fields, width), width)
}

// labelWidth is the width of the label column: the widest label, at most two fifths of width.
func labelWidth(a, b []Field, width int) int {
	lw := 0
	for _, fs := range [][]Field{a, b} {
		for _, f := range fs {
			if f.Value != "" {
				lw = max(lw, text.Width(f.Label))
			}
		}
	}
	return min(lw, max(width*2/5, 8))
}

// fieldLines lays fields out as "Label  value" lines; a value with line breaks or longer
// than two lines beside its label goes under it, at the full width, as paragraphs.
func fieldLines(fields []Field, lw, width int) []string {
	var lines []string
	valW := max(width-lw-2, 8)
	for _, f := range fields {
		if f.Value == "" {
			continue
		}
		beside := wrap(f.Value, valW)
		fits := true
		for _, l := range beside {
			fits = fits && text.Width(l) <= valW // a word longer than the column (a link) goes under
		}
		if fits && !strings.Contains(f.Value, "\n") && len(beside) <= 2 {
			for j, l := range beside {
				label := ""
				if j == 0 {
					label = f.Label
				}
				lines = append(lines, strings.TrimRight(text.Pad(label, lw)+"  "+l, " "))
			}
			continue
		}
		if len(lines) > 0 && lines[len(lines)-1] != "" {
			lines = append(lines, "")
		}
		lines = append(lines, text.Cell(f.Label, width))
		for _, l := range wrap(f.Value, width) {
			if text.Width(l) > width { // a word longer than the line: broken, not cut
				lines = append(lines, text.Break(l, width)...)
				continue
			}
			lines = append(lines, l)
		}
		lines = append(lines, "")
	}
	for len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}
