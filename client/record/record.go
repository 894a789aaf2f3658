// Package record is shcr's model of a person's shared care record: independent of FHIR
// version and of back end. Every item carries its provenance; every section says whether a
// back end returned it, so that "none recorded" is never confused with "not returned".
//
// The JSON tags are the stable interface of `shcr get --output json` (snake_case).
package record

import (
	"encoding/json"
	"slices"
	"time"
)

// Domain is the care domain an item comes from. The two are never blurred.
type Domain string

const (
	DomainHealth     Domain = "health"      // NHS
	DomainSocialCare Domain = "social-care" // local authority or care provider
)

// Valid reports whether d is one of the two domains.
func (d Domain) Valid() bool { return d == DomainHealth || d == DomainSocialCare }

// Section names a part of the record. The values are the `--section` names of `shcr get`.
type Section string

const (
	SectionCarePackages Section = "care-packages"
	SectionCareTeam     Section = "care-team"
	SectionMedications  Section = "medications"
	SectionAllergies    Section = "allergies"
	SectionNextOfKin    Section = "next-of-kin"
	SectionEncounters   Section = "encounters"
	SectionNotes        Section = "notes"
	SectionAlerts       Section = "alerts"
)

// Sections returns every section in display order.
func Sections() []Section {
	return []Section{SectionCarePackages, SectionCareTeam, SectionMedications, SectionAllergies,
		SectionNextOfKin, SectionEncounters, SectionNotes, SectionAlerts}
}

// ParseSection reads a section name as typed on the command line.
func ParseSection(s string) (Section, bool) {
	for _, sec := range Sections() {
		if string(sec) == s {
			return sec, true
		}
	}
	return "", false
}

// Confidentiality codes from the HL7 v3 Confidentiality code system, used in meta.security.
const (
	ConfidentialityRestricted     = "R"
	ConfidentialityVeryRestricted = "V"
)

// Author is who recorded an item, where known.
type Author struct {
	Name string `json:"name,omitempty"`
	Role string `json:"role,omitempty"`
}

// String gives "Name (Role)", "Name" or "".
func (a Author) String() string {
	switch {
	case a.Name != "" && a.Role != "":
		return a.Name + " (" + a.Role + ")"
	case a.Name != "":
		return a.Name
	}
	return a.Role
}

// Provenance says where an item came from.
type Provenance struct {
	Backend          string    `json:"backend"`                     // configured back end name
	Organisation     string    `json:"organisation"`                // organisation responsible for the item
	OrganisationCode string    `json:"organisation_code,omitempty"` // ODS code where known
	Domain           Domain    `json:"domain"`                      // health | social-care
	Author           Author    `json:"author"`                      // who recorded it
	Recorded         time.Time `json:"recorded,omitzero"`           // recorded or last updated
	SourceSystem     string    `json:"source_system"`               // system that created it (meta.source, tag)
	Security         []string  `json:"security"`                    // v3 Confidentiality codes and other labels
	Resource         string    `json:"resource,omitempty"`          // FHIR reference on that back end, e.g. "EpisodeOfCare/123"
}

// Restricted reports whether the security labels mark the item restricted or very restricted.
func (p Provenance) Restricted() bool {
	return slices.Contains(p.Security, ConfidentialityRestricted) || slices.Contains(p.Security, ConfidentialityVeryRestricted)
}

// Item is what every section entry shares.
type Item struct {
	// Key identifies the same item across back ends: a business identifier (system|value)
	// where the source has one, else the FHIR reference qualified by source system.
	Key string `json:"key"`
	// AlsoKnownAs are further keys of the same item: the identifiers of resources folded into
	// it (a GP Connect statement's prescribing plan and its issues), so that another back end
	// reporting the item under one of those identifiers folds into it too.
	AlsoKnownAs []string     `json:"-"`
	Provenance  Provenance   `json:"provenance"`
	AlsoFrom    []Provenance `json:"also_reported_by,omitempty"` // the same item reported by other back ends
	Restricted  bool         `json:"restricted"`                 // security label R or V
}

// Period is a start and end; either may be zero.
type Period struct {
	Start time.Time `json:"start,omitzero"`
	End   time.Time `json:"end,omitzero"`
}

// Active reports whether now falls in the period (an open end counts as ongoing).
func (p Period) Active(now time.Time) bool {
	if !p.Start.IsZero() && now.Before(p.Start) {
		return false
	}
	return p.End.IsZero() || now.Before(p.End)
}

// Phone is a telephone number with its use (mobile, home, work, temp).
type Phone struct {
	Number string `json:"number"`
	Use    string `json:"use,omitempty"`
}

// Address is a postal address.
type Address struct {
	Lines    []string `json:"lines,omitempty"`
	City     string   `json:"city,omitempty"`
	District string   `json:"district,omitempty"`
	Postcode string   `json:"postcode,omitempty"`
	Use      string   `json:"use,omitempty"`
}

// Name is a human name.
type Name struct {
	Family string   `json:"family"`
	Given  []string `json:"given"`
	Prefix []string `json:"prefix,omitempty"`
}

// Person is who the record is about, as one back end (or several, merged) knows them.
type Person struct {
	NHSNumber             string    `json:"nhs_number"`                        // 10 digits, no spaces; "" when unknown
	NHSNumberVerification string    `json:"nhs_number_verification,omitempty"` // UK Core NHSNumberVerificationStatus code
	Name                  Name      `json:"name"`
	BirthDate             string    `json:"birth_date"` // ISO 8601 date as given (may be partial)
	Gender                string    `json:"gender"`     // male | female | other | unknown
	Address               Address   `json:"address"`
	Phones                []Phone   `json:"phones,omitempty"`
	LocalAuthorityID      string    `json:"local_authority_id,omitempty"`
	Deceased              bool      `json:"deceased,omitempty"`
	DeceasedAt            time.Time `json:"deceased_at,omitzero"`
	InterpreterLanguage   string    `json:"interpreter_language,omitempty"` // set when an interpreter is required
	Restricted            bool      `json:"restricted,omitempty"`           // the Patient itself is labelled R or V
	// Sources says which back ends know this person, and under which id.
	Sources []PersonSource `json:"sources"`
}

// PersonSource is one back end's view of the person: used to fetch sections from that
// back end and to spot demographic discrepancies between back ends.
type PersonSource struct {
	Backend   string `json:"backend"`
	ID        string `json:"id"` // logical id of the Patient on that back end
	Name      Name   `json:"name"`
	BirthDate string `json:"birth_date"`
	Gender    string `json:"gender"`
	Postcode  string `json:"postcode,omitempty"`
}

// CarePackage is a care and support service: home care, reablement, a placement…
// It maps EpisodeOfCare (council services), CarePlan and ServiceRequest.
type CarePackage struct {
	Item
	Kind          string         `json:"kind"`        // EpisodeOfCare | CarePlan | ServiceRequest
	Type          string         `json:"type"`        // "Home care", "Reablement", …
	Status        string         `json:"status"`      // active | planned | onhold | finished | cancelled | …
	Description   string         `json:"description"` // title or note
	Provider      string         `json:"provider"`    // managing / performing organisation
	Period        Period         `json:"period"`
	Schedule      string         `json:"schedule,omitempty"`       // frequency as text, e.g. "4 visits a day"
	HoursPerWeek  float64        `json:"hours_per_week,omitempty"` // where the back end gives a quantity
	CareManager   string         `json:"care_manager,omitempty"`
	StatusHistory []StatusPeriod `json:"status_history,omitempty"`
}

// StatusPeriod is one entry of a status history.
type StatusPeriod struct {
	Status string `json:"status"`
	Period Period `json:"period"`
}

// CareTeamMember is a professional involved in the person's care: the allocated social
// worker, a case manager, the GP.
type CareTeamMember struct {
	Item
	Name         string  `json:"name"`
	Role         string  `json:"role"`      // "Social worker", "Case manager", …
	RoleCode     string  `json:"role_code"` // SNOMED CT or NHS job role code
	Team         string  `json:"team,omitempty"`
	Organisation string  `json:"organisation,omitempty"`
	Phones       []Phone `json:"phones,omitempty"`
	Email        string  `json:"email,omitempty"`
	Period       Period  `json:"period"`
	Status       string  `json:"status,omitempty"`
}

// Medication is a MedicationStatement or MedicationRequest.
type Medication struct {
	Item
	Kind       string `json:"kind"` // statement | request
	Name       string `json:"name"`
	Code       string `json:"code,omitempty"`        // dm+d / SNOMED CT code
	CodeSystem string `json:"code_system,omitempty"` // code system URI
	Dosage     string `json:"dosage"`
	Status     string `json:"status"`
	Intent     string `json:"intent,omitempty"`
	Period     Period `json:"period"`
	Prescriber string `json:"prescriber,omitempty"`
	Note       string `json:"note,omitempty"`
}

// Allergy is an AllergyIntolerance. NoKnownAllergies marks a positive statement that the
// person has none, which is different from a back end returning nothing.
type Allergy struct {
	Item
	Substance          string    `json:"substance"`
	Code               string    `json:"code,omitempty"`
	ClinicalStatus     string    `json:"clinical_status"`
	VerificationStatus string    `json:"verification_status"`
	Criticality        string    `json:"criticality,omitempty"`
	Category           []string  `json:"category,omitempty"`
	Reactions          []string  `json:"reactions,omitempty"` // "Urticarial rash (mild)"
	Onset              string    `json:"onset,omitempty"`
	Asserted           time.Time `json:"asserted,omitzero"`
	NoKnownAllergies   bool      `json:"no_known_allergies,omitempty"`
}

// Contact roles, normalised from v2-0131, v3 RoleCode, UK Core and Interweave support roles.
const (
	RoleNextOfKin        = "next-of-kin"
	RoleEmergencyContact = "emergency-contact"
	RoleKeyHolder        = "key-holder"
	RoleLPA              = "lasting-power-of-attorney"
	RoleMainCarer        = "main-carer"
	RoleCarer            = "carer"
	RoleGuardian         = "guardian"
)

// Contact is a next of kin, emergency contact, key holder, carer… from Patient.contact or RelatedPerson.
type Contact struct {
	Item
	Name         string   `json:"name"`
	Roles        []string `json:"roles"`        // normalised roles (Role* constants)
	Relationship string   `json:"relationship"` // family relationship as text: "Wife", "Son"
	Phones       []Phone  `json:"phones"`
	Email        string   `json:"email,omitempty"`
	Address      Address  `json:"address"`
	Rank         int      `json:"rank,omitempty"` // UK Core ContactRank: 1 = call first; 0 = not ranked
	Period       Period   `json:"period"`
	Source       string   `json:"source"` // Patient.contact | RelatedPerson
}

// Encounter is a contact with services: an admission, an appointment, a home visit.
type Encounter struct {
	Item
	Class     string `json:"class"` // inpatient, ambulatory, home, virtual…
	Type      string `json:"type"`
	Status    string `json:"status"`
	Period    Period `json:"period"`
	Location  string `json:"location,omitempty"`
	Provider  string `json:"provider,omitempty"` // serviceProvider
	Reason    string `json:"reason,omitempty"`
	Clinician string `json:"clinician,omitempty"`
}

// Note is a clinical note or a social care case note.
type Note struct {
	Item
	Kind        string    `json:"kind"` // document | composition | observation | case-note
	Title       string    `json:"title"`
	Date        time.Time `json:"date,omitzero"`
	Status      string    `json:"status,omitempty"`
	Text        string    `json:"text"`                   // decoded plain text where inline
	ContentType string    `json:"content_type,omitempty"` // for attachments not shown inline
	Size        int64     `json:"size,omitempty"`
	URL         string    `json:"url,omitempty"`
}

// Alert kinds.
const (
	AlertFlag        = "flag"
	AlertDeceased    = "deceased"
	AlertInterpreter = "interpreter"
)

// Alert is something that matters at a glance: a Flag (safeguarding, crew safety), deceased,
// interpreter needed.
type Alert struct {
	Item
	Kind     string `json:"kind"`     // flag | deceased | interpreter
	Category string `json:"category"` // "Safeguarding", "Crew safety", …
	Text     string `json:"text"`
	Status   string `json:"status"`
	Period   Period `json:"period"`
}

// Sections holds one list per section. A nil list in JSON is written as [].
type SectionsData struct {
	CarePackages []CarePackage    `json:"care_packages"`
	CareTeam     []CareTeamMember `json:"care_team"`
	Medications  []Medication     `json:"medications"`
	Allergies    []Allergy        `json:"allergies"`
	NextOfKin    []Contact        `json:"next_of_kin"`
	Encounters   []Encounter      `json:"encounters"`
	Notes        []Note           `json:"notes"`
	Alerts       []Alert          `json:"alerts"`
}

// SectionState says what a back end did with a section.
type SectionState string

const (
	StateReturned    SectionState = "returned"     // the back end answered; zero items means none recorded there
	StateNotReturned SectionState = "not-returned" // the back end does not hold or serve this section
	StateFailed      SectionState = "failed"       // the request failed; Error says why
	StateLoading     SectionState = "loading"      // asked, not yet answered (TUI only)
)

// SectionStatus is one back end's answer for one section.
type SectionStatus struct {
	Backend    string       `json:"backend"`
	Section    Section      `json:"section"`
	State      SectionState `json:"state"`
	Count      int          `json:"count"`
	Truncated  bool         `json:"truncated,omitempty"`   // more existed than the entry cap: "showing first N"
	Total      int          `json:"total,omitempty"`       // total the server reported, where it did
	Error      string       `json:"error,omitempty"`       // one-line reason when failed
	HTTPStatus int          `json:"http_status,omitempty"` // the HTTP status that made it fail (401, 403, …)
	Warnings   []string     `json:"warnings,omitempty"`    // e.g. GP Connect confidential-items, data-in-transit
}

// Backend statuses for a whole back end.
const (
	BackendOK         = "ok"
	BackendNotKnown   = "not-known"   // the person is not known there
	BackendFailed     = "failed"      // the back end failed; Error says why
	BackendPartial    = "partial"     // some sections failed
	BackendSlow       = "slow"        // answered, but slowly
	BackendNotQueried = "not-queried" // not asked (e.g. sign-in needed, or --no-login)
)

// BackendStatus is what one back end said about this person.
type BackendStatus struct {
	Name       string          `json:"name"`
	Kind       string          `json:"kind"`   // fhir-r4 | gp-connect
	Domain     Domain          `json:"domain"` // the back end's default domain
	Status     string          `json:"status"` // Backend* constants
	Error      string          `json:"error,omitempty"`
	HTTPStatus int             `json:"http_status,omitempty"` // the status that made it fail, e.g. 401 or 403
	Counts     map[Section]int `json:"counts,omitempty"`
	Elapsed    time.Duration   `json:"-"` // how long it took; written in JSON as whole milliseconds, "elapsed_ms"
}

// backendStatusJSON is BackendStatus without its methods, for MarshalJSON and UnmarshalJSON.
type backendStatusJSON BackendStatus

// MarshalJSON writes Elapsed as "elapsed_ms" in milliseconds (a time.Duration alone would
// be written in nanoseconds).
func (b BackendStatus) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		backendStatusJSON
		ElapsedMS int64 `json:"elapsed_ms"`
	}{backendStatusJSON(b), b.Elapsed.Milliseconds()})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (b *BackendStatus) UnmarshalJSON(data []byte) error {
	var v struct {
		backendStatusJSON
		ElapsedMS int64 `json:"elapsed_ms"`
	}
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	*b = BackendStatus(v.backendStatusJSON)
	b.Elapsed = time.Duration(v.ElapsedMS) * time.Millisecond
	return nil
}

// Discrepancy is a demographic field on which back ends disagree for the same NHS number.
type Discrepancy struct {
	Field  string            `json:"field"`  // name | birth_date | gender
	Values map[string]string `json:"values"` // back end name → value
}

// Record is a person's shared care record, merged across back ends.
type Record struct {
	Person        Person          `json:"person"`
	Sections      SectionsData    `json:"sections"`
	SectionStatus []SectionStatus `json:"section_status"`
	Backends      []BackendStatus `json:"backends"`
	Discrepancies []Discrepancy   `json:"discrepancies,omitempty"`
}

// Query is what a user searches with. Exactly which fields are set decides the search:
// an NHS number alone; a family name with a birth date or a postcode; or a phone number.
type Query struct {
	NHSNumber string    `json:"nhs_number,omitempty"`
	Family    string    `json:"family,omitempty"`
	Given     string    `json:"given,omitempty"`
	BirthDate time.Time `json:"birth_date,omitzero"`
	Postcode  string    `json:"postcode,omitempty"`
	Phone     string    `json:"phone,omitempty"`
}
