package views

import (
	"fmt"
	"slices"
	"strings"

	"github.com/shcr-project/shcr/client/record"
	"github.com/shcr-project/shcr/views/vocab"
)

// Loading reports whether any back end is still answering sec.
func Loading(rec *record.Record, sec record.Section) bool {
	for _, st := range rec.SectionStatus {
		if st.Section == sec && st.State == record.StateLoading {
			return true
		}
	}
	return false
}

// CountText is "12", or "10000+" when a back end cut the section short.
func CountText(rec *record.Record, sec record.Section) string {
	n := rec.Count(sec)
	for _, st := range rec.StatusOf(sec) {
		if st.State == record.StateTruncated {
			return fmt.Sprintf("%d+", n)
		}
	}
	return fmt.Sprint(n)
}

// SectionNotice says, line by line, what the back ends did with a section: still loading,
// failed (with the reason), cut short ("showing first N of M"), GP Connect warnings, and —
// when there are no rows — whether that is "none recorded" or "not returned". It never says
// "none" for a section no back end returned.
func SectionNotice(rec *record.Record, sec record.Section, v vocab.Vocabulary, st Styles, width int) []string {
	var lines []string
	var returned, loading []string
	for _, s := range rec.StatusOf(sec) {
		switch s.State {
		case record.StateFailed:
			lines = append(lines, st.Error.Render(clip(fmt.Sprintf(v.FailedIn, s.Backend, s.Error), width)))
		case record.StateLoading:
			loading = append(loading, s.Backend)
		case record.StateReturned, record.StateTruncated:
			returned = append(returned, s.Backend)
			if s.State == record.StateTruncated {
				total := s.Total
				if total == 0 {
					total = s.Count
				}
				lines = append(lines, st.Warning.Render(clip(fmt.Sprintf(v.ShowingFirst, s.Count, total, s.Backend), width)))
			}
		}
		for _, w := range s.Warnings {
			lines = append(lines, st.Warning.Render(clip(WarningText(w, s.Backend, v), width)))
		}
	}
	if len(loading) > 0 {
		lines = append(lines, st.Faint.Render(clip(v.Loading+" "+strings.Join(loading, ", "), width)))
	}
	if rec.Count(sec) == 0 && len(loading) == 0 {
		if len(returned) > 0 {
			lines = append(lines, st.Text.Render(clip(fmt.Sprintf(v.NoneRecorded, strings.Join(returned, ", ")), width)))
		} else {
			lines = append(lines, st.Warning.Render(clip(v.NotReturned, width)))
		}
	}
	return lines
}

// WarningText turns a GP Connect list warning code into words.
func WarningText(code, backend string, v vocab.Vocabulary) string {
	switch code {
	case "confidential-items":
		return fmt.Sprintf(v.WarnConfidential, backend)
	case "data-in-transit":
		return fmt.Sprintf(v.WarnInTransit, backend)
	case "data-awaiting-filing":
		return fmt.Sprintf(v.WarnAwaitingFiling, backend)
	}
	return fmt.Sprintf(v.WarnOther, backend, code)
}

// BackendStatusText is one back end's state in words: "ok (214)", "not known", "failed: reason".
func BackendStatusText(b record.BackendStatus, v vocab.Vocabulary) string {
	switch b.Status {
	case record.BackendOK:
		if len(b.Counts) == 0 {
			return v.StatusOK // a search, or nothing recorded there
		}
		n := 0
		for _, c := range b.Counts {
			n += c
		}
		return fmt.Sprintf("%s (%d)", v.StatusOK, n)
	case record.BackendNotKnown:
		return v.StatusNotKnown
	case record.BackendSlow:
		return v.StatusSlow
	case record.BackendFailed:
		return v.StatusFailed + ": " + b.Error
	case record.BackendPartial:
		// The reasons are shown in place on each tab (marked "!"); the back end's own summary
		// may name sections in its own words, so it is not repeated here.
		return v.StatusPartial
	case record.BackendNotQueried:
		if b.Error != "" {
			return v.StatusNotQueried + ": " + b.Error
		}
		return v.StatusNotQueried
	case "", string(record.StateLoading):
		return v.StatusLoading
	}
	return b.Status
}

// BackendLine is the status line: every back end and what it said, at most two lines.
func BackendLine(backends []record.BackendStatus, v vocab.Vocabulary, st Styles, width int) string {
	segs := make([]string, 0, len(backends)+1)
	segs = append(segs, st.Label.Render(v.BackendsTitle+":"))
	for _, b := range backends {
		text := b.Name + " " + BackendStatusText(b, v)
		sty := st.Status
		switch b.Status {
		case record.BackendFailed, record.BackendPartial:
			sty = st.Error
		case record.BackendSlow, record.BackendNotQueried:
			sty = st.Warning
		}
		segs = append(segs, sty.Render(clip(text, width)))
	}
	lines := flow(segs, "  ", width)
	if len(lines) > 2 {
		lines = lines[:2]
	}
	return strings.Join(lines, "\n")
}

// TabLabel is "4 Medications (12)", or "4 Medications …" with the spinner frame while loading.
func TabLabel(n int, title string, rec *record.Record, sec record.Section, spinner string) string {
	if sec == "" {
		return fmt.Sprintf("%d %s", n, title)
	}
	if Loading(rec, sec) {
		return fmt.Sprintf("%d %s %s", n, title, spinner)
	}
	if !rec.Returned(sec) && !slices.ContainsFunc(rec.StatusOf(sec), func(s record.SectionStatus) bool { return s.State == record.StateFailed }) {
		return fmt.Sprintf("%d %s (-)", n, title)
	}
	if slices.ContainsFunc(rec.StatusOf(sec), func(s record.SectionStatus) bool { return s.State == record.StateFailed }) {
		return fmt.Sprintf("%d %s (%s!)", n, title, CountText(rec, sec))
	}
	return fmt.Sprintf("%d %s (%s)", n, title, CountText(rec, sec))
}
