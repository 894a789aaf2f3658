package fhir

// The Item every section entry shares: its key, provenance and security labels.

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"

	"github.com/shcr-project/shcr/record"
)

func (m *mapper) addProvenance(r Resource) {
	var p provenanceRes
	if err := decodeAs(r, &p); err != nil {
		m.warn("%s; skipped", err)
		return
	}
	info := provInfo{recorded: m.date(r, "recorded", p.Recorded)}
	if !info.recorded.IsZero() {
		info.recordedText = strings.TrimSpace(p.Recorded)
	}
	// The author agent first, else the first agent.
	best := -1
	for i, a := range p.Agent {
		if best < 0 {
			best = i
		}
		if a.Type.Has("", "author") {
			best = i
			break
		}
	}
	if best >= 0 {
		a := p.Agent[best]
		if a.Who == nil {
			a.Who = a.WhoReference
		}
		if a.OnBehalfOf == nil {
			a.OnBehalfOf = a.OnBehalfOfReference
		}
		who := m.who(a.Who, &p.domainResource)
		info.author = record.Author{Name: who.name, Role: a.Role.Label()}
		if info.author.Role == "" {
			info.author.Role = who.role
		}
		if a.OnBehalfOf != nil {
			o := m.who(a.OnBehalfOf, &p.domainResource)
			info.org, info.orgCode, info.orgDom = firstNonEmpty(o.org, o.name), o.orgCode, o.orgDom
		} else if who.org != "" || who.orgCode != "" {
			info.org, info.orgCode, info.orgDom = who.org, who.orgCode, who.orgDom
		}
		if who.isOrg && info.org == "" {
			info.org, info.orgCode, info.orgDom = who.name, who.orgCode, who.orgDom
		}
	}
	for _, t := range p.Target {
		if key := normRef(t.Reference); key != "" {
			m.provs[key] = append(m.provs[key], info)
		}
	}
}

// itemFacts are what a resource says about itself, as its caller reads it. What the caller
// leaves out, item reads from the resource's common elements (ownFacts).
type itemFacts struct {
	author   *Reference // recorder / asserter / author / informationSource
	recorded string     // recordedDate / assertedDate / authoredOn / date element value
	field    string     // its element name, for warnings
	org      *Reference // managing organisation / custodian / service provider
}

// ownFacts are the elements, common to many resource types, that say who recorded an item,
// for which organisation, and when. Read from any resource; absent elements stay empty.
type ownFacts struct {
	RecordedDate       string     `json:"recordedDate"`
	AssertedDate       string     `json:"assertedDate"`
	DateAsserted       string     `json:"dateAsserted"`
	AuthoredOn         string     `json:"authoredOn"`
	Date               string     `json:"date"`
	Issued             string     `json:"issued"`
	Created            string     `json:"created"`
	DateTime           string     `json:"dateTime"`
	EffectiveDateTime  string     `json:"effectiveDateTime"`
	OccurrenceDateTime string     `json:"occurrenceDateTime"`
	EffectivePeriod    *Period    `json:"effectivePeriod"`
	Period             *Period    `json:"period"`
	Recorder           *Reference `json:"recorder"`
	Asserter           *Reference `json:"asserter"`
	Author             Refs       `json:"author"`
	Requester          *agentRef  `json:"requester"`
	InformationSource  *Reference `json:"informationSource"`
	ManagingOrg        Refs       `json:"managingOrganization"`
	Custodian          *Reference `json:"custodian"`
	ServiceProvider    *Reference `json:"serviceProvider"`
}

// ownDate is the item's own date: the first of its recorded, asserted, authored, date,
// issued, created, effective, occurrence or period start elements that it carries.
func (f ownFacts) ownDate() (value, field string) {
	cands := [...]struct{ v, f string }{
		{f.RecordedDate, "recordedDate"}, {f.AssertedDate, "assertedDate"}, {f.DateAsserted, "dateAsserted"},
		{f.AuthoredOn, "authoredOn"}, {f.Date, "date"}, {f.Issued, "issued"}, {f.Created, "created"},
		{f.DateTime, "dateTime"}, {f.EffectiveDateTime, "effectiveDateTime"}, {f.OccurrenceDateTime, "occurrenceDateTime"},
	}
	for _, c := range cands {
		if strings.TrimSpace(c.v) != "" {
			return c.v, c.f
		}
	}
	if f.EffectivePeriod != nil && strings.TrimSpace(f.EffectivePeriod.Start) != "" {
		return f.EffectivePeriod.Start, "effectivePeriod.start"
	}
	if f.Period != nil && strings.TrimSpace(f.Period.Start) != "" {
		return f.Period.Start, "period.start"
	}
	return "", ""
}

func (f ownFacts) author() *Reference {
	for _, r := range []*Reference{f.Recorder, f.Asserter, firstRefOf(f.Author), f.Requester.ref(), f.InformationSource} {
		if r != nil {
			return r
		}
	}
	return nil
}

func (f ownFacts) org() *Reference {
	for _, r := range []*Reference{firstRefOf(f.ManagingOrg), f.Custodian, f.ServiceProvider} {
		if r != nil {
			return r
		}
	}
	return nil
}

func firstRefOf(rs Refs) *Reference {
	if len(rs) == 0 {
		return nil
	}
	return &rs[0]
}

// item builds the Item (key, provenance, restriction) of resource r. What the item says of
// itself comes first, the back end's configuration last:
//
//   - organisation: a Provenance resource targeting it; a regional record's organisation tag
//     in meta.tag / meta.security (Interweave's Provenance tag); an ODS code in meta.source;
//     the organisation of its author (recorder, asserter, requester, a PractitionerRole's
//     organisation, or an Organization author); its managing organisation, custodian or
//     service provider; then the back end's configured organisation;
//   - domain: social care when meta.profile names a social care profile; else the first of
//     those organisations whose code (config `organisations:`, then the ODS code shapes),
//     type or name says one; else the back end's configured domain. A back end
//     that relays an item of another domain, or a regional record tagged as another
//     organisation's, is named in Via;
//   - author: a Provenance resource's author agent, else the item's own author element;
//   - recorded: the item's own date (recordedDate, assertedDate, authoredOn, date, issued,
//     created, effective, occurrence, period.start…) with RecordedText as written; else the
//     Provenance resource's recorded; else meta.lastUpdated, marked ServerUpdated.
func (m *mapper) item(r Resource, d *domainResource, facts itemFacts) record.Item {
	return m.itemOwn(r, d, facts, false)
}

// itemOwn is item; ownRead: m.own already holds the resource's own facts (read with the
// resource itself).
func (m *mapper) itemOwn(r Resource, d *domainResource, facts itemFacts, ownRead bool) record.Item {
	p := record.Provenance{Backend: m.src.Backend, Domain: m.src.Domain, Resource: r.Ref()}
	own := &m.own
	if !ownRead {
		*own = ownFacts{}
		// Best effort: what does not decode stays empty. Read from the members the bundle
		// decode set aside when there are (the same members, so the same result), else
		// from the whole resource.
		data := r.own
		if data == nil {
			data = r.Raw
		}
		if !decodeOwnFactsFast(data, own) {
			*own = ownFacts{}
			_ = unmarshal(data, own)
		}
	}
	if facts.author == nil {
		facts.author = own.author()
	}
	if facts.org == nil && r.Type != "Patient" {
		// A Patient's managing organisation is whoever keeps the demographic record (often
		// the GP practice), not the organisation of the contacts and alerts derived from it.
		facts.org = own.org()
	}
	if strings.TrimSpace(facts.recorded) == "" {
		facts.recorded, facts.field = own.ownDate()
	}

	var claimsBuf [4]orgClaim // most items make one or two claims: no allocation for them
	claims := claimsBuf[:0]
	var pi *provInfo
	provs := m.provs[r.Ref()]
	if len(provs) == 0 && r.FullURL != "" {
		provs = m.provs[r.FullURL]
	}
	if len(provs) > 0 {
		pi = &provs[0]
		p.Author = pi.author
		if pi.org != "" || pi.orgCode != "" {
			claims = append(claims, orgClaim{name: m.orgName(pi.orgCode, pi.org), code: pi.orgCode, dom: pi.orgDom})
		}
	}
	for _, t := range slices.Concat(d.Meta.Tag, d.Meta.Security) {
		sys := strings.ToLower(strings.TrimRight(strings.TrimSpace(t.System), "/"))
		if sys == strings.ToLower(SystemInterweaveSrc) || (strings.HasSuffix(sys, "/source") && strings.Contains(sys, "yhcr")) {
			if p.SourceSystem == "" {
				p.SourceSystem = firstNonEmpty(t.Display, t.Code)
			}
		}
	}
	if c, ok := m.tagOrg(d.Meta); ok {
		claims = append(claims, c)
	}
	if c, ok := m.sourceOrg(d.Meta.Source); ok {
		claims = append(claims, c)
	}
	if p.SourceSystem == "" {
		p.SourceSystem = strings.TrimSpace(d.Meta.Source)
	}
	if facts.author != nil {
		w := m.who(facts.author, d)
		if p.Author.Name == "" {
			if w.isOrg {
				p.Author = record.Author{Name: w.name, Role: p.Author.Role}
			} else {
				p.Author = record.Author{Name: w.name, Role: firstNonEmpty(p.Author.Role, w.role)}
			}
		}
		switch {
		case w.isOrg:
			claims = append(claims, orgClaim{name: w.name, code: w.orgCode, dom: w.orgDom})
		case w.org != "" || w.orgCode != "":
			claims = append(claims, orgClaim{name: m.orgName(w.orgCode, w.org), code: w.orgCode, dom: w.orgDom})
		}
	}
	if facts.org != nil {
		if w := m.who(facts.org, d); w.name != "" || w.orgCode != "" {
			name := m.orgName(w.orgCode, w.org, w.name)
			dom := w.orgDom
			if dom == "" { // a managing organisation, custodian or provider, however named
				dom = m.orgDomain(w.orgCode, name)
			}
			claims = append(claims, orgClaim{name: name, code: w.orgCode, dom: dom})
		}
	}
	relayed := false
	for _, c := range claims {
		if c.name != "" || c.code != "" {
			p.Organisation, p.OrganisationCode, relayed = c.name, c.code, c.relayed
			break
		}
	}
	if p.Organisation == "" {
		p.Organisation, p.OrganisationCode = m.src.Organisation, m.src.OrganisationCode
	}
	if !m.src.DomainFixed {
		for _, c := range claims {
			if c.dom.Valid() {
				p.Domain = c.dom
				break
			}
		}
		if m.socialCareProfile(d.Meta.Profile) {
			// The item declares itself a social care record (Interweave-SocialCareService…),
			// whoever holds or relays it.
			p.Domain = record.DomainSocialCare
		}
	}
	switch {
	case p.Domain != m.src.Domain:
		p.Via = m.src.Backend
	case relayed && p.OrganisationCode != "" && !strings.EqualFold(p.OrganisationCode, m.src.OrganisationCode) &&
		!strings.EqualFold(p.Organisation, m.src.Organisation):
		p.Via = m.src.Backend
	}

	p.Recorded, p.RecordedText = m.dateText(r, facts.field, facts.recorded)
	if p.Recorded.IsZero() && pi != nil && !pi.recorded.IsZero() {
		p.Recorded, p.RecordedText = pi.recorded, pi.recordedText
	}
	if p.Recorded.IsZero() {
		p.Recorded, p.RecordedText = m.dateText(r, "meta.lastUpdated", d.Meta.LastUpdated)
		p.ServerUpdated = !p.Recorded.IsZero()
	}
	p.Security = securityLabels(d.Meta.Security)
	it := record.Item{Key: m.key(r, d, p.SourceSystem), Provenance: p, Restricted: p.Restricted()}
	// Every other business identifier also names the item: another back end may key the
	// same item by one of them (a GP system's local id beside the cross-care-setting one).
	// An item derived from part of a resource (a Patient's contact or alert, a CareTeam's
	// member) is not named by the resource's identifiers: its caller sets its own Key and
	// clears AlsoKnownAs.
	for _, id := range d.Identifier {
		if id.System == "" || id.Value == "" || isKey(it.Key, id.System, id.Value) {
			continue // the key itself: no string made for it
		}
		if k := id.System + "|" + id.Value; !slices.Contains(it.AlsoKnownAs, k) {
			it.AlsoKnownAs = append(it.AlsoKnownAs, k)
		}
	}
	return it
}

// isKey reports whether key is system+"|"+value.
func isKey(key, system, value string) bool {
	return len(key) == len(system)+1+len(value) && key[len(system)] == '|' &&
		strings.HasPrefix(key, system) && strings.HasSuffix(key, value)
}

// securityLabels keeps the meta.security codes that mean something to a reader: every
// label except the v3 Confidentiality levels that mean "not restricted" (U, L, M, N).
func securityLabels(sec []Coding) []string {
	out := []string{} // a list in JSON even when empty
	for _, c := range sec {
		if c.Code == "" {
			continue
		}
		if strings.Contains(c.System, "Confidentiality") && (c.Code == "U" || c.Code == "L" || c.Code == "M" || c.Code == "N") {
			continue
		}
		out = append(out, c.Code)
	}
	return out
}

// key is a business identifier "system|value" where the resource has one, else
// "Type/id@source" (source system, else back end name), so that the same item reported by
// two back ends folds. Two resources of one response never share a key.
//
// The identifier chosen is GP Connect's cross-care-setting identifier where there is one
// (it names the item in every care setting it reaches), else the official one, else the
// first.
func (m *mapper) key(r Resource, d *domainResource, sourceSystem string) string {
	k, rank := "", 0
	for _, id := range d.Identifier {
		if id.System == "" || id.Value == "" {
			continue
		}
		rk := 1
		switch {
		case id.System == SystemCrossCareSetting:
			rk = 3
		case id.Use == "official":
			rk = 2
		}
		if rk > rank {
			k, rank = id.System+"|"+id.Value, rk
		}
	}
	self := r.Ref()
	if r.ID == "" {
		// No id (a contained or id-less resource): its content names it.
		sum := sha256.Sum256(r.Raw)
		self = r.Type + "#" + hex.EncodeToString(sum[:6])
	}
	if k == "" {
		k = self + "@" + firstNonEmpty(sourceSystem, m.src.Backend)
	}
	if owner, taken := m.keys[k]; taken && owner != self {
		k = self + "@" + firstNonEmpty(sourceSystem, m.src.Backend)
	}
	m.keys[k] = self
	return k
}

// scope is what a key derived from an item is qualified by: its source system, else the back end.
func (m *mapper) scope(it record.Item) string {
	return firstNonEmpty(it.Provenance.SourceSystem, m.src.Backend)
}
