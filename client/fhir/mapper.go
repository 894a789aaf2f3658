package fhir

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/shcr-project/shcr/internal/ukdate"
	"github.com/shcr-project/shcr/record"
)

// Source is the back end's configured defaults, the last step of the provenance order.
type Source struct {
	Backend      string        // configured back end name
	Domain       record.Domain // default domain of its items
	Organisation string        // organisation to name when nothing more specific is known
	// OrganisationCode is the ODS code of Organisation, where known (GP Connect: the practice).
	OrganisationCode string
	// Organisations are the organisations config names (`organisations:`), by ODS code: an
	// item's organisation code is named and given its domain from here first, then from the
	// built-in table of ODS code shapes (odsShapes).
	Organisations Organisations
	// DomainFixed: every item of this back end is of Domain whatever its organisation says
	// (GP Connect: a GP practice record is health).
	DomainFixed bool
}

// Code systems and identifiers the mapping recognises.
const (
	SystemNHSNumber = "https://fhir.nhs.uk/Id/nhs-number"
	SystemODS       = "https://fhir.nhs.uk/Id/ods-organization-code"
	SystemSNOMED    = "http://snomed.info/sct"
	SystemSDSUserID = "https://fhir.nhs.uk/Id/sds-user-id" // a member of NHS staff, nationally
	// SystemCrossCareSetting is GP Connect's identifier of a clinical item across care settings.
	SystemCrossCareSetting = "https://fhir.nhs.uk/Id/cross-care-setting-identifier"
	SystemInterweaveSrc    = "https://yhcr.nhs.uk/Source"     // meta.tag: the system that created the item
	SystemInterweaveProvn  = "https://yhcr.nhs.uk/Provenance" // meta.tag: the responsible organisation (code + name)
)

// mapper holds what mapping one response needs: the resources by reference, the
// Provenance resources by target, and the warnings gathered on the way.
type mapper struct {
	src      Source
	byRef    map[string]Resource   // "Type/id" and fullUrl → resource
	provs    map[string][]provInfo // "Type/id" of target → provenance
	warnings []string
	keys     map[string]string // Item.Key → resource ref that took it
	parties  map[string]party  // described referenced resources, by ref (not contained ones)
	// outer are the resources whose contained resources are being described: a contained
	// resource's "#id" names a sibling in its container.
	outer []*domainResource
}

type provInfo struct {
	author       record.Author
	org          string
	orgCode      string
	orgDom       record.Domain
	recorded     time.Time
	recordedText string
}

func newMapper(src Source, resources []Resource) *mapper {
	m := &mapper{src: src, byRef: make(map[string]Resource, 2*len(resources)), provs: map[string][]provInfo{},
		keys: make(map[string]string, len(resources)), parties: map[string]party{}}
	for _, r := range resources {
		m.add(r)
	}
	for _, r := range resources {
		if r.Type == "Provenance" {
			m.addProvenance(r)
		}
	}
	return m
}

func (m *mapper) add(r Resource) {
	if r.Type == "" {
		return
	}
	if r.ID != "" {
		ref := r.Ref()
		if old, ok := m.byRef[ref]; !ok || (old.Mode == "include" && r.Mode != "include") {
			m.byRef[ref] = r
		}
	}
	if r.FullURL != "" {
		m.byRef[r.FullURL] = r
	}
}

func (m *mapper) warn(format string, args ...any) {
	w := clean(fmt.Sprintf(format, args...))
	if !slices.Contains(m.warnings, w) { // the same element may be read twice (item facts)
		m.warnings = append(m.warnings, w)
	}
}

// normRef reduces a reference to "Type/id": it drops a base URL and a _history suffix.
func normRef(ref string) string {
	ref = strings.TrimSpace(ref)
	if ref == "" || strings.HasPrefix(ref, "#") || strings.HasPrefix(ref, "urn:") {
		return ref
	}
	if i := strings.Index(ref, "/_history/"); i >= 0 {
		ref = ref[:i]
	}
	parts := strings.Split(strings.TrimRight(ref, "/"), "/")
	if len(parts) >= 2 {
		return parts[len(parts)-2] + "/" + parts[len(parts)-1]
	}
	return ref
}

// resolve finds the resource a reference points at: in the response (by Type/id or
// fullUrl) or, for "#id", among the containing resource's contained resources.
func (m *mapper) resolve(ref *Reference, container *domainResource) (Resource, bool) {
	if ref == nil || ref.Reference == "" {
		return Resource{}, false
	}
	r := strings.TrimSpace(ref.Reference)
	if strings.HasPrefix(r, "#") {
		if container != nil {
			if res, ok := findContained(container.Contained, r[1:]); ok {
				return res, true
			}
		}
		for i := len(m.outer) - 1; i >= 0; i-- {
			if res, ok := findContained(m.outer[i].Contained, r[1:]); ok {
				return res, true
			}
		}
		return Resource{}, false
	}
	if res, ok := m.byRef[r]; ok {
		return res, true
	}
	res, ok := m.byRef[normRef(r)]
	return res, ok
}

func findContained(contained []json.RawMessage, id string) (Resource, bool) {
	for _, raw := range contained {
		var h resourceHead
		if unmarshal(raw, &h) == nil && h.ID == id && h.ResourceType != "" {
			return Resource{Type: h.ResourceType, ID: h.ID, Raw: raw}, true
		}
	}
	return Resource{}, false
}

// party is a person or organisation a reference names.
type party struct {
	name    string
	role    string // job role, for PractitionerRole
	org     string
	orgCode string
	orgDom  record.Domain // the domain org's code, type or name says; "" when nothing does
	isOrg   bool          // the party is itself an organisation
	phones  []record.Phone
	email   string
}

// who resolves a reference to a Practitioner, PractitionerRole, Organization,
// RelatedPerson, Patient, CareTeam or Location and describes it. The reference may be
// relative, absolute (on the same server), contained ("#id") or a urn:uuid fullUrl; one
// that does not resolve gives its display, else what its identifier says (an ODS code
// names the organisation from config, else "organisation (ODS code XYZ)") — never a bare
// number.
func (m *mapper) who(ref *Reference, container *domainResource) party {
	return m.whoDepth(ref, container, 0)
}

func (m *mapper) whoDepth(ref *Reference, container *domainResource, depth int) party {
	if ref == nil {
		return party{}
	}
	res, ok := m.resolve(ref, container)
	if !ok {
		return m.unresolved(ref)
	}
	isContained := strings.HasPrefix(strings.TrimSpace(ref.Reference), "#")
	if isContained && container != nil {
		m.outer = append(m.outer, container)
	}
	p := m.describeCached(res, isContained, depth)
	if isContained && container != nil {
		m.outer = m.outer[:len(m.outer)-1]
	}
	if p.name == "" {
		p.name = strings.TrimSpace(ref.Display)
	}
	if p.isOrg && p.org == "" {
		p.org = p.name
		if p.orgDom == "" {
			p.orgDom = m.src.orgDomain(p.orgCode, p.name, nil)
		}
	}
	if p.orgCode == "" && ref.Identifier != nil && isODSSystem(ref.Identifier.System) {
		p.orgCode = normODS(ref.Identifier.Value)
	}
	return p
}

// unresolved describes a reference shcr cannot follow: by its display, else its identifier.
func (m *mapper) unresolved(ref *Reference) party {
	p := party{name: strings.TrimSpace(ref.Display)}
	id := ref.Identifier
	typ := normRefType(ref)
	if id == nil || strings.TrimSpace(id.Value) == "" {
		p.isOrg = typ == "Organization"
		if p.isOrg {
			p.org = p.name
			p.orgDom = m.src.orgDomain("", p.name, nil)
		}
		return p
	}
	value := strings.TrimSpace(id.Value)
	switch {
	case isODSSystem(id.System) || typ == "Organization":
		code := normODS(value)
		p.isOrg, p.orgCode = true, code
		if p.name == "" {
			p.name = m.src.orgLabel(code)
		}
		p.org = p.name
		p.orgDom = m.src.orgDomain(code, p.name, nil)
	case p.name != "":
	case strings.EqualFold(id.System, SystemSDSUserID):
		p.name = "member of NHS staff (SDS user ID " + value + ")"
	default:
		what := "record"
		if typ != "" {
			what = strings.ToLower(typ)
		}
		p.name = what + " (identifier " + value + ")"
	}
	return p
}

// normRefType is the resource type a reference names: its type element, else the type in
// its literal reference.
func normRefType(ref *Reference) string {
	if t := strings.TrimSpace(ref.Type); t != "" {
		return t
	}
	if r := normRef(ref.Reference); strings.Contains(r, "/") && !strings.HasPrefix(r, "urn:") {
		return r[:strings.Index(r, "/")]
	}
	return ""
}

// describeCached describes a referenced resource once per response (many items point at
// the same practitioner or organisation); contained resources are not cached, as their ids
// are only unique within their container.
func (m *mapper) describeCached(res Resource, contained bool, depth int) party {
	if contained {
		return m.describe(res, depth)
	}
	key := res.Ref() + "|" + res.FullURL
	if p, ok := m.parties[key]; ok {
		return p
	}
	p := m.describe(res, depth)
	m.parties[key] = p
	return p
}

func (m *mapper) describe(res Resource, depth int) party {
	if depth > 3 {
		return party{}
	}
	switch res.Type {
	case "Practitioner", "RelatedPerson", "Patient":
		var pr practitionerRes
		if decodeAs(res, &pr) != nil {
			return party{}
		}
		phones, email := phonesOf(pr.Telecom)
		return party{name: personName(pr.Name), phones: phones, email: email}
	case "PractitionerRole":
		var pr practitionerRoleRes
		if decodeAs(res, &pr) != nil {
			return party{}
		}
		role, _ := roleOf(pr.Code)
		p := party{role: role}
		if pr.Practitioner != nil {
			inner := m.whoDepth(pr.Practitioner, &pr.domainResource, depth+1)
			p.name, p.phones, p.email = inner.name, inner.phones, inner.email
		}
		if pr.Organization != nil {
			o := m.whoDepth(pr.Organization, &pr.domainResource, depth+1)
			p.org, p.orgCode, p.orgDom = o.name, o.orgCode, o.orgDom
		}
		if ph, em := phonesOf(pr.Telecom); len(ph) > 0 || em != "" {
			p.phones = dedupePhones(append(ph, p.phones...))
			if em != "" {
				p.email = em
			}
		}
		return p
	case "Organization":
		var o organizationRes
		if decodeAs(res, &o) != nil {
			return party{}
		}
		phones, email := phonesOf(o.Telecom)
		code := odsOf(o.Identifier)
		name := firstNonEmpty(o.Name, m.src.orgLabel(code))
		return party{name: name, org: name, orgCode: code, orgDom: m.src.orgDomain(code, name, o.Type), isOrg: true, phones: phones, email: email}
	case "Location":
		var l locationRes
		if decodeAs(res, &l) != nil {
			return party{}
		}
		return party{name: strings.TrimSpace(l.Name)}
	case "CareTeam":
		var ct careTeamRes
		if decodeAs(res, &ct) != nil {
			return party{}
		}
		return party{name: strings.TrimSpace(ct.Name)}
	}
	return party{}
}

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

// date parses a FHIR date or dateTime of resource r; a bad value is blanked with a warning
// naming the resource and the element.
func (m *mapper) date(r Resource, field, s string) time.Time {
	if strings.TrimSpace(s) == "" {
		return time.Time{}
	}
	t, _, err := ukdate.ParseFHIR(s)
	if err != nil {
		// The value itself is not repeated: it may be personal data (a birth date), and
		// warnings are logged as well as shown.
		m.warn("%s: %s: not a FHIR date; left blank", r.Ref(), field)
		return time.Time{}
	}
	return t
}

// dateText parses a FHIR date or dateTime like date, and also returns the value as written
// (so that "2024-03" keeps its precision); both are blank when the value is not a date.
func (m *mapper) dateText(r Resource, field, s string) (time.Time, string) {
	t := m.date(r, field, s)
	if t.IsZero() {
		return t, ""
	}
	return t, strings.TrimSpace(s)
}

// period maps a FHIR Period, keeping each date as written beside its parsed time.
func (m *mapper) period(r Resource, field string, p *Period) record.Period {
	if p == nil {
		return record.Period{}
	}
	var out record.Period
	out.Start, out.StartText = m.dateText(r, field+".start", p.Start)
	out.End, out.EndText = m.dateText(r, field+".end", p.End)
	return out
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

// orgClaim is one statement of which organisation an item belongs to.
type orgClaim struct {
	name, code string
	dom        record.Domain
	relayed    bool // said by a regional record's tag or meta.source: the item is another's, relayed
}

// tagOrg reads the organisation a regional record names in meta.tag or meta.security:
// Interweave's Provenance tag (https://yhcr.nhs.uk/Provenance: the responsible
// organisation's ODS code and name), or any coding in the ODS code system.
func (m *mapper) tagOrg(meta Meta) (orgClaim, bool) {
	for _, t := range slices.Concat(meta.Tag, meta.Security) {
		sys := strings.ToLower(strings.TrimRight(strings.TrimSpace(t.System), "/"))
		if strings.TrimSpace(t.Code) == "" && strings.TrimSpace(t.Display) == "" {
			continue
		}
		if sys == strings.ToLower(SystemInterweaveProvn) || (strings.HasSuffix(sys, "/provenance") && strings.Contains(sys, "yhcr")) || isODSSystem(sys) {
			code := normODS(t.Code)
			name := firstNonEmpty(t.Display, m.src.orgLabel(code))
			return orgClaim{name: name, code: code, dom: m.src.orgDomain(code, name, nil), relayed: true}, true
		}
	}
	return orgClaim{}, false
}

// sourceOrg reads an organisation from meta.source when it names an ODS code
// ("https://fhir.nhs.uk/Id/ods-organization-code|RR8", "…/ods-organization-code/RR8") or
// is, after its last "/", "|" or "#", a code config knows.
func (m *mapper) sourceOrg(source string) (orgClaim, bool) {
	s := strings.TrimSpace(source)
	if s == "" {
		return orgClaim{}, false
	}
	last := s
	if i := strings.LastIndexAny(s, "/|#"); i >= 0 {
		last = s[i+1:]
	}
	code := normODS(last)
	_, known := m.src.knownOrg(code)
	if !known && !strings.Contains(strings.ToLower(s), "ods-organi") {
		return orgClaim{}, false
	}
	if code == "" {
		return orgClaim{}, false
	}
	name := m.src.orgLabel(code)
	return orgClaim{name: name, code: code, dom: m.src.orgDomain(code, name, nil), relayed: true}, true
}

// socialCareProfile reports whether a meta.profile names a social care profile (the
// Interweave SocialCare* profiles, a council's own).
func socialCareProfile(profiles []string) bool {
	for _, pr := range profiles {
		name := strings.ToLower(pr)
		if i := strings.LastIndex(name, "/"); i >= 0 {
			name = name[i+1:]
		}
		name = strings.NewReplacer("-", "", "_", "").Replace(name)
		if strings.Contains(name, "socialcare") {
			return true
		}
	}
	return false
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
	p := record.Provenance{Backend: m.src.Backend, Domain: m.src.Domain, Resource: r.Ref()}
	var own ownFacts
	// Best effort: what does not decode stays empty. Read from the members the bundle
	// decode set aside when there are (the same members, so the same result), else from
	// the whole resource.
	if r.own != nil {
		_ = unmarshal(r.own, &own)
	} else {
		_ = unmarshal(r.Raw, &own)
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

	var claims []orgClaim
	var pi *provInfo
	provs := m.provs[r.Ref()]
	if len(provs) == 0 && r.FullURL != "" {
		provs = m.provs[r.FullURL]
	}
	if len(provs) > 0 {
		pi = &provs[0]
		p.Author = pi.author
		if pi.org != "" || pi.orgCode != "" {
			claims = append(claims, orgClaim{name: firstNonEmpty(pi.org, m.src.orgLabel(pi.orgCode)), code: pi.orgCode, dom: pi.orgDom})
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
			claims = append(claims, orgClaim{name: firstNonEmpty(w.org, m.src.orgLabel(w.orgCode)), code: w.orgCode, dom: w.orgDom})
		}
	}
	if facts.org != nil {
		if w := m.who(facts.org, d); w.name != "" || w.orgCode != "" {
			name := firstNonEmpty(w.org, w.name, m.src.orgLabel(w.orgCode))
			dom := w.orgDom
			if dom == "" { // a managing organisation, custodian or provider, however named
				dom = m.src.orgDomain(w.orgCode, name, nil)
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
		if socialCareProfile(d.Meta.Profile) {
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
		if k := id.System + "|" + id.Value; id.System != "" && id.Value != "" && k != it.Key && !slices.Contains(it.AlsoKnownAs, k) {
			it.AlsoKnownAs = append(it.AlsoKnownAs, k)
		}
	}
	return it
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
	fallback := self + "@" + firstNonEmpty(sourceSystem, m.src.Backend)
	if k == "" {
		k = fallback
	}
	if owner, taken := m.keys[k]; taken && owner != self {
		k = fallback
	}
	m.keys[k] = self
	return k
}

// scope is what a key derived from an item is qualified by: its source system, else the back end.
func (m *mapper) scope(it record.Item) string {
	return firstNonEmpty(it.Provenance.SourceSystem, m.src.Backend)
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return ""
}

func identifierValue(ids []Identifier, system string) string {
	for _, id := range ids {
		if id.System == system {
			return strings.TrimSpace(id.Value)
		}
	}
	return ""
}

// personName formats the best name for reading: "Dr Paul Rastall".
func personName(names []HumanName) string {
	n, ok := bestName(names)
	if !ok {
		return ""
	}
	if n.Family == "" && len(n.Given) == 0 {
		return strings.TrimSpace(n.Text)
	}
	parts := append(append(append([]string{}, n.Prefix...), n.Given...), n.Family)
	return strings.Join(strings.Fields(strings.Join(parts, " ")), " ")
}

// bestName picks the official name, else usual, else the first.
func bestName(names []HumanName) (HumanName, bool) {
	if len(names) == 0 {
		return HumanName{}, false
	}
	for _, use := range []string{"official", "usual"} {
		for _, n := range names {
			if n.Use == use {
				return n, true
			}
		}
	}
	for _, n := range names {
		if n.Use != "old" && n.Use != "maiden" {
			return n, true
		}
	}
	return names[0], true
}

// phonesOf splits telecom into phones and the email to show. Each phone keeps its use,
// what kind of number it is (System: a voice phone, fax, pager, SMS-only or text-phone;
// ContactPoint.system "other" is a text-phone when the UK Core OtherContactSystem extension,
// its use or its value say minicom, textphone or text relay) and when it is or was in use
// (ContactPoint.period; a number whose period ended is kept, marked by its period, and is
// never record.Phone.Callable). The email is the first one not ended.
func phonesOf(tel []ContactPoint) ([]record.Phone, string) {
	var phones []record.Phone
	email := ""
	now := mappingNow()
	for _, t := range tel {
		v := strings.TrimSpace(t.Value)
		if v == "" {
			continue
		}
		period := contactPointPeriod(t.Period)
		switch strings.ToLower(strings.TrimSpace(t.System)) {
		case "email":
			// An ended email is not offered: there is no field to show it as ended.
			if email == "" && !period.Ended(now) && t.Use != "old" {
				email = v
			}
		case "phone", "":
			sys := record.PhoneVoice
			if isTextphone(t) {
				sys = record.PhoneTextphone
			}
			phones = append(phones, record.Phone{Number: v, Use: t.Use, System: sys, Period: period})
		case "fax":
			phones = append(phones, record.Phone{Number: v, Use: t.Use, System: record.PhoneFax, Period: period})
		case "pager":
			phones = append(phones, record.Phone{Number: v, Use: t.Use, System: record.PhonePager, Period: period})
		case "sms":
			phones = append(phones, record.Phone{Number: v, Use: t.Use, System: record.PhoneSMS, Period: period})
		case "other":
			// PDS and UK Core: a text-phone is "other" with the OtherContactSystem extension.
			// Any other "other" (a URL, a messaging account) is not a number to call.
			sys := "other"
			if isTextphone(t) {
				sys = record.PhoneTextphone
			}
			phones = append(phones, record.Phone{Number: v, Use: t.Use, System: sys, Period: period})
		}
	}
	return phones, email
}

// isTextphone: the OtherContactSystem extension (on the ContactPoint or its system), the
// use or the value say minicom, textphone or text relay.
func isTextphone(t ContactPoint) bool {
	exts := t.Extension
	if t.SystemExt != nil {
		exts = append(slices.Clone(exts), t.SystemExt.Extension...)
	}
	texts := []string{t.Use, t.Value}
	for _, e := range exts {
		if strings.Contains(strings.ToLower(e.URL), "othercontactsystem") {
			texts = append(texts, e.Text(), e.ValueCode)
			if e.ValueCoding != nil {
				texts = append(texts, e.ValueCoding.Code, e.ValueCoding.Display)
			}
		}
	}
	l := strings.ToLower(strings.Join(texts, " "))
	for _, w := range []string{"textphone", "text phone", "minicom", "text relay", "textrelay", "typetalk", "text-phone"} {
		if strings.Contains(l, w) {
			return true
		}
	}
	return false
}

// contactPointPeriod parses a ContactPoint period; a value that is not a FHIR date is left
// blank (phonesOf has no resource to name in a warning).
func contactPointPeriod(p Period) record.Period {
	var out record.Period
	if t, _, err := ukdate.ParseFHIR(strings.TrimSpace(p.Start)); err == nil && strings.TrimSpace(p.Start) != "" {
		out.Start, out.StartText = t, strings.TrimSpace(p.Start)
	}
	if t, _, err := ukdate.ParseFHIR(strings.TrimSpace(p.End)); err == nil && strings.TrimSpace(p.End) != "" {
		out.End, out.EndText = t, strings.TrimSpace(p.End)
	}
	return out
}

func address(a []Address) record.Address {
	if len(a) == 0 {
		return record.Address{}
	}
	best := a[0]
	for _, x := range a {
		if x.Use == "home" {
			best = x
			break
		}
	}
	for _, x := range a {
		if x.Use == "home" && x.Period.End == "" {
			best = x
			break
		}
	}
	return record.Address{Lines: best.Line, City: best.City, District: best.District, Postcode: best.PostalCode, Use: best.Use}
}

func notes(ns []Annotation) string {
	var out []string
	for _, n := range ns {
		if t := strings.TrimSpace(n.Text); t != "" {
			out = append(out, t)
		}
	}
	return strings.Join(out, "\n")
}

func dedupePhones(ps []record.Phone) []record.Phone {
	var out []record.Phone
	for _, p := range ps {
		dup := false
		for _, o := range out {
			if strings.ReplaceAll(o.Number, " ", "") == strings.ReplaceAll(p.Number, " ", "") {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, p)
		}
	}
	return out
}
