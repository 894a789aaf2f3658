package record

import "time"

// National flag programmes (NHS England Patient Flags: the PatientFlagCategory code system
// https://fhir.nhs.uk/England/CodeSystem/PatientFlagCategory, and the published IG's
// England-FlagCategoryPatient). An Alert's Programme says which one a flag belongs to.
const (
	FlagChildProtection      = "child-protection"      // CP-IS, or SNOMED 224353004 Child protection finding
	FlagReasonableAdjustment = "reasonable-adjustment" // NRAF, national-reasonable-adjustment-flag
	FlagFGM                  = "fgm"                   // Female Genital Mutilation flag
)

// Child protection plan types (CP-IS, https://fhir.nhs.uk/R4/CodeSystem/CPIS-ObservationType).
const (
	PlanChildProtection = "CPPI" // Child Protection Plan
	PlanLookedAfter     = "LACI" // Looked After Child
	PlanUnborn          = "UCPI" // Unborn Child Protection Plan
)

// ChildProtectionPlan is a child protection plan as CP-IS holds it: the plan type, its
// dates and the responsible local authority with its office-hours and out-of-hours
// (emergency duty) numbers. Read from the CP-IS CareTeam.
type ChildProtectionPlan struct {
	Item
	PlanType            string  `json:"plan_type"` // Plan* constants (CPPI, LACI, UCPI), else as sent
	PlanText            string  `json:"plan_text,omitempty"`
	LocalAuthority      string  `json:"local_authority"`
	LocalAuthorityCode  string  `json:"local_authority_code,omitempty"` // ODS code
	OfficeHours         []Phone `json:"office_hours"`                   // the local authority's number in office hours
	OutOfHours          []Phone `json:"out_of_hours"`                   // its emergency duty team, out of hours
	Period              Period  `json:"period"`
	Status              string  `json:"status,omitempty"`
	UnscheduledNotified bool    `json:"unscheduled_access_notified,omitempty"` // read with IsUnscheduledAccessEvent: true
	// RecentAccesses are the latest unscheduled-care accesses CP-IS records for the child
	// (its AuditEvent search), newest first; AccessesRead says they were asked and answered
	// (none is then none), AccessesError why they could not be (never shown as none).
	RecentAccesses []ChildProtectionAccess `json:"recent_accesses,omitempty"`
	AccessesRead   bool                    `json:"recent_accesses_read,omitempty"`
	AccessesError  string                  `json:"recent_accesses_error,omitempty"`
}

// ChildProtectionAccess is one unscheduled-care access to a child's CP-IS record: when, and
// by which organisation.
type ChildProtectionAccess struct {
	At               time.Time `json:"at,omitzero"`
	AtText           string    `json:"at_text,omitempty"`
	Organisation     string    `json:"organisation"`
	OrganisationCode string    `json:"organisation_code,omitempty"` // ODS
}

// Current reports whether the plan holds now: not ended, not inactive.
func (p ChildProtectionPlan) Current(now time.Time) bool {
	return p.Period.Active(now) && p.Status != "inactive" && p.Status != "entered-in-error" && p.Status != "ended"
}

// NationalFlags are the alerts that belong to a national flag programme and hold now, in
// record order: what the banner shows on every tab. An ended or inactive flag is not one.
func (r *Record) NationalFlags(now time.Time) []Alert {
	var out []Alert
	for _, a := range r.Sections.Alerts {
		if a.Programme != "" && !a.Restricted && a.Withheld == "" && a.Current(now) {
			out = append(out, a)
		}
	}
	return out
}

// AllNationalFlags are the alerts of a national flag programme, ended ones included (`shcr
// get --output json` writes them all under "flags", each with its period and status).
func (r *Record) AllNationalFlags() []Alert {
	var out []Alert
	for _, a := range r.Sections.Alerts {
		if a.Programme != "" {
			out = append(out, a)
		}
	}
	return out
}

// HasChildProtectionFlag reports whether a current child protection flag is on the record.
func (r *Record) HasChildProtectionFlag(now time.Time) bool {
	for _, a := range r.NationalFlags(now) {
		if a.Programme == FlagChildProtection {
			return true
		}
	}
	return false
}
