// Package audit is shcr's audit trail: one JSON line per look at a record, per restricted
// item revealed and per refused or failed attempt, appended to
// $XDG_STATE_HOME/shcr/audit.jsonl (else ~/.local/state/shcr/audit.jsonl).
//
// The file is created 0600 in a directory created 0700, opened O_APPEND, and never rewritten
// or truncated. Each event is written with a single write call of the whole line, then
// fsync'd. A crash mid-write can damage at most the line being written: the next writer
// sees that the file does not end with a newline and starts on a fresh line, and Read skips
// the damaged line with a warning.
package audit

import (
	"errors"
	"fmt"
	"os"
	"os/user"
	"slices"
	"time"
)

// Kind is the kind of an audit event.
type Kind = string

// Event kinds.
const (
	RecordOpened       Kind = "record-opened"       // a person's record was opened (TUI) or fetched (get)
	SectionViewed      Kind = "section-viewed"      // a tab / section was shown
	RestrictedRevealed Kind = "restricted-revealed" // a restricted item was revealed, with a reason
	AccessRefused      Kind = "access-refused"      // a back end said 401 or 403
	PersonNotFound     Kind = "person-not-found"    // a search found nobody
	AccessFailed       Kind = "access-failed"       // a back end failed otherwise (5xx, timeout, bad data)
	ScreenLocked       Kind = "screen-locked"       // idle lock engaged
	ScreenUnlocked     Kind = "screen-unlocked"     // the user unlocked it again
	SignedOut          Kind = "signed-out"          // the user signed out from the lock panel
	RecordExported     Kind = "record-exported"     // a handover summary left shcr: a file written, or copied
)

// FailureKind maps an HTTP status from a back end to the event that records it:
// 401 and 403 are refusals, anything else a failure.
func FailureKind(status int) Kind {
	if status == 401 || status == 403 {
		return AccessRefused
	}
	return AccessFailed
}

// Event is one line of the audit trail. The JSON names are the file format.
type Event struct {
	Time         time.Time `json:"time"`                     // UTC, ISO 8601 (RFC 3339)
	Event        Kind      `json:"event"`                    // one of the Kind constants
	OSUser       string    `json:"os_user"`                  // operating system account
	SignedInUser string    `json:"signed_in_user,omitempty"` // identity from sign-in, where there is one
	NHSNumber    string    `json:"nhs_number,omitempty"`     // 10 digits, no spaces
	Purpose      string    `json:"purpose,omitempty"`        // purpose of access
	Reason       string    `json:"reason,omitempty"`         // typed reason (purpose other, or a reveal)
	Backends     []string  `json:"backends,omitempty"`       // back ends involved
	// SourceIDs names a person without an NHS number by each back end's own identifier,
	// "backend/id" (the Patient's logical id there); empty when the NHS number is known.
	SourceIDs []string `json:"source_ids,omitempty"`
	Sections  []string `json:"sections,omitempty"` // sections involved
	Items     []string `json:"items,omitempty"`    // item keys (restricted-revealed)
	Detail    string   `json:"detail,omitempty"`   // e.g. "HTTP 403" for a refusal; never personal data
	// RequestID is the id sent with every back end request of a record open (X-Request-ID).
	RequestID string `json:"request_id,omitempty"`
}

// ErrNoPath is returned when neither XDG_STATE_HOME nor a home directory is known.
var ErrNoPath = errors.New("cannot find where to keep the audit trail: set XDG_STATE_HOME or HOME")

// OSUser is the operating system account name: from the user database, else $USER / $USERNAME.
func OSUser() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	for _, v := range []string{"USER", "USERNAME", "LOGNAME"} {
		if s := os.Getenv(v); s != "" {
			return s
		}
	}
	return fmt.Sprintf("uid:%d", os.Getuid())
}

// clean returns the event as it is written: time in UTC (now if zero), lists copied.
func (e Event) clean(now time.Time) Event {
	if e.Time.IsZero() {
		e.Time = now
	}
	e.Time = e.Time.UTC()
	e.Backends = slices.Clone(e.Backends)
	e.Sections = slices.Clone(e.Sections)
	e.Items = slices.Clone(e.Items)
	return e
}
