package views

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/shcr-project/shcr/record"
	"github.com/shcr-project/shcr/views/vocab"
)

// What shcr could and could not check, in words. record.Coverage decides; these functions
// only say it. Nothing here ever says "none" for a back end that was not fully asked.

// StatePhrase is one back end's answer for a section as a phrase: "not checked at Demo GP
// (server error)", "timed out at X", "showing first 500 of 1,203 at X", "not available from
// X (does not serve AllergyIntolerance)", "X does not know this patient", "not asked at X
// (sign-in needed)". A complete answer gives "".
func StatePhrase(st record.SectionStatus, v vocab.Vocabulary) string {
	switch st.State {
	case record.StateFailed:
		if r := failReason(st, v); r != "" {
			return fmt.Sprintf(v.NotCheckedAt, st.Backend, r)
		}
		return fmt.Sprintf(v.NotCheckedAtBare, st.Backend)
	case record.StateTimedOut:
		return fmt.Sprintf(v.TimedOutAt, st.Backend)
	case record.StateTruncated:
		if st.Total > st.Count {
			return fmt.Sprintf(v.ShowingFirst, thousands(st.Count), thousands(st.Total), st.Backend)
		}
		return fmt.Sprintf(v.ShowingFirstNoTotal, thousands(st.Count), st.Backend)
	case record.StateNotSupported:
		if st.Error != "" {
			return fmt.Sprintf(v.NotAvailableFrom, st.Backend, st.Error)
		}
		return fmt.Sprintf(v.NotAvailableFromBare, st.Backend)
	case record.StateNotKnown:
		return fmt.Sprintf(v.DoesNotKnow, st.Backend)
	case record.StateNotQueried:
		if st.Error != "" {
			return fmt.Sprintf(v.NotAskedAt, st.Backend, st.Error)
		}
		return fmt.Sprintf(v.NotAskedAtBare, st.Backend)
	case record.StateLoading:
		return fmt.Sprintf(v.LoadingAt, st.Backend)
	}
	return ""
}

// failReason is the back end's own short reason, else the HTTP status in words.
func failReason(st record.SectionStatus, v vocab.Vocabulary) string {
	if st.Error != "" {
		return st.Error
	}
	switch {
	case st.HTTPStatus >= 500:
		return v.ReasonServerError
	case st.HTTPStatus == 401:
		return v.ReasonSignInRefused
	case st.HTTPStatus == 403:
		return v.ReasonAccessRefused
	case st.HTTPStatus > 0:
		return fmt.Sprintf(v.ReasonHTTP, st.HTTPStatus)
	}
	return ""
}

// thousands writes n with comma separators: 1203 → "1,203".
func thousands(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

// UncheckedPhrases names every back end that could not be checked for sec (failed, timed
// out, truncated, not asked, still loading), one phrase each.
func UncheckedPhrases(rec *record.Record, sec record.Section, v vocab.Vocabulary) []string {
	var out []string
	for _, st := range rec.Coverage(sec).Unchecked {
		if p := StatePhrase(st, v); p != "" {
			out = appendNew(out, p)
		}
	}
	return out
}

// notHeldPhrases names the back ends that do not serve sec and those that do not know the
// person. brief leaves out why a back end does not serve it (the Summary's one-line
// answers; the section's tab says why).
func notHeldPhrases(c record.Coverage, v vocab.Vocabulary, brief bool) []string {
	var out []string
	for _, st := range c.NotHeld {
		if brief {
			out = appendNew(out, fmt.Sprintf(v.NotAvailableFromBare, st.Backend))
			continue
		}
		out = appendNew(out, StatePhrase(st, v))
	}
	for _, b := range c.NotKnown {
		out = appendNew(out, fmt.Sprintf(v.DoesNotKnow, b))
	}
	return out
}

// emptyText is what the Summary says for a section with nothing to list: "none recorded"
// only when every back end that knows the person returned it whole; otherwise what could
// not be checked, back end by back end.
func emptyText(rec *record.Record, sec record.Section, v vocab.Vocabulary) string {
	if rec.NoneRecorded(sec) {
		return v.SumNone
	}
	return strings.Join(notCheckedPhrases(rec, sec, v), "; ")
}

// notCheckedPhrases are the phrases that say why a section with nothing listed is not "none":
// the back ends not checked; or, when none of them failed, those that do not hold it.
func notCheckedPhrases(rec *record.Record, sec record.Section, v vocab.Vocabulary) []string {
	c := rec.Coverage(sec)
	out := UncheckedPhrases(rec, sec, v)
	if len(c.Complete) == 0 {
		out = append(out, notHeldPhrases(c, v, true)...)
	}
	if len(out) == 0 {
		out = append(out, v.NotReturned)
	}
	return out
}

// withProblems joins what a Summary line lists with what could not be checked.
func withProblems(text string, rec *record.Record, sec record.Section, v vocab.Vocabulary) string {
	return joinNonEmpty("; ", append([]string{text}, UncheckedPhrases(rec, sec, v)...)...)
}
