package demo

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
)

//go:embed data/people.json
var dataFS embed.FS

// The seed is a compact, readable description of the demo people and the organisations and
// staff around them. build.go turns it into FHIR resources; large.go adds the generated bulk of
// the large record.
type seedFile struct {
	Organisations []seedOrg          `json:"organisations"`
	Practitioners []seedPractitioner `json:"practitioners"`
	Locations     []seedLocation     `json:"locations"`
	Medicines     []seedMedicine     `json:"medicines"`
	People        []seedPerson       `json:"people"`
}

type seedOrg struct {
	ID       string   `json:"id"`
	Name     string   `json:"name"`
	ODS      string   `json:"ods"`
	Phone    string   `json:"phone"`
	Type     string   `json:"type"`     // prov (healthcare provider), govt, bus (care provider), team
	Backends []string `json:"backends"` // nhs, council, gp
}

type seedPractitioner struct {
	ID          string   `json:"id"`
	Title       string   `json:"title"`
	Family      string   `json:"family"`
	Given       []string `json:"given"`
	Role        string   `json:"role"` // SNOMED CT occupation code
	RoleDisplay string   `json:"role_display"`
	JobRole     string   `json:"job_role"` // NHS SDS job role code
	JobDisplay  string   `json:"job_display"`
	Org         string   `json:"org"`
	Team        string   `json:"team"`
	Phone       string   `json:"phone"`
	Email       string   `json:"email"`
	Backends    []string `json:"backends"`
}

type seedLocation struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Org  string `json:"org"`
}

type seedMedicine struct {
	ID      string `json:"id"`
	Code    string `json:"code"` // SNOMED CT / dm+d
	Display string `json:"display"`
}

type seedAddress struct {
	Lines    []string `json:"lines"`
	City     string   `json:"city"`
	District string   `json:"district"`
	Postcode string   `json:"postcode"`
}

type seedPhone struct {
	Value string `json:"value"`
	Use   string `json:"use"` // home | mobile | work
}

type seedPerson struct {
	Key         string      `json:"key"` // short stable name used for resource ids
	NHS         string      `json:"nhs"` // "" = known to the council only
	Shows       string      `json:"shows"`
	Title       string      `json:"title"`
	Family      string      `json:"family"`
	Given       []string    `json:"given"`
	BirthDate   string      `json:"birth_date"`
	Gender      string      `json:"gender"`
	Address     seedAddress `json:"address"`
	Phones      []seedPhone `json:"phones"`
	Deceased    string      `json:"deceased,omitempty"`    // dateTime of death
	Interpreter string      `json:"interpreter,omitempty"` // BCP 47 language code
	Language    string      `json:"language,omitempty"`    // its display
	Backends    []string    `json:"backends"`              // nhs, council, gp
	LAID        string      `json:"la_id,omitempty"`       // council's person id
	// CouncilBirthDate is the birth date the council holds when it differs (a discrepancy).
	CouncilBirthDate string          `json:"council_birth_date,omitempty"`
	Contacts         []seedContact   `json:"contacts"`
	NKA              bool            `json:"nka"` // a positive "no known allergies" statement
	Allergies        []seedAllergy   `json:"allergies"`
	Meds             []seedMed       `json:"meds"`
	Encounters       []seedEncounter `json:"encounters"`
	Notes            []seedNote      `json:"notes"`
	Discharge        *seedDischarge  `json:"discharge,omitempty"`
	Flags            []seedFlag      `json:"flags"`
	CareTeam         []seedMember    `json:"care_team"` // NHS side: GP, district nurse
	Packages         []seedPackage   `json:"packages"`
	SocialWorkers    []seedMember    `json:"social_workers"`
	CarePlan         *seedCarePlan   `json:"care_plan,omitempty"`
	Consultations    []seedConsult   `json:"consultations"`
	// GPConfidential adds a confidential-items warning to the GP allergies list.
	GPConfidential bool `json:"gp_confidential,omitempty"`
	// GPInTransit is the date before which the GP record may be incomplete: the record is
	// still being transferred from a previous practice (a data-in-transit warning).
	GPInTransit string     `json:"gp_in_transit,omitempty"`
	Large       *seedLarge `json:"large,omitempty"`
}

type seedContact struct {
	Title        string      `json:"title"`
	Family       string      `json:"family"`
	Given        []string    `json:"given"`
	Relationship string      `json:"relationship"` // v3 RoleCode: WIFE, SON, DAU, NBOR…
	RelDisplay   string      `json:"rel_display"`
	Roles        []string    `json:"roles"` // Interweave support roles: NOK, EC, KH, LPA, MC
	Rank         int         `json:"rank"`
	Phones       []seedPhone `json:"phones"`
	In           []string    `json:"in"` // nhs (Patient.contact), council (RelatedPerson), gp (Patient.contact, text only)
}

type seedAllergy struct {
	Code        string `json:"code"`
	Display     string `json:"display"`
	Category    string `json:"category"`
	Criticality string `json:"criticality"`
	Reaction    string `json:"reaction"`
	Severity    string `json:"severity"`
	Recorded    string `json:"recorded"`
	Status      string `json:"status"` // active | resolved
	Recorder    string `json:"recorder"`
	Provenance  bool   `json:"provenance"`
}

type seedMed struct {
	Medicine   string `json:"medicine"` // seedMedicine id
	Kind       string `json:"kind"`     // statement | request
	Dosage     string `json:"dosage"`
	Status     string `json:"status"`
	Start      string `json:"start"`
	End        string `json:"end,omitempty"`
	Prescriber string `json:"prescriber,omitempty"`
	Reference  bool   `json:"reference"` // medicationReference to a Medication resource (else a code)
	Provenance bool   `json:"provenance"`
}

type seedEncounter struct {
	Class    string `json:"class"` // IMP, AMB, EMER, HH, VR
	Type     string `json:"type"`
	Status   string `json:"status"`
	Start    string `json:"start"`
	End      string `json:"end,omitempty"`
	Location string `json:"location,omitempty"`
	Provider string `json:"provider"`
	Reason   string `json:"reason,omitempty"`
	With     string `json:"with,omitempty"` // practitioner id
}

type seedNote struct {
	Backend    string `json:"backend"` // nhs | council
	Title      string `json:"title"`
	Type       string `json:"type"`
	Date       string `json:"date"`
	Author     string `json:"author"`
	Text       string `json:"text"`
	Restricted bool   `json:"restricted"`
	PDFSize    int    `json:"pdf_size,omitempty"` // listed as a PDF of this size instead of inline text
}

type seedDischarge struct {
	Date     string       `json:"date"`
	Author   string       `json:"author"`
	Sections []seedSecion `json:"sections"`
}

type seedSecion struct {
	Title string `json:"title"`
	Text  string `json:"text"`
}

type seedFlag struct {
	Backend  string `json:"backend"`
	Category string `json:"category"` // safety | behavioral | social | …
	Label    string `json:"label"`    // "Crew safety", "Safeguarding"
	Text     string `json:"text"`
	Start    string `json:"start"`
	Author   string `json:"author"` // organisation id
}

type seedMember struct {
	Practitioner string `json:"practitioner"`
	Role         string `json:"role"` // SNOMED CT code
	RoleDisplay  string `json:"role_display"`
	Start        string `json:"start"`
}

type seedPackage struct {
	ID            string       `json:"id"`
	Type          string       `json:"type"` // "Home care", "Reablement", …
	TypeCode      string       `json:"type_code"`
	Status        string       `json:"status"` // planned | active | finished
	Start         string       `json:"start"`
	End           string       `json:"end,omitempty"`
	Provider      string       `json:"provider"`
	CareManager   string       `json:"care_manager"`
	HoursPerWeek  float64      `json:"hours_per_week,omitempty"`
	Schedule      string       `json:"schedule,omitempty"`
	VisitsPerDay  int          `json:"visits_per_day,omitempty"`
	StatusHistory []seedStatus `json:"status_history"`
}

type seedStatus struct {
	Status string `json:"status"`
	Start  string `json:"start"`
	End    string `json:"end,omitempty"`
}

type seedCarePlan struct {
	Title      string   `json:"title"`
	Start      string   `json:"start"`
	Author     string   `json:"author"`
	Summary    string   `json:"summary"`
	Activities []string `json:"activities"`
}

type seedConsult struct {
	Date      string `json:"date"`
	Type      string `json:"type"`
	Clinician string `json:"clinician"`
	Topic     string `json:"topic"`
	Comment   string `json:"comment"`
}

type seedLarge struct {
	Encounters  int `json:"encounters"`
	Medications int `json:"medications"`
}

func loadSeed() (*seedFile, error) {
	b, err := dataFS.ReadFile("data/people.json")
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var sf seedFile
	if err := dec.Decode(&sf); err != nil {
		return nil, fmt.Errorf("data/people.json: %w", err)
	}
	sf.People = append(sf.People, flagsPeople()...) // flags_people.go
	return &sf, nil
}
