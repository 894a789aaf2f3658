package client

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shcr-project/shcr/config"
	"github.com/shcr-project/shcr/internal/demo"
	"github.com/shcr-project/shcr/record"
)

// flagsFederation is the demo back ends with the national flags service, federated.
func flagsFederation(t *testing.T) (*demo.Servers, *Federation) {
	t.Helper()
	s := startDemo(t, demo.Options{Flags: true})
	fed, err := NewFederation(s.Config(), Options{Now: func() time.Time { return demo.ReferenceDate }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fed.Close)
	return s, fed
}

func statusFor(rec *record.Record, backend string, sec record.Section) (record.SectionStatus, bool) {
	for _, st := range rec.SectionStatus {
		if st.Backend == backend && st.Section == sec {
			return st, true
		}
	}
	return record.SectionStatus{}, false
}

// The flags back end is asked by NHS number (no search finds people there), for the alerts
// and the child protection plan only: the CP-IS flag, the plan's local authority numbers,
// read as scheduled care (no notification) by default.
func TestFlagsBackendChildProtectionScheduled(t *testing.T) {
	s, fed := flagsFederation(t)
	rec, found := fed.Fetch(ctxTimeout(t, 20*time.Second), demo.FlagsChildNHS, record.Sections())
	if !found {
		t.Fatal("not found")
	}
	flags := rec.NationalFlags(demo.ReferenceDate)
	if len(flags) != 1 || flags[0].Programme != record.FlagChildProtection || flags[0].Provenance.Backend != demo.NameFlags {
		t.Fatalf("national flags = %+v", flags)
	}
	if len(rec.Sections.ChildProtection) != 1 {
		t.Fatalf("child protection = %+v", rec.Sections.ChildProtection)
	}
	p := rec.Sections.ChildProtection[0]
	if p.PlanType != record.PlanChildProtection || p.LocalAuthority != "Demo County Council Children's Services" || p.LocalAuthorityCode != "DMLA1" ||
		len(p.OfficeHours) != 1 || p.OfficeHours[0].Number != "01632 960500" || len(p.OutOfHours) != 1 || p.OutOfHours[0].Number != "01632 960599" ||
		p.Period.StartText != "2026-02-10" || !p.Current(demo.ReferenceDate) || p.UnscheduledNotified {
		t.Errorf("plan = %+v", p)
	}
	if n := s.Notified(); len(n) != 0 {
		t.Errorf("a scheduled read told the local authority: %v", n)
	}
	// Clinical sections: not asked there, and left out of their coverage.
	st, ok := statusFor(rec, demo.NameFlags, record.SectionMedications)
	if !ok || st.State != record.StateNotSupported || !st.National {
		t.Errorf("medications at the flags service: %+v", st)
	}
	for _, b := range rec.Backends {
		if b.Name == demo.NameFlags && b.Status != record.BackendOK {
			t.Errorf("flags back end: %+v", b)
		}
	}
	// The regional R4 back end is not asked for the plan: no query, not-supported.
	if st, _ := statusFor(rec, demo.NameNHS, record.SectionChildProtection); st.State != record.StateNotSupported {
		t.Errorf("child protection at the NHS back end: %+v", st)
	}
}

// In unscheduled care (CPDeferred) the plan is not read in the background: not-queried
// where a child protection flag is present, and the flags back end is not partial for it;
// OpenChildProtection then reads it with IsUnscheduledAccessEvent: true, which the service
// records as a notification.
func TestFlagsBackendChildProtectionDeferredThenOpened(t *testing.T) {
	s, fed := flagsFederation(t)
	ctx := WithChildProtectionAccess(ctxTimeout(t, 20*time.Second), CPDeferred)
	rec, _ := fed.Fetch(ctx, demo.FlagsChildNHS, record.Sections())
	st, _ := statusFor(rec, demo.NameFlags, record.SectionChildProtection)
	if st.State != record.StateNotQueried || !st.National || len(rec.Sections.ChildProtection) != 0 {
		t.Fatalf("deferred plan: %+v, plans %d", st, len(rec.Sections.ChildProtection))
	}
	if rec.NoneRecorded(record.SectionChildProtection) {
		t.Error("a plan not asked for is shown as none recorded")
	}
	for _, b := range rec.Backends {
		if b.Name == demo.NameFlags && b.Status != record.BackendOK {
			t.Errorf("flags back end with a deferred plan: %+v", b)
		}
	}
	if n := s.Notified(); len(n) != 0 {
		t.Fatalf("notified before the user chose: %v", n)
	}
	parts := fed.OpenChildProtection(ctxTimeout(t, 10*time.Second), demo.FlagsChildNHS, nil)
	for _, p := range parts {
		rec.Merge(p)
	}
	if len(rec.Sections.ChildProtection) != 1 || !rec.Sections.ChildProtection[0].UnscheduledNotified {
		t.Fatalf("opened plan: %+v", rec.Sections.ChildProtection)
	}
	if n := s.Notified(); !slices.Equal(n, []string{demo.FlagsChildNHS}) {
		t.Errorf("notified = %v, want the child once", n)
	}

	// A person without a child protection flag: nothing to defer, the section is returned empty.
	rec, _ = fed.Fetch(ctx, demo.FlagsAdjustNHS, record.Sections())
	if st, _ := statusFor(rec, demo.NameFlags, record.SectionChildProtection); st.State != record.StateReturned {
		t.Errorf("no current flag, deferred: %+v", st)
	}
}

// A reasonable adjustment flag (the published IG's code) holds; an ended CP-IS flag is kept
// with its period and is not current.
func TestFlagsBackendReasonableAdjustmentAndEndedFlag(t *testing.T) {
	_, fed := flagsFederation(t)
	rec, _ := fed.Fetch(ctxTimeout(t, 20*time.Second), demo.FlagsAdjustNHS, record.Sections())
	cur := rec.NationalFlags(demo.ReferenceDate)
	if len(cur) != 1 || cur[0].Programme != record.FlagReasonableAdjustment || !strings.Contains(cur[0].Notes, "British Sign Language") {
		t.Fatalf("current flags = %+v", cur)
	}
	all := rec.AllNationalFlags()
	if len(all) != 2 {
		t.Fatalf("all flags = %+v", all)
	}
	for _, a := range all {
		if a.Programme == record.FlagChildProtection && (a.Current(demo.ReferenceDate) || a.Period.EndText != "2015-06-30") {
			t.Errorf("ended child protection flag shown as current: %+v", a)
		}
	}
	if rec.HasChildProtectionFlag(demo.ReferenceDate) {
		t.Error("an ended child protection flag counts as current")
	}
}

// The demo flags service refuses what the real services refuse: no X-Request-ID, and a CP-IS
// search without IsUnscheduledAccessEvent.
func TestDemoFlagsServiceRequiresHeaders(t *testing.T) {
	s := startDemo(t, demo.Options{Flags: true})
	b, ok := s.Backend(demo.NameFlags)
	if !ok || b.Kind != config.KindFlags {
		t.Fatalf("flags service: %+v", b)
	}
	get := func(path string, headers map[string]string) (int, string) {
		t.Helper()
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, b.URL+path, nil)
		for k, v := range headers {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		buf := new(strings.Builder)
		_, _ = copyBody(buf, resp)
		return resp.StatusCode, buf.String()
	}
	id := map[string]string{"X-Request-ID": NewRequestID()}
	if code, body := get("/Flag?patient="+demo.FlagsChildNHS, nil); code != 400 || !strings.Contains(body, "MISSING_VALUE") || !strings.Contains(body, "X-Request-ID") {
		t.Errorf("no X-Request-ID: %d %s", code, body)
	}
	if code, body := get("/Flag?patient="+demo.FlagsChildNHS, id); code != 200 || !strings.Contains(body, `"CP-IS"`) {
		t.Errorf("flags: %d %s", code, body)
	}
	cp := "/CareTeam?patient:identifier=https://fhir.nhs.uk/Id/nhs-number|" + demo.FlagsChildNHS
	if code, body := get(cp, id); code != 400 || !strings.Contains(body, "IsUnscheduledAccessEvent") {
		t.Errorf("no IsUnscheduledAccessEvent: %d %s", code, body)
	}
	if code, _ := get(cp, map[string]string{"X-Request-ID": NewRequestID(), "IsUnscheduledAccessEvent": "maybe"}); code != 400 {
		t.Errorf("IsUnscheduledAccessEvent maybe: %d", code)
	}
	if code, body := get(cp, map[string]string{"X-Request-ID": NewRequestID(), "IsUnscheduledAccessEvent": "false"}); code != 200 || !strings.Contains(body, "CPPI") {
		t.Errorf("scheduled read: %d %s", code, body)
	}
	if n := s.Notified(); len(n) != 0 {
		t.Errorf("IsUnscheduledAccessEvent false notified: %v", n)
	}
}

func copyBody(w *strings.Builder, resp *http.Response) (int64, error) {
	var n int64
	buf := make([]byte, 4096)
	for {
		m, err := resp.Body.Read(buf)
		w.Write(buf[:m])
		n += int64(m)
		if err != nil {
			return n, nil
		}
	}
}

// Server text from a flags service is made safe before it reaches the record: a flag note
// or a local authority name cannot act on the terminal.
func TestFlagsServerTextIsSanitised(t *testing.T) {
	const evil = "Book a BSL interpreter\x1b]52;c;cm0gLXJmIH4=\x07\u202e"
	srv := newFHIRServer(t, capsJSON("Flag", "CareTeam"), func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasSuffix(r.URL.Path, "/Flag"):
			writeFHIR(w, 200, searchset("", map[string]any{"resourceType": "Flag", "id": "f1", "status": "active",
				"extension": []any{map[string]any{"url": "https://fhir.nhs.uk/England/StructureDefinition/Extension-FlagNotes", "valueAnnotation": map[string]any{"text": evil}}},
				"code":      map[string]any{"coding": []any{map[string]any{"system": "https://fhir.nhs.uk/England/CodeSystem/PatientFlagCategory", "code": "NRAF"}}}}))
		default:
			writeFHIR(w, 200, searchset(""))
		}
	})
	cfg := srv.config("evil-flags")
	cfg.Kind = config.KindFlags
	fed, err := NewFederation([]config.Backend{cfg}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fed.Close)
	m := Match{Person: record.Person{NHSNumber: demo.FlagsAdjustNHS}}
	rec := fed.OpenRecord(ctxTimeout(t, 10*time.Second), m, []record.Section{record.SectionAlerts})
	if len(rec.Sections.Alerts) != 1 {
		t.Fatalf("alerts = %+v (%+v)", rec.Sections.Alerts, rec.SectionStatus)
	}
	if n := rec.Sections.Alerts[0].Notes; strings.ContainsAny(n, "\x1b\x07\u202e") || !strings.Contains(n, "Book a BSL interpreter") {
		t.Errorf("notes = %q", n)
	}
}
