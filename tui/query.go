package tui

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/shcr-project/shcr/client/record"
	"github.com/shcr-project/shcr/internal/nhsnumber"
	"github.com/shcr-project/shcr/internal/ukdate"
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
	if isDigits(strings.TrimPrefix(compact, "+")) {
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
		if i+2 < len(words) && isDigits(w) && isDigits(words[i+2]) {
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

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
