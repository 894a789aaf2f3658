package record

import "time"

// Identity is what the national demographics service (PDS) says about who the person is:
// whether it confirmed the NHS number, numbers it replaced, whether the person's
// demographics are restricted, their registered GP practice, their death and the people
// related to them. A record has one only when a demographics back end is configured.
type Identity struct {
	// Backend is the configured demographics back end that answered (or failed).
	Backend string `json:"backend"`
	// State: verified (PDS holds this NHS number), not-found (PDS does not know it),
	// failed (PDS could not be asked: Error says why) or not-queried (sign-in needed).
	State IdentityState `json:"state"`
	Error string        `json:"error,omitempty"`
	// Verified: PDS returned the person under the NHS number shown.
	Verified bool `json:"verified"`
	// Superseded are NHS numbers PDS has replaced by the one shown (the number asked for
	// first, when it was old), oldest first.
	Superseded []string `json:"superseded"`
	// Restricted: PDS labels the person R (restricted) or V (very restricted); only what PDS
	// returns is shown, and no address or phone from another back end.
	Restricted      bool   `json:"restricted"`
	Confidentiality string `json:"confidentiality,omitempty"` // U, R or V as PDS sent it
	// GPPractice is the registered GP practice's ODS code ("" when PDS gives none, as for a
	// restricted person); GPPracticeName its name where configuration knows it.
	GPPractice     string `json:"gp_practice,omitempty"`
	GPPracticeName string `json:"gp_practice_name,omitempty"`
	// Deceased is the date of death and its notification status, nil when PDS records none.
	Deceased *Death `json:"deceased"`
	// Related are the people PDS records as related (RelatedPerson): next of kin, carers…
	Related []RelatedPerson `json:"related"`
	// RelatedState says whether Related was asked and answered (ok), failed or withheld
	// (restricted: PDS returns none).
	RelatedState IdentityState `json:"related_state,omitempty"`
}

// IdentityState is how the demographics service answered.
type IdentityState string

const (
	IdentityVerified   IdentityState = "verified"
	IdentityNotFound   IdentityState = "not-found"
	IdentityFailed     IdentityState = "failed"
	IdentityNotQueried IdentityState = "not-queried"
	IdentityOK         IdentityState = "ok"       // related people: asked and answered
	IdentityWithheld   IdentityState = "withheld" // related people of a restricted person
)

// Death notification statuses (UK Core DeathNotificationStatus).
const (
	DeathInformal = "informal" // code 1: a local NHS organisation said so, not yet confirmed
	DeathFormal   = "formal"   // code 2: registered with the Registrar of Deaths
	DeathRemoved  = "removed"  // code U
)

// Death is a date of death and how sure it is.
type Death struct {
	At     time.Time `json:"at,omitzero"`
	Text   string    `json:"text,omitempty"`   // as PDS wrote it
	Status string    `json:"status,omitempty"` // Death* constants; "" when PDS gave none
}

// RelatedPerson is one person PDS records as related to the patient.
type RelatedPerson struct {
	Name         Name    `json:"name"`
	NHSNumber    string  `json:"nhs_number,omitempty"` // when PDS refers to them as a patient
	Relationship string  `json:"relationship"`         // display words, e.g. "Guardian of patient"
	NextOfKin    bool    `json:"next_of_kin"`
	Phones       []Phone `json:"phones,omitempty"`
	Period       Period  `json:"period,omitzero"`
}

// Locator is what the national record locator said: pointers to records about the person
// held elsewhere. A record has one only when a locator back end is configured.
type Locator struct {
	Backend string `json:"backend"`
	// State: ok (asked; Pointers may be empty), failed or not-queried (Error says why).
	State    IdentityState `json:"status"`
	Error    string        `json:"error,omitempty"`
	Pointers []Pointer     `json:"pointers"`
}

// Pointer is one record held elsewhere (an NRL DocumentReference).
type Pointer struct {
	ID            string    `json:"id"`
	CustodianCode string    `json:"custodian_code"` // ODS code of the organisation holding it
	CustodianName string    `json:"custodian_name,omitempty"`
	Type          string    `json:"type"` // "Mental health crisis plan", "Clinical summary"…
	TypeCode      string    `json:"type_code,omitempty"`
	Category      string    `json:"category,omitempty"`
	Date          time.Time `json:"date,omitzero"`
	DateText      string    `json:"date_text,omitempty"`
	URL           string    `json:"url,omitempty"`          // retrieval URL as the pointer gives it
	ContentType   string    `json:"content_type,omitempty"` // application/pdf…
	Format        string    `json:"format,omitempty"`       // "Unstructured Document"…
	Retrieval     string    `json:"retrieval,omitempty"`    // SSP, Direct…
	Contact       string    `json:"contact,omitempty"`      // the custodian's contact, from configuration
	// Backend is the configured back end whose record this pointer opens ("" when shcr
	// cannot open it: the custodian's name and contact are shown instead).
	Backend string `json:"opens_backend,omitempty"`
}

// Route says why a back end was asked for the record, and in what order.
type Route struct {
	Backend string      `json:"backend"`
	Reason  RouteReason `json:"reason"`
}

// RouteReason is why a back end was asked.
type RouteReason string

const (
	RouteLocator    RouteReason = "locator"    // the record locator points to it
	RouteGPArea     RouteReason = "gp-area"    // it covers the registered GP practice
	RouteConfigured RouteReason = "configured" // asked because it is configured
)

// mergeNational folds a part's national answers (identity, locator, routing) into r. A
// restricted identity takes the address and phones of every other back end out of the
// merged person.
func (r *Record) mergeNational(p Part) {
	if p.Identity != nil {
		id := *p.Identity
		r.Identity = &id
		if id.Restricted {
			r.withholdLocation()
		}
	}
	if p.Locator != nil {
		l := *p.Locator
		r.Locator = &l
	}
	if len(p.Routing) > 0 {
		r.Routing = append([]Route(nil), p.Routing...)
	}
}

// withholdLocation drops every address and phone of the person (a restricted person's
// location is shown only as PDS gives it: PDS gives none).
func (r *Record) withholdLocation() {
	r.Person.Address, r.Person.Phones = Address{}, nil
	for i := range r.Person.Sources {
		r.Person.Sources[i].Postcode = ""
	}
}

// LocationWithheld reports whether the person's address and phones are withheld because
// the demographics service marks them restricted.
func (r *Record) LocationWithheld() bool { return r.Identity != nil && r.Identity.Restricted }
