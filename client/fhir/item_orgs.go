package fhir

import (
	"slices"
	"strings"

	"github.com/shcr-project/shcr/record"
)

// Which organisation an item belongs to, as its tags, meta.source and profiles say
// (item.go weighs these claims with the others).

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
			name := m.orgName(code, t.Display)
			return orgClaim{name: name, code: code, dom: m.orgDomain(code, name), relayed: true}, true
		}
	}
	return orgClaim{}, false
}

// sourceOrg reads an organisation from meta.source when it names an ODS code
// ("https://fhir.nhs.uk/Id/ods-organization-code|RR8", "…/ods-organization-code/RR8") or
// is, after its last "/", "|" or "#", a code config knows.
func (m *mapper) sourceOrg(source string) (orgClaim, bool) {
	// The same few sources are named by every item of a back end: each is worked out
	// once (config's organisations and the ODS shapes do not change under a mapper).
	if m.srcOrgsFor != [2]string{m.src.Organisation, m.src.OrganisationCode} {
		// The back end's organisation was learnt since (GP Connect: the practice).
		m.srcOrgs, m.srcOrgsFor = nil, [2]string{m.src.Organisation, m.src.OrganisationCode}
	}
	if c, ok := m.srcOrgs[source]; ok {
		return c.claim, c.ok
	}
	c, ok := m.sourceOrgOnce(source)
	if m.srcOrgs == nil {
		m.srcOrgs = map[string]srcOrg{}
	}
	if len(m.srcOrgs) < 256 {
		m.srcOrgs[source] = srcOrg{c, ok}
	}
	return c, ok
}

type srcOrg struct {
	claim orgClaim
	ok    bool
}

func (m *mapper) sourceOrgOnce(source string) (orgClaim, bool) {
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
	return orgClaim{name: name, code: code, dom: m.orgDomain(code, name), relayed: true}, true
}

// orgName is firstNonEmpty(names..., m.src.orgLabel(code)): the label is only made when
// no name is given.
func (m *mapper) orgName(code string, names ...string) string {
	if s := firstNonEmpty(names...); s != "" {
		return s
	}
	return strings.TrimSpace(m.src.orgLabel(code))
}

// orgDomain is m.src.orgDomain(code, name, nil), worked out once per code and name (the
// items of a back end name the same few organisations; config's organisations and the ODS
// shapes do not change under a mapper).
func (m *mapper) orgDomain(code, name string) record.Domain {
	k := [2]string{code, name}
	if d, ok := m.orgDoms[k]; ok {
		return d
	}
	d := m.src.orgDomain(code, name, nil)
	if m.orgDoms == nil {
		m.orgDoms = map[[2]string]record.Domain{}
	}
	if len(m.orgDoms) < 256 {
		m.orgDoms[k] = d
	}
	return d
}

// socialCareProfile is socialCareProfile(profiles), each profile worked out once.
func (m *mapper) socialCareProfile(profiles []string) bool {
	for _, pr := range profiles {
		social, ok := m.profiles[pr]
		if !ok {
			social = socialCareProfile([]string{pr})
			if m.profiles == nil {
				m.profiles = map[string]bool{}
			}
			if len(m.profiles) < 256 {
				m.profiles[pr] = social
			}
		}
		if social {
			return true
		}
	}
	return false
}

// profileNameCleaner drops the separators a profile name may write "social care" with
// (built once: a Replacer is costly to build, and every item asks).
var profileNameCleaner = strings.NewReplacer("-", "", "_", "")

// socialCareProfile reports whether a meta.profile names a social care profile (the
// Interweave SocialCare* profiles, a council's own).
func socialCareProfile(profiles []string) bool {
	for _, pr := range profiles {
		name := strings.ToLower(pr)
		if i := strings.LastIndex(name, "/"); i >= 0 {
			name = name[i+1:]
		}
		if strings.Contains(profileNameCleaner.Replace(name), "socialcare") {
			return true
		}
	}
	return false
}
