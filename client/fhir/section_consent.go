package fhir

import (
	"net/url"
	"strings"

	"github.com/shcr-project/shcr/record"
)

// Consent: what the person decided about sharing. Read from
//   - Consent resources (UK Core Consent; the FHIR consent-example-Emergency shape: an
//     overall deny with a nested permit for purpose ETREAT is "objected: emergency only");
//   - refusal findings, SNOMED 416409005 "Refused consent for upload to local shared
//     electronic record" and 416308001 "… national shared electronic record", on a Flag
//     (mapped with the alerts, section_alerts.go) or an Observation returned here;
//   - the NHS record sharing consent (NCRS) extension of a Patient (consentType 4 ncrs,
//     consentValue 2 dissent), where a back end sends it.
//
// The National Data Opt-out is not read: it does not apply to direct care.
func init() {
	registerMapping(record.SectionConsent, sectionMapping{
		queries: func() []Query {
			obs := search("Observation")
			obs.Params = url.Values{"code": {SystemSNOMED + "|" + snomedRefusedLocal + "," + SystemSNOMED + "|" + snomedRefusedNational}}
			return []Query{search("Consent"), obs}
		},
		usesPatient: true,
		mapR4: func(m *mapper, patient *Resource, items []Resource, out *record.SectionsData) {
			if patient != nil {
				if c, ok := m.ncrsDissent(*patient); ok {
					out.Consent = append(out.Consent, c)
				}
			}
			for _, r := range items {
				switch r.Type {
				case "Consent":
					if c, ok := m.consent(r); ok {
						out.Consent = append(out.Consent, c)
					}
				case "Observation", "Flag":
					if c, ok := m.refusalFinding(r); ok {
						out.Consent = append(out.Consent, c)
					}
				}
			}
		},
	})
}

// Code systems and codes of the consent shapes.
const (
	SystemActReason         = "http://terminology.hl7.org/CodeSystem/v3-ActReason"
	snomedRefusedLocal      = "416409005" // Refused consent for upload to local shared electronic record (finding)
	snomedRefusedNational   = "416308001" // Refused consent for upload to national shared electronic record (finding)
	extNCRSConsent          = "https://hl7.org/fhir/R4/consent.html"
	ncrsConsentType         = "4" // consentType ncrs
	ncrsConsentValueDissent = "2" // consentValue dissent
)

type consentProvision struct {
	Type      string             `json:"type"`
	Period    Period             `json:"period"`
	Purpose   []Coding           `json:"purpose"`
	Code      Concepts           `json:"code"`
	Provision []consentProvision `json:"provision"`
}

type consentRes struct {
	domainResource
	Status    string           `json:"status"`
	Scope     CodeableConcept  `json:"scope"`
	Category  Concepts         `json:"category"`
	DateTime  string           `json:"dateTime"`
	Provision consentProvision `json:"provision"`
}

// consent maps a Consent. Entered-in-error ones are not shown; an inactive or rejected one
// is kept with its status (Objection then says it is not in force).
func (m *mapper) consent(r Resource) (record.ConsentRecord, bool) {
	var c consentRes
	if err := decodeAs(r, &c); err != nil {
		m.warn("%s; skipped", err)
		return record.ConsentRecord{}, false
	}
	if c.Status == "entered-in-error" {
		return record.ConsentRecord{}, false
	}
	out := record.ConsentRecord{
		Item: m.item(r, &c.domainResource, itemFacts{recorded: c.DateTime, field: "dateTime"}), Kind: record.ConsentResource,
		Decision: c.Provision.Type, Status: c.Status,
		Period: m.periodWithText(r, "provision.period", &c.Provision.Period),
	}
	out.Date, out.DateText = m.dateText(r, "dateTime", c.DateTime)
	if out.Decision == "" {
		// R4 says a provision without a type denies nothing; read it as a permit.
		out.Decision = record.DecisionPermit
	}
	texts := []string{}
	for _, cc := range append(c.Category, c.Provision.Code...) {
		if l := cleanTerm(cc.Label()); l != "" && !containsString(texts, l) {
			texts = append(texts, l)
		}
	}
	if len(texts) == 0 {
		texts = append(texts, cleanTerm(c.Scope.Label()))
	}
	out.Text = strings.Join(texts, "; ")
	if out.Decision == record.DecisionDeny {
		for _, p := range c.Provision.Provision {
			if p.Type == record.DecisionPermit && hasCoding(p.Purpose, SystemActReason, "ETREAT") {
				out.EmergencyOnly = true
			}
		}
	}
	return out, true
}

// refusalFinding maps a Flag or Observation coded as a refusal of consent to upload to a
// shared record (SNOMED 416409005, 416308001): an objection to sharing from the back end
// that holds it. An inactive Flag, or an Observation entered in error or cancelled, is not one.
func (m *mapper) refusalFinding(r Resource) (record.ConsentRecord, bool) {
	var x struct {
		domainResource
		Status            string          `json:"status"`
		Code              CodeableConcept `json:"code"`
		Period            Period          `json:"period"`
		EffectiveDateTime string          `json:"effectiveDateTime"`
	}
	if decodeAs(r, &x) != nil {
		return record.ConsentRecord{}, false
	}
	if !x.Code.Has(SystemSNOMED, snomedRefusedLocal) && !x.Code.Has(SystemSNOMED, snomedRefusedNational) {
		return record.ConsentRecord{}, false
	}
	switch x.Status {
	case "inactive", "entered-in-error", "cancelled":
		return record.ConsentRecord{}, false
	}
	out := record.ConsentRecord{
		Item: m.item(r, &x.domainResource, itemFacts{}), Kind: record.ConsentFinding,
		Decision: record.DecisionDeny, EmergencyOnly: true, Text: cleanTerm(x.Code.Label()),
		Period: m.periodWithText(r, "period", &x.Period),
	}
	out.Date, out.DateText = m.dateText(r, "effectiveDateTime", x.EffectiveDateTime)
	if out.Date.IsZero() {
		out.Date, out.DateText = out.Period.Start, out.Period.StartText
	}
	return out, true
}

// ncrsDissent reads the PDS NHS record sharing consent extension (consentType 4 "ncrs",
// consentValue 2 "dissent") from a Patient.
func (m *mapper) ncrsDissent(patient Resource) (record.ConsentRecord, bool) {
	var p struct {
		domainResource
	}
	if decodeAs(patient, &p) != nil {
		return record.ConsentRecord{}, false
	}
	for _, e := range p.Extension {
		if e.URL != extNCRSConsent {
			continue
		}
		var typ, val string
		for _, sub := range e.Extension {
			code := sub.ValueCode
			if sub.ValueCoding != nil {
				code = sub.ValueCoding.Code
			}
			if sub.ValueCodeableConcept != nil {
				if c, ok := sub.ValueCodeableConcept.First(); ok {
					code = c.Code
				}
			}
			switch sub.URL {
			case "consentType":
				typ = code
			case "consentValue":
				val = code
			}
		}
		if typ == ncrsConsentType && val == ncrsConsentValueDissent {
			return record.ConsentRecord{Item: m.item(patient, &p.domainResource, itemFacts{}), Kind: record.ConsentNCRS,
				Decision: record.DecisionDeny, EmergencyOnly: true, Status: "active"}, true
		}
	}
	return record.ConsentRecord{}, false
}

func hasCoding(cs []Coding, system, code string) bool {
	for _, c := range cs {
		if c.System == system && c.Code == code {
			return true
		}
	}
	return false
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
