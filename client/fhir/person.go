package fhir

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/shcr-project/shcr/internal/nhsnumber"
	"github.com/shcr-project/shcr/internal/ukdate"
	"github.com/shcr-project/shcr/record"
)

// MapPerson maps a Patient to the person as this back end knows them: NHS number (from the
// identifier with system https://fhir.nhs.uk/Id/nhs-number, with the UK Core or CareConnect
// NHSNumberVerificationStatus extension), name, birth date, gender, address, phones, local
// authority id (an identifier whose system names a local authority / social care id),
// deceased[x], interpreter need and meta.security R/V. Sources holds this back end's view.
//
// An NHS number that fails Modulus 11 is not kept (the person is still mapped, unmatched);
// a birthDate that is not a FHIR date is an error naming the resource.
func MapPerson(patient Resource, src Source) (record.Person, error) {
	p, err := mapPerson(patient, src)
	return p, tidy(err)
}

func mapPerson(patient Resource, src Source) (record.Person, error) {
	if patient.Type != "Patient" {
		return record.Person{}, fmt.Errorf("%s: expected a Patient", patient.Ref())
	}
	var p patientRes
	if err := decodeAs(patient, &p); err != nil {
		return record.Person{}, err
	}
	var out record.Person
	for _, id := range p.Identifier {
		switch {
		case id.System == SystemNHSNumber:
			if n, err := nhsnumber.Parse(id.Value); err == nil && out.NHSNumber == "" {
				out.NHSNumber = n
				if e, ok := findExt(id.Extension, "NHSNumberVerificationStatus"); ok {
					out.NHSNumberVerification = codeOf(e)
				} else if e, ok := findExt(id.Extension, "NHSNumberVerificationStatus-1"); ok {
					out.NHSNumberVerification = codeOf(e)
				}
			}
		case isLocalAuthorityID(id):
			if out.LocalAuthorityID == "" {
				out.LocalAuthorityID = strings.TrimSpace(id.Value)
			}
		}
	}
	if n, ok := bestName(p.Name); ok {
		out.Name = record.Name{Family: strings.TrimSpace(n.Family), Given: n.Given, Prefix: n.Prefix}
		if out.Name.Family == "" && len(out.Name.Given) == 0 && n.Text != "" {
			out.Name.Family = strings.TrimSpace(n.Text)
		}
	}
	if bd := strings.TrimSpace(p.BirthDate); bd != "" {
		if _, _, err := ukdate.ParseFHIR(bd); err != nil || strings.Contains(bd, "T") {
			return record.Person{}, fmt.Errorf("%s: birthDate: not a FHIR date", patient.Ref())
		}
		out.BirthDate = bd
	}
	if out.Name.Given == nil {
		out.Name.Given = []string{} // a list in JSON even when empty
	}
	out.Gender = p.Gender
	out.Address = address(p.Address)
	out.Phones, _ = phonesOf(p.Telecom)
	switch {
	case p.DeceasedDateTime != "":
		out.Deceased = true
		if t, _, err := ukdate.ParseFHIR(p.DeceasedDateTime); err == nil {
			out.DeceasedAt, out.DeceasedText = t, strings.TrimSpace(p.DeceasedDateTime)
		}
	case p.DeceasedBoolean != nil && *p.DeceasedBoolean:
		out.Deceased = true
	}
	if lang, need := interpreterNeed(&p); need == needRequired || need == needLikely {
		out.InterpreterLanguage = lang
	}
	out.Language = preferredLanguage(&p)
	out.Restricted = record.Provenance{Security: securityLabels(p.Meta.Security)}.Restricted()
	out.Sources = []record.PersonSource{{
		Backend: src.Backend, ID: p.ID, Name: out.Name, BirthDate: out.BirthDate,
		Gender: out.Gender, Postcode: out.Address.Postcode,
	}}
	return out, nil
}

func codeOf(e Extension) string {
	if e.ValueCodeableConcept != nil {
		if c, ok := e.ValueCodeableConcept.First(); ok {
			return c.Code
		}
	}
	if e.ValueCoding != nil {
		return e.ValueCoding.Code
	}
	return e.ValueCode
}

// isLocalAuthorityID recognises a council's person identifier: a system naming a local
// authority or social care record (Interweave "…/Id/local-…", "…/la-…", "social-care").
func isLocalAuthorityID(id Identifier) bool {
	s := strings.ToLower(id.System)
	if id.Value == "" || s == SystemNHSNumber {
		return false
	}
	for _, w := range []string{"local-authority", "localauthority", "social-care", "socialcare", "/la-", "council", "local-patient-identifier", "local-person"} {
		if strings.Contains(s, w) {
			return true
		}
	}
	return strings.Contains(strings.ToLower(id.Type.Label()), "local authority")
}

type interpreter int

const (
	needNone     interpreter = iota
	needRequired             // an interpreterRequired extension says true
	needLikely               // only non-English languages are listed and nothing says otherwise
)

// interpreterNeed reads Patient.communication and the UK Core NHSCommunication extension.
// Shapes read:
//   - extension Extension-UKCore-NHSCommunication (PDS) / CareConnect-NHSCommunication-1:
//     sub-extensions language + interpreterRequired (true = required);
//   - Patient.communication[].extension patient-interpreterRequired / interpreterRequired;
//   - the core patient-interpreterRequired extension on the Patient itself;
//   - Patient.communication with no interpreter statement (the UK Core RichardSmith
//     example: British Sign Language + Makaton): when no English is listed, the first
//     language is reported as likely needing an interpreter.
func interpreterNeed(p *patientRes) (string, interpreter) {
	for _, e := range p.Extension {
		if !strings.HasSuffix(strings.ToLower(e.URL), "nhscommunication") && !strings.HasSuffix(strings.ToLower(e.URL), "nhscommunication-1") {
			continue
		}
		lang := ""
		if l, ok := e.Sub("language"); ok {
			lang = l.Text()
		}
		if ir, ok := e.Sub("interpreterRequired"); ok && ir.ValueBoolean != nil && *ir.ValueBoolean {
			return lang, needRequired
		}
	}
	coreRequired := false
	if e, ok := findExt(p.Extension, "interpreterRequired"); ok && e.ValueBoolean != nil {
		coreRequired = *e.ValueBoolean
		if !coreRequired {
			return "", needNone
		}
	}
	english := false
	var langs []string
	for _, c := range p.Communication {
		lang := c.Language.Label()
		if isEnglish(c.Language) {
			english = true
			continue
		}
		if e, ok := findExt(c.Extension, "interpreterRequired"); ok && e.ValueBoolean != nil {
			if *e.ValueBoolean {
				return lang, needRequired
			}
			continue
		}
		if c.Preferred != nil && *c.Preferred && lang != "" {
			langs = append([]string{lang}, langs...)
			continue
		}
		if lang != "" {
			langs = append(langs, lang)
		}
	}
	if coreRequired {
		return strings.Join(langs, ", "), needRequired
	}
	if len(langs) > 0 && !english {
		return strings.Join(langs, ", "), needLikely
	}
	return "", needNone
}

// preferredLanguage is the person's preferred language, whether or not an interpreter is
// needed: the Patient.communication marked preferred, else the language of the UK Core /
// CareConnect NHSCommunication extension (PDS), else the first language listed.
func preferredLanguage(p *patientRes) string {
	for _, c := range p.Communication {
		if c.Preferred != nil && *c.Preferred {
			if l := c.Language.Label(); l != "" {
				return l
			}
		}
	}
	var ext []string
	for _, e := range p.Extension {
		u := strings.ToLower(e.URL)
		if !strings.HasSuffix(u, "nhscommunication") && !strings.HasSuffix(u, "nhscommunication-1") {
			continue
		}
		lang := ""
		if l, ok := e.Sub("language"); ok {
			lang = l.Text()
		}
		if pr, ok := e.Sub("preferred"); ok && pr.ValueBoolean != nil && *pr.ValueBoolean && lang != "" {
			return lang
		}
		if lang != "" {
			ext = append(ext, lang)
		}
	}
	if len(ext) > 0 {
		return ext[0]
	}
	for _, c := range p.Communication {
		if l := c.Language.Label(); l != "" {
			return l
		}
	}
	return ""
}

func isEnglish(c CodeableConcept) bool {
	for _, cd := range c.Coding {
		code := strings.ToLower(cd.Code)
		if code == "en" || strings.HasPrefix(code, "en-") {
			return true
		}
	}
	return strings.EqualFold(strings.TrimSpace(c.Text), "English")
}

// patientAlerts are the alerts the Patient itself carries: deceased and interpreter needed.
func (m *mapper) patientAlerts(patient Resource) []record.Alert {
	var p patientRes
	if err := decodeAs(patient, &p); err != nil {
		m.warn("%s", err)
		return nil
	}
	var out []record.Alert
	// These alerts are facts about the person, not records of one system: every back end
	// that says the same (died on the same day, needs an interpreter for the same language)
	// gives the same key, so the alert shows once with each back end's provenance. Keys
	// reach the audit trail, so the fact is hashed rather than written out.
	base := func(kind, fact string) record.Item {
		it := m.item(patient, &p.domainResource, itemFacts{})
		sum := sha256.Sum256([]byte(strings.ToLower(fact)))
		it.Key, it.AlsoKnownAs = "alert:"+kind+"#"+hex.EncodeToString(sum[:6]), nil
		return it
	}
	switch {
	case p.DeceasedDateTime != "":
		at, raw := m.dateText(patient, "deceasedDateTime", p.DeceasedDateTime)
		text := "Deceased"
		if !at.IsZero() {
			text = "Died " + ukdate.Date(at)
			if len(raw) < len("2006-01-02") { // a year or a month: keep that precision
				text = "Died " + ukdate.Partial(at, raw)
			}
		}
		out = append(out, record.Alert{Item: base(record.AlertDeceased, ukdate.FHIRDate(at)), Kind: record.AlertDeceased, Category: "Deceased", Text: text, Status: "active", Period: record.Period{Start: at, StartText: raw}})
	case p.DeceasedBoolean != nil && *p.DeceasedBoolean:
		out = append(out, record.Alert{Item: base(record.AlertDeceased, ""), Kind: record.AlertDeceased, Category: "Deceased", Text: "Deceased", Status: "active"})
	}
	switch lang, need := interpreterNeed(&p); need {
	case needRequired:
		out = append(out, record.Alert{Item: base(record.AlertInterpreter, lang), Kind: record.AlertInterpreter, Category: "Communication", Text: strings.TrimSpace("Interpreter required: " + lang), Status: "active"})
	case needLikely:
		out = append(out, record.Alert{Item: base(record.AlertInterpreter, "likely "+lang), Kind: record.AlertInterpreter, Category: "Communication",
			Text: "Communicates in " + lang + " (interpreter need not stated)", Status: "active"})
	}
	return out
}
