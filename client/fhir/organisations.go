package fhir

import (
	"regexp"
	"strings"

	"github.com/shcr-project/shcr/record"
)

// Org is what shcr knows of an organisation by its ODS code: its name and care domain. The
// config key `organisations:` supplies them (so that local-authority codes are known by
// name); a small built-in table of ODS code shapes supplies the domain of the rest.
type Org struct {
	Name   string
	Domain record.Domain
}

// Organisations maps an ODS code (any case) to what shcr knows of it.
type Organisations map[string]Org

// odsShapes are the ODS code formats whose kind of organisation is certain enough to say
// its care domain. ODS codes are looked up in upper case.
//
//   - local authorities: three digits (e.g. 706, London Borough of Islington);
//   - GP practices: a letter and five digits (A81001, Y05868);
//   - NHS trusts: R and two characters (RR8, RCB); their sites R and four (RR801);
//   - integrated care boards and regions: Q and two characters (QWO);
//   - sub-ICB locations (former CCGs): two digits and a letter (15F);
//   - CQC-registered social care sites (care homes, domiciliary care): V and four characters.
var odsShapes = []struct {
	re     *regexp.Regexp
	kind   string
	domain record.Domain
}{
	{regexp.MustCompile(`^[0-9]{3}$`), "local authority", record.DomainSocialCare},
	{regexp.MustCompile(`^[A-Z][0-9]{5}$`), "GP practice", record.DomainHealth},
	{regexp.MustCompile(`^R[A-Z0-9]{2}$`), "NHS trust", record.DomainHealth},
	{regexp.MustCompile(`^R[A-Z0-9]{4}$`), "NHS trust site", record.DomainHealth},
	{regexp.MustCompile(`^Q[A-Z0-9]{2}$`), "integrated care board", record.DomainHealth},
	{regexp.MustCompile(`^[0-9]{2}[A-Z]$`), "sub-ICB location", record.DomainHealth},
	{regexp.MustCompile(`^V[A-Z0-9]{4}$`), "social care site", record.DomainSocialCare},
}

// normODS is an ODS code as looked up: trimmed, upper case.
func normODS(code string) string { return strings.ToUpper(strings.TrimSpace(code)) }

// odsShape says what kind of organisation an ODS code's shape names, and its domain.
func odsShape(code string) (kind string, d record.Domain, ok bool) {
	code = normODS(code)
	for _, s := range odsShapes {
		if s.re.MatchString(code) {
			return s.kind, s.domain, true
		}
	}
	return "", "", false
}

// knownOrg is what config says of an ODS code.
func (s Source) knownOrg(code string) (Org, bool) {
	code = normODS(code)
	if code == "" || s.Organisations == nil {
		return Org{}, false
	}
	if o, ok := s.Organisations[code]; ok {
		return o, true
	}
	for k, o := range s.Organisations { // keys written in another case
		if normODS(k) == code {
			return o, true
		}
	}
	return Org{}, false
}

// orgDomain is the care domain of an organisation: by its code (config, then the code's
// shape), then by what its name or type says; "" when nothing says.
func (s Source) orgDomain(code, name string, types Concepts) record.Domain {
	if code != "" {
		if o, ok := s.knownOrg(code); ok && o.Domain.Valid() {
			return o.Domain
		}
		if _, d, ok := odsShape(code); ok {
			return d
		}
	}
	// ODS organisation role codes (https://digital.nhs.uk/services/organisation-data-service):
	// RO141 local authority; RO197/RO198 NHS trust and site; RO76/RO177 GP practice.
	for _, c := range []string{"RO141"} {
		if types.Has("", c) {
			return record.DomainSocialCare
		}
	}
	for _, c := range []string{"RO197", "RO198", "RO76", "RO177"} {
		if types.Has("", c) {
			return record.DomainHealth
		}
	}
	l := " " + strings.ToLower(name+" "+types.Label()) + " "
	switch {
	case strings.Contains(l, " council ") || strings.Contains(l, "local authority") || strings.Contains(l, " borough of ") ||
		strings.Contains(l, "social care") || strings.Contains(l, "social services"):
		return record.DomainSocialCare
	case strings.Contains(l, " nhs ") || strings.Contains(l, " nhs,") || strings.Contains(l, "hospital"):
		return record.DomainHealth
	}
	return ""
}

// orgLabel names an organisation known only by its ODS code: its configured name, else
// "organisation (ODS code XYZ)" — never a bare code.
func (s Source) orgLabel(code string) string {
	code = normODS(code)
	if o, ok := s.knownOrg(code); ok && strings.TrimSpace(o.Name) != "" {
		return strings.TrimSpace(o.Name)
	}
	if code == "" {
		return ""
	}
	return "organisation (ODS code " + code + ")"
}

// isODSSystem recognises the ODS organisation code system (and its older spellings).
func isODSSystem(system string) bool {
	s := strings.ToLower(strings.TrimSpace(system))
	return s == strings.ToLower(SystemODS) || strings.HasSuffix(s, "/id/ods-organization-code") ||
		strings.HasSuffix(s, "/id/ods-site-code") || strings.HasSuffix(s, "/id/ods-organisation-code")
}

// odsOf returns the ODS code among identifiers, if any.
func odsOf(ids []Identifier) string {
	for _, id := range ids {
		if isODSSystem(id.System) && strings.TrimSpace(id.Value) != "" {
			return normODS(id.Value)
		}
	}
	return ""
}
