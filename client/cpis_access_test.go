package client

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/shcr-project/shcr/internal/demo"
	"github.com/shcr-project/shcr/record"
)

// The plan comes with the child's recent unscheduled-care accesses (CP-IS AuditEvent), newest
// first, the organisation named from the included Organization or the agent's display; read
// as part of the plan's access, it never tells the local authority again.
func TestChildProtectionRecentAccesses(t *testing.T) {
	s, fed := flagsFederation(t)
	rec, found := fed.Fetch(ctxTimeout(t, 20*time.Second), demo.FlagsChildNHS, []record.Section{record.SectionChildProtection})
	if !found || len(rec.Sections.ChildProtection) != 1 {
		t.Fatalf("plan: %+v", rec.Sections.ChildProtection)
	}
	p := rec.Sections.ChildProtection[0]
	if !p.AccessesRead || p.AccessesError != "" || len(p.RecentAccesses) != 2 {
		t.Fatalf("accesses read %v error %q: %+v", p.AccessesRead, p.AccessesError, p.RecentAccesses)
	}
	first, second := p.RecentAccesses[0], p.RecentAccesses[1]
	if first.Organisation != "Wexbridge General Hospital NHS Trust" || first.OrganisationCode != "DMH01" || first.AtText != "2026-09-12T17:25:00+01:00" {
		t.Errorf("newest access %+v", first)
	}
	if second.Organisation != "Demoshire Ambulance Service NHS Trust" || second.OrganisationCode != "DMA01" || !second.At.Before(first.At) {
		t.Errorf("older access %+v", second)
	}
	if n := s.Notified(); len(n) != 0 {
		t.Errorf("a scheduled read told the local authority: %v", n)
	}
	// Opened in unscheduled care: the plan's read tells the local authority once, the
	// accesses' read does not tell it again.
	parts := fed.OpenChildProtection(ctxTimeout(t, 20*time.Second), demo.FlagsChildNHS, nil)
	if len(parts) != 1 || len(parts[0].Sections.ChildProtection) != 1 || len(parts[0].Sections.ChildProtection[0].RecentAccesses) != 2 {
		t.Fatalf("opened: %+v", parts)
	}
	if n := s.Notified(); len(n) != 1 {
		t.Errorf("notifications after one unscheduled open: %v", n)
	}
}

// An AuditEvent search that fails is said on the plan, never shown as no accesses; the plan
// itself stands.
func TestChildProtectionAccessesFailed(t *testing.T) {
	s := startDemo(t, demo.Options{Flags: true})
	flags := demoConfig(t, s, demo.NameFlags)
	target := flags.URL
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/AuditEvent") {
			w.Header().Set("Content-Type", "application/fhir+json")
			w.WriteHeader(http.StatusForbidden)
			_, _ = w.Write([]byte(`{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"forbidden","diagnostics":"not permitted"}]}`))
			return
		}
		req, _ := http.NewRequestWithContext(r.Context(), r.Method, target+strings.TrimPrefix(r.URL.Path, "/x")+"?"+r.URL.RawQuery, nil)
		req.Header = r.Header.Clone()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(resp.StatusCode)
		var b strings.Builder
		_, _ = copyBody(&b, resp)
		_, _ = w.Write([]byte(b.String()))
	}))
	t.Cleanup(proxy.Close)
	flags.URL = proxy.URL + "/x"
	b, err := New(flags, Options{Now: func() time.Time { return demo.ReferenceDate }, Sleep: (&sleeps{}).Sleep})
	if err != nil {
		t.Fatal(err)
	}
	ctx := WithRequestID(ctxTimeout(t, 20*time.Second), NewRequestID())
	part := b.(*flagsBackend).fetchFlags(ctx, record.SectionChildProtection, demo.FlagsChildNHS)
	if len(part.Sections.ChildProtection) != 1 {
		t.Fatalf("plan: %+v %+v", part.Sections, part.Status)
	}
	p := part.Sections.ChildProtection[0]
	if p.AccessesRead || p.AccessesError == "" || len(p.RecentAccesses) != 0 || p.LocalAuthority == "" {
		t.Errorf("failed accesses: %+v", p)
	}
}
