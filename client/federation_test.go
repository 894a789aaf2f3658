package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
	"golang.org/x/oauth2"

	"github.com/shcr-project/shcr/config"
	"github.com/shcr-project/shcr/internal/demo"
	"github.com/shcr-project/shcr/record"
)

// recordServer serves one person: Patient search and read, and per resource type the
// resources (or a handler for paging tricks). Only the given types are declared.
func recordServer(t *testing.T, p testPerson, id string, types map[string]http.HandlerFunc) *fhirServer {
	t.Helper()
	names := []string{"Patient"}
	for ty := range types {
		names = append(names, ty)
	}
	pat := patientJSON(t, p, id)
	patBytes, _ := json.Marshal(pat)
	return newFHIRServer(t, capsJSON(names...), func(w http.ResponseWriter, r *http.Request) {
		path := r.URL.Path[strings.Index(r.URL.Path, "/fhir/R4/")+len("/fhir/R4/"):]
		switch {
		case path == "Patient":
			writeFHIR(w, 200, searchset("", pat))
		case path == "Patient/"+id:
			writeFHIR(w, 200, patBytes)
		case types[path] != nil:
			types[path](w, r)
		default:
			writeFHIR(w, 404, outcome("error", "not-found", "no "+path))
		}
	})
}

func serveResources(rs ...map[string]any) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { writeFHIR(w, 200, searchset("", rs...)) }
}

// interweaveEpisode is the published Interweave social care service example, about patient id.
func interweaveEpisode(t *testing.T, id string) map[string]any {
	m := readTestdata(t, "EpisodeOfCare-InterweaveSocialCareServiceExample-Full.json")
	m["patient"] = map[string]any{"reference": "Patient/" + id}
	delete(m, "text")
	return m
}

func encounter(id, patientID string, day int) map[string]any {
	return map[string]any{"resourceType": "Encounter", "id": id, "status": "finished",
		"class":   map[string]any{"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB", "display": "ambulatory"},
		"subject": map[string]any{"reference": "Patient/" + patientID},
		"period":  map[string]any{"start": fmt.Sprintf("2024-01-%02dT10:00:00Z", day%28+1)}}
}

// TestFederationMergesThreeBackends: two regional records serve the same Interweave care
// package (same business identifier) beside the demo NHS back end. The package is shown
// once with both provenances; the birth date one back end disagrees on is named.
func TestFederationMergesThreeBackends(t *testing.T) {
	srv := startDemo(t, demo.Options{})
	person := demoPerson(t, srv)
	other := person
	other.BirthDate = "1901-02-03"
	a := recordServer(t, person, "reg-1", map[string]http.HandlerFunc{"EpisodeOfCare": serveResources(interweaveEpisode(t, "reg-1"))})
	b := recordServer(t, other, "cc-77", map[string]http.HandlerFunc{"EpisodeOfCare": serveResources(interweaveEpisode(t, "cc-77"))})
	cfgB := b.config("Council Two")
	cfgB.Domain = "social-care"
	fed, err := NewFederation([]config.Backend{demoConfig(t, srv, demo.NameNHS), a.config("Regional ShCR"), cfgB}, Options{SlowAfter: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	defer fed.Close()

	matches, sts := fed.Search(ctxTimeout(t, 20*time.Second), record.Query{NHSNumber: person.NHS})
	if len(matches) != 1 || len(matches[0].Person.Sources) != 3 || matches[0].Unmatched {
		t.Fatalf("matches = %+v", matches)
	}
	if len(matches[0].Discrepancies) != 1 || matches[0].Discrepancies[0].Field != "birth_date" {
		t.Errorf("search discrepancies = %+v", matches[0].Discrepancies)
	}
	for _, st := range sts {
		if st.Status != record.BackendOK {
			t.Errorf("search %s = %s %q", st.Name, st.Status, st.Error)
		}
	}

	rec, found := fed.Fetch(ctxTimeout(t, 20*time.Second), person.NHS, record.Sections())
	if !found {
		t.Fatal("not found")
	}
	if len(rec.Backends) != 3 || rec.Backends[0].Name != demo.NameNHS || rec.Backends[2].Name != "Council Two" {
		t.Fatalf("backends = %+v", rec.Backends)
	}
	for _, st := range rec.Backends {
		if st.Status != record.BackendOK {
			t.Errorf("%s = %s %q", st.Name, st.Status, st.Error)
		}
	}
	if c := statusOf(rec.Backends, "Regional ShCR").Counts[record.SectionCarePackages]; c != 1 {
		t.Errorf("Regional ShCR care packages count = %d", c)
	}
	var shared []record.CarePackage
	for _, cp := range rec.Sections.CarePackages {
		if strings.Contains(cp.Key, "XXX.SERVICE-ABC123") {
			shared = append(shared, cp)
		}
	}
	if len(shared) != 1 {
		t.Fatalf("the shared care package appears %d times: %+v", len(shared), rec.Sections.CarePackages)
	}
	got := []string{shared[0].Provenance.Backend}
	for _, p := range shared[0].AlsoFrom {
		got = append(got, p.Backend)
	}
	if len(got) != 2 || !(got[0] == "Regional ShCR" && got[1] == "Council Two" || got[0] == "Council Two" && got[1] == "Regional ShCR") {
		t.Errorf("provenances = %v, want both regional back ends", got)
	}
	// The package is an Interweave SocialCareService: social care whichever back end relays
	// it (issue 11: the item says its domain, the back end only when the item does not).
	// Both relay a record tagged as another organisation's (York and Scarborough, RCB).
	for _, p := range append([]record.Provenance{shared[0].Provenance}, shared[0].AlsoFrom...) {
		if p.Domain != record.DomainSocialCare || p.Via != p.Backend || p.OrganisationCode != "RCB" {
			t.Errorf("%s: domain %s, via %q, organisation %s", p.Backend, p.Domain, p.Via, p.OrganisationCode)
		}
	}
	// The regional back ends do not serve medications: "not returned", never "none".
	for _, st := range rec.StatusOf(record.SectionMedications) {
		if st.Backend != demo.NameNHS && st.State != record.StateNotSupported {
			t.Errorf("%s medications = %s", st.Backend, st.State)
		}
	}
	if len(rec.Discrepancies) != 1 || rec.Discrepancies[0].Values["Council Two"] != "1901-02-03" ||
		rec.Discrepancies[0].Values["Regional ShCR"] != person.BirthDate {
		t.Errorf("discrepancies = %+v", rec.Discrepancies)
	}
	if demoItems := countFrom(rec, demo.NameNHS); demoItems == 0 {
		t.Error("no items from the demo back end")
	}
}

func countFrom(rec *record.Record, backend string) int {
	n := 0
	for _, st := range rec.SectionStatus {
		if st.Backend == backend {
			n += st.Count
		}
	}
	return n
}

// TestSectionPagingCapAndLoop: a section past MaxEntries says "showing first N" with the
// server's total; a section whose next link loops fails with its own message and keeps what
// was read; the back end's other sections are unaffected.
func TestSectionPagingCapAndLoop(t *testing.T) {
	person := testPerson{NHS: "9434765919", Family: "Paging", Given: "Pat", BirthDate: "1950-01-01", Gender: "female"}
	endless := func(w http.ResponseWriter, r *http.Request) {
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		next := fmt.Sprintf("http://%s%s?page=%d", r.Host, r.URL.Path, page+1)
		b := searchset(next, encounter(fmt.Sprintf("e%d-a", page), "p1", page), encounter(fmt.Sprintf("e%d-b", page), "p1", page))
		var m map[string]any
		json.Unmarshal(b, &m)
		m["total"] = 1000
		b, _ = json.Marshal(m)
		writeFHIR(w, 200, b)
	}
	looping := func(w http.ResponseWriter, r *http.Request) {
		// page 1 → page 2 → page 2 again: a loop.
		page := r.URL.Query().Get("page")
		next := fmt.Sprintf("http://%s%s?page=2", r.Host, r.URL.Path)
		writeFHIR(w, 200, searchset(next, encounter("loop-"+page+"-a", "p1", 1), encounter("loop-"+page+"-b", "p1", 2)))
	}
	rel := map[string]any{"resourceType": "RelatedPerson", "id": "rp1", "patient": map[string]any{"reference": "Patient/p1"},
		"relationship": []any{map[string]any{"coding": []any{map[string]any{"system": "http://terminology.hl7.org/CodeSystem/v2-0131", "code": "N", "display": "Next-of-Kin"}}}},
		"name":         []any{map[string]any{"family": "Paging", "given": []any{"Sam"}}}}
	for _, tc := range []struct {
		name      string
		handler   http.HandlerFunc
		wantState record.SectionState
		wantCount int
		wantError string
		truncated bool
	}{
		{"cap", endless, record.StateTruncated, 5, "", true},
		// A next link that loops is a broken link: the section is truncated, with the
		// entries read kept and the reason said.
		{"loop", looping, record.StateTruncated, 4, "back end Paged sent a next link that loops back to a page already read: showing the 4 entries read", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fs := recordServer(t, person, "p1", map[string]http.HandlerFunc{"Encounter": tc.handler, "RelatedPerson": serveResources(rel)})
			cfg := fs.config("Paged")
			if tc.truncated {
				cfg.MaxEntries = 5
			}
			b, err := New(cfg, Options{})
			if err != nil {
				t.Fatal(err)
			}
			var (
				mu    sync.Mutex
				rec   record.Record
				parts int
			)
			b.Fetch(ctxTimeout(t, 10*time.Second), record.PersonSource{Backend: "Paged", ID: "p1"}, person.NHS,
				[]record.Section{record.SectionEncounters, record.SectionNextOfKin}, func(p record.Part) {
					mu.Lock()
					defer mu.Unlock()
					parts++
					rec.Merge(p)
				})
			enc := rec.StatusOf(record.SectionEncounters)
			if len(enc) != 1 {
				t.Fatalf("encounter statuses = %+v", enc)
			}
			st := enc[0]
			if st.State != tc.wantState || st.Error != tc.wantError {
				t.Errorf("encounters = %+v", st)
			}
			if tc.truncated && (st.Total != 1000 || st.Count != 5 || len(rec.Sections.Encounters) != 5) {
				t.Errorf("cap: total %d count %d items %d", st.Total, st.Count, len(rec.Sections.Encounters))
			}
			if !tc.truncated && (len(rec.Sections.Encounters) != 4 || st.Count != 4) {
				t.Errorf("loop: kept %d encounters (count %d), want the 4 read", len(rec.Sections.Encounters), st.Count)
			}
			nok := rec.StatusOf(record.SectionNextOfKin)
			if len(nok) != 1 || nok[0].State != record.StateReturned || len(rec.Sections.NextOfKin) == 0 {
				t.Errorf("next of kin = %+v, %d items", nok, len(rec.Sections.NextOfKin))
			}
		})
	}
}

// TestOpenCancelledReturnsPromptly: leaving a record while a slow back end is in flight
// returns at once, keeps what arrived, and leaves no goroutine behind.
func TestOpenCancelledReturnsPromptly(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	srv, err := demo.Start(demo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	person := demoPerson(t, srv)
	hang := func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(time.Minute):
		}
	}
	slow := recordServer(t, person, "s1", map[string]http.HandlerFunc{"Encounter": hang, "Flag": hang})
	defer slow.Close()
	fed, err := NewFederation([]config.Backend{demoConfig(t, srv, demo.NameNHS), slow.config("Slow")}, Options{SlowAfter: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	defer fed.Close()
	matches, _ := fed.Search(ctxTimeout(t, 10*time.Second), record.Query{NHSNumber: person.NHS})
	if len(matches) != 1 || len(matches[0].Person.Sources) != 2 {
		t.Fatalf("matches = %+v", matches)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var (
		mu       sync.Mutex
		statuses = map[string]record.BackendStatus{}
		demoDone = make(chan struct{})
	)
	done := make(chan struct{})
	go func() {
		defer close(done)
		fed.Open(ctx, matches[0], record.Sections(), func(record.Part) {}, func(st record.BackendStatus) {
			mu.Lock()
			statuses[st.Name] = st
			mu.Unlock()
			if st.Name == demo.NameNHS {
				close(demoDone)
			}
		})
	}()
	select {
	case <-demoDone:
	case <-time.After(10 * time.Second):
		t.Fatal("the demo back end did not finish while the slow one hung")
	}
	cancel()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		t.Fatal("Open did not return within 2 s of cancellation")
	}
	mu.Lock()
	defer mu.Unlock()
	if st := statuses[demo.NameNHS]; st.Status != record.BackendOK {
		t.Errorf("demo = %+v", st)
	}
	// partial (the quick sections were in before the cancel) or failed (they were not): the
	// timing decides; either way the reason names the cancellation.
	if st := statuses["Slow"]; st.Status != record.BackendPartial && st.Status != record.BackendFailed || !strings.Contains(st.Error, "cancelled") {
		t.Errorf("slow = %+v", st)
	}
}

// TestSignInRequired: a token source that needs an interactive sign-in leaves the back end
// "not queried", with the reason; a 401 is errors.Is ErrSignInRequired.
func TestSignInRequired(t *testing.T) {
	person := testPerson{NHS: "9434765919", Family: "Token", Given: "Tia", BirthDate: "1950-01-01", Gender: "female"}
	fs := recordServer(t, person, "t1", nil)
	fed, err := NewFederation([]config.Backend{fs.config("Secure")}, Options{Tokens: func(string) oauth2.TokenSource { return needSignIn{} }})
	if err != nil {
		t.Fatal(err)
	}
	_, sts := fed.Search(ctxTimeout(t, 10*time.Second), record.Query{NHSNumber: person.NHS})
	if st := sts[0]; st.Status != record.BackendNotQueried || !strings.Contains(st.Error, "sign-in needed") {
		t.Errorf("status = %+v", st)
	}
	if fs.hits.Load() != 0 {
		t.Errorf("the back end was asked without a token")
	}
	he := &HTTPError{Backend: "x", Status: 401}
	if !errors.Is(he, ErrSignInRequired) || !he.Unauthorized() || errors.Is(&HTTPError{Status: 403}, ErrSignInRequired) {
		t.Error("401 is not ErrSignInRequired")
	}
}

type needSignIn struct{}

func (needSignIn) Token() (*oauth2.Token, error) {
	return nil, fmt.Errorf("no refresh token: %w", ErrSignInRequired)
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 3, 12, 10, 0, 0, 0, time.UTC)
	for h, want := range map[string]time.Duration{
		"":                              0,
		"2":                             2 * time.Second,
		"3600":                          10 * time.Second, // capped
		"Thu, 12 Mar 2026 10:00:04 GMT": 4 * time.Second,
		"Thu, 12 Mar 2026 09:00:00 GMT": time.Millisecond, // in the past: at once
		"soon":                          0,
	} {
		if got := parseRetryAfter(h, now); got != want {
			t.Errorf("Retry-After %q = %v, want %v", h, got, want)
		}
	}
}

// TestNewRejectsBadConfig: what only New can find (a URL it cannot use, a CA file it cannot
// read). Kinds and domains are config's enums, checked when the config is loaded.
func TestNewRejectsBadConfig(t *testing.T) {
	for _, tc := range []struct {
		cfg  config.Backend
		want string
	}{
		{config.Backend{Name: "x", URL: "ftp://a.example/fhir"}, `back end x: url "ftp://a.example/fhir" is not an http(s) URL`},
		{config.Backend{Name: "x", URL: "https://a.example/fhir", TLS: config.TLS{CAFile: "/nonexistent/ca.pem"}}, "back end x: tls.ca_file: no such file or directory"},
	} {
		_, err := New(tc.cfg, Options{})
		if err == nil || err.Error() != tc.want {
			t.Errorf("New(%+v) = %v, want %q", tc.cfg, err, tc.want)
		}
	}
}

// TestSlowBackendIsReported: a back end that answers, but slower than SlowAfter, is "slow"
// (with its counts); the quick one is "ok".
func TestSlowBackendIsReported(t *testing.T) {
	person := testPerson{NHS: "9434765919", Family: "Slow", Given: "Sid", BirthDate: "1950-01-01", Gender: "male"}
	arrived, release := make(chan struct{}, 1), make(chan struct{})
	hold := func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		select {
		case <-release:
		case <-r.Context().Done():
			return
		}
		writeFHIR(w, 200, searchset("", encounter("e1", "s1", 1)))
	}
	slow := recordServer(t, person, "s1", map[string]http.HandlerFunc{"Encounter": hold})
	quick := recordServer(t, person, "q1", map[string]http.HandlerFunc{"Encounter": serveResources(encounter("e2", "q1", 2))})
	var mu sync.Mutex
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	fed, err := NewFederation([]config.Backend{slow.config("Slow"), quick.config("Quick")}, Options{SlowAfter: 400 * time.Millisecond, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	defer fed.Close()
	ctx := ctxTimeout(t, 10*time.Second)
	matches, _ := fed.Search(ctx, record.Query{NHSNumber: person.NHS})
	if len(matches) != 1 {
		t.Fatalf("matches = %+v", matches)
	}
	rec := &record.Record{}
	statuses := make(chan record.BackendStatus, 2)
	opened := make(chan struct{})
	go func() {
		defer close(opened)
		fed.Open(ctx, matches[0], []record.Section{record.SectionEncounters},
			func(p record.Part) { mu.Lock(); defer mu.Unlock(); rec.Merge(p) },
			func(st record.BackendStatus) { statuses <- st })
	}()
	next := func() record.BackendStatus {
		t.Helper()
		select {
		case st := <-statuses:
			return st
		case <-ctx.Done():
			t.Fatal("no back end status")
		}
		return record.BackendStatus{}
	}
	// Quick answers while the clock stands still; Slow's request is held until the clock
	// has moved on past SlowAfter.
	if st := next(); st.Name != "Quick" || st.Status != record.BackendOK {
		t.Errorf("Quick = %+v", st)
	}
	select {
	case <-arrived:
	case <-ctx.Done():
		t.Fatal("the slow back end was never asked")
	}
	mu.Lock()
	now = now.Add(600 * time.Millisecond)
	mu.Unlock()
	close(release)
	if st := next(); st.Name != "Slow" || st.Status != record.BackendSlow || st.Counts[record.SectionEncounters] != 1 {
		t.Errorf("Slow = %+v", st)
	}
	<-opened
	if len(rec.Sections.Encounters) != 2 {
		t.Errorf("encounters = %d", len(rec.Sections.Encounters))
	}
}

// TestSearchByDemographicsKeepsUnmatchedPeople: the demo council knows a person with no NHS
// number; a family + birth date search finds them, flagged unmatched, while GP Connect says
// it searches by NHS number only.
func TestSearchByDemographicsKeepsUnmatchedPeople(t *testing.T) {
	srv := startDemo(t, demo.Options{})
	var who demo.Person
	for _, p := range demo.People() {
		if p.NHSNumber == "" {
			who = p
		}
	}
	if who.Family == "" {
		t.Fatal("the demo has no council-only person")
	}
	birth, err := time.Parse("2006-01-02", who.BirthDate)
	if err != nil {
		t.Fatal(err)
	}
	fed, err := NewFederation(srv.Config(), Options{User: testUser, SlowAfter: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	defer fed.Close()
	matches, sts := fed.Search(ctxTimeout(t, 10*time.Second), record.Query{Family: who.Family, BirthDate: birth})
	var un []Match
	for _, m := range matches {
		if m.Unmatched {
			un = append(un, m)
		}
	}
	if len(un) != 1 || un[0].Person.NHSNumber != "" || len(un[0].Person.Sources) != 1 || un[0].Person.Sources[0].Backend != demo.NameCouncil {
		t.Fatalf("unmatched = %+v (all: %+v)", un, matches)
	}
	if st := statusOf(sts, demo.NameCouncil); st.Status != record.BackendOK {
		t.Errorf("council = %+v", st)
	}
	if st := statusOf(sts, demo.NameGP); st.Status != record.BackendNotQueried || !strings.Contains(st.Error, "NHS number only") {
		t.Errorf("GP = %+v", st)
	}
	// Opening the unmatched person asks the council alone and reports the others.
	var (
		mu    sync.Mutex
		rec   record.Record
		names []string
	)
	fed.Open(ctxTimeout(t, 10*time.Second), un[0], record.Sections(), func(p record.Part) {
		mu.Lock()
		defer mu.Unlock()
		rec.Merge(p)
	}, func(st record.BackendStatus) {
		mu.Lock()
		defer mu.Unlock()
		rec.SetBackend(st)
		names = append(names, st.Name+"="+st.Status)
	})
	if len(rec.Backends) != 3 || statusOf(rec.Backends, demo.NameCouncil).Status != record.BackendOK ||
		statusOf(rec.Backends, demo.NameGP).Status != record.BackendNotQueried {
		t.Errorf("open statuses = %v", names)
	}
	if countFrom(&rec, demo.NameCouncil) == 0 {
		t.Error("no council items for the unmatched person")
	}
}

// TestLargeDemoRecordPagesThrough follows the demo's next links through the large record
// (more than 5,000 encounters) and, with a lower cap, says "showing first N" with the
// server's total.
func TestLargeDemoRecordPagesThrough(t *testing.T) {
	srv := startDemo(t, demo.Options{})
	nhs := ""
	for _, p := range demo.People() {
		if strings.Contains(p.Shows, "5,000 encounters") {
			nhs = p.NHSNumber
		}
	}
	if nhs == "" {
		t.Fatal("the demo has no large record")
	}
	// The two reads are independent (one back end each): side by side.
	for _, limit := range []int{0, 1200} {
		t.Run(fmt.Sprint("cap ", limit), func(t *testing.T) {
			t.Parallel()
			cfg := demoConfig(t, srv, demo.NameNHS)
			cfg.MaxEntries = limit
			b, err := New(cfg, Options{})
			if err != nil {
				t.Fatal(err)
			}
			ctx := ctxTimeout(t, 60*time.Second)
			people, err := b.Search(ctx, record.Query{NHSNumber: nhs})
			if err != nil || len(people) != 1 {
				t.Fatalf("search: %v %v", people, err)
			}
			var rec record.Record
			var mu sync.Mutex
			b.Fetch(ctx, people[0].Sources[0], nhs, []record.Section{record.SectionEncounters}, func(p record.Part) {
				mu.Lock()
				defer mu.Unlock()
				rec.Merge(p)
			})
			st := rec.StatusOf(record.SectionEncounters)[0]
			n := len(rec.Sections.Encounters)
			switch limit {
			case 0:
				if st.State != record.StateReturned || n < 5000 || st.Count != n {
					t.Errorf("uncapped: %+v, %d encounters", st, n)
				}
			default:
				if st.State != record.StateTruncated || n != limit || st.Total < 5000 {
					t.Errorf("cap %d: %+v, %d encounters", limit, st, n)
				}
			}
		})
	}
}

// TestReferencesReadWhenIncludesUnsupported: a server that declares no _include still gets
// its care manager's name shown: the client reads the referenced Practitioner. A reference
// it cannot read (404) only loses that detail.
func TestReferencesReadWhenIncludesUnsupported(t *testing.T) {
	person := testPerson{NHS: "9434765919", Family: "Plain", Given: "Pam", BirthDate: "1950-01-01", Gender: "female"}
	prac := readTestdata(t, "UKCore-Practitioner-DoctorPaulRastall-Example.json")
	prac["id"] = "InterweavePractitionerExample"
	delete(prac, "text")
	pracBytes, _ := json.Marshal(prac)
	var (
		mu    sync.Mutex
		reads []string
	)
	read := func(body []byte, status int) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			reads = append(reads, r.URL.Path[strings.LastIndex(r.URL.Path, "/R4/")+4:])
			mu.Unlock()
			if status != 200 {
				writeFHIR(w, status, outcome("error", "not-found", "gone"))
				return
			}
			writeFHIR(w, 200, body)
		}
	}
	fs := recordServer(t, person, "p1", map[string]http.HandlerFunc{
		"EpisodeOfCare": serveResources(interweaveEpisode(t, "p1")),
		"Practitioner/InterweavePractitionerExample":         read(pracBytes, 200),
		"Organization/InterweaveOrganizationalTeamExampleMS": read(nil, 404),
		"Practitioner": nil, "Organization": nil, // declared in the CapabilityStatement
	})
	b, err := New(fs.config("Plain"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var rec record.Record
	b.Fetch(ctxTimeout(t, 10*time.Second), record.PersonSource{Backend: "Plain", ID: "p1"}, person.NHS,
		[]record.Section{record.SectionCarePackages}, func(p record.Part) { rec.Merge(p) })
	st := rec.StatusOf(record.SectionCarePackages)
	if len(st) != 1 || st[0].State != record.StateReturned || len(rec.Sections.CarePackages) != 1 {
		t.Fatalf("care packages = %+v %+v", st, rec.Sections.CarePackages)
	}
	if cm := rec.Sections.CarePackages[0].CareManager; !strings.Contains(cm, "Rastall") {
		t.Errorf("care manager = %q, want the Practitioner read (Rastall), not the reference's display", cm)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(reads) != 2 {
		t.Errorf("reads = %v, want the Practitioner and the Organization", reads)
	}
}

// TestSectionRefusalCarriesHTTPStatus: a section the server refuses (403) fails on its own
// with the status code recorded, so the audit trail and the sign-in prompt need not read
// the message; the back end's other sections still arrive.
func TestSectionRefusalCarriesHTTPStatus(t *testing.T) {
	person := testPerson{NHS: "9434765919", Family: "Refused", Given: "Pat", BirthDate: "1950-01-01", Gender: "female"}
	for _, code := range []int{401, 403} {
		refuse := func(w http.ResponseWriter, r *http.Request) {
			writeFHIR(w, code, []byte(`{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"forbidden","diagnostics":"not for you"}]}`))
		}
		rel := map[string]any{"resourceType": "RelatedPerson", "id": "rp1", "patient": map[string]any{"reference": "Patient/p1"},
			"name": []any{map[string]any{"family": "Refused", "given": []any{"Sam"}}}}
		fs := recordServer(t, person, "p1", map[string]http.HandlerFunc{"Encounter": refuse, "RelatedPerson": serveResources(rel)})
		rec := fetchRecord(t, fs.config("Strict"), person.NHS, record.SectionEncounters, record.SectionNextOfKin)
		enc := rec.StatusOf(record.SectionEncounters)
		if len(enc) != 1 || enc[0].State != record.StateFailed || enc[0].HTTPStatus != code {
			t.Errorf("%d: encounters = %+v", code, enc)
		}
		nok := rec.StatusOf(record.SectionNextOfKin)
		if len(nok) != 1 || nok[0].State != record.StateReturned || nok[0].HTTPStatus != 0 {
			t.Errorf("%d: next of kin = %+v", code, nok)
		}
	}
}
