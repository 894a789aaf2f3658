package fhir

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/shcr-project/shcr/internal/nhsnumber"
	"github.com/shcr-project/shcr/internal/ukdate"
	"github.com/shcr-project/shcr/record"
)

// The national services' shapes: the demographics service (PDS FHIR R4) Patient and
// RelatedPerson, and the record locator's (NRL) DocumentReference pointers. Sources:
// PDS sandbox mocks (Patient.json, Sensitive_Patient.json, RelatedPersonBundle.json) and
// the NRL consumer API's example pointer (../shared/research/national-services.md §1–2).

// SystemODSCode is the ODS organisation code identifier system.
const SystemODSCode = "https://fhir.nhs.uk/Id/ods-organization-code"

// MapPDSPatient maps a PDS Patient read or found under the NHS number asked ("" for a
// trace) to the person and what PDS says about their identity. A Patient whose id is not
// the number asked is the record that superseded it (PDS: "the id is not the same as the
// one requested"). Addresses and phones of a restricted (R/V) patient are dropped even if
// sent: only what PDS is meant to return is kept.
func MapPDSPatient(patient Resource, src Source, asked string, now time.Time) (record.Person, record.Identity, error) {
	p, err := mapPerson(patient, src)
	if err != nil {
		return record.Person{}, record.Identity{}, tidy(err)
	}
	var res struct {
		domainResource
		DeceasedDateTime string `json:"deceasedDateTime"`
		GP               []struct {
			Identifier *struct {
				System string `json:"system"`
				Value  string `json:"value"`
				Period Period `json:"period"`
			} `json:"identifier"`
		} `json:"generalPractitioner"`
	}
	if err := decodeAs(patient, &res); err != nil {
		return record.Person{}, record.Identity{}, tidy(err)
	}
	id := record.Identity{Backend: src.Backend, State: record.IdentityVerified, Superseded: []string{}, Related: []record.RelatedPerson{}}
	if p.NHSNumber == "" {
		// PDS ids are NHS numbers; an identifier-less answer still names the record.
		if n, err := nhsnumber.Parse(patient.ID); err == nil {
			p.NHSNumber = n
		}
	}
	id.Verified = p.NHSNumber != ""
	if a, err := nhsnumber.Parse(asked); err == nil && p.NHSNumber != "" && a != p.NHSNumber {
		id.Superseded = append(id.Superseded, a)
	}
	for _, s := range res.Meta.Security {
		if strings.HasSuffix(s.System, "v3-Confidentiality") || s.System == "" {
			id.Confidentiality = s.Code
		}
	}
	id.Restricted = p.Restricted || id.Confidentiality == record.ConfidentialityRestricted || id.Confidentiality == record.ConfidentialityVeryRestricted
	if id.Restricted {
		p.Restricted = true
		p.Address, p.Phones = record.Address{}, nil
		for i := range p.Sources {
			p.Sources[i].Postcode = ""
		}
	}
	for _, gp := range res.GP {
		if gp.Identifier == nil || gp.Identifier.System != SystemODSCode || gp.Identifier.Value == "" {
			continue
		}
		if contactPointPeriod(gp.Identifier.Period).Ended(now) {
			continue // a past registration
		}
		id.GPPractice = strings.ToUpper(strings.TrimSpace(gp.Identifier.Value))
		if o, ok := src.Organisations[id.GPPractice]; ok {
			id.GPPracticeName = o.Name
		}
		break
	}
	if p.Deceased {
		d := &record.Death{At: p.DeceasedAt, Text: p.DeceasedText}
		if e, ok := findExt(res.Extension, "DeathNotificationStatus"); ok {
			if s, ok := e.Sub("deathNotificationStatus"); ok {
				switch codeOf(s) {
				case "1":
					d.Status = record.DeathInformal
				case "2":
					d.Status = record.DeathFormal
				case "U":
					d.Status = record.DeathRemoved
				}
			}
		}
		id.Deceased = d
	}
	return p, id, nil
}

// MapPDSRelated maps the RelatedPerson entries of a PDS Patient/{id}/RelatedPerson bundle.
func MapPDSRelated(entries []Resource) ([]record.RelatedPerson, error) {
	out := []record.RelatedPerson{}
	for _, r := range entries {
		if r.Type != "RelatedPerson" {
			continue
		}
		var rp struct {
			domainResource
			Active  *bool          `json:"active"`
			Patient Reference      `json:"patient"`
			Period  Period         `json:"period"`
			Name    Names          `json:"name"`
			Rel     Concepts       `json:"relationship"`
			Telecom []ContactPoint `json:"telecom"`
		}
		if err := decodeAs(r, &rp); err != nil {
			return nil, tidy(err)
		}
		if rp.Active != nil && !*rp.Active {
			continue
		}
		var p record.RelatedPerson
		if n, ok := bestName(rp.Name); ok {
			p.Name = record.Name{Family: strings.TrimSpace(n.Family), Given: n.Given, Prefix: n.Prefix}
		}
		if p.Name.Given == nil {
			p.Name.Given = []string{}
		}
		if rp.Patient.Identifier != nil && rp.Patient.Identifier.System == SystemNHSNumber {
			if n, err := nhsnumber.Parse(rp.Patient.Identifier.Value); err == nil {
				p.NHSNumber = n
			}
		}
		var rels []string
		for _, c := range rp.Rel {
			for _, cd := range c.Coding {
				if cd.Code == "N" && strings.Contains(cd.System, "v2-0131") {
					p.NextOfKin = true
					continue
				}
				if cd.Display != "" {
					rels = append(rels, cd.Display)
				}
			}
			if len(c.Coding) == 0 && c.Text != "" {
				rels = append(rels, c.Text)
			}
		}
		p.Relationship = strings.Join(rels, ", ")
		p.Phones, _ = phonesOf(rp.Telecom)
		p.Period = contactPointPeriod(rp.Period)
		out = append(out, p)
	}
	return out, nil
}

// MapNRLPointers maps the DocumentReference pointers of an NRL search bundle.
// orgs names custodians by ODS code where configuration knows them.
func MapNRLPointers(entries []Resource, orgs Organisations) ([]record.Pointer, error) {
	out := []record.Pointer{}
	for _, r := range entries {
		if r.Type != "DocumentReference" {
			continue
		}
		var d struct {
			domainResource
			Status    string          `json:"status"`
			Date      string          `json:"date"`
			Type      CodeableConcept `json:"type"`
			Category  Concepts        `json:"category"`
			Custodian Reference       `json:"custodian"`
			Content   []struct {
				Attachment Attachment  `json:"attachment"`
				Format     Coding      `json:"format"`
				Extension  []Extension `json:"extension"`
			} `json:"content"`
		}
		if err := decodeAs(r, &d); err != nil {
			return nil, tidy(err)
		}
		if d.Status != "" && d.Status != "current" {
			continue // superseded or entered in error: not a record held now
		}
		p := record.Pointer{ID: d.ID, Type: d.Type.Label(), Category: d.Category.Label()}
		if c, ok := d.Type.First(); ok {
			p.TypeCode = c.Code
		}
		if d.Custodian.Identifier != nil {
			p.CustodianCode = strings.ToUpper(strings.TrimSpace(d.Custodian.Identifier.Value))
		}
		p.CustodianName = strings.TrimSpace(d.Custodian.Display)
		if o, ok := orgs[p.CustodianCode]; ok && p.CustodianName == "" {
			p.CustodianName = o.Name
		}
		date := d.Date
		if len(d.Content) > 0 {
			c := d.Content[0]
			p.URL, p.ContentType = strings.TrimSpace(c.Attachment.URL), c.Attachment.ContentType
			p.Format = firstNonEmpty(c.Format.Display, c.Format.Code)
			if e, ok := findExt(c.Extension, "NRLRetrievalMechanism"); ok {
				p.Retrieval = codeOf(e)
			}
			if date == "" {
				date = c.Attachment.Creation
			}
		}
		if t, _, err := ukdate.ParseFHIR(strings.TrimSpace(date)); err == nil && date != "" {
			p.Date, p.DateText = t, strings.TrimSpace(date)
		}
		if p.CustodianCode == "" {
			return nil, fmt.Errorf("%s: custodian: no ODS code", r.Ref())
		}
		out = append(out, p)
	}
	return out, nil
}

// MapPDSConsent is the NHS record sharing consent (NCRS) dissent PDS sends on a Patient
// (research note §5.3 item 3), read by the same mapping as a regional Patient's
// (section_consent.go), marked National: PDS holds it for the person, not for one record.
// ok is false when PDS sent no dissent (consent, or no extension: PDS sends it only to
// applications allowed to read it).
func MapPDSConsent(patient Resource, src Source) (c record.ConsentRecord, ok bool) {
	c, ok = newMapper(src, nil).ncrsDissent(patient)
	c.National = ok
	return c, ok
}

// MapCPISAccesses maps a CP-IS AuditEvent search (research note §3.1: the unscheduled-care
// accesses to a child's record, searched with _include of the accessing organisation) to
// the accesses, newest first, at most max. The organisation is the requesting agent's: its
// display, else the included Organization it refers to, else its ODS code.
func MapCPISAccesses(entries []Resource, orgs Organisations, max int) ([]record.ChildProtectionAccess, error) {
	names := map[string]string{} // "Organization/id" → name, from the included resources
	for _, r := range entries {
		if r.Type == "Organization" {
			var o struct {
				Name string `json:"name"`
			}
			if decodeAs(r, &o) == nil && strings.TrimSpace(o.Name) != "" {
				names[r.Ref()] = strings.TrimSpace(o.Name)
			}
		}
	}
	out := []record.ChildProtectionAccess{}
	for _, r := range entries {
		if r.Type != "AuditEvent" {
			continue
		}
		var ev struct {
			Recorded string `json:"recorded"`
			Agent    []struct {
				Who       Reference `json:"who"`
				Requestor bool      `json:"requestor"`
			} `json:"agent"`
		}
		if err := decodeAs(r, &ev); err != nil {
			return nil, fmt.Errorf("%s: %w", r.Ref(), tidy(err))
		}
		var a record.ChildProtectionAccess
		if t, _, err := ukdate.ParseFHIR(strings.TrimSpace(ev.Recorded)); err == nil && ev.Recorded != "" {
			a.At, a.AtText = t, strings.TrimSpace(ev.Recorded)
		}
		for i, ag := range ev.Agent {
			if !ag.Requestor && i < len(ev.Agent)-1 {
				continue // the requesting agent; the last one when none says so
			}
			if id := ag.Who.Identifier; id != nil && id.System == SystemODSCode {
				a.OrganisationCode = strings.ToUpper(strings.TrimSpace(id.Value))
			}
			a.Organisation = firstNonEmpty(strings.TrimSpace(ag.Who.Display), names[strings.TrimSpace(ag.Who.Reference)])
			if o, ok := orgs[a.OrganisationCode]; ok && a.Organisation == "" {
				a.Organisation = o.Name
			}
			if a.Organisation == "" {
				a.Organisation = a.OrganisationCode
			}
			break
		}
		out = append(out, a)
	}
	slices.SortStableFunc(out, func(x, y record.ChildProtectionAccess) int { return y.At.Compare(x.At) })
	if max > 0 && len(out) > max {
		out = out[:max]
	}
	return out, nil
}
