package record

import (
	"reflect"
	"slices"
	"strings"
	"time"
)

// Consent record kinds: what carried the person's decision about sharing.
const (
	ConsentResource = "consent"         // a FHIR Consent (UK Core Consent; consent-example-Emergency's shape)
	ConsentFinding  = "refusal-finding" // a Flag or Observation coded SNOMED 416409005 / 416308001
	ConsentNCRS     = "ncrs"            // the NHS record sharing consent (NCRS) extension on a Patient
)

// Consent decisions.
const (
	DecisionDeny   = "deny"
	DecisionPermit = "permit"
)

// WithheldObjection is Item.Withheld for content withheld because the person objected to
// sharing from the item's back end and the purpose of access is not emergency care.
const WithheldObjection = "objection"

// ConsentRecord is one statement of what the person decided about sharing their record, as
// one back end holds it. A deny that is active is an objection: it covers every item from
// that back end (ObjectedBackends), which Masked withholds until emergency access (break
// glass) reveals RevealObjectionKey(backend). The National Data Opt-out is not one: it does
// not apply to direct care, and shcr never withholds anything because of it.
type ConsentRecord struct {
	Item
	Kind     string `json:"kind"`     // ConsentResource | ConsentFinding | ConsentNCRS
	Decision string `json:"decision"` // deny | permit
	// EmergencyOnly: a deny with a nested permit for emergency treatment (ETREAT): shared in
	// an emergency only.
	EmergencyOnly bool      `json:"emergency_only"`
	Status        string    `json:"status,omitempty"` // Consent.status: active | inactive | rejected | …
	Text          string    `json:"text"`             // what it says: category, code or finding
	Date          time.Time `json:"date,omitzero"`
	DateText      string    `json:"date_text,omitempty"`
	Period        Period    `json:"period,omitzero"` // provision.period, where given
	// National: recorded by a national service for the person, not by one record (the NHS
	// record sharing dissent PDS holds): an objection to sharing from every care record
	// (NationalObjection). The national flags services are not care records: their flags stay.
	National bool `json:"national,omitempty"`
}

// Objection reports whether the record is an objection to sharing in force now; a zero now
// does not look at its period (Masked withholds while any active deny stands).
func (c ConsentRecord) Objection(now time.Time) bool {
	if c.Decision != DecisionDeny || c.Restricted {
		return false
	}
	switch c.Status {
	case "", "active":
	default:
		return false
	}
	return now.IsZero() || c.Period.Active(now)
}

// RevealObjectionKey is the key Masked asks revealed for before showing what a back end
// holds for a person who objected to sharing from it: emergency access (break glass)
// adds it, with purpose emergency and a reason, and the audit trail records it.
func RevealObjectionKey(backend string) string { return "objection:" + backend }

// IsObjectionKey reports whether key is a RevealObjectionKey, and for which back end.
func IsObjectionKey(key string) (backend string, ok bool) {
	return strings.CutPrefix(key, "objection:")
}

// Objections are the objections to sharing in force now, in record order.
func (r *Record) Objections(now time.Time) []ConsentRecord {
	var out []ConsentRecord
	for _, c := range r.Sections.Consent {
		if c.Objection(now) {
			out = append(out, c)
		}
	}
	return out
}

// ObjectedBackends names the back ends whose data the person objected to sharing, each
// once, in record order. A national objection (NationalObjection) names every care record
// holding something for the person.
func (r *Record) ObjectedBackends(now time.Time) []string {
	var out []string
	add := func(b string) {
		if b != "" && !slices.Contains(out, b) {
			out = append(out, b)
		}
	}
	for _, c := range r.Objections(now) {
		if c.National {
			continue
		}
		for _, p := range append([]Provenance{c.Provenance}, c.AlsoFrom...) {
			add(p.Backend)
		}
	}
	if len(r.NationalObjections(now)) > 0 {
		national := r.nationalServices()
		for _, s := range r.Person.Sources {
			if !national[s.Backend] {
				add(s.Backend)
			}
		}
		r.Sections.EachItem(func(sec Section, it *Item) {
			if sec != SectionConsent && !national[it.Provenance.Backend] {
				add(it.Provenance.Backend)
			}
		})
	}
	return out
}

// NationalObjections are the objections in force now that a national service holds for the
// person (PDS's NHS record sharing dissent): they cover every care record.
func (r *Record) NationalObjections(now time.Time) []ConsentRecord {
	var out []ConsentRecord
	for _, c := range r.Objections(now) {
		if c.National {
			out = append(out, c)
		}
	}
	return out
}

// nationalServices are the back ends that said they are national services (a national
// section state: demographics, locator, flags): they hold no care record an objection covers.
func (r *Record) nationalServices() map[string]bool {
	out := map[string]bool{}
	for _, st := range r.SectionStatus {
		if st.National {
			out[st.Backend] = true
		}
	}
	return out
}

// ObjectionKeys are the RevealObjectionKey of every objected back end, and of every national
// objection's holder (which reveals every care record, however late it answers): what
// emergency access reveals.
func (r *Record) ObjectionKeys(now time.Time) []string {
	var out []string
	for _, c := range r.NationalObjections(now) {
		if k := RevealObjectionKey(c.Provenance.Backend); !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	for _, b := range r.ObjectedBackends(now) {
		out = append(out, RevealObjectionKey(b))
	}
	return out
}

// WithheldByObjection reports whether m (a Masked record) withholds anything because of an
// objection.
func (r *Record) WithheldByObjection() bool {
	found := false
	r.Sections.EachItem(func(_ Section, it *Item) {
		if it.Withheld == WithheldObjection {
			found = true
		}
	})
	return found
}

// withholdObjected (called by Masked on its copy m) zeroes the content of every item (but the consent records themselves)
// reported only by back ends the person objected to, whose objection key is not revealed,
// and marks it Withheld. s must be Masked's own copy.
func withholdObjected(m *Record, objected []string, revealed func(string) bool) {
	if len(objected) == 0 {
		return
	}
	s := &m.Sections
	var hidden []string
	m.EmergencyAccess = nil
	// A national objection covers every care record: its holder's key, revealed, shows them
	// all; not revealed, every care record is hidden, however late its items come.
	nationalHidden := false
	for _, c := range m.NationalObjections(time.Time{}) {
		if !revealed(RevealObjectionKey(c.Provenance.Backend)) {
			nationalHidden = true
		}
	}
	nationalShown := len(m.NationalObjections(time.Time{})) > 0 && !nationalHidden
	national := m.nationalServices()
	for _, b := range objected {
		if revealed(RevealObjectionKey(b)) || nationalShown && !slices.Contains(m.OwnObjections(time.Time{}), b) {
			m.EmergencyAccess = append(m.EmergencyAccess, b)
		} else {
			hidden = append(hidden, b)
		}
	}
	if len(hidden) == 0 && !nationalHidden {
		return
	}
	isHidden := func(b string) bool {
		// Under a national objection, a back end's own key (break glass on one of its rows)
		// shows that back end; the holder's key shows every one.
		return slices.Contains(hidden, b) || nationalHidden && !national[b] && !revealed(RevealObjectionKey(b))
	}
	involved := func(it *Item) bool {
		if isHidden(it.Provenance.Backend) {
			return true
		}
		return slices.ContainsFunc(it.AlsoFrom, func(p Provenance) bool { return isHidden(p.Backend) })
	}
	hide := func(it *Item) bool {
		objected := 0
		if isHidden(it.Provenance.Backend) {
			objected++
		}
		for _, p := range it.AlsoFrom {
			if isHidden(p.Backend) {
				objected++
			}
		}
		switch objected {
		case 0:
			return false // no objected back end reports it
		case 1 + len(it.AlsoFrom):
			return true // only objected back ends report it
		}
		// Another back end reports it too: shown from there alone, without naming the
		// objected back end as a source (a new slice: the item's is shared with the record).
		var shown []Provenance
		for _, p := range append([]Provenance{it.Provenance}, it.AlsoFrom...) {
			if !isHidden(p.Backend) {
				shown = append(shown, p)
			}
		}
		it.Provenance, it.AlsoFrom = shown[0], shown[1:]
		if len(it.AlsoFrom) == 0 {
			it.AlsoFrom = nil
		}
		return false
	}
	for _, d := range sectionTable {
		if d.Key == SectionConsent {
			continue
		}
		for _, l := range d.lists {
			l.withhold(s, involved, hide)
		}
	}
}

// OwnObjections names the back ends an objection of their own (not a national one) covers
// in force now (a zero now: while any active deny stands); their own key reveals them.
func (r *Record) OwnObjections(now time.Time) []string {
	var out []string
	for _, c := range r.Objections(now) {
		if !c.National {
			for _, p := range append([]Provenance{c.Provenance}, c.AlsoFrom...) {
				out = append(out, p.Backend)
			}
		}
	}
	return out
}

// withhold hides (hide true) or re-sources the items an objected back end reports
// (involved). A masked list may be the record's own (Masked shares a list with nothing
// withheld), so the list is copied before its first change: the record is never written.
func (l itemList[T, PT]) withhold(s *SectionsData, involved, hide func(*Item) bool) {
	items := *l.get(s)
	copied := false
	for i := range items {
		if !involved(PT(&items[i]).item()) {
			continue
		}
		if !copied {
			items = slices.Clone(items)
			*l.get(s) = items
			copied = true
		}
		if it := PT(&items[i]).item(); hide(it) {
			zeroContent(reflect.ValueOf(&items[i]).Elem())
			it = PT(&items[i]).item()
			// Who recorded it, where and when is the objected back end's data too: only the
			// back end and its domain stay, to say where it is held.
			it.Provenance = Provenance{Backend: it.Provenance.Backend, Domain: it.Provenance.Domain}
			it.AlsoFrom, it.AlsoKnownAs, it.Withheld = nil, nil, WithheldObjection
		}
	}
}
