package audit

import (
	"errors"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/shcr-project/shcr/internal/purpose"
	"github.com/shcr-project/shcr/record"
)

// This file builds the events the TUI and `shcr get` record, so that wiring them is one call:
//
//	log.Append(audit.Viewed(rec, choice, section))
//	log.AppendAll(audit.Opened(rec, choice, sections))

// refusal is implemented by client.HTTPError (without importing the client package here).
type refusal interface {
	Unauthorized() bool
	Forbidden() bool
}

// KindOf classifies a back end failure: a 401 or 403 (an error with Unauthorized() or
// Forbidden() true, such as *client.HTTPError) is a refusal, anything else a failure.
func KindOf(err error) Kind {
	var r refusal
	if errors.As(err, &r) && (r.Unauthorized() || r.Forbidden()) {
		return AccessRefused
	}
	return AccessFailed
}

// answeredRE finds the HTTP status in a back end status line, which is client.HTTPError's
// message ("back end X answered 403 with …"): the record keeps the message, not the error.
var answeredRE = regexp.MustCompile(`\banswered (\d{3})\b`)

// statusCode is the HTTP status behind a failure: the one the client recorded, else the one
// its status line names (records built before the client set HTTPStatus).
func statusCode(code int, msg string) int {
	if code != 0 {
		return code
	}
	if m := answeredRE.FindStringSubmatch(msg); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n
	}
	return 0
}

// statusKind classifies a failed back end: 401 and 403 are refusals.
func statusKind(code int, msg string) Kind {
	if c := statusCode(code, msg); c == 401 || c == 403 {
		return AccessRefused
	}
	return AccessFailed
}

func sectionNames(secs []record.Section) []string {
	out := make([]string, len(secs))
	for i, s := range secs {
		out[i] = string(s)
	}
	return out
}

func base(kind Kind, nhs string, c purpose.Choice) Event {
	return Event{Event: kind, NHSNumber: nhs, Purpose: string(c.Purpose), Reason: c.Reason}
}

// Opened is what opening (TUI) or fetching (`shcr get`) a record records: one record-opened
// event naming the back ends that answered and the sections asked, then one access-refused or
// access-failed event per back end that refused or failed (whole or for some sections).
// Call it once the back ends have answered, so that refusals are known.
func Opened(rec *record.Record, c purpose.Choice, sections []record.Section) []Event {
	nhs := rec.Person.NHSNumber
	open := base(RecordOpened, nhs, c)
	open.Sections = sectionNames(sections)
	open.RequestID = rec.RequestID
	if nhs == "" {
		// Without an NHS number, the back ends' own identifiers say whose record it was.
		for _, s := range rec.Person.Sources {
			open.SourceIDs = append(open.SourceIDs, s.Backend+"/"+s.ID)
		}
	}
	var out []Event
	for _, b := range rec.Backends {
		switch b.Status {
		case record.BackendOK, record.BackendSlow, record.BackendPartial:
			open.Backends = append(open.Backends, b.Name)
		}
	}
	out = append(out, open)
	for _, b := range rec.Backends {
		var failed []string
		msg, code := b.Error, b.HTTPStatus
		for _, st := range rec.SectionStatus {
			if st.Backend == b.Name && st.State == record.StateFailed {
				failed = append(failed, string(st.Section))
				if msg == "" {
					msg, code = st.Error, st.HTTPStatus
				}
			}
		}
		if b.Status != record.BackendFailed && b.Status != record.BackendPartial && len(failed) == 0 {
			continue
		}
		if b.Status == record.BackendFailed && len(failed) == 0 {
			failed = open.Sections
		}
		e := base(statusKind(code, msg), nhs, c)
		e.Backends = []string{b.Name}
		e.Sections = failed
		e.Detail = failureDetail(code, msg)
		out = append(out, e)
	}
	return out
}

// failureDetail keeps the status code of a failure ("HTTP 403"), else says "failed": the
// message itself can name a host or carry server text, and the audit trail needs neither.
func failureDetail(code int, msg string) string {
	if c := statusCode(code, msg); c != 0 {
		return "HTTP " + strconv.Itoa(c)
	}
	if strings.Contains(msg, "did not answer") {
		return "timed out"
	}
	return "failed"
}

// Viewed is a section (tab) shown to the user: the back ends named are those that returned
// that section.
func Viewed(rec *record.Record, c purpose.Choice, s record.Section) Event {
	e := base(SectionViewed, rec.Person.NHSNumber, c)
	e.Sections = []string{string(s)}
	for _, st := range rec.SectionStatus {
		if st.Section == s && st.State == record.StateReturned && !slices.Contains(e.Backends, st.Backend) {
			e.Backends = append(e.Backends, st.Backend)
		}
	}
	return e
}

// Revealed is restricted items shown after the user gave a reason (TUI `x`, or
// `shcr get --reveal-restricted REASON`). keys are the items' keys; the event names their
// sections and the back ends that reported them. The reason recorded is the reveal reason.
func Revealed(rec *record.Record, c purpose.Choice, reason string, keys ...string) Event {
	e := base(RestrictedRevealed, rec.Person.NHSNumber, c)
	e.Reason = strings.Join(strings.Fields(reason), " ")
	want := map[string]bool{}
	for _, k := range keys {
		if !want[k] {
			e.Items = append(e.Items, k)
		}
		want[k] = true
	}
	add := func(sec record.Section, it *record.Item) {
		if !want[it.Key] {
			return
		}
		if !slices.Contains(e.Sections, string(sec)) {
			e.Sections = append(e.Sections, string(sec))
		}
		for _, p := range append([]record.Provenance{it.Provenance}, it.AlsoFrom...) {
			if p.Backend != "" && !slices.Contains(e.Backends, p.Backend) {
				e.Backends = append(e.Backends, p.Backend)
			}
		}
	}
	if want[record.RevealPersonKey] {
		for _, s := range rec.Person.Sources {
			if !slices.Contains(e.Backends, s.Backend) {
				e.Backends = append(e.Backends, s.Backend)
			}
		}
	}
	rec.Sections.EachItem(add)
	return e
}

// NotFound is a search that found nobody. It records the NHS number searched for, if any,
// and otherwise only what kind of search it was (never the name, birth date or phone typed),
// plus one refusal or failure event per back end that could not be asked.
func NotFound(q record.Query, c purpose.Choice, statuses []record.BackendStatus) []Event {
	e := base(PersonNotFound, q.NHSNumber, c)
	e.Detail = searchKind(q)
	out := []Event{e}
	for _, b := range statuses {
		switch b.Status {
		case record.BackendNotKnown:
			out[0].Backends = append(out[0].Backends, b.Name)
		case record.BackendFailed:
			f := base(statusKind(b.HTTPStatus, b.Error), q.NHSNumber, c)
			f.Backends = []string{b.Name}
			f.Detail = failureDetail(b.HTTPStatus, b.Error)
			out = append(out, f)
		}
	}
	return out
}

// Failure is one back end refusing or failing outside a record fetch (e.g. a search), from
// the error itself.
func Failure(nhs string, c purpose.Choice, backend string, err error) Event {
	e := base(KindOf(err), nhs, c)
	e.Backends = []string{backend}
	e.Detail = failureDetail(0, err.Error())
	return e
}

func searchKind(q record.Query) string {
	var by []string
	if q.NHSNumber != "" {
		by = append(by, "NHS number")
	}
	if q.Family != "" {
		by = append(by, "family name")
	}
	if q.Given != "" {
		by = append(by, "given name")
	}
	if !q.BirthDate.IsZero() {
		by = append(by, "birth date")
	}
	if q.Postcode != "" {
		by = append(by, "postcode")
	}
	if q.Phone != "" {
		by = append(by, "phone")
	}
	if len(by) == 0 {
		return "search"
	}
	return "searched by " + strings.Join(by, ", ")
}

// AppendAll appends events in order, stopping at the first error.
func (l *Log) AppendAll(events []Event) error {
	for _, e := range events {
		if err := l.Append(e); err != nil {
			return err
		}
	}
	return nil
}

// How a handover summary left shcr, the detail of a RecordExported event.
const (
	ExportFile      = "handover summary written to a file"
	ExportClipboard = "handover summary copied to the clipboard"
)

// Exported is a record's handover summary leaving shcr (how: ExportFile or ExportClipboard),
// recorded before it leaves: the summary holds the banner, alerts, medications, allergies
// and next of kin, so it is audited as a disclosure, naming the back ends it came from.
func Exported(rec *record.Record, c purpose.Choice, how string) Event {
	e := base(RecordExported, rec.Person.NHSNumber, c)
	for _, b := range rec.Backends {
		if b.Status == record.BackendOK || b.Status == record.BackendPartial || b.Status == record.BackendSlow {
			e.Backends = append(e.Backends, b.Name)
		}
	}
	e.Detail = how
	e.RequestID = rec.RequestID
	return e
}
