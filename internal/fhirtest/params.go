package fhirtest

import (
	"slices"
	"strings"
	"unicode"
)

// The search parameters the server implements: a subset of the R4 standard search
// parameters (their standard names, types and element paths), declared for a type only when
// that type's resources carry the element. They are the FHIR standard's, not chosen for any
// client.

type paramKind string

const (
	kindReference paramKind = "reference"
	kindToken     paramKind = "token"
	kindString    paramKind = "string"
	kindDate      paramKind = "date"
)

type paramDef struct {
	Name   string
	Kind   paramKind
	Paths  []string // element paths, choice elements named in full
	Target string   // reference params: the only type referred to ("" = any)
}

// commonParams apply to every type whose resources carry the element.
var commonParams = []paramDef{
	{Name: "patient", Kind: kindReference, Paths: []string{"patient", "subject", "beneficiary"}, Target: "Patient"},
	{Name: "subject", Kind: kindReference, Paths: []string{"subject"}},
	{Name: "beneficiary", Kind: kindReference, Paths: []string{"beneficiary"}},
	{Name: "identifier", Kind: kindToken, Paths: []string{"identifier"}},
	{Name: "code", Kind: kindToken, Paths: []string{"code"}},
	{Name: "category", Kind: kindToken, Paths: []string{"category"}},
	{Name: "status", Kind: kindToken, Paths: []string{"status"}},
	{Name: "encounter", Kind: kindReference, Paths: []string{"encounter", "context.encounter"}, Target: "Encounter"},
}

// typeParams are the R4 standard parameters of particular types (the reference ones are what
// _include names).
var typeParams = map[string][]paramDef{
	"AllergyIntolerance": {ref("recorder", "recorder"), ref("asserter", "asserter")},
	"CarePlan":           {ref("care-team", "careTeam"), ref("performer", "activity.detail.performer")},
	"CareTeam":           {ref("participant", "participant.member")},
	"Composition":        {ref("author", "author"), ref("attester", "attester.party")},
	"Condition":          {ref("asserter", "asserter")},
	"Consent":            {ref("actor", "provision.actor.reference"), ref("organization", "organization")},
	"DeviceRequest":      {ref("requester", "requester"), ref("performer", "performer"), ref("device", "codeReference")},
	"DocumentReference":  {ref("author", "author"), ref("custodian", "custodian"), ref("authenticator", "authenticator")},
	"Encounter": {ref("location", "location.location"), ref("service-provider", "serviceProvider"),
		ref("practitioner", "participant.individual"), ref("participant", "participant.individual"), ref("episode-of-care", "episodeOfCare")},
	"EpisodeOfCare":       {ref("organization", "managingOrganization"), ref("care-manager", "careManager"), ref("team", "team")},
	"Flag":                {ref("author", "author")},
	"MedicationRequest":   {ref("medication", "medicationReference"), ref("requester", "requester"), ref("intended-performer", "performer")},
	"MedicationStatement": {ref("medication", "medicationReference"), ref("source", "informationSource")},
	"Observation":         {ref("performer", "performer")},
	"Patient": {ref("general-practitioner", "generalPractitioner"), ref("organization", "managingOrganization"), ref("link", "link.other"),
		str("family", "name.family"), str("given", "name.given"), str("name", "name.family", "name.given", "name.text"),
		str("address-postalcode", "address.postalCode"), {Name: "phone", Kind: kindToken, Paths: []string{"telecom"}},
		{Name: "birthdate", Kind: kindDate, Paths: []string{"birthDate"}}, {Name: "gender", Kind: kindToken, Paths: []string{"gender"}}},
	"Practitioner":     {str("family", "name.family"), str("given", "name.given"), str("name", "name.family", "name.given", "name.text")},
	"PractitionerRole": {ref("practitioner", "practitioner"), ref("organization", "organization"), ref("location", "location")},
	"Provenance":       {ref("target", "target"), ref("agent", "agent.who")},
	"RelatedPerson":    {str("name", "name.family", "name.given", "name.text")},
	"ServiceRequest":   {ref("performer", "performer"), ref("requester", "requester")},
	"Organization":     {str("name", "name")},
}

func ref(name string, paths ...string) paramDef {
	return paramDef{Name: name, Kind: kindReference, Paths: paths}
}

func str(name string, paths ...string) paramDef {
	return paramDef{Name: name, Kind: kindString, Paths: paths}
}

// patientTypes are the R4 types with a `patient` search parameter on their patient,
// subject or beneficiary element; subjectTypes those with `subject`.
var (
	patientTypes = []string{"Account", "AllergyIntolerance", "BodyStructure", "CarePlan", "CareTeam", "ChargeItem", "Claim",
		"ClinicalImpression", "Communication", "CommunicationRequest", "Composition", "Condition", "Consent", "Coverage",
		"DetectedIssue", "Device", "DeviceRequest", "DeviceUseStatement", "DiagnosticReport", "DocumentManifest",
		"DocumentReference", "Encounter", "EpisodeOfCare", "FamilyMemberHistory", "Flag", "Goal", "ImagingStudy", "Immunization",
		"Invoice", "List", "MedicationAdministration", "MedicationDispense", "MedicationRequest", "MedicationStatement",
		"NutritionOrder", "Observation", "Procedure", "QuestionnaireResponse", "RelatedPerson", "RequestGroup", "RiskAssessment",
		"ServiceRequest", "Specimen", "VisionPrescription"}
	subjectTypes = []string{"CarePlan", "CareTeam", "ClinicalImpression", "Communication", "CommunicationRequest", "Composition",
		"Condition", "DeviceRequest", "DiagnosticReport", "DocumentManifest", "DocumentReference", "Encounter", "Flag", "Goal",
		"ImagingStudy", "List", "Media", "MedicationAdministration", "MedicationDispense", "MedicationRequest",
		"MedicationStatement", "Observation", "Procedure", "QuestionnaireResponse", "RequestGroup", "RiskAssessment",
		"ServiceRequest", "Specimen"}
	// otherTypes are further R4 types the server knows (serves, empty when it holds none).
	otherTypes = []string{"Appointment", "Endpoint", "Group", "HealthcareService", "Location", "Medication", "Organization",
		"Patient", "Person", "Practitioner", "PractitionerRole", "Provenance", "Questionnaire", "Schedule", "Slot", "Substance"}
)

// standardTypes are the R4 resource types the server serves whatever its data: a search of
// one it holds nothing of is an empty searchset, as on real servers.
func standardTypes() []string {
	out := slices.Concat(patientTypes, subjectTypes, otherTypes)
	slices.Sort(out)
	return slices.Compact(out)
}

// standard reports whether the R4 standard defines the common parameter for type t.
func standard(t, name string) bool {
	switch name {
	case "patient":
		return slices.Contains(patientTypes, t)
	case "subject":
		return slices.Contains(subjectTypes, t)
	case "beneficiary":
		return t == "Coverage"
	case "identifier":
		return true
	case "code", "category", "status", "encounter": // the clinical types' common token and encounter parameters
		return slices.Contains(patientTypes, t) || slices.Contains(subjectTypes, t)
	}
	return false
}

// params returns the parameters the server implements for type t: the standard ones of
// the type, and those whose element some resource of t carries.
func (s *store) params(t string) []paramDef {
	var out []paramDef
	add := func(p paramDef) {
		if !slices.ContainsFunc(out, func(o paramDef) bool { return o.Name == p.Name }) {
			out = append(out, p)
		}
	}
	for _, p := range commonParams {
		if standard(t, p.Name) || slices.ContainsFunc(p.Paths, func(path string) bool { return s.has(t, path) }) {
			add(p)
		}
	}
	for _, p := range typeParams[t] {
		add(p)
	}
	return out
}

func (s *store) param(t, name string) (paramDef, bool) {
	i := slices.IndexFunc(s.params(t), func(p paramDef) bool { return p.Name == name })
	if i < 0 {
		return paramDef{}, false
	}
	return s.params(t)[i], true
}

// refTarget reads a reference string as Type/id, relative or absolute on this server's
// base; ok=false for a contained, urn: or foreign reference.
func refTarget(ref, base string) (typ, id string, ok bool) {
	ref = strings.TrimPrefix(ref, strings.TrimSuffix(base, "/")+"/")
	if strings.HasPrefix(ref, "#") || strings.Contains(ref, ":") { // contained, urn:, another server
		return "", "", false
	}
	parts := strings.Split(ref, "/")
	if n := len(parts); n >= 4 && parts[n-2] == "_history" {
		parts = parts[:n-2]
	}
	if len(parts) < 2 {
		return "", "", false
	}
	typ, id = parts[len(parts)-2], parts[len(parts)-1]
	if typ == "" || id == "" || !unicode.IsUpper(rune(typ[0])) {
		return "", "", false
	}
	return typ, id, true
}

// matchReference: any reference at the param's paths points at one of the wanted values
// ("id" — meaning Target/id —, "Type/id" or an absolute URL on this server).
func matchReference(doc map[string]any, p paramDef, want []string, base string) bool {
	for _, path := range p.Paths {
		for _, v := range values(doc, path) {
			m, ok := v.(map[string]any)
			if !ok {
				continue
			}
			r, _ := m["reference"].(string)
			typ, id, ok := refTarget(r, base)
			if !ok || (p.Target != "" && typ != p.Target) {
				continue
			}
			for _, w := range want {
				wt, wid, wok := refTarget(w, base)
				if !wok {
					wt, wid = p.Target, w
				}
				if wid == id && (wt == "" || wt == typ) {
					return true
				}
			}
		}
	}
	return false
}

// matchToken: an Identifier, CodeableConcept, Coding, ContactPoint or code at the paths
// matches "system|code", "|code" (no system), "system|" or "code".
func matchToken(doc map[string]any, p paramDef, want []string) bool {
	for _, path := range p.Paths {
		for _, v := range values(doc, path) {
			for _, sc := range tokenPairs(v) {
				for _, w := range want {
					sys, code, hasSys := strings.Cut(w, "|")
					if !hasSys {
						code, sys = sys, ""
					}
					if p.Name == "phone" {
						if digits(sc[1]) != "" && digits(sc[1]) == digits(code) {
							return true
						}
						continue
					}
					switch {
					case !hasSys && sc[1] == code:
						return true
					case hasSys && sys == "" && sc[0] == "" && sc[1] == code:
						return true
					case hasSys && sys != "" && sc[0] == sys && (code == "" || sc[1] == code):
						return true
					}
				}
			}
		}
	}
	return false
}

// tokenPairs reads {system, code} pairs from a token-typed value.
func tokenPairs(v any) [][2]string {
	switch x := v.(type) {
	case string:
		return [][2]string{{"", x}}
	case map[string]any:
		str := func(k string) string { s, _ := x[k].(string); return s }
		if cs, ok := x["coding"].([]any); ok {
			var out [][2]string
			for _, c := range cs {
				if m, ok := c.(map[string]any); ok {
					s, _ := m["system"].(string)
					cd, _ := m["code"].(string)
					out = append(out, [2]string{s, cd})
				}
			}
			return out
		}
		if _, ok := x["code"]; ok {
			return [][2]string{{str("system"), str("code")}}
		}
		return [][2]string{{str("system"), str("value")}}
	}
	return nil
}

// matchString: a string at the paths starts with one of the wanted values, ignoring case
// (and, for postcodes, spaces); :exact compares whole and with case.
func matchString(doc map[string]any, p paramDef, want []string, exact bool) bool {
	norm := func(s string) string {
		s = strings.ToLower(strings.TrimSpace(s))
		if p.Name == "address-postalcode" {
			s = strings.ReplaceAll(s, " ", "")
		}
		return s
	}
	for _, path := range p.Paths {
		for _, v := range values(doc, path) {
			s, ok := v.(string)
			if !ok {
				continue
			}
			for _, w := range want {
				if exact && s == w || !exact && strings.HasPrefix(norm(s), norm(w)) {
					return true
				}
			}
		}
	}
	return false
}

// matchDate: the date at the paths equals (or, with "eq", equals) a wanted day, month or year.
func matchDate(doc map[string]any, p paramDef, want []string) bool {
	for _, path := range p.Paths {
		for _, v := range values(doc, path) {
			s, _ := v.(string)
			for _, w := range want {
				w = strings.TrimPrefix(w, "eq")
				if s != "" && (s == w || strings.HasPrefix(s, w+"-") || strings.HasPrefix(s, w+"T")) {
					return true
				}
			}
		}
	}
	return false
}

func digits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}
