package fhir

import (
	"encoding/json"
	"strings"

	"github.com/shcr-project/shcr/record"
)

// Child protection (CP-IS): the plan and its responsible local authority, from the CP-IS
// CareTeam (GET CareTeam?patient:identifier=https://fhir.nhs.uk/Id/nhs-number|<nhs>, asked
// only by a national flags back end, client/backend_flags.go, with its
// IsUnscheduledAccessEvent header). Regional R4 back ends are not asked: no query, so the
// section is not-supported there; GP Connect does not carry it.
//
// The published CP-IS CareTeam example did not render, so the shape read is the CP-IS
// design's: CareTeam.category the plan type (CPIS-ObservationType CPPI, LACI, UCPI),
// CareTeam.period the plan's dates, CareTeam.managingOrganization the local authority (a
// contained or named Organization with its ODS code), and the local authority's numbers as
// Organization.contact entries whose purpose is v3 AddressUse WP (work place: office hours)
// or EC (emergency contact: out of hours, the emergency duty team), as the 2021 CP-IS draft
// response marks them; CareTeam.telecom of use "work" counts as office hours too.
func init() {
	registerMapping(record.SectionChildProtection, sectionMapping{
		nationalOnly: true,
		mapR4: func(m *mapper, _ *Resource, items []Resource, out *record.SectionsData) {
			for _, r := range items {
				if r.Type == "CareTeam" {
					if p, ok := m.childProtectionPlan(r); ok {
						out.ChildProtection = append(out.ChildProtection, p)
					}
				}
			}
		},
	})
}

// SystemCPISPlanType is the CP-IS plan type code system (CPPI, LACI, UCPI); SystemAddressUse
// the v3 AddressUse codes CP-IS marks the local authority's numbers with (WP, EC).
const (
	SystemCPISPlanType = "https://fhir.nhs.uk/R4/CodeSystem/CPIS-ObservationType"
	SystemAddressUse   = "http://terminology.hl7.org/CodeSystem/v3-AddressUse"
)

type cpisOrg struct {
	ResourceType string         `json:"resourceType"`
	ID           string         `json:"id"`
	Name         string         `json:"name"`
	Identifier   Identifiers    `json:"identifier"`
	Telecom      []ContactPoint `json:"telecom"`
	Contact      []struct {
		Purpose CodeableConcept `json:"purpose"`
		Telecom []ContactPoint  `json:"telecom"`
	} `json:"contact"`
}

type cpisCareTeam struct {
	domainResource
	Status               string         `json:"status"`
	Category             Concepts       `json:"category"`
	Period               Period         `json:"period"`
	ManagingOrganization []Reference    `json:"managingOrganization"`
	Telecom              []ContactPoint `json:"telecom"`
}

func (m *mapper) childProtectionPlan(r Resource) (record.ChildProtectionPlan, bool) {
	var ct cpisCareTeam
	if err := decodeAs(r, &ct); err != nil {
		m.warn("%s; skipped", err)
		return record.ChildProtectionPlan{}, false
	}
	if ct.Status == "entered-in-error" {
		return record.ChildProtectionPlan{}, false
	}
	p := record.ChildProtectionPlan{
		Item:   m.item(r, &ct.domainResource, itemFacts{}),
		Status: ct.Status, Period: m.periodWithText(r, "period", &ct.Period),
	}
	for _, c := range ct.Category {
		for _, cd := range c.Coding {
			if cd.System == SystemCPISPlanType && p.PlanType == "" {
				p.PlanType, p.PlanText = cd.Code, cleanTerm(cd.Display)
			}
		}
		if p.PlanText == "" {
			p.PlanText = cleanTerm(c.Label())
		}
	}
	office, _ := phonesOf(ct.Telecom)
	for _, ph := range office {
		if ph.Use == "work" || ph.Use == "" {
			p.OfficeHours = append(p.OfficeHours, ph)
		}
	}
	contained := map[string]cpisOrg{}
	for _, raw := range ct.Contained {
		var o cpisOrg
		if json.Unmarshal(raw, &o) == nil && o.ResourceType == "Organization" {
			contained["#"+o.ID] = o
		}
	}
	for _, ref := range ct.ManagingOrganization {
		o, ok := contained[ref.Reference]
		p.LocalAuthority = firstNonEmpty(cleanTerm(o.Name), cleanTerm(ref.Display), p.LocalAuthority)
		if ref.Identifier != nil && ref.Identifier.Value != "" {
			p.LocalAuthorityCode = ref.Identifier.Value
		}
		if !ok {
			continue
		}
		for _, id := range o.Identifier {
			if id.System == SystemODS && p.LocalAuthorityCode == "" {
				p.LocalAuthorityCode = id.Value
			}
		}
		general, _ := phonesOf(o.Telecom)
		p.OfficeHours = append(p.OfficeHours, general...)
		for _, c := range o.Contact {
			phones, _ := phonesOf(c.Telecom)
			switch {
			case c.Purpose.Has(SystemAddressUse, "EC") || strings.Contains(strings.ToLower(c.Purpose.Text), "out of hours"):
				p.OutOfHours = append(p.OutOfHours, phones...)
			default:
				p.OfficeHours = append(p.OfficeHours, phones...)
			}
		}
		break
	}
	return p, true
}
