package views

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/shcr-project/shcr/internal/text"
	"github.com/shcr-project/shcr/record"
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

// LoadingBackends names the back ends still answering sec, in the order they were asked.
func LoadingBackends(rec *record.Record, sec record.Section) []string {
	var out []string
	for _, st := range rec.SectionStatus {
		if st.Section == sec && st.State == record.StateLoading {
			out = appendNew(out, st.Backend)
		}
	}
	return out
}

// Waiting names every back end still answering any section, in the order they were asked.
func Waiting(rec *record.Record) []string {
	var out []string
	for _, st := range rec.SectionStatus {
		if st.State == record.StateLoading {
			out = appendNew(out, st.Backend)
		}
	}
	return out
}

// Wait is how a screen shows back ends still being asked: the spinner's frame (the one
// spinner of the program) and how long they have been waited for. The zero Wait shows
// neither ("waiting for Demo County Council").
type Wait struct {
	Frame   string
	Elapsed time.Duration
}

// WaitingLine is "⠋ waiting for Demo County Council (4 s)": the back ends still being
// asked, with the spinner's frame and the time waited.
func WaitingLine(backends []string, w Wait, v vocab.Vocabulary, st Styles, width int) string {
	s := fmt.Sprintf(v.WaitingForBare, strings.Join(backends, ", "))
	if w != (Wait{}) {
		s = fmt.Sprintf(v.WaitingFor, strings.Join(backends, ", "), fmt.Sprintf(v.SecondsShort, int(w.Elapsed/time.Second)))
	}
	if w.Frame != "" {
		s = w.Frame + " " + s
	}
	return st.Faint.Render(text.Cell(s, width))
}

// CheckingText is a Summary line while nothing is listed yet and back ends are still being
// asked for sec: "checking Demo County Council…" — never "none recorded".
func CheckingText(rec *record.Record, sec record.Section, v vocab.Vocabulary) string {
	return fmt.Sprintf(v.Checking, strings.Join(LoadingBackends(rec, sec), ", "))
}

// CountText is "12", or "10+" when a back end cut the section short. For care packages it
// counts the care packages alone, not the referrals and orders listed apart from them.
func CountText(rec *record.Record, sec record.Section) string {
	n := rec.Count(sec)
	for _, st := range rec.StatusOf(sec) {
		if st.State == record.StateTruncated {
			return fmt.Sprintf("%d+", n)
		}
	}
	return fmt.Sprint(n)
}

// SectionNotice says, line by line, what the back ends did with a section: each back end
// that could not be checked (failed, timed out, cut short, not asked) with its reason, every
// list warning in full (wrapped, one warning per line), the back ends still being asked,
// and — when there are no rows — "none recorded" only where record.NoneRecorded allows it,
// else why it is unknown.
func SectionNotice(rec *record.Record, sec record.Section, v vocab.Vocabulary, st Styles, width int) []string {
	return SectionNoticeWaiting(rec, sec, v, st, width, Wait{})
}

// SectionNoticeWaiting is SectionNotice with the back ends still being asked shown with the
// spinner's frame and the time waited (WaitingLine).
func SectionNoticeWaiting(rec *record.Record, sec record.Section, v vocab.Vocabulary, st Styles, width int, wait Wait) []string {
	var lines []string
	add := func(sty lipglossStyle, s string) {
		for _, l := range text.Wrap(s, width) {
			lines = append(lines, sty.Render(text.Cell(l, width)))
		}
	}
	cov := rec.Coverage(sec)
	var loading []string
	for _, s := range cov.Unchecked {
		switch s.State {
		case record.StateLoading:
			loading = append(loading, s.Backend)
		case record.StateTruncated:
			add(st.Warning, upperFirst(StatePhrase(s, v)))
		default:
			add(st.Error, upperFirst(StatePhrase(s, v)))
		}
	}
	for _, s := range rec.StatusOf(sec) {
		for _, w := range s.Warnings {
			add(st.Warning, WarningText(w, s.Backend, v))
		}
		if s.NotServed != "" {
			add(st.Faint, s.Backend+": "+s.NotServed) // said by the client, e.g. "does not serve RelatedPerson (404)"
		}
	}
	if len(loading) > 0 {
		lines = append(lines, WaitingLine(loading, wait, v, st, width))
	}
	if sec == record.SectionCarePackages && len(rec.Sections.Referrals) > 0 {
		add(st.Faint, fmt.Sprintf(v.ReferralsNote, len(rec.Sections.Referrals)))
	}
	if rec.Count(sec) == 0 && len(loading) == 0 {
		switch {
		case rec.NoneRecorded(sec):
			add(st.Text, fmt.Sprintf(v.NoneRecorded, strings.Join(cov.Complete, ", ")))
			for _, p := range notHeldPhrases(cov, v, false) {
				add(st.Faint, upperFirst(p))
			}
		case len(cov.Complete) > 0:
			add(st.Warning, fmt.Sprintf(v.NothingFrom, strings.Join(cov.Complete, ", ")))
		default:
			for _, p := range notHeldPhrases(cov, v, false) {
				add(st.Warning, upperFirst(p))
			}
			add(st.Warning, v.NotReturned)
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
	return backendLines(backends, v, st, width, 2)
}

// backendLines is every back end and what it said, in at most maxLines lines (0: all).
func backendLines(backends []record.BackendStatus, v vocab.Vocabulary, st Styles, width, maxLines int) string {
	segs := make([]string, 0, len(backends)+1)
	segs = append(segs, st.Label.Render(v.BackendsTitle+":"))
	for _, b := range backends {
		line := b.Name + " " + BackendStatusText(b, v)
		sty := st.Status
		switch b.Status {
		case record.BackendFailed, record.BackendPartial:
			sty = st.Error
		case record.BackendSlow, record.BackendNotQueried:
			sty = st.Warning
		}
		segs = append(segs, sty.Render(text.Cell(line, width)))
	}
	lines := flow(segs, "  ", width)
	if maxLines > 0 && len(lines) > maxLines {
		lines = lines[:maxLines]
	}
	return strings.Join(lines, "\n")
}

// TabLabel is "4 Medications (12)", or "4 Medications ⠋" with the spinner frame while
// loading ("4 Medications (3) ⠋" when the back ends that answered sent 3). A section that is not fully checked never looks complete: "(12!)" when a back
// end failed, timed out or was not asked, "(12+)" when one was cut short, "(-)" when no back
// end returned it at all.
func TabLabel(n int, title string, rec *record.Record, sec record.Section, spinner string) string {
	if sec == "" {
		return fmt.Sprintf("%d %s", n, title)
	}
	if Loading(rec, sec) {
		if rec.Count(sec) > 0 { // what the back ends that have answered sent, to read meanwhile
			return fmt.Sprintf("%d %s (%s) %s", n, title, CountText(rec, sec), spinner)
		}
		return fmt.Sprintf("%d %s %s", n, title, spinner)
	}
	count := CountText(rec, sec)
	if rec.Count(sec) == 0 && !rec.Returned(sec) {
		count = "-"
	}
	if slices.ContainsFunc(rec.Coverage(sec).Unchecked, func(s record.SectionStatus) bool { return s.State != record.StateTruncated }) {
		count += "!"
	}
	return fmt.Sprintf("%d %s (%s)", n, title, count)
}
