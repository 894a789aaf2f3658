package fhir

// Parties: the people and organisations references point to, described for provenance
// and display.

import (
	"strings"

	"github.com/shcr-project/shcr/record"
)

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
	if !recallable(ref) {
		return m.whoDepth(ref, container, 0)
	}
	if m.whoSrc != [2]string{m.src.Organisation, m.src.OrganisationCode} {
		// The back end's organisation was learnt since (GP Connect: the practice).
		m.forgetWho()
		m.whoSrc = [2]string{m.src.Organisation, m.src.OrganisationCode}
	}
	for i := range m.whoN {
		if w := &m.whoRecent[i]; w.ref == *ref {
			return w.p
		}
	}
	p := m.whoDepth(ref, container, 0)
	m.whoRecent[m.whoNext] = recentWho{ref: *ref, p: p}
	m.whoNext = (m.whoNext + 1) % len(m.whoRecent)
	m.whoN = min(m.whoN+1, len(m.whoRecent))
	return p
}

// recentWho is a reference who described lately, and what it said. The items of a page
// name the same few locations, organisations and clinicians again and again (three each
// an encounter): each is described once, not looked up in two maps every time.
type recentWho struct {
	ref Reference
	p   party
}

// recallable reports whether who's answer for ref depends only on ref and the resources
// mapped: a literal reference with no identifier (a contained one, "#id", depends on its
// container; an identifier is not compared).
func recallable(ref *Reference) bool {
	if ref == nil || ref.Identifier != nil || ref.Reference == "" {
		return false
	}
	r := strings.TrimSpace(ref.Reference)
	return r != "" && r[0] != '#'
}

// forgetWho drops who's recent answers: the resources they were worked out from change
// (mapper.add, a page mapped after another).
func (m *mapper) forgetWho() {
	clear(m.whoRecent[:m.whoN])
	m.whoN, m.whoNext = 0, 0
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

// partyKey names a described resource: its reference and its fullUrl.
type partyKey struct{ ref, fullURL string }

// describeCached describes a referenced resource once per response (many items point at
// the same practitioner or organisation); contained resources are not cached, as their ids
// are only unique within their container.
func (m *mapper) describeCached(res Resource, contained bool, depth int) party {
	if contained {
		return m.describe(res, depth)
	}
	key := partyKey{res.Ref(), res.FullURL} // no string made for each look-up
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
