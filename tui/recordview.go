package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/shcr-project/shcr/internal/text"
	"github.com/shcr-project/shcr/record"
	"github.com/shcr-project/shcr/views"
)

// view lays the page out in w × h: banner, tabs, notices, the tab body, the back ends line.
func (p *recordPage) view(w, h int) string {
	if p.rec == nil {
		return ""
	}
	v, st, now := p.c.v, p.c.st, p.c.now()
	rec := p.shown()
	banner := views.BannerWith(rec, p.facts, v, st, w, now) // facts: worked out once with rec (shown)
	tabs := p.tabBar(w)
	backends := views.BackendLine(p.c.signInStatuses(rec.Backends, rec.SectionStatus), v, st, w)
	rule := st.Rule.Render(strings.Repeat("─", w))
	var notice []string
	// A back end that needs a sign-in says so in place of its data (ctrl+l).
	notice = append(notice, p.c.signInHints(rec.Backends, rec.SectionStatus, w)...)
	sec := sectionOf(p.active)
	pn := p.pane()
	if sec == record.SectionCarePackages {
		for _, l := range text.Wrap(views.CarePackageVerdict(rec, v, now, p.reveals.Has), max(w, 10)) {
			notice = append(notice, st.Bold.Render(l))
		}
	}
	wait := views.Wait{Frame: p.spin.View()}
	if !p.opened.IsZero() {
		wait.Elapsed = max(now.Sub(p.opened), 0)
	}
	if sec != "" {
		notice = append(notice, views.SectionNoticeWaiting(rec, sec, v, st, w, wait)...)
	} else if waiting := views.Waiting(rec); len(waiting) > 0 {
		notice = append(notice, views.WaitingLine(waiting, wait, v, st, w)) // the Summary's lines say "checking …"
	}
	// What could not be checked and every list warning are shown whole, up to a third of
	// the screen; the table keeps the rest. What does not fit is counted, never dropped
	// silently.
	if limit := max(3, h/3); len(notice) > limit {
		more := fmt.Sprintf(v.NoticeMore, len(notice)-limit+1)
		notice = append(notice[:limit-1], st.Warning.Render(text.Truncate(more, w)))
	}
	if sec != "" {
		p.ensure(pn)
		notice = append(notice, "") // the table's state line: written once the table is drawn (the rows it shows)
	}
	head := banner + "\n" + rule + "\n" + tabs
	if len(notice) > 0 {
		head += "\n" + strings.Join(notice, "\n")
	}
	p.zones.place(lipgloss.Height(banner)+1, lipgloss.Height(head))
	bodyH := h - lipgloss.Height(head) - lipgloss.Height(backends)
	if bodyH < 3 {
		bodyH = 3
	}
	var body string
	if pn == nil {
		body = views.Summary(rec, v, st, w, bodyH, now, p.reveals.Has)
	} else {
		body = p.tableBody(pn, w, bodyH)
		head = head[:strings.LastIndexByte(head, '\n')+1] + p.tableState(pn, w)
	}
	return head + "\n" + fitHeight(body, bodyH) + "\n" + backends
}

// tableBody is the table with its details pane: beside it when wide, under it when not.
func (p *recordPage) tableBody(pn *tablePane, w, h int) string {
	v, st := p.c.v, p.c.st
	compact := w < wideLayout
	details := func(dw, dh int) string {
		sec, i := p.selected() // a timeline row is its item's own section's
		if i < 0 {
			return ""
		}
		if compact {
			return views.ItemDetailsCompact(p.shown(), sec, i, v, st, dw, dh, p.reveals.Has, p.c.now())
		}
		return st.Title.Render(v.Details) + "\n" + views.ItemDetails(p.shown(), sec, i, v, st, dw, dh-1, p.reveals.Has, p.c.now())
	}
	if w >= wideLayout {
		tw := w * 3 / 5
		dw := w - tw - 3
		table := fitHeight(pn.view(v, st, tw, h), h)
		det := fitHeight(details(dw, h), h)
		sep := strings.TrimSuffix(strings.Repeat(st.Rule.Render(" │ ")+"\n", h), "\n")
		return lipgloss.JoinHorizontal(lipgloss.Top, lipgloss.NewStyle().Width(tw).Render(table), sep, det)
	}
	dh := max(min(6, h/3+1), h/3) // a tall terminal gives the details a third of the body
	th := h - dh - 1
	if th < 2 {
		th, dh = h, 0
	}
	out := fitHeight(pn.view(v, st, w, th), th)
	if dh > 0 {
		out += "\n" + st.Rule.Render(strings.Repeat("─", w)) + "\n" + details(w, dh)
	}
	return out
}

// tableState is "12 of 5000 · sorted by Date, newest first · NHS only · Filter: fall".
func (p *recordPage) tableState(pn *tablePane, w int) string {
	v, st := p.c.v, p.c.st
	parts := []string{fmt.Sprintf("%d %s %d %s", len(pn.order), v.Of, len(pn.table.Rows), v.Rows)}
	if first, last, all := pn.shownRows(); !all { // never a silent cut: the list scrolls
		parts[0] += " " + fmt.Sprintf(v.RowsShown, first, last)
	}
	if pn == p.timeline() {
		parts = append([]string{v.TimelineTitle}, parts...)
	}
	if pn.sortCol < len(pn.table.Columns) {
		dir := v.Ascending
		if pn.sortDesc {
			dir = v.Descending
		}
		parts = append(parts, fmt.Sprintf(v.SortedBy, pn.table.Columns[pn.sortCol].Title, dir))
	}
	parts = append(parts, fmt.Sprintf(v.Showing, p.dom.text(v)))
	line := st.Faint.Render(text.Truncate(strings.Join(parts, " · "), w))
	if p.filtering {
		return line + "  " + st.Bold.Render(v.FilterPrompt) + p.filterIn.View()
	}
	if pn.filter != "" {
		return line + "  " + st.Bold.Render(v.FilterPrompt+pn.filter)
	}
	return line
}
