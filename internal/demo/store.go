package demo

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// jobj is a FHIR JSON object under construction.
type jobj = map[string]any

// jarr is a FHIR JSON array under construction.
type jarr = []any

// resource is one stored FHIR resource, marshalled once at start-up.
type resource struct {
	typ, id string
	raw     json.RawMessage
	patient string              // logical id of the Patient it belongs to ("" if none)
	refs    map[string][]string // search parameter (for _include) → "Type/id" references
}

// patientIndex is what Patient search matches on, normalised once.
type patientIndex struct {
	res       *resource
	ids       []string // "system|value"
	families  []string // lower case
	givens    []string // lower case
	birthDate string
	postcodes []string // upper case, no spaces
	phones    []string // digits only, national form
	gender    string
}

// store holds one back end's resources, indexed for reads and searches.
type store struct {
	name     string
	types    []string // resource types served, in CapabilityStatement order
	byType   map[string][]*resource
	byID     map[string]*resource              // "Type/id"
	byPat    map[string]map[string][]*resource // type → patient id → resources, in insertion order
	provOf   map[string][]*resource            // "Type/id" → Provenance resources targeting it
	includes map[string][]string               // type → supported _include params
	search   map[string]map[string]string      // type → param → FHIR search param type
	patients []*patientIndex
	lazy     *lazyBulk // nil when everything is built
}

func newStore(name string, types []string) *store {
	return &store{name: name, types: types, byType: map[string][]*resource{}, byID: map[string]*resource{},
		byPat: map[string]map[string][]*resource{}, provOf: map[string][]*resource{},
		includes: map[string][]string{}, search: map[string]map[string]string{}}
}

// ref returns the "Type/id" of a reference object ({"reference": "..."}), or "".
func ref(v any) string {
	m, ok := v.(jobj)
	if !ok {
		return ""
	}
	s, _ := m["reference"].(string)
	return s
}

// add marshals and indexes a resource. patient is the Patient id it belongs to; refs maps
// _include parameters to the references the resource holds.
func (s *store) add(r jobj, patient string, refs map[string][]string) {
	typ, _ := r["resourceType"].(string)
	id, _ := r["id"].(string)
	if typ == "" || id == "" {
		panic(fmt.Sprintf("demo data: resource without type or id: %v", r))
	}
	key := typ + "/" + id
	if _, dup := s.byID[key]; dup {
		panic("demo data: duplicate resource " + key)
	}
	res := &resource{typ: typ, id: id, raw: mustJSON(r), patient: patient, refs: refs}
	if typ == "Provenance" {
		for _, t := range r["target"].(jarr) {
			if tr := ref(t); tr != "" {
				s.provOf[tr] = append(s.provOf[tr], res)
			}
		}
	}
	s.byType[typ] = append(s.byType[typ], res)
	s.byID[key] = res
	if patient != "" {
		if s.byPat[typ] == nil {
			s.byPat[typ] = map[string][]*resource{}
		}
		s.byPat[typ][patient] = append(s.byPat[typ][patient], res)
	}
	if typ == "Patient" {
		s.patients = append(s.patients, indexPatient(res, r))
	}
}

func indexPatient(res *resource, r jobj) *patientIndex {
	pi := &patientIndex{res: res}
	pi.birthDate, _ = r["birthDate"].(string)
	pi.gender, _ = r["gender"].(string)
	for _, v := range asList(r["identifier"]) {
		m := v.(jobj)
		pi.ids = append(pi.ids, fmt.Sprint(m["system"])+"|"+fmt.Sprint(m["value"]))
	}
	for _, v := range asList(r["name"]) {
		m := v.(jobj)
		if f, ok := m["family"].(string); ok {
			pi.families = append(pi.families, strings.ToLower(f))
		}
		for _, g := range asList(m["given"]) {
			pi.givens = append(pi.givens, strings.ToLower(g.(string)))
		}
	}
	for _, v := range asList(r["address"]) {
		if pc, ok := v.(jobj)["postalCode"].(string); ok {
			pi.postcodes = append(pi.postcodes, normPostcode(pc))
		}
	}
	for _, v := range asList(r["telecom"]) {
		m := v.(jobj)
		if m["system"] == "phone" {
			pi.phones = append(pi.phones, normPhone(m["value"].(string)))
		}
	}
	return pi
}

func asList(v any) jarr {
	l, _ := v.(jarr)
	return l
}

func normPostcode(s string) string {
	return strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(s), " ", ""))
}

// normPhone keeps the digits of a UK phone number in national form (+44 7700 → 07700).
func normPhone(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	d := b.String()
	if strings.HasPrefix(d, "44") && len(d) == 12 {
		d = "0" + d[2:]
	}
	return d
}

// lazyBulk is the part of a store that is built only when a request first needs it: the
// large record's thousands of encounters and medications. Building it is most of the cost
// of the data set, and most uses of the demo (its first screen, a search, any other person)
// never need it. It is built once, into a copy of the store, which then replaces the store
// for every later request: each store a request reads is immutable, so there is no lock.
type lazyBulk struct {
	pids  map[string]bool       // the Patients whose bulk is not built yet
	add   []func(*store)        // adds the bulk to a store
	once  sync.Once             // builds full
	full  atomic.Pointer[store] // the store with the bulk, once built
	built atomic.Int64          // how many times the bulk was built (tests: at most once)
}

// deferBulk registers add as bulk of Patient pid, built when first needed.
func (s *store) deferBulk(pid string, add func(*store)) {
	if s.lazy == nil {
		s.lazy = &lazyBulk{pids: map[string]bool{}}
	}
	s.lazy.pids[pid] = true
	s.lazy.add = append(s.lazy.add, add)
}

// current is the store to serve from: the full one if the bulk is built; else, when need,
// the bulk is built first (once; concurrent callers wait for it); else the base store.
func (s *store) current(need bool) *store {
	if s.lazy == nil {
		return s
	}
	if f := s.lazy.full.Load(); f != nil {
		return f
	}
	if !need {
		return s
	}
	s.lazy.once.Do(func() {
		full := s.clone()
		for _, add := range s.lazy.add {
			add(full)
		}
		s.lazy.built.Add(1)
		s.lazy.full.Store(full)
	})
	return s.lazy.full.Load()
}

// pending reports whether pid's bulk is not built yet.
func (s *store) pending(pid string) bool {
	return s.lazy != nil && s.lazy.pids[pid] && s.lazy.full.Load() == nil
}

// clone copies the store's indexes (not the resources, which are immutable) so that the copy
// can grow without touching what concurrent requests read.
func (s *store) clone() *store {
	c := &store{name: s.name, types: s.types, includes: s.includes, search: s.search, patients: s.patients,
		byType: make(map[string][]*resource, len(s.byType)), byID: maps.Clone(s.byID),
		byPat: make(map[string]map[string][]*resource, len(s.byPat)), provOf: make(map[string][]*resource, len(s.provOf))}
	for k, v := range s.byType {
		c.byType[k] = slices.Clip(v)
	}
	for k, v := range s.provOf {
		c.provOf[k] = slices.Clip(v)
	}
	for typ, m := range s.byPat {
		cm := make(map[string][]*resource, len(m))
		for k, v := range m {
			cm[k] = slices.Clip(v)
		}
		c.byPat[typ] = cm
	}
	return c
}
