// Package record is shcr's model of a person's shared care record: independent of FHIR
// version and of back end. Every item carries its provenance; every section says whether a
// back end returned it, so that "none recorded" is never confused with "not returned".
//
// The JSON tags are the stable interface of `shcr get --output json` (snake_case).
package record

import (
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
	Recorded         time.Time `json:"recorded,omitzero"`           // the item's own clinical or recorded date
	// RecordedText is the date as the source wrote it ("2024-03", "2023", a full dateTime),
	// so a partial date keeps its precision (ukdate.Partial shows "Mar-2024").
	RecordedText string `json:"recorded_text,omitempty"`
	// ServerUpdated: Recorded is only the server's meta.lastUpdated (a load date), not a
	// date the item itself carries; shown as "updated on server", never as "recorded".
	ServerUpdated bool `json:"recorded_is_server_update,omitempty"`
	// Via names the back end (a health shared care record, say) that relayed an item whose
	// own organisation and domain are another's (a council's): "social care, via X".
	Via          string   `json:"via,omitempty"`
	SourceSystem string   `json:"source_system"`      // system that created it (meta.source, tag)
	Security     []string `json:"security"`           // v3 Confidentiality codes and other labels
	Resource     string   `json:"resource,omitempty"` // FHIR reference on that back end, e.g. "EpisodeOfCare/123"
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
	Withheld    string       `json:"withheld,omitempty"`         // "objection": withheld by Masked for an objection to sharing (consent.go)
}

// Period is a start and end; either may be zero. StartText and EndText keep the dates as
// the source wrote them, so that "2024-03" is shown as "Mar-2024", not "01-Mar-2024".
type Period struct {
	Start     time.Time `json:"start,omitzero"`
	End       time.Time `json:"end,omitzero"`
	StartText string    `json:"start_text,omitempty"`
	EndText   string    `json:"end_text,omitempty"`
}

// Ended reports whether the period has an end at or before now.
func (p Period) Ended(now time.Time) bool { return !p.End.IsZero() && !now.Before(p.End) }

// Active reports whether now falls in the period (an open end counts as ongoing).
func (p Period) Active(now time.Time) bool {
	if !p.Start.IsZero() && now.Before(p.Start) {
		return false
	}
	return p.End.IsZero() || now.Before(p.End)
}

// Phone systems other than a voice telephone. A fax, pager or text-phone is labelled as
// such and never offered as the number to call.
const (
	PhoneVoice     = ""          // ContactPoint.system phone (or unstated)
	PhoneFax       = "fax"       // ContactPoint.system fax
	PhonePager     = "pager"     // ContactPoint.system pager
	PhoneSMS       = "sms"       // ContactPoint.system sms: texts only
	PhoneTextphone = "textphone" // a text relay / minicom number (ContactPoint.system other, or a use/extension saying so)
)

// Phone is a telephone number with its use (mobile, home, work, temp), what kind of number it
// is (System: "" for a voice phone, else a Phone* constant) and when it is or was in use.
type Phone struct {
	Number string `json:"number"`
	Use    string `json:"use,omitempty"`
	System string `json:"system,omitempty"`
	Period Period `json:"period,omitzero"`
}

// Callable reports whether this is a voice number in use now: the number to offer a caller.
func (p Phone) Callable(now time.Time) bool {
	return p.System == PhoneVoice && !p.Period.Ended(now) && p.Use != "old"
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
	DeceasedText          string    `json:"deceased_text,omitempty"`        // date of death as the source wrote it (may be partial)
	InterpreterLanguage   string    `json:"interpreter_language,omitempty"` // set when an interpreter is required
	Language              string    `json:"language,omitempty"`             // preferred language (Patient.communication), interpreter or not
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

// Care package categories: what a CarePackage is, whatever FHIR resource carried it.
const (
	PackageCare      = "care-package" // a social care service: home care, reablement, a placement…
	PackageEquipment = "equipment"    // community equipment provision (DeviceRequest)
	PackageOrder     = "order"        // a clinical order or referral: imaging, laboratory, procedure, outpatient referral
)

// PackageKind is what sort of record carried a care package. Its values are the FHIR
// resource names (written as such in JSON and the details pane); views compare with the
// constants, never with resource names.
type PackageKind string

const (
	PackageKindEpisode PackageKind = "EpisodeOfCare"  // an episode of a service (a council's home care)
	PackageKindPlan    PackageKind = "CarePlan"       // a care plan
	PackageKindRequest PackageKind = "ServiceRequest" // a service requested or ordered
	PackageKindDevice  PackageKind = "DeviceRequest"  // equipment provision
)

// CarePackage is a care and support service: home care, reablement, a placement…
// It maps EpisodeOfCare (council services), CarePlan and ServiceRequest, and equipment
// (DeviceRequest). Clinical orders and referrals share the shape but are kept apart, in
// SectionsData.Referrals, and never count towards the discharge verdict.
type CarePackage struct {
	Item
	Kind            PackageKind `json:"kind"`     // what carried it: PackageKind* constants
	PackageCategory string      `json:"category"` // Package* constants
	Type            string      `json:"type"`     // "Home care", "Reablement", …
	Status          string      `json:"status"`   // active | planned | onhold | finished | cancelled | …: as shcr reads it
	// ReportedStatus is the status the server sent when shcr reads it otherwise (a service
	// "active" whose period ended last year is finished).
	ReportedStatus string         `json:"reported_status,omitempty"`
	Description    string         `json:"description"` // title or note
	Provider       string         `json:"provider"`    // managing / performing organisation
	Period         Period         `json:"period"`
	Schedule       string         `json:"schedule,omitempty"`       // frequency as text, e.g. "4 visits a day"
	HoursPerWeek   float64        `json:"hours_per_week,omitempty"` // where the back end gives a quantity
	CareManager    string         `json:"care_manager,omitempty"`
	StatusHistory  []StatusPeriod `json:"status_history,omitempty"`
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

// Current reports whether the member is on the team now (not ended, not inactive).
func (m CareTeamMember) Current(now time.Time) bool {
	return m.Period.Active(now) && m.Status != "inactive" && m.Status != "ended" && m.Status != "entered-in-error"
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
	Inactive     bool     `json:"inactive,omitempty"` // RelatedPerson.active false: no longer a contact
	Source       string   `json:"source"`             // Patient.contact | RelatedPerson
}

// Current reports whether the contact holds now: not inactive, and its period (if any) not
// ended. An ended contact is shown as ended, never as one to call first.
func (c Contact) Current(now time.Time) bool { return !c.Inactive && c.Period.Active(now) }

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
	// From Encounter.hospitalization and UK profile extensions.
	AdmitSource          string `json:"admit_source,omitempty"`
	DischargeDisposition string `json:"discharge_disposition,omitempty"`
	DischargeDestination string `json:"discharge_destination,omitempty"`
	MedicallySafe        Period `json:"medically_safe_for_discharge,omitzero"` // start: the date declared medically safe for discharge
	LegalStatus          string `json:"legal_status,omitempty"`                // e.g. "Mental Health Act 1983 section 2"
}

// Note is a clinical note or a social care case note.
type Note struct {
	Item
	Kind        string    `json:"kind"` // document | composition | observation | case-note
	Title       string    `json:"title"`
	Date        time.Time `json:"date,omitzero"`
	DateText    string    `json:"date_text,omitempty"` // Date as the source wrote it (may be partial: "2024-03")
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
	Kind      string `json:"kind"`     // flag | deceased | interpreter
	Category  string `json:"category"` // "Safeguarding", "Crew safety", …
	Text      string `json:"text"`
	Status    string `json:"status"`
	Period    Period `json:"period"`
	Programme string `json:"programme,omitempty"` // national flag programme (Flag* in flags.go); "" for a local flag
	Notes     string `json:"notes,omitempty"`     // the flag's notes (Extension-FlagNotes)
}

// Current reports whether the alert holds now (not inactive, its period not ended).
func (a Alert) Current(now time.Time) bool {
	return a.Status != "inactive" && a.Status != "entered-in-error" && a.Period.Active(now)
}

// Sections holds one list per section. A nil list in JSON is written as [].
type SectionsData struct {
	CarePackages    []CarePackage         `json:"care_packages"`
	Referrals       []CarePackage         `json:"referrals_and_orders"` // clinical orders and referrals, shown apart from care packages
	CareTeam        []CareTeamMember      `json:"care_team"`
	Medications     []Medication          `json:"medications"`
	Allergies       []Allergy             `json:"allergies"`
	NextOfKin       []Contact             `json:"next_of_kin"`
	Encounters      []Encounter           `json:"encounters"`
	Notes           []Note                `json:"notes"`
	Alerts          []Alert               `json:"alerts"`
	ChildProtection []ChildProtectionPlan `json:"child_protection"`
	Consent         []ConsentRecord       `json:"consent"`
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
	// Notices are what shcr noticed about the back ends' answers and did about it: entries
	// about another person dropped, duplicate Patient records on one back end, linked records.
	Notices []Notice `json:"notices,omitempty"`
	// RequestID is the id sent with every back end request of the open (X-Request-ID), for
	// its audit event; not part of the record shown or printed.
	RequestID string `json:"-"`
	// Identity is what the national demographics service says (nil: none configured);
	// Locator the record locator's pointers (nil: none configured); Routing which back ends
	// were asked for the record and why, in the order asked (identity.go).
	Identity        *Identity `json:"identity"`
	Locator         *Locator  `json:"held_elsewhere"`
	Routing         []Route   `json:"routing,omitempty"`
	EmergencyAccess []string  `json:"-"` // on a Masked record: objected back ends shown by break glass (consent.go)
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
