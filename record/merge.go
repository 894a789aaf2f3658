package record

import (
	"fmt"
	"reflect"
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
	Notices  []Notice
	// Identity, Locator and Routing come from the national services (identity.go).
	Identity *Identity
	Locator  *Locator
	Routing  []Route
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
	// Room for every item at once, and at least double: a list of 50,000 from one part,
	// or from fifty parts, is not grown and copied again for every part.
	if cap(dst)-len(dst) < len(add) {
		dst = slices.Grow(dst, max(len(add), cap(dst)))
	}
	// The index maps a key to the first item holding it. Only add's keys are ever looked
	// up, so only those are indexed from dst: merging a page into a list of 50,000 costs a
	// scan of the list, not a map of 50,000 keys built again.
	wanted := make(map[string]struct{}, len(add))
	for i := range add {
		it := PT(&add[i]).item()
		for n := -1; n < len(it.AlsoKnownAs); n++ {
			wanted[itemKey(it, n)] = struct{}{}
		}
	}
	delete(wanted, "")
	index := make(map[string]int, len(wanted))
	for i := range dst {
		it := PT(&dst[i]).item()
		for n := -1; n < len(it.AlsoKnownAs); n++ {
			k := itemKey(it, n)
			if _, ok := wanted[k]; !ok {
				continue
			}
			if _, taken := index[k]; !taken {
				index[k] = i
			}
		}
	}
	indexAs := func(it *Item, i int) {
		for n := -1; n < len(it.AlsoKnownAs); n++ {
			if k := itemKey(it, n); k != "" {
				if _, taken := index[k]; !taken {
					index[k] = i
				}
			}
		}
	}
	// lookup finds the item a is the same as: by any of its keys when dst's item comes from
	// another back end; from the same back end only by the same Key (the same item sent
	// again), since one back end's distinct items may share a plan's identifier.
	lookup := func(it *Item) (int, bool) {
		for n := -1; n < len(it.AlsoKnownAs); n++ {
			k := itemKey(it, n)
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

// itemKey is an item's Key (n < 0) or its nth AlsoKnownAs key.
func itemKey(it *Item, n int) string {
	if n < 0 {
		return it.Key
	}
	return it.AlsoKnownAs[n]
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
	r.mergeNational(p)
	if p.Person != nil {
		r.mergePerson(p.Backend, *p.Person)
	}
	for _, st := range p.Status {
		// A section still loading that says how many it will bring (Total, as its server
		// counts them) has its list made that big once, not grown part after part.
		if st.State == StateLoading && st.Total > 0 {
			if d, ok := st.Section.Def(); ok {
				reserve(&r.Sections, d.lists[0].json(), st.Total)
			}
		}
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

// reserve makes room in the list of s named name (its JSON name) for n items in all.
func reserve(s *SectionsData, name string, n int) {
	v := reflect.ValueOf(s).Elem()
	t := v.Type()
	for i := range t.NumField() {
		if tag, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ","); tag == name {
			if f := v.Field(i); f.Kind() == reflect.Slice && f.Cap() < n {
				f.Grow(n - f.Len())
			}
			return
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
	if r.LocationWithheld() {
		p.Address, p.Phones = Address{}, nil // restricted: only what PDS returns (identity.go)
		p.Sources = slices.Clone(p.Sources)
		for i := range p.Sources {
			p.Sources[i].Postcode = ""
		}
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
