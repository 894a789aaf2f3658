package audit

import (
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/shcr-project/shcr/internal/purpose"
	"github.com/shcr-project/shcr/record"
)

// httpError has the methods of client.HTTPError that KindOf relies on, and its message format.
type httpError struct{ status int }

func (e *httpError) Error() string {
	return fmt.Sprintf("back end gp answered %d with an OperationOutcome (error, forbidden)", e.status)
}
func (e *httpError) Unauthorized() bool { return e.status == 401 }
func (e *httpError) Forbidden() bool    { return e.status == 403 }

func sampleRecord() *record.Record {
	prov := func(b string) record.Provenance {
		return record.Provenance{Backend: b, Domain: record.DomainSocialCare}
	}
	return &record.Record{
		Person: record.Person{NHSNumber: "9434765919", Restricted: true,
			Sources: []record.PersonSource{{Backend: "region", ID: "p1"}, {Backend: "council", ID: "c9"}}},
		Sections: record.SectionsData{
			Notes: []record.Note{{Item: record.Item{Key: "n1", Provenance: prov("council"), Restricted: true}},
				{Item: record.Item{Key: "n2", Provenance: prov("council")}}},
			Alerts: []record.Alert{{Item: record.Item{Key: "a1", Provenance: prov("region"), AlsoFrom: []record.Provenance{prov("council")}, Restricted: true}}},
		},
		SectionStatus: []record.SectionStatus{
			{Backend: "region", Section: record.SectionNotes, State: record.StateReturned},
			{Backend: "council", Section: record.SectionNotes, State: record.StateReturned, Count: 2},
			{Backend: "council", Section: record.SectionAlerts, State: record.StateReturned, Count: 1},
			{Backend: "region", Section: record.SectionAlerts, State: record.StateFailed, Error: "back end region did not answer within 15s"},
			{Backend: "gp", Section: record.SectionNotes, State: record.StateFailed, Error: (&httpError{403}).Error()},
			{Backend: "gp", Section: record.SectionAlerts, State: record.StateFailed, Error: (&httpError{403}).Error()},
		},
		Backends: []record.BackendStatus{
			{Name: "region", Status: record.BackendPartial, Error: "back end region did not answer within 15s"},
			{Name: "council", Status: record.BackendOK},
			{Name: "gp", Status: record.BackendFailed, Error: (&httpError{403}).Error()},
			{Name: "hospice", Status: record.BackendNotKnown},
		},
	}
}

func TestKindOf(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want Kind
	}{
		{&httpError{401}, AccessRefused},
		{fmt.Errorf("open: %w", &httpError{403}), AccessRefused},
		{&httpError{404}, AccessFailed},
		{&httpError{500}, AccessFailed},
		{errors.New("timeout"), AccessFailed},
	} {
		if got := KindOf(tc.err); got != tc.want {
			t.Errorf("KindOf(%v) = %s, want %s", tc.err, got, tc.want)
		}
	}
}

func TestOpened(t *testing.T) {
	c := purpose.Choice{Purpose: purpose.Other, Reason: "complaint review"}
	got := Opened(sampleRecord(), c, []record.Section{record.SectionNotes, record.SectionAlerts})
	want := []Event{
		{Event: RecordOpened, NHSNumber: "9434765919", Purpose: "other", Reason: "complaint review",
			Backends: []string{"region", "council"}, Sections: []string{"notes", "alerts"}},
		{Event: AccessFailed, NHSNumber: "9434765919", Purpose: "other", Reason: "complaint review",
			Backends: []string{"region"}, Sections: []string{"alerts"}, Detail: "timed out"},
		{Event: AccessRefused, NHSNumber: "9434765919", Purpose: "other", Reason: "complaint review",
			Backends: []string{"gp"}, Sections: []string{"notes", "alerts"}, Detail: "HTTP 403"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Opened:\n got %+v\nwant %+v", got, want)
	}
}

func TestViewed(t *testing.T) {
	got := Viewed(sampleRecord(), purpose.Choice{Purpose: purpose.DirectCare}, record.SectionNotes)
	want := Event{Event: SectionViewed, NHSNumber: "9434765919", Purpose: "direct-care",
		Backends: []string{"region", "council"}, Sections: []string{"notes"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Viewed:\n got %+v\nwant %+v", got, want)
	}
}

func TestRevealed(t *testing.T) {
	c := purpose.Choice{Purpose: purpose.Safeguarding}
	got := Revealed(sampleRecord(), c, "  strategy\nmeeting ", "a1", "n1")
	want := Event{Event: RestrictedRevealed, NHSNumber: "9434765919", Purpose: "safeguarding", Reason: "strategy meeting",
		Items: []string{"a1", "n1"}, Sections: []string{"notes", "alerts"}, Backends: []string{"council", "region"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Revealed:\n got %+v\nwant %+v", got, want)
	}
	got = Revealed(sampleRecord(), c, "home visit", record.RevealPersonKey, record.RevealPersonKey)
	if !reflect.DeepEqual(got.Backends, []string{"region", "council"}) || got.Sections != nil ||
		!reflect.DeepEqual(got.Items, []string{record.RevealPersonKey}) {
		t.Errorf("person reveal: %+v", got)
	}
}

func TestNotFound(t *testing.T) {
	q := record.Query{Family: "Testperson", BirthDate: time.Date(1948, 3, 12, 0, 0, 0, 0, time.UTC)}
	got := NotFound(q, purpose.Choice{Purpose: purpose.Emergency}, []record.BackendStatus{
		{Name: "region", Status: record.BackendNotKnown},
		{Name: "gp", Status: record.BackendFailed, Error: (&httpError{401}).Error()},
		{Name: "council", Status: record.BackendNotKnown},
	})
	want := []Event{
		{Event: PersonNotFound, Purpose: "emergency", Backends: []string{"region", "council"}, Detail: "searched by family name, birth date"},
		{Event: AccessRefused, Purpose: "emergency", Backends: []string{"gp"}, Detail: "HTTP 401"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("NotFound:\n got %+v\nwant %+v", got, want)
	}
	got = NotFound(record.Query{NHSNumber: "9990000026"}, purpose.Choice{Purpose: purpose.DirectCare}, nil)
	if got[0].NHSNumber != "9990000026" || got[0].Detail != "searched by NHS number" {
		t.Errorf("by NHS number: %+v", got)
	}
	f := Failure("9434765919", purpose.Choice{Purpose: purpose.DirectCare}, "gp", &httpError{403})
	if f.Event != AccessRefused || f.Detail != "HTTP 403" || f.Backends[0] != "gp" {
		t.Errorf("Failure: %+v", f)
	}
}

// The four events the issue names (open, view, reveal, refusal) end up as whole lines with
// every field, read back by Read.
func TestSessionEventsRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	l := openT(t, path, Options{OSUser: "jcarter", SignedInUser: func() string { return "jane.carter@nhs.net" },
		Now: fixedClock(time.Date(2026, 3, 12, 9, 0, 0, 0, time.UTC))})
	rec := sampleRecord()
	c := purpose.Choice{Purpose: purpose.Safeguarding}
	if err := l.AppendAll(Opened(rec, c, []record.Section{record.SectionNotes, record.SectionAlerts})); err != nil {
		t.Fatal(err)
	}
	appendT(t, l, Viewed(rec, c, record.SectionNotes))
	appendT(t, l, Revealed(rec, c, "strategy meeting", "n1"))
	ev, bad := readT(t, path, Filter{NHSNumber: "943 476 5919"})
	if len(bad) != 0 {
		t.Fatal(bad)
	}
	var kinds []string
	for _, e := range ev {
		kinds = append(kinds, e.Event)
		if e.OSUser != "jcarter" || e.SignedInUser != "jane.carter@nhs.net" || e.Purpose != "safeguarding" ||
			!e.Time.Equal(time.Date(2026, 3, 12, 9, 0, 0, 0, time.UTC)) {
			t.Errorf("event fields: %+v", e)
		}
	}
	if fmt.Sprint(kinds) != "[record-opened access-failed access-refused section-viewed restricted-revealed]" {
		t.Errorf("kinds %v", kinds)
	}
	if ev[4].Reason != "strategy meeting" || ev[4].Items[0] != "n1" {
		t.Errorf("reveal: %+v", ev[4])
	}
}

// TestRefusalFromStatusCode: a refusal is told by the HTTP status the client recorded, not by
// the wording of the message.
func TestRefusalFromStatusCode(t *testing.T) {
	rec := &record.Record{Person: record.Person{NHSNumber: "9434765919"}}
	rec.SetBackend(record.BackendStatus{Name: "ok", Status: record.BackendOK})
	rec.SetBackend(record.BackendStatus{Name: "strict", Status: record.BackendPartial})
	rec.SetBackend(record.BackendStatus{Name: "broken", Status: record.BackendPartial})
	rec.SetStatus(record.SectionStatus{Backend: "strict", Section: record.SectionNotes, State: record.StateFailed, Error: "refused politely", HTTPStatus: 403})
	rec.SetStatus(record.SectionStatus{Backend: "broken", Section: record.SectionNotes, State: record.StateFailed, Error: "went wrong", HTTPStatus: 500})
	evs := Opened(rec, purpose.Choice{Purpose: purpose.DirectCare}, []record.Section{record.SectionNotes})
	if len(evs) != 3 {
		t.Fatalf("events = %+v", evs)
	}
	got := map[string]Event{}
	for _, e := range evs[1:] {
		got[e.Backends[0]] = e
	}
	if e := got["strict"]; e.Event != AccessRefused || e.Detail != "HTTP 403" {
		t.Errorf("strict = %+v", e)
	}
	if e := got["broken"]; e.Event != AccessFailed || e.Detail != "HTTP 500" {
		t.Errorf("broken = %+v", e)
	}
}

// TestOpenedCarriesRequestID: the record-opened event keeps the request id the back ends were
// sent, in the trail's line (request_id) and in its AuditEvent form as BALP's transaction
// entity; the failures of the same open do not repeat it, and no id means no such entity.
func TestOpenedCarriesRequestID(t *testing.T) {
	rec := sampleRecord()
	rec.RequestID = "4f6c1b3e-8d2a-4c55-9e0b-7a1d2c3e4f50"
	events := Opened(rec, purpose.Choice{Purpose: purpose.DirectCare}, record.Sections())
	if events[0].RequestID != rec.RequestID {
		t.Fatalf("record-opened request id = %q", events[0].RequestID)
	}
	for _, e := range events[1:] {
		if e.RequestID != "" {
			t.Errorf("%s carries the request id", e.Event)
		}
	}
	l, err := Open(filepath.Join(t.TempDir(), "audit.jsonl"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if err := l.Append(events[0]); err != nil {
		t.Fatal(err)
	}
	back, _, err := Read(l.Path(), Filter{})
	if err != nil || len(back) != 1 || back[0].RequestID != rec.RequestID {
		t.Fatalf("read back %+v, %v", back, err)
	}
	transaction := func(a AuditEvent) []AuditEntity {
		var out []AuditEntity
		for _, ent := range a.Entity {
			if ent.Type != nil && ent.Type.System == sysBALPEntityType && ent.Type.Code == "XrequestId" {
				out = append(out, ent)
			}
		}
		return out
	}
	got := transaction(ToAuditEvent(back[0], "shcr-x", Site{}))
	if len(got) != 1 || got[0].What == nil || got[0].What.Identifier == nil || got[0].What.Identifier.Value != rec.RequestID {
		t.Errorf("transaction entities = %+v", got)
	}
	back[0].RequestID = ""
	if got := transaction(ToAuditEvent(back[0], "shcr-x", Site{})); len(got) != 0 {
		t.Errorf("without a request id: %+v", got)
	}
}
