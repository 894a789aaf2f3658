package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/shcr-project/shcr/client"
	"github.com/shcr-project/shcr/config"
	"github.com/shcr-project/shcr/internal/text"
	"github.com/shcr-project/shcr/internal/ukdate"
	"github.com/shcr-project/shcr/record"
	"github.com/shcr-project/shcr/views"
	"github.com/shcr-project/shcr/views/vocab"
)

// nameQuery makes the search of `shcr get --family … --birth-date …` with the interface's
// rules (tui/query.go): a family name, and a date of birth or a postcode; given names narrow it.
func nameQuery(o getOptions) (record.Query, error) {
	q := record.Query{
		Family:   strings.Join(strings.Fields(o.family), " "),
		Given:    strings.Join(strings.Fields(o.given), " "),
		Postcode: strings.ToUpper(strings.Join(strings.Fields(o.postcode), " ")),
	}
	if q.Family == "" {
		return q, errors.New("--family is needed to find by name (with --birth-date or --postcode)")
	}
	if strings.ContainsAny(q.Family+q.Given, "0123456789") {
		return q, errors.New("--family and --given take names, not numbers")
	}
	if d := strings.TrimSpace(o.birthDate); d != "" {
		t, err := ukdate.ParseUser(d)
		if err != nil {
			return q, fmt.Errorf("--birth-date %q: use 12-Mar-1948, 12/03/1948 or 1948-03-12", d)
		}
		q.BirthDate = t
	}
	if q.BirthDate.IsZero() && q.Postcode == "" {
		return q, errors.New("--family needs --birth-date (or --postcode): a name alone finds too many people")
	}
	return q, nil
}

// nameQueryText says what was searched for, for a message: "Smith, born 12-Mar-1948".
func nameQueryText(q record.Query) string {
	s := strings.TrimSpace(q.Family + " " + q.Given)
	if !q.BirthDate.IsZero() {
		s += ", born " + ukdate.Date(q.BirthDate)
	}
	if q.Postcode != "" {
		s += ", " + q.Postcode
	}
	return s
}

// listMatches prints the people a search found, one a line, and ends with exitAmbiguous: the
// caller picks one and asks again by NHS number. A restricted person's postcode is withheld.
func (a *app) listMatches(matches []client.Match, cfg config.Config, width int, output string) error {
	if output == "json" {
		return a.listMatchesJSON(matches)
	}
	v, err := vocab.Parse(cfg.Vocabulary)
	if err != nil {
		return exitf(exitUsage, "%v", err)
	}
	now := time.Now()
	rows := [][]string{{v.ColName, v.ColBorn, v.ColGender, v.ColNHSNumber, v.ColPostcode, v.ColKnownTo}}
	for _, m := range matches {
		p := m.Person
		var srcs []string
		for _, s := range p.Sources {
			srcs = append(srcs, s.Backend)
		}
		known := strings.Join(srcs, ", ")
		if m.Unmatched {
			known += " — " + v.Unmatched
		}
		postcode := p.Address.Postcode
		if p.Restricted {
			postcode = v.Withheld
		}
		rows = append(rows, []string{views.PersonName(p.Name), views.BornText(p.BirthDate, v, now), v.GenderWord(p.Gender),
			views.NHSNumberText(p.NHSNumber, v), postcode, known})
	}
	widths := make([]int, len(rows[0]))
	for _, r := range rows {
		for i, c := range r {
			widths[i] = max(widths[i], text.Width(c))
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d people match; ask again with one NHS number (shcr get NHSNUMBER):\n", len(matches))
	for _, r := range rows {
		var line strings.Builder
		for i, c := range r {
			if i < len(r)-1 {
				line.WriteString(text.Pad(c, widths[i]) + "  ")
			} else {
				line.WriteString(c)
			}
		}
		l := strings.TrimRight(line.String(), " ")
		if width > 0 {
			l = text.Truncate(l, width)
		}
		b.WriteString(l + "\n")
	}
	if _, err := fmt.Fprint(a.stdout, b.String()); err != nil {
		return err
	}
	return exitf(exitAmbiguous, "shcr get: %d people match: give one NHS number", len(matches))
}

// matchJSON is one person of an ambiguous search in `shcr get --output json`:
// {"matches": [...]}, with the postcode left out for a restricted person.
type matchJSON struct {
	NHSNumber string      `json:"nhs_number"` // "" when none is known
	Name      record.Name `json:"name"`
	BirthDate string      `json:"birth_date"`
	Gender    string      `json:"gender"`
	Postcode  string      `json:"postcode,omitempty"`
	Backends  []string    `json:"backends"`
}

func (a *app) listMatchesJSON(matches []client.Match) error {
	doc := struct {
		Matches []matchJSON `json:"matches"`
	}{Matches: []matchJSON{}}
	for _, m := range matches {
		p := m.Person
		j := matchJSON{NHSNumber: p.NHSNumber, Name: p.Name, BirthDate: p.BirthDate, Gender: p.Gender, Backends: []string{}}
		if !p.Restricted {
			j.Postcode = p.Address.Postcode
		}
		for _, s := range p.Sources {
			j.Backends = append(j.Backends, s.Backend)
		}
		doc.Matches = append(doc.Matches, j)
	}
	enc := json.NewEncoder(a.stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	return exitf(exitAmbiguous, "shcr get: %d people match: give one NHS number", len(matches))
}
