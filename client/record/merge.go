package record

import (
	"fmt"
	"slices"
	"strings"
)

// Part is one back end's answer for one or more sections of one person: a partial record
// whose Sections hold only what that back end returned, with a SectionStatus for each
// section it answered. Back ends emit Parts; Merge folds them into the shown Record.
type Part struct {
	Backend  string
	Person   *Person // the back end's view of the person, when this part carries it
	Sections SectionsData
	Status   []SectionStatus
}

// keyed is implemented by every section item through the embedded Item.
type keyed interface{ item() *Item }

func (i *Item) item() *Item { return i }

// mergeItems appends add to dst, folding an item whose Key is already present from another
// back end into that item's AlsoFrom instead of listing it twice.
func mergeItems[T any, PT interface {
	*T
	keyed
}](dst []T, add []T) []T {
	if len(add) == 0 {
		return dst
	}
	index := make(map[string]int, len(dst))
	for i := range dst {
		if k := PT(&dst[i]).item().Key; k != "" {
			index[k] = i
		}
	}
	for _, a := range add {
		ai := PT(&a).item()
		if ai.Key != "" {
			if j, ok := index[ai.Key]; ok {
				di := PT(&dst[j]).item()
				if di.Provenance.Backend != ai.Provenance.Backend && !hasBackend(di.AlsoFrom, ai.Provenance.Backend) {
					di.AlsoFrom = append(di.AlsoFrom, ai.Provenance)
					di.Restricted = di.Restricted || ai.Restricted
				}
				continue
			}
			index[ai.Key] = len(dst)
		}
		dst = append(dst, a)
	}
	return dst
}

func hasBackend(ps []Provenance, backend string) bool {
	for _, p := range ps {
		if p.Backend == backend {
			return true
		}
	}
	return false
}

// Merge folds a back end's part into the record. It is not safe for concurrent use: callers
// that receive parts from several goroutines serialise them (the TUI does so in Update).
func (r *Record) Merge(p Part) {
	if p.Person != nil {
		r.mergePerson(p.Backend, *p.Person)
	}
	s := &r.Sections
	s.CarePackages = mergeItems(s.CarePackages, p.Sections.CarePackages)
	s.CareTeam = mergeItems(s.CareTeam, p.Sections.CareTeam)
	s.Medications = mergeItems(s.Medications, p.Sections.Medications)
	s.Allergies = mergeItems(s.Allergies, p.Sections.Allergies)
	s.NextOfKin = mergeItems(s.NextOfKin, p.Sections.NextOfKin)
	s.Encounters = mergeItems(s.Encounters, p.Sections.Encounters)
	s.Notes = mergeItems(s.Notes, p.Sections.Notes)
	s.Alerts = mergeItems(s.Alerts, p.Sections.Alerts)
	for _, st := range p.Status {
		r.SetStatus(st)
	}
}

// SetStatus records (or replaces) one back end's status for one section.
func (r *Record) SetStatus(st SectionStatus) {
	for i, old := range r.SectionStatus {
		if old.Backend == st.Backend && old.Section == st.Section {
			r.SectionStatus[i] = st
			return
		}
	}
	r.SectionStatus = append(r.SectionStatus, st)
}

// StatusOf returns every back end's status for a section, in the order they arrived.
func (r *Record) StatusOf(sec Section) []SectionStatus {
	var out []SectionStatus
	for _, st := range r.SectionStatus {
		if st.Section == sec {
			out = append(out, st)
		}
	}
	return out
}

// Returned reports whether at least one back end returned the section. When false, the
// view must say "not returned" rather than "none recorded".
func (r *Record) Returned(sec Section) bool {
	for _, st := range r.SectionStatus {
		if st.Section == sec && st.State == StateReturned {
			return true
		}
	}
	return false
}

// Count is the number of items in a section.
func (r *Record) Count(sec Section) int {
	s := &r.Sections
	switch sec {
	case SectionCarePackages:
		return len(s.CarePackages)
	case SectionCareTeam:
		return len(s.CareTeam)
	case SectionMedications:
		return len(s.Medications)
	case SectionAllergies:
		return len(s.Allergies)
	case SectionNextOfKin:
		return len(s.NextOfKin)
	case SectionEncounters:
		return len(s.Encounters)
	case SectionNotes:
		return len(s.Notes)
	case SectionAlerts:
		return len(s.Alerts)
	}
	return 0
}

// SetBackend records (or replaces) a back end's overall status.
func (r *Record) SetBackend(b BackendStatus) {
	for i, old := range r.Backends {
		if old.Name == b.Name {
			r.Backends[i] = b
			return
		}
	}
	r.Backends = append(r.Backends, b)
}

func (r *Record) mergePerson(backend string, p Person) {
	cur := &r.Person
	if cur.NHSNumber == "" {
		cur.NHSNumber = p.NHSNumber
	}
	if cur.NHSNumberVerification == "" {
		cur.NHSNumberVerification = p.NHSNumberVerification
	}
	if cur.Name.Family == "" && len(cur.Name.Given) == 0 {
		cur.Name = p.Name
	}
	if cur.BirthDate == "" {
		cur.BirthDate = p.BirthDate
	}
	if cur.Gender == "" {
		cur.Gender = p.Gender
	}
	if cur.Address.Postcode == "" && len(cur.Address.Lines) == 0 {
		cur.Address = p.Address
	}
	if len(cur.Phones) == 0 {
		cur.Phones = p.Phones
	}
	if cur.LocalAuthorityID == "" {
		cur.LocalAuthorityID = p.LocalAuthorityID
	}
	if p.Deceased {
		cur.Deceased = true
		if cur.DeceasedAt.IsZero() {
			cur.DeceasedAt = p.DeceasedAt
		}
	}
	if cur.InterpreterLanguage == "" {
		cur.InterpreterLanguage = p.InterpreterLanguage
	}
	cur.Restricted = cur.Restricted || p.Restricted
	srcs := p.Sources
	if len(srcs) == 0 {
		srcs = []PersonSource{{Backend: backend, Name: p.Name, BirthDate: p.BirthDate, Gender: p.Gender, Postcode: p.Address.Postcode}}
	}
	for _, s := range srcs {
		if !slices.ContainsFunc(cur.Sources, func(o PersonSource) bool { return o.Backend == s.Backend && o.ID == s.ID }) {
			cur.Sources = append(cur.Sources, s)
		}
	}
	r.Discrepancies = Discrepancies(cur.Sources)
}

// Discrepancies compares back ends' demographics for one person and lists each field on
// which they differ. Names compare case-insensitively; a back end that gives no value for a
// field is not counted as disagreeing.
func Discrepancies(sources []PersonSource) []Discrepancy {
	fields := []struct {
		name string
		get  func(PersonSource) string
	}{
		{"name", func(s PersonSource) string {
			return strings.ToUpper(s.Name.Family) + ", " + strings.Join(s.Name.Given, " ")
		}},
		{"birth_date", func(s PersonSource) string { return s.BirthDate }},
		{"gender", func(s PersonSource) string { return s.Gender }},
	}
	var out []Discrepancy
	for _, f := range fields {
		vals := map[string]string{}
		distinct := map[string]bool{}
		for _, s := range sources {
			v := f.get(s)
			if v == "" || v == ", " {
				continue
			}
			vals[s.Backend] = v
			distinct[strings.ToLower(v)] = true
		}
		if len(distinct) > 1 {
			out = append(out, Discrepancy{Field: f.name, Values: vals})
		}
	}
	return out
}

// String describes a discrepancy in one line: "birth_date: a=1948-03-12, b=1948-12-03".
func (d Discrepancy) String() string {
	names := make([]string, 0, len(d.Values))
	for n := range d.Values {
		names = append(names, n)
	}
	slices.Sort(names)
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = fmt.Sprintf("%s=%s", n, d.Values[n])
	}
	return d.Field + ": " + strings.Join(parts, ", ")
}

// WithEmptyLists returns a copy of s whose nil lists are empty, so JSON writes [] and a
// script can tell "none recorded" from a missing key.
func (s SectionsData) WithEmptyLists() SectionsData {
	if s.CarePackages == nil {
		s.CarePackages = []CarePackage{}
	}
	if s.CareTeam == nil {
		s.CareTeam = []CareTeamMember{}
	}
	if s.Medications == nil {
		s.Medications = []Medication{}
	}
	if s.Allergies == nil {
		s.Allergies = []Allergy{}
	}
	if s.NextOfKin == nil {
		s.NextOfKin = []Contact{}
	}
	if s.Encounters == nil {
		s.Encounters = []Encounter{}
	}
	if s.Notes == nil {
		s.Notes = []Note{}
	}
	if s.Alerts == nil {
		s.Alerts = []Alert{}
	}
	return s
}
