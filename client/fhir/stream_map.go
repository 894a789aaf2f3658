package fhir

import (
	"slices"

	"github.com/shcr-project/shcr/record"
)

// Mapping a section page by page: a big section (50,000 encounters) is mapped as each page
// arrives and the page is dropped, so that only the mapped items are kept, never every
// page's bytes at once.

// pageLocalSections are the sections whose items each map from their own resource, the
// resources it references and the Provenance targeting it — all of which a searchset page
// carries with it (_include and _revinclude are per page) — and from nothing else the
// section holds: mapping them page by page gives the same items as mapping the whole
// section at once (keys stay unique across pages: the mapper keeps them).
var pageLocalSections = map[record.Section]bool{
	record.SectionEncounters: true,
}

// PageLocal reports whether sec can be mapped page by page (PageMapper).
func PageLocal(sec record.Section) bool { return pageLocalSections[sec] }

// PageMapper maps one section's search results a page at a time. What must hold across
// pages is kept: the item keys given (two resources never share one), the items already
// mapped (an item a later page sends again is not listed twice) and the warnings. What a
// page's items reference is looked up in that page and in what Map is given beside it.
// Not safe for concurrent use.
type PageMapper struct {
	sec     record.Section
	patient *Resource
	m       *mapper
	seen    map[string]bool
	// byRefRoom is how many resources m.byRef was made for.
	byRefRoom int
	// room is how many items the section is expected to hold in all (Reserve).
	room int
	// items is the list a page's items are mapped from, kept for the next page.
	items []Resource
}

// NewPageMapper starts the mapping of one section of one back end; patient may be nil.
func NewPageMapper(sec record.Section, patient *Resource, src Source) *PageMapper {
	return &PageMapper{sec: sec, patient: patient, m: newMapper(src, nil), seen: map[string]bool{}}
}

// Reserve says how many items the section will hold in all, as far as is known (the total
// the server counts, within max_entries), before the first page is mapped: the keys given
// and the items seen are then held in maps made that big once, not grown (and rehashed)
// page after page. Past the first page it does nothing.
func (p *PageMapper) Reserve(n int) {
	if len(p.m.keys) == 0 && len(p.seen) == 0 {
		p.room = n
	}
}

// Map maps one page: its resources (matches, included resources, Provenance, outcomes)
// and extra, the resources its matches reference that came some other way (included by an
// earlier page, read by id). It returns the page's items, as MapSection would list them.
func (p *PageMapper) Map(resources, extra []Resource) record.SectionsData {
	var out record.SectionsData
	p.mapInto(&out, resources, extra)
	return out
}

// MapAppend is AppendData(dst, Map(resources, extra), hint(n)), n the page's items,
// without the page's own list in between where the section's mapping only appends
// (encounters): the items are appended to dst's list, made with room for hint(n) items
// when dst has none, n then the page's matches (at most its items: the room is all the
// guess changes). Other sections are mapped and appended as AppendData does.
func (p *PageMapper) MapAppend(dst *record.SectionsData, resources, extra []Resource, hint func(n int) int) {
	sm, ok := sectionMappings[p.sec]
	if !ok || sm.reserve == nil {
		page := p.Map(resources, extra)
		AppendData(dst, page, hint((&record.Record{Sections: page}).Count(p.sec)))
		return
	}
	n := 0
	for i := range resources {
		if resources[i].Mode != "include" && resources[i].Mode != "outcome" {
			n++
		}
	}
	if h := hint(n); h > 0 {
		sm.reserve(dst, h)
	}
	p.mapInto(dst, resources, extra)
}

// mapInto maps one page (Map) into out.
func (p *PageMapper) mapInto(out *record.SectionsData, resources, extra []Resource) {
	m := p.m
	// Room for the page at once (maps grown entry by entry rehash ~log n times): byRef
	// is the page's, made anew when a page is bigger than the last; keys and seen hold
	// across pages, made with room for the whole section (Reserve), else the first page.
	if n := len(resources) + len(extra) + 1; n > p.byRefRoom {
		m.byRef, p.byRefRoom = make(map[string]*Resource, 2*n), n
	}
	if len(m.keys) == 0 {
		m.keys = make(map[string]string, max(p.room, len(resources)))
	}
	if len(p.seen) == 0 {
		p.seen = make(map[string]bool, max(p.room, len(resources)))
	}
	clear(m.byRef)
	clear(m.provs)
	clear(m.parties)
	m.forgetWho()
	m.outer = m.outer[:0]
	each := func(fn func(r *Resource)) {
		for i := range resources {
			fn(&resources[i])
		}
		for i := range extra {
			fn(&extra[i])
		}
		if p.patient != nil {
			fn(p.patient)
		}
	}
	each(m.add) // by pointer: the map holds no copy of each resource
	each(func(r *Resource) {
		if r.Type == "Provenance" {
			m.addProvenance(*r)
		}
	})
	// The page's items in the list the last page's were in (nothing mapped keeps it).
	items := slices.Grow(p.items[:0], len(resources))
	for _, r := range resources {
		if r.Type == "OperationOutcome" {
			if oo, ok := ParseOperationOutcome(r.Raw); ok && len(oo.Issues) > 0 {
				m.warn("the back end said: %s", oo.String())
			}
			continue
		}
		if r.Mode == "include" || r.Mode == "outcome" {
			continue
		}
		if r.ID != "" {
			// One look-up, not two: the set grows unless ref was in it.
			n := len(p.seen)
			p.seen[r.Ref()] = true
			if len(p.seen) == n {
				continue
			}
		}
		items = append(items, r)
	}
	if sm, ok := sectionMappings[p.sec]; ok {
		sm.mapR4(m, p.patient, items, out)
	} else {
		m.warn("unknown section %q", p.sec)
	}
	clear(items) // no hold on the page's bytes until the next page
	p.items = items[:0]
}

// Warnings are the warnings of every page mapped so far, each once.
func (p *PageMapper) Warnings() []string { return slices.Clone(p.m.warnings) }

// AppendData appends every list of src to the same list of dst (no merging: one back end's
// pages of one section). A list appended to for the first time is made with room for
// hint items (the rest of the section, as the server counts it), so that it is not grown
// page after page; when hint asks for no more room than src's list has, dst takes src's
// list as it is (no copy: a page's items are handed over, src is not used again).
// TestAppendDataEveryList keeps the lists here those of record.SectionsData.
func AppendData(dst *record.SectionsData, src record.SectionsData, hint int) {
	appendList(&dst.CarePackages, src.CarePackages, hint)
	appendList(&dst.Referrals, src.Referrals, hint)
	appendList(&dst.CareTeam, src.CareTeam, hint)
	appendList(&dst.Medications, src.Medications, hint)
	appendList(&dst.Allergies, src.Allergies, hint)
	appendList(&dst.NextOfKin, src.NextOfKin, hint)
	appendList(&dst.Encounters, src.Encounters, hint)
	appendList(&dst.Notes, src.Notes, hint)
	appendList(&dst.Alerts, src.Alerts, hint)
	appendList(&dst.ChildProtection, src.ChildProtection, hint)
	appendList(&dst.Consent, src.Consent, hint)
}

func appendList[T any](dst *[]T, add []T, hint int) {
	switch {
	case len(add) == 0:
	case cap(*dst) == 0 && hint <= len(add):
		*dst = add
	case cap(*dst) == 0:
		*dst = append(make([]T, 0, hint), add...)
	default:
		*dst = append(*dst, add...)
	}
}
