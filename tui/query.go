package tui

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/shcr-project/shcr/internal/nhsnumber"
	"github.com/shcr-project/shcr/internal/text"
	"github.com/shcr-project/shcr/internal/ukdate"
	"github.com/shcr-project/shcr/record"
	"github.com/shcr-project/shcr/views/vocab"
)

// queryKind is what the search field holds.
type queryKind int

const (
	queryNone queryKind = iota
	queryNHS
	queryPhone
	queryName
)

// parsed is the search field read live: the query it makes, or what is wrong with it.
type parsed struct {
	kind  queryKind
	query record.Query
	// hint is the line shown under the field as the user types; err marks it as a problem.
	hint string
	err  bool
	// ready: enter would search.
	ready bool
}

var numericDashDate = regexp.MustCompile(`^\d{1,2}-\d{1,2}-\d{4}$`)

var postcodeRe = regexp.MustCompile(`^(?i)[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$`)

// parseQuery reads the search field. An NHS number is digits with optional spaces or dashes
// (checked with Modulus 11 once 10 digits are in); a phone number starts with 0 or +; anything
// else is a family name followed by a date of birth or a postcode.
func parseQuery(s string, v vocab.Vocabulary) parsed {
	in := strings.TrimSpace(s)
	if in == "" {
		return parsed{}
	}
	compact := strings.NewReplacer(" ", "", "-", "", "(", "", ")", "").Replace(in)
	if text.Digits(strings.TrimPrefix(compact, "+")) {
		if strings.HasPrefix(compact, "0") || strings.HasPrefix(compact, "+") {
			if len(strings.TrimPrefix(compact, "+")) < 10 {
				return parsed{kind: queryPhone, hint: fmt.Sprintf(v.SearchPhone, in)}
			}
			return parsed{kind: queryPhone, query: record.Query{Phone: in}, hint: fmt.Sprintf(v.SearchPhone, in), ready: true}
		}
		if len(compact) < 10 {
			return parsed{kind: queryNHS, hint: fmt.Sprintf(v.SearchNHSDigits, len(compact))}
		}
		n, err := nhsnumber.Parse(compact)
		if err != nil {
			return parsed{kind: queryNHS, hint: err.Error(), err: true}
		}
		return parsed{kind: queryNHS, query: record.Query{NHSNumber: n}, hint: fmt.Sprintf(v.SearchNHSOK, nhsnumber.Format(n)), ready: true}
	}
	words := strings.Fields(in)
	var (
		names []string
		dob   time.Time
		pc    string
		dErr  error
	)
	for i := 0; i < len(words); i++ {
		w := words[i]
		// "12 Mar 1948" typed with spaces.
		if i+2 < len(words) && text.Digits(w) && text.Digits(words[i+2]) {
			if t, err := ukdate.ParseUser(w + " " + words[i+1] + " " + words[i+2]); err == nil {
				dob = t
				i += 2
				continue
			}
		}
		if i+1 < len(words) && postcodeRe.MatchString(w+" "+words[i+1]) {
			pc = strings.ToUpper(w + " " + words[i+1])
			i++
			continue
		}
		if postcodeRe.MatchString(w) && strings.ContainsAny(w, "0123456789") {
			pc = strings.ToUpper(w)
			continue
		}
		if strings.ContainsAny(w, "0123456789") {
			if numericDashDate.MatchString(w) { // 12-03-1948
				w = strings.ReplaceAll(w, "-", "/")
			}
			t, err := ukdate.ParseUser(w)
			if err != nil {
				dErr = err
				continue
			}
			dob = t
			continue
		}
		names = append(names, w)
	}
	if dErr != nil && dob.IsZero() {
		return parsed{kind: queryName, hint: strings.TrimPrefix(dErr.Error(), ukdate.ErrDate.Error()+": "), err: true}
	}
	if len(names) == 0 {
		return parsed{kind: queryName, hint: v.SearchNeedMore}
	}
	q := record.Query{Family: names[0], Given: strings.Join(names[1:], " "), BirthDate: dob, Postcode: pc}
	switch {
	case !dob.IsZero():
		return parsed{kind: queryName, query: q, hint: fmt.Sprintf(v.SearchName, strings.Join(names, " "), ukdate.Date(dob)), ready: true}
	case pc != "":
		return parsed{kind: queryName, query: q, hint: fmt.Sprintf(v.SearchNamePostcode, strings.Join(names, " "), pc), ready: true}
	}
	return parsed{kind: queryName, hint: v.SearchNeedMore}
}

// searchCharLimit is the longest search the field takes: an NHS number, a phone number, or
// a family name with a date of birth and a postcode all fit with room to spare.
const searchCharLimit = 80

// cleanTyped removes from typed or pasted text what must never reach the search field (nor
// the screen, the log or the audit trail through it): escape sequences whole — CSI, OSC,
// DCS, APC, PM, SOS and the short ones — not just their ESC; other control characters (C0,
// DEL, C1); invalid UTF-8; and invisible formatting characters that hide or reorder text
// (bidirectional overrides and isolates, zero-width characters: Unicode category Cf).
// Line breaks and tabs become spaces.
func cleanTyped(in []rune) []rune {
	out := make([]rune, 0, len(in))
	for i := 0; i < len(in); i++ {
		r := in[i]
		switch {
		case r == 0x1b: // ESC
			i = skipEscape(in, i)
		case r == 0x9b: // C1 CSI
			i = skipCSI(in, i+1)
		case r == 0x90 || r == 0x98 || r == 0x9d || r == 0x9e || r == 0x9f: // C1 DCS, SOS, OSC, PM, APC
			i = skipString(in, i+1)
		case r == '\n' || r == '\r' || r == '\t':
			out = append(out, ' ')
		case r == utf8.RuneError || unicode.IsControl(r) || unicode.Is(unicode.Cf, r):
			// dropped
		default:
			out = append(out, r)
		}
	}
	return out
}

// skipEscape returns the index of the last rune of the escape sequence starting at in[i].
func skipEscape(in []rune, i int) int {
	if i+1 >= len(in) {
		return i
	}
	switch in[i+1] {
	case '[':
		return skipCSI(in, i+2)
	case ']', 'P', 'X', '^', '_':
		return skipString(in, i+2)
	}
	// ESC, intermediates (0x20–0x2F), then one final character: "ESC c", "ESC ( B".
	j := i + 1
	for j < len(in) && in[j] >= 0x20 && in[j] <= 0x2f {
		j++
	}
	return min(j, len(in)-1)
}

// skipCSI skips parameters and intermediates (0x20–0x3F) and the final byte (0x40–0x7E)
// from in[j]; it returns the index of the sequence's last rune.
func skipCSI(in []rune, j int) int {
	for j < len(in) && in[j] >= 0x20 && in[j] <= 0x3f {
		j++
	}
	if j < len(in) && in[j] >= 0x40 && in[j] <= 0x7e {
		return j
	}
	return j - 1
}

// skipString skips a control string from in[j] to its terminator (BEL, ST, or ESC \); an
// unterminated one runs to the end.
func skipString(in []rune, j int) int {
	for ; j < len(in); j++ {
		switch {
		case in[j] == 0x07 || in[j] == 0x9c:
			return j
		case in[j] == 0x1b && j+1 < len(in) && in[j+1] == '\\':
			return j + 1
		}
	}
	return len(in) - 1
}

// groupDigits writes n with thousands separators: 10000 → "10,000".
func groupDigits(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
