package tui

// The search page drawn: the field, what the search has found so far, the people opened
// in this session, and the demo's NHS numbers.

import (
	"fmt"
	"strings"
	"time"

	"github.com/shcr-project/shcr/client"
	"github.com/shcr-project/shcr/internal/nhsnumber"
	"github.com/shcr-project/shcr/internal/text"
	"github.com/shcr-project/shcr/record"
	"github.com/shcr-project/shcr/views"
)

// view draws the page in w×h cells.
func (p *searchPage) view(w, h int) string {
	v, st := p.c.v, p.c.st
	var b strings.Builder
	b.WriteString(st.Title.Render(v.SearchTitle))
	b.WriteString("\n\n")
	p.input.Width = p.fieldWidth(w)
	b.WriteString(st.Bold.Render(v.SearchPrompt) + p.input.View())
	b.WriteString("\n")
	q := parseQuery(p.input.Value(), v)
	line := ""
	switch {
	case p.searching && len(p.pending) > 0:
		waited := fmt.Sprintf(v.SecondsShort, int(p.c.now().Sub(p.started)/time.Second))
		line = st.Faint.Render(p.spin.View() + " " + fmt.Sprintf(v.StillSearching, strings.Join(p.pending, ", ")) + " (" + waited + ")")
	case p.searching:
		line = st.Faint.Render(fmt.Sprintf(v.Searching, len(p.c.opts.Federation.Backends())))
	case p.message != "" && p.msgErr:
		line = st.Error.Render(p.message)
	case p.message != "":
		line = st.Text.Render(p.message)
	case q.err:
		line = st.Error.Render(q.hint)
	case q.hint != "":
		line = st.Success.Render(q.hint)
	}
	if line != "" {
		for _, l := range text.WrapHard(line, max(w, 10)) {
			b.WriteString(l + "\n")
		}
	}
	for _, l := range p.c.signInHints(p.statuses, nil, w) {
		b.WriteString(l + "\n")
	}
	for _, l := range text.Wrap(v.SearchHelp, max(w, 10)) {
		b.WriteString(st.Faint.Render(l) + "\n")
	}
	if len(p.c.opts.DemoNumbers) > 0 {
		nums := make([]string, 0, len(p.c.opts.DemoNumbers))
		for _, n := range p.c.opts.DemoNumbers {
			nums = append(nums, nhsnumber.Format(n))
		}
		hint := demoHint(v.DemoHint, nums, w)
		for _, l := range hint {
			b.WriteString(st.Accent.Render(l) + "\n")
		}
	}
	used := strings.Count(b.String(), "\n")
	rest := h - used - 1
	if len(p.results) > 0 {
		b.WriteString("\n" + st.Title.Render(fmt.Sprintf("%s (%d)", v.ResultsTitle, len(p.results))) + "  " + st.Faint.Render(v.ResultsHelp) + "\n")
		t := views.ResultsTable(matchPeople(p.results), matchUnmatched(p.results), v, p.c.now())
		cur := -1
		if p.focusList {
			cur = p.cursor
		}
		tableH := max(rest-3, 2)
		win := views.Window{Order: seq(len(t.Rows)), Cursor: cur, Offset: max(cur-tableH+2, 0)}
		b.WriteString(views.RenderTable(&t, views.Widths(&t, w), win, v, st, w, tableH))
		b.WriteString("\n")
	} else if len(p.recent) > 0 {
		b.WriteString("\n" + st.Title.Render(v.RecentTitle) + "  " + st.Faint.Render(v.RecentHelp) + "\n")
		for i, m := range p.recent {
			if i >= rest-2 {
				break
			}
			marker := "  "
			if p.focusList && i == p.cursor {
				marker = "> "
			}
			line := fmt.Sprintf("%salt+%d  %s  %s  %s", marker, i+1, views.PersonName(m.Person.Name),
				views.PersonBornText(&m.Person, v, p.c.now()), views.NHSNumberText(m.Person.NHSNumber, v))
			if p.focusList && i == p.cursor {
				b.WriteString(st.RowSelected.Render(text.Truncate(line, w)) + "\n")
			} else {
				b.WriteString(st.Text.Render(text.Truncate(line, w)) + "\n")
			}
		}
	}
	if len(p.statuses) > 0 {
		b.WriteString("\n" + views.BackendLine(p.c.signInStatuses(p.statuses, nil), v, st, w))
	}
	return b.String()
}

func matchPeople(ms []client.Match) []record.Person {
	out := make([]record.Person, len(ms))
	for i, m := range ms {
		out[i] = m.Person
	}
	return out
}

func matchUnmatched(ms []client.Match) []bool {
	out := make([]bool, len(ms))
	for i, m := range ms {
		out[i] = m.Unmatched
	}
	return out
}

func seq(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// demoHint lists demo NHS numbers on at most two lines, never breaking a number.
func demoHint(format string, nums []string, w int) []string {
	prefix := strings.TrimSpace(strings.ReplaceAll(format, "%s", ""))
	lines := []string{prefix}
	for i, n := range nums {
		item := n
		if i < len(nums)-1 {
			item += ","
		}
		cur := lines[len(lines)-1]
		if len(cur)+1+len(item) <= w {
			lines[len(lines)-1] = cur + " " + item
			continue
		}
		if len(lines) == 2 {
			lines[1] = strings.TrimSuffix(cur, ",") + " …"
			if len(lines[1]) > w {
				lines[1] = cur[:strings.LastIndex(cur, " ")] + " …"
			}
			return lines
		}
		lines = append(lines, item)
	}
	return lines
}
