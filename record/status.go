package record

import (
	"encoding/json"
	"time"
)

// SectionState says what a back end did with a section. Every section of every back end
// ends in exactly one of these; only StateReturned with no items means "none recorded there".
type SectionState string

const (
	StateReturned     SectionState = "returned"      // answered in full; zero items means none recorded there
	StateNotSupported SectionState = "not-supported" // the back end refused the section's resource types (400/404/405/501, not-supported); Error says why
	StateFailed       SectionState = "failed"        // HTTP or transport error; Error says why
	StateTimedOut     SectionState = "timed-out"     // no answer in time
	StateTruncated    SectionState = "truncated"     // answered, but more exist than were read (Total, max_entries, a broken next link)
	StateNotKnown     SectionState = "not-known"     // the back end does not know the person
	StateNotQueried   SectionState = "not-queried"   // not asked (sign-in needed, --no-login, a national service)
	StateLoading      SectionState = "loading"       // asked, not yet answered (TUI only)
)

// Answered reports whether the back end sent items for the section (all of them, or some).
func (s SectionStatus) Answered() bool { return s.State == StateReturned || s.State == StateTruncated }

// SectionStatus is one back end's answer for one section.
type SectionStatus struct {
	Backend    string       `json:"backend"`
	Section    Section      `json:"section"`
	State      SectionState `json:"state"`
	Count      int          `json:"count"`
	Total      int          `json:"total,omitempty"`       // total the server reported, where it did (StateTruncated: "showing first N of Total")
	Error      string       `json:"error,omitempty"`       // one-line reason when failed
	HTTPStatus int          `json:"http_status,omitempty"` // the HTTP status that made it fail (401, 403, …)
	Warnings   []string     `json:"warnings,omitempty"`    // e.g. GP Connect confidential-items, data-in-transit
	// NotServed, on a returned section, names the section's resource types the back end
	// refused ("does not serve RelatedPerson (404)"): it holds none of them.
	NotServed string `json:"not_served,omitempty"`
	// National: a national service's not-supported section (left out of coverage), or its
	// not-queried one left to be opened on request (CP-IS in unscheduled care; not partial).
	National bool `json:"national,omitempty"`
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
