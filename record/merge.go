package record

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
)

// Part is one back end's answer for one or more sections of one person: a partial record
// whose Sections hold only what that back end returned, with a SectionStatus for each
// section it answered. Back ends emit Parts; Merge folds them into the shown Record.
type Part struct {
	Backend  string
	Person   *Person // the back end's view of the person, when this part carries it
	Sections SectionsData
	Status   []SectionStatus
	Notices  []Notice
}

// keyed is implemented by every section item through the embedded Item.
type keyed interface{ item() *Item }

func (i *Item) item() *Item { return i }

// mergeItems appends add to dst, folding an item whose Key (or one of its AlsoKnownAs keys)
// is already present from another back end into that item's AlsoFrom instead of listing it
// twice.
//
// same, when not nil, also recognises an item another back end reports under a different
// key (contacts: see SameContact); fold, when not nil, then combines the two items' content
// (contacts: roles and phones). Both are only used across back ends.
func mergeItems[T any, PT interface {
	*T
	keyed
}](dst []T, add []T, same func(a, b *T) bool, fold func(into *T, from *T)) []T {
	if len(add) == 0 {
		return dst
	}
	index := make(map[string]int, len(dst))
	indexAs := func(it *Item, i int) {
		for _, k := range append([]string{it.Key}, it.AlsoKnownAs...) {
			if _, taken := index[k]; k != "" && !taken {
				index[k] = i
			}
		}
	}
	// lookup finds the item a is the same as: by any of its keys when dst's item comes from
	// another back end; from the same back end only by the same Key (the same item sent
	// again), since one back end's distinct items may share a plan's identifier.
	lookup := func(it *Item) (int, bool) {
		for _, k := range append([]string{it.Key}, it.AlsoKnownAs...) {
			j, ok := index[k]
			if !ok || k == "" {
				continue
			}
			if d := PT(&dst[j]).item(); d.Provenance.Backend != it.Provenance.Backend || (k == it.Key && k == d.Key) {
				return j, true
			}
		}
		return 0, false
	}
	for i := range dst {
		indexAs(PT(&dst[i]).item(), i)
	}
	// into folds a into dst[j] when a comes from another back end.
	into := func(j int, a *T) {
		di, ai := PT(&dst[j]).item(), PT(a).item()
		if di.Provenance.Backend == ai.Provenance.Backend {
			return
		}
		if !hasBackend(di.AlsoFrom, ai.Provenance.Backend) {
			di.AlsoFrom = append(di.AlsoFrom, ai.Provenance)
		}
		di.Restricted = di.Restricted || ai.Restricted
		if fold != nil {
			fold(&dst[j], a)
		}
	}
add:
	for _, a := range add {
		ai := PT(&a).item()
		if j, ok := lookup(ai); ok {
			into(j, &a)
			indexAs(ai, j)
			continue
		}
		if same != nil {
			for j := range dst {
				if PT(&dst[j]).item().Provenance.Backend != ai.Provenance.Backend && same(&dst[j], &a) {
					into(j, &a)
					continue add
				}
			}
		}
		indexAs(ai, len(dst))
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
	for _, d := range sectionTable {
		for _, l := range d.lists {
			l.merge(&r.Sections, &p.Sections)
		}
	}
	for _, st := range p.Status {
		r.SetStatus(st)
	}
	for _, n := range p.Notices {
		if !slices.Contains(r.Notices, n) {
			r.Notices = append(r.Notices, n)
		}
	}
}

// EachItem calls fn with every item of every section, in section display order, so that a
// walk over the whole record is written once.
func (s *SectionsData) EachItem(fn func(sec Section, it *Item)) {
	for _, d := range sectionTable {
		for _, l := range d.lists {
			l.each(s, d.Key, fn)
		}
	}
}

// Items are the items of one section that Count counts (care packages without the
// referrals and orders kept beside them), in list order.
func (s *SectionsData) Items(sec Section) []*Item {
	d, ok := sec.Def()
	if !ok {
		return nil
	}
	var out []*Item
	d.lists[0].each(s, sec, func(_ Section, it *Item) { out = append(out, it) })
	return out
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

// Returned reports whether at least one back end sent the section (in full or truncated).
// It does not mean the section is complete: see Coverage.
func (r *Record) Returned(sec Section) bool {
	for _, st := range r.SectionStatus {
		if st.Section == sec && st.Answered() {
			return true
		}
	}
	return false
}

// Coverage sorts the back ends by what they said about one section. It is the one place
// that decides whether a section may be called "none recorded".
type Coverage struct {
	Complete []string        // returned the whole section
	NotHeld  []SectionStatus // not-supported: the back end does not serve the section (Error says why)
	NotKnown []string        // do not know the person, so hold nothing for them
	// Unchecked could not be checked: failed, timed-out, truncated, not-queried, loading, or
	// a back end that knows the person and sent no status for the section (as not-queried).
	Unchecked []SectionStatus
}

// Checked reports whether the section is known in full: at least one back end returned it
// whole and every other one either does not know the person or does not serve the section.
func (c Coverage) Checked() bool { return len(c.Complete) > 0 && len(c.Unchecked) == 0 }

// Coverage says, back end by back end, how far sec could be checked.
func (r *Record) Coverage(sec Section) Coverage {
	var c Coverage
	seen := map[string]bool{}
	for _, st := range r.SectionStatus {
		if st.Section != sec {
			continue
		}
		seen[st.Backend] = true
		switch st.State {
		case StateReturned:
			c.Complete = append(c.Complete, st.Backend)
		case StateNotSupported:
			c.NotHeld = append(c.NotHeld, st)
		case StateNotKnown:
			c.NotKnown = append(c.NotKnown, st.Backend)
		default:
			c.Unchecked = append(c.Unchecked, st)
		}
	}
	for _, b := range r.Backends {
		if seen[b.Name] {
			continue
		}
		seen[b.Name] = true
		switch b.Status {
		case BackendNotKnown:
			c.NotKnown = append(c.NotKnown, b.Name)
		case BackendFailed:
			c.Unchecked = append(c.Unchecked, SectionStatus{Backend: b.Name, Section: sec, State: StateFailed, Error: b.Error, HTTPStatus: b.HTTPStatus})
		default:
			c.Unchecked = append(c.Unchecked, SectionStatus{Backend: b.Name, Section: sec, State: StateNotQueried, Error: b.Error})
		}
	}
	return c
}

// NoneRecorded reports whether the section may be shown as "none recorded": no items (a
// masked restricted item is an item) and every back end that knows the person returned it
// whole.
func (r *Record) NoneRecorded(sec Section) bool {
	return r.Count(sec) == 0 && r.Coverage(sec).Checked()
}

// Count is the number of items in a section (referrals and orders are not care packages).
func (r *Record) Count(sec Section) int {
	if d, ok := sec.Def(); ok {
		return d.lists[0].count(&r.Sections)
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
			cur.DeceasedAt, cur.DeceasedText = p.DeceasedAt, p.DeceasedText
		}
	}
	if cur.InterpreterLanguage == "" {
		cur.InterpreterLanguage = p.InterpreterLanguage
	}
	if cur.Language == "" {
		cur.Language = p.Language
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
	for _, d := range sectionTable {
		for _, l := range d.lists {
			l.fillEmpty(&s)
		}
	}
	return s
}

// SameContact reports whether two contacts (from different back ends, under different keys:
// a Patient.contact and a council RelatedPerson, say) are the same person: the same name
// once titles, case and punctuation are set aside, and at least one telephone number in
// common once written as digits alone (+44 read as 0). Two people of the same name with no
// number in common stay apart, and so do two whose family relationships to the person
// differ ("Husband" and "Son": a father and son of one name sharing the home phone).
func SameContact(a, b *Contact) bool {
	na := NormaliseName(a.Name)
	if na == "" || na != NormaliseName(b.Name) {
		return false
	}
	ra, rb := splitRelationship(a.Relationship), splitRelationship(b.Relationship)
	if len(ra) > 0 && len(rb) > 0 && !slices.ContainsFunc(ra, func(r string) bool {
		return slices.ContainsFunc(rb, func(o string) bool { return strings.EqualFold(r, o) })
	}) {
		return false
	}
	for _, p := range a.Phones {
		n := NormalisePhone(p.Number)
		if n != "" && slices.ContainsFunc(b.Phones, func(q Phone) bool { return NormalisePhone(q.Number) == n }) {
			return true
		}
	}
	return false
}

// foldContact adds what from says about a contact to into: its roles and phone numbers
// (next of kin from one back end, key holder from another), the family relationship, e-mail,
// address and period where into has none, and the lower "call first" rank. Slices are copied
// before they change: earlier masked copies of the record may share them.
func foldContact(into, from *Contact) {
	for _, r := range from.Roles {
		if !slices.Contains(into.Roles, r) {
			into.Roles = append(slices.Clip(into.Roles), r)
			// In one order whichever back end answered first.
			slices.SortStableFunc(into.Roles, func(a, b string) int { return roleOrder(a) - roleOrder(b) })
		}
	}
	for _, p := range from.Phones {
		n := NormalisePhone(p.Number)
		i := slices.IndexFunc(into.Phones, func(q Phone) bool { return n != "" && NormalisePhone(q.Number) == n })
		switch {
		case i < 0:
			into.Phones = append(slices.Clip(into.Phones), p)
		case into.Phones[i].Use == "" && p.Use != "":
			into.Phones = slices.Clone(into.Phones)
			into.Phones[i].Use = p.Use
		}
	}
	rels := splitRelationship(into.Relationship)
	for _, r := range splitRelationship(from.Relationship) {
		if !slices.ContainsFunc(rels, func(o string) bool { return strings.EqualFold(o, r) }) {
			rels = append(rels, r)
		}
	}
	into.Relationship = strings.Join(rels, ", ")
	if into.Email == "" {
		into.Email = from.Email
	}
	if len(into.Address.Lines) == 0 && into.Address.Postcode == "" {
		into.Address = from.Address
	}
	if into.Period.Start.IsZero() && into.Period.End.IsZero() {
		into.Period = from.Period
	}
	if from.Rank > 0 && (into.Rank == 0 || from.Rank < into.Rank) {
		into.Rank = from.Rank
	}
}

// roleOrder places the normalised roles: next of kin first; roles of other kinds last.
func roleOrder(r string) int {
	if i := slices.Index([]string{RoleNextOfKin, RoleEmergencyContact, RoleKeyHolder, RoleLPA, RoleMainCarer,
		RoleCarer, RoleGuardian}, r); i >= 0 {
		return i
	}
	return 100
}

func splitRelationship(s string) []string {
	var out []string
	for _, r := range strings.Split(s, ",") {
		if r = strings.TrimSpace(r); r != "" {
			out = append(out, r)
		}
	}
	return out
}

// honorifics are the titles NormaliseName sets aside.
var honorifics = map[string]bool{"mr": true, "mrs": true, "ms": true, "miss": true, "mx": true, "dr": true,
	"prof": true, "rev": true, "sir": true, "dame": true, "lady": true, "lord": true}

// NormaliseName reduces a person's name for comparison: lower case, letters and digits
// only, single spaces, leading titles (Mr, Mrs, Dr…) dropped. "Mrs Margaret  Brackenbury"
// and "margaret brackenbury" give the same result.
func NormaliseName(s string) string {
	words := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\''
	})
	for len(words) > 1 && honorifics[words[0]] {
		words = words[1:]
	}
	return strings.Join(words, " ")
}

// NormalisePhone reduces a UK telephone number to its digits as dialled at home: spaces,
// brackets and dashes go, an international +44 or 0044 prefix becomes 0, and "+44 (0)" is
// read once. "+44 (0)7700 900201", "07700-900201" and "07700 900201" are equal. Anything
// with no digits gives "".
func NormalisePhone(s string) string {
	s = strings.TrimSpace(s)
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	d := b.String()
	intl := strings.HasPrefix(s, "+44")
	if strings.HasPrefix(d, "0044") {
		d, intl = d[2:], true
	}
	if intl && strings.HasPrefix(d, "44") {
		d = strings.TrimPrefix(d[2:], "0")
		d = "0" + d
	}
	return d
}
