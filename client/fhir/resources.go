package fhir

import "encoding/json"

// The resources the mapping reads, R4 element names; STU3 differences are noted where the
// same struct reads both.

type patientRes struct {
	domainResource
	Name              Names            `json:"name"`
	Telecom           []ContactPoint   `json:"telecom"`
	Gender            string           `json:"gender"`
	BirthDate         string           `json:"birthDate"`
	DeceasedBoolean   *bool            `json:"deceasedBoolean"`
	DeceasedDateTime  string           `json:"deceasedDateTime"`
	Address           Addresses        `json:"address"`
	Contact           []patientContact `json:"contact"`
	Communication     []communication  `json:"communication"`
	ManagingOrg       *Reference       `json:"managingOrganization"`
	GeneralPractition Refs             `json:"generalPractitioner"`
}

type patientContact struct {
	ID           string         `json:"id"`
	Extension    []Extension    `json:"extension"`
	Relationship Concepts       `json:"relationship"`
	Name         Names          `json:"name"`
	Telecom      []ContactPoint `json:"telecom"`
	Address      Addresses      `json:"address"`
	Organization *Reference     `json:"organization"`
	Period       Period         `json:"period"`
}

type communication struct {
	Extension []Extension     `json:"extension"`
	Language  CodeableConcept `json:"language"`
	Preferred *bool           `json:"preferred"`
}

type relatedPersonRes struct {
	domainResource
	Active       *bool          `json:"active"`
	Relationship Concepts       `json:"relationship"` // 0..1 in STU3, 0..* in R4
	Name         Names          `json:"name"`
	Telecom      []ContactPoint `json:"telecom"`
	Address      Addresses      `json:"address"`
	Period       Period         `json:"period"`
}

type episodeOfCareRes struct {
	domainResource
	Status        string          `json:"status"`
	StatusHistory []statusHistory `json:"statusHistory"`
	Type          Concepts        `json:"type"`
	ManagingOrg   *Reference      `json:"managingOrganization"`
	Period        Period          `json:"period"`
	CareManager   *Reference      `json:"careManager"`
	Team          Refs            `json:"team"`
}

type statusHistory struct {
	Status string `json:"status"`
	Period Period `json:"period"`
}

type carePlanRes struct {
	domainResource
	Status      string         `json:"status"`
	Intent      string         `json:"intent"`
	Category    Concepts       `json:"category"`
	Title       string         `json:"title"`
	Description string         `json:"description"`
	Period      Period         `json:"period"`
	Created     string         `json:"created"`
	Author      Refs           `json:"author"` // 0..1 in R4, 0..* in STU3
	Contributor Refs           `json:"contributor"`
	CareTeam    Refs           `json:"careTeam"`
	Activity    []planActivity `json:"activity"`
	Note        []Annotation   `json:"note"`
	Addresses   Refs           `json:"addresses"`
	Goal        Refs           `json:"goal"`
	Subject     *Reference     `json:"subject"`
}

type planActivity struct {
	Detail *struct {
		Kind            string          `json:"kind"`
		Code            CodeableConcept `json:"code"`
		Status          string          `json:"status"`
		Description     string          `json:"description"`
		ScheduledTiming *Timing         `json:"scheduledTiming"`
		ScheduledPeriod *Period         `json:"scheduledPeriod"`
		ScheduledString string          `json:"scheduledString"`
		Performer       Refs            `json:"performer"`
		Quantity        *Quantity       `json:"quantity"`
		Extension       []Extension     `json:"extension"`
	} `json:"detail"`
}

type serviceRequestRes struct {
	domainResource
	Status            string          `json:"status"`
	Intent            string          `json:"intent"`
	Category          Concepts        `json:"category"`
	Code              CodeableConcept `json:"code"`
	QuantityQuantity  *Quantity       `json:"quantityQuantity"`
	OccurrenceTiming  *Timing         `json:"occurrenceTiming"`
	OccurrencePeriod  *Period         `json:"occurrencePeriod"`
	OccurrenceDate    string          `json:"occurrenceDateTime"`
	AuthoredOn        string          `json:"authoredOn"`
	Requester         *Reference      `json:"requester"`
	Performer         Refs            `json:"performer"`
	ReasonCode        Concepts        `json:"reasonCode"`
	Note              []Annotation    `json:"note"`
	PatientInstructio string          `json:"patientInstruction"`
}

type careTeamRes struct {
	domainResource
	Status      string         `json:"status"`
	Name        string         `json:"name"`
	Category    Concepts       `json:"category"`
	Period      Period         `json:"period"`
	Participant []careTeamP    `json:"participant"`
	ManagingOrg Refs           `json:"managingOrganization"`
	Telecom     []ContactPoint `json:"telecom"`
}

type careTeamP struct {
	Role       Concepts   `json:"role"`
	Member     *Reference `json:"member"`
	OnBehalfOf *Reference `json:"onBehalfOf"`
	Period     Period     `json:"period"`
}

type practitionerRoleRes struct {
	domainResource
	Active       *bool          `json:"active"`
	Period       Period         `json:"period"`
	Practitioner *Reference     `json:"practitioner"`
	Organization *Reference     `json:"organization"`
	Code         Concepts       `json:"code"`
	Specialty    Concepts       `json:"specialty"`
	Telecom      []ContactPoint `json:"telecom"`
	Location     Refs           `json:"location"`
	HealthcareSv Refs           `json:"healthcareService"`
}

type practitionerRes struct {
	domainResource
	Name    Names          `json:"name"`
	Telecom []ContactPoint `json:"telecom"`
}

type organizationRes struct {
	domainResource
	Type    Concepts       `json:"type"`
	Name    string         `json:"name"`
	Telecom []ContactPoint `json:"telecom"`
	PartOf  *Reference     `json:"partOf"`
}

type locationRes struct {
	domainResource
	Name                 string     `json:"name"`
	ManagingOrganization *Reference `json:"managingOrganization"`
}

type medicationRes struct {
	domainResource
	Code CodeableConcept `json:"code"`
}

type dosage struct {
	Text               string  `json:"text"`
	PatientInstruction string  `json:"patientInstruction"`
	Timing             *Timing `json:"timing"`
}

type medicationStatementRes struct {
	domainResource
	Status                    string           `json:"status"`
	MedicationCodeableConcept *CodeableConcept `json:"medicationCodeableConcept"`
	MedicationReference       *Reference       `json:"medicationReference"`
	EffectiveDateTime         string           `json:"effectiveDateTime"`
	EffectivePeriod           *Period          `json:"effectivePeriod"`
	DateAsserted              string           `json:"dateAsserted"`
	InformationSource         *Reference       `json:"informationSource"`
	BasedOn                   Refs             `json:"basedOn"`
	Dosage                    []dosage         `json:"dosage"`
	Note                      []Annotation     `json:"note"`
}

type medicationRequestRes struct {
	domainResource
	Status                    string           `json:"status"`
	Intent                    string           `json:"intent"`
	MedicationCodeableConcept *CodeableConcept `json:"medicationCodeableConcept"`
	MedicationReference       *Reference       `json:"medicationReference"`
	AuthoredOn                string           `json:"authoredOn"`
	Requester                 *agentRef        `json:"requester"` // STU3: {agent, onBehalfOf}
	Recorder                  *Reference       `json:"recorder"`
	BasedOn                   Refs             `json:"basedOn"`
	DosageInstruction         []dosage         `json:"dosageInstruction"`
	Note                      []Annotation     `json:"note"`
	DispenseRequest           *struct {
		ValidityPeriod *Period `json:"validityPeriod"`
	} `json:"dispenseRequest"`
}

type allergyRes struct {
	domainResource
	ClinicalStatus     CodeOrConcept   `json:"clinicalStatus"`
	VerificationStatus CodeOrConcept   `json:"verificationStatus"`
	Type               string          `json:"type"`
	Category           []string        `json:"category"`
	Criticality        string          `json:"criticality"`
	Code               CodeableConcept `json:"code"`
	OnsetDateTime      string          `json:"onsetDateTime"`
	OnsetString        string          `json:"onsetString"`
	RecordedDate       string          `json:"recordedDate"` // R4
	AssertedDate       string          `json:"assertedDate"` // STU3
	Recorder           *Reference      `json:"recorder"`
	Asserter           *Reference      `json:"asserter"`
	Reaction           []allergyReact  `json:"reaction"`
	Note               []Annotation    `json:"note"`
}

type allergyReact struct {
	Substance     *CodeableConcept `json:"substance"`
	Manifestation Concepts         `json:"manifestation"`
	Description   string           `json:"description"`
	Severity      string           `json:"severity"`
}

type encounterRes struct {
	domainResource
	Status string `json:"status"`
	// Class is a Coding in R4 and STU3; some servers send a CodeableConcept (R5 style).
	Class       *classCoding    `json:"class"`
	Type        Concepts        `json:"type"`
	Period      Period          `json:"period"`
	ReasonCode  Concepts        `json:"reasonCode"` // R4
	Reason      Concepts        `json:"reason"`     // STU3
	Participant []encounterPart `json:"participant"`
	Location    []struct {
		Location Reference `json:"location"`
	} `json:"location"`
	ServiceProvider *Reference       `json:"serviceProvider"`
	Hospitalization *hospitalization `json:"hospitalization"`
}

// hospitalization is Encounter.hospitalization (R4; STU3 names it the same).
type hospitalization struct {
	Extension            []Extension     `json:"extension"`
	AdmitSource          CodeableConcept `json:"admitSource"`
	Origin               *Reference      `json:"origin"`
	Destination          *Reference      `json:"destination"`
	DischargeDisposition CodeableConcept `json:"dischargeDisposition"`
}

type encounterPart struct {
	Type       Concepts   `json:"type"`
	Individual *Reference `json:"individual"`
}

// classCoding reads Encounter.class as a Coding or a CodeableConcept.
type classCoding struct {
	Coding
}

func (c *classCoding) UnmarshalJSON(b []byte) error {
	var probe struct {
		Coding []Coding `json:"coding"`
		Text   string   `json:"text"`
		plainCoding
	}
	if err := json.Unmarshal(b, &probe); err != nil {
		return err
	}
	c.fromProbe(probe.Coding, probe.Text, probe.plainCoding)
	return nil
}

func (c *classCoding) fromProbe(codings []Coding, text string, plain plainCoding) {
	if len(codings) > 0 {
		c.Coding = codings[0]
		return
	}
	c.Coding = Coding{System: plain.System, Code: plain.Code, Display: plain.Display}
	if c.Display == "" {
		c.Display = text
	}
}

// plainCoding is a Coding without its extensions, for embedding in probes.
type plainCoding struct {
	System  string `json:"system"`
	Code    string `json:"code"`
	Display string `json:"display"`
}

type documentReferenceRes struct {
	domainResource
	Status    string          `json:"status"`
	DocStatus string          `json:"docStatus"`
	Type      CodeableConcept `json:"type"`
	Category  Concepts        `json:"category"`
	Date      string          `json:"date"`    // R4
	Created   string          `json:"created"` // STU3
	Indexed   string          `json:"indexed"` // STU3
	Author    Refs            `json:"author"`
	Custodian *Reference      `json:"custodian"`
	Desc      string          `json:"description"`
	Content   []struct {
		Attachment Attachment `json:"attachment"`
	} `json:"content"`
	Context *struct {
		Period *Period `json:"period"`
	} `json:"context"`
}

type compositionRes struct {
	domainResource
	Status  string          `json:"status"`
	Type    CodeableConcept `json:"type"`
	Date    string          `json:"date"`
	Author  Refs            `json:"author"`
	Title   string          `json:"title"`
	Section []compSection   `json:"section"`
}

type compSection struct {
	Title       string          `json:"title"`
	Code        CodeableConcept `json:"code"`
	Text        *Narrative      `json:"text"`
	Entry       Refs            `json:"entry"`
	EmptyReason CodeableConcept `json:"emptyReason"`
	Section     []compSection   `json:"section"`
}

type observationRes struct {
	domainResource
	Status            string          `json:"status"`
	Category          Concepts        `json:"category"`
	Code              CodeableConcept `json:"code"`
	EffectiveDateTime string          `json:"effectiveDateTime"`
	EffectivePeriod   *Period         `json:"effectivePeriod"`
	Issued            string          `json:"issued"`
	Performer         Refs            `json:"performer"`
	ValueString       string          `json:"valueString"`
	ValueQuantity     *Quantity       `json:"valueQuantity"`
	Comment           string          `json:"comment"` // STU3
	Note              []Annotation    `json:"note"`    // R4
	Context           *Reference      `json:"context"` // STU3
	Encounter         *Reference      `json:"encounter"`
}

type flagRes struct {
	domainResource
	Status    string          `json:"status"`
	Category  Concepts        `json:"category"`
	Code      CodeableConcept `json:"code"`
	Period    Period          `json:"period"`
	Author    *Reference      `json:"author"`
	Encounter *Reference      `json:"encounter"`
}

type provenanceRes struct {
	domainResource
	Target   Refs   `json:"target"`
	Recorded string `json:"recorded"`
	Agent    []struct {
		Type       CodeableConcept `json:"type"`
		Role       Concepts        `json:"role"`
		Who        *Reference      `json:"who"`
		OnBehalfOf *Reference      `json:"onBehalfOf"`
		// STU3 names them as choice elements.
		WhoReference        *Reference `json:"whoReference"`
		OnBehalfOfReference *Reference `json:"onBehalfOfReference"`
	} `json:"agent"`
}

type listRes struct {
	domainResource
	Status      string          `json:"status"`
	Title       string          `json:"title"`
	Code        CodeableConcept `json:"code"`
	Date        string          `json:"date"`
	Encounter   *Reference      `json:"encounter"`
	EmptyReason CodeableConcept `json:"emptyReason"`
	Note        []Annotation    `json:"note"`
	Entry       []struct {
		Item Reference `json:"item"`
	} `json:"entry"`
}

// agentRef reads MedicationRequest.requester: a Reference in R4, {agent: Reference,
// onBehalfOf: Reference} in STU3.
type agentRef struct {
	Reference
}

func (a *agentRef) UnmarshalJSON(b []byte) error {
	var probe struct {
		Reference
		Agent *Reference `json:"agent"`
	}
	if err := json.Unmarshal(b, &probe); err != nil {
		return err
	}
	a.Reference = probe.Reference
	if probe.Agent != nil && a.Reference.Reference == "" && a.Display == "" {
		a.Reference = *probe.Agent
	}
	return nil
}

// ref returns the reference, nil when absent.
func (a *agentRef) ref() *Reference {
	if a == nil {
		return nil
	}
	return &a.Reference
}
