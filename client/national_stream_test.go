package client

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shcr-project/shcr/config"
	"github.com/shcr-project/shcr/internal/demo"
	gated "github.com/shcr-project/shcr/internal/gate"
	"github.com/shcr-project/shcr/record"
)

// gatedNational runs the demo back ends with the national services (PDS, NRL) and the named
// regional back ends behind gates that hold their requests until the test opens them.
func gatedNational(t *testing.T, held ...string) (*Federation, map[string]*gated.Gate) {
	t.Helper()
	srv := startDemo(t, demo.Options{National: true})
	gates := map[string]*gated.Gate{}
	var cfgs []config.Backend
	for _, c := range srv.Config() {
		if slices.Contains(held, c.Name) {
			g, err := gated.New(c.URL)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(g.Close)
			c.URL, gates[c.Name] = g.URL, g
		}
		cfgs = append(cfgs, c)
	}
	fed, err := NewFederation(cfgs, testUserOptions())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fed.Close)
	return fed, gates
}

// testUserOptions sign in a member of staff (GP Connect names them) of organisation DMX01.
func testUserOptions() Options {
	return Options{User: config.User{Name: "Dr Test User", ID: "999999999999", Role: "R8000", Organisation: "DMX01"},
		Now: func() time.Time { return demo.ReferenceDate }, Sleep: (&sleeps{}).Sleep}
}

func backendStatus(sts []record.BackendStatus, name string) (record.BackendStatus, bool) {
	i := slices.IndexFunc(sts, func(s record.BackendStatus) bool { return s.Name == name })
	if i < 0 {
		return record.BackendStatus{}, false
	}
	return sts[i], true
}

// With PDS configured, one slow regional back end does not hold the search or the open: the
// NHS number is verified by PDS first, the person is shown as soon as PDS and the other
// regional back ends have answered, the record opens with them, and the held council is read
// when its search answers.
func TestNationalFindStreamsPastASlowBackEnd(t *testing.T) {
	fed, gates := gatedNational(t, demo.NameCouncil)
	const nhs = demo.NHSWithPointers // Marchbank: a care package at the council
	find := fed.Find(ctxTimeout(t, 30*time.Second), record.Query{NHSNumber: nhs})
	<-gates[demo.NameCouncil].Arrived()
	u := untilOnly(t, find, demo.NameCouncil)
	if len(u.Matches) != 1 || u.Matches[0].Person.NHSNumber != nhs {
		t.Fatalf("matches while the council is held: %+v", u.Matches)
	}
	if st := u.Statuses[0]; st.Name != demo.NamePDS || st.Status != record.BackendOK {
		t.Errorf("PDS's status first: %+v", u.Statuses)
	}
	if st, _ := backendStatus(u.Statuses, demo.NameCouncil); st.Status != string(record.StateLoading) {
		t.Errorf("the council while held: %+v", st)
	}
	m := u.Matches[0]
	if m.national == nil || m.national.identity == nil || !m.national.identity.Verified || !m.national.regional {
		t.Fatalf("the match is not PDS's verified person: %+v", m.national)
	}
	if got := m.Pending(); !slices.Equal(got, []string{demo.NameCouncil}) {
		t.Errorf("Pending = %v", got)
	}
	if !slices.ContainsFunc(m.Person.Sources, func(s record.PersonSource) bool { return s.Backend == demo.NameNHS }) {
		t.Errorf("the NHS back end's answer is not joined with PDS's: %+v", m.Person.Sources)
	}

	o := openAsync(ctxTimeout(t, 30*time.Second), fed, m)
	o.until(t, "the NHS and GP back ends and the national services", func() bool {
		for _, b := range []string{demo.NameNHS, demo.NameGP, demo.NamePDS, demo.NameNRL} {
			if _, ok := o.backends[b]; !ok {
				return false
			}
		}
		return true
	})
	o.mu.Lock()
	if _, ok := o.backends[demo.NameCouncil]; ok {
		t.Error("the council's status before its search answered")
	}
	if o.rec.Identity == nil || !o.rec.Identity.Verified || o.rec.Locator == nil || len(o.rec.Locator.Pointers) != 2 {
		t.Errorf("identity %+v locator %+v", o.rec.Identity, o.rec.Locator)
	}
	if o.rec.Count(record.SectionNextOfKin) == 0 {
		t.Error("no next of kin from the NHS back end while the council was held")
	}
	o.mu.Unlock()

	gates[demo.NameCouncil].Open()
	<-o.done
	if !slices.ContainsFunc(o.rec.Sections.CarePackages, func(c record.CarePackage) bool { return c.Provider == "Brightwater Home Care Ltd" }) {
		t.Error("the council's care package did not fill in")
	}
	if st := o.backends[demo.NameCouncil]; st.Status != record.BackendOK && st.Status != record.BackendSlow {
		t.Errorf("council status %+v", st)
	}
	everySectionOnce(t, o, []string{demo.NameNHS, demo.NameCouncil, demo.NameGP, demo.NamePDS, demo.NameNRL})
	if u := find.Wait(); !u.Done() || len(u.Matches) != 1 || len(u.Statuses) != 4 {
		t.Errorf("the whole search: %d matches, statuses %+v", len(u.Matches), u.Statuses)
	}
}

// PDS alone is enough to show and open the person it verified: every regional back end held,
// the match is there, the record opens with its identity, and the regional sections fill in
// once the gates open.
func TestNationalFindPDSAloneOpens(t *testing.T) {
	fed, gates := gatedNational(t, demo.NameNHS, demo.NameCouncil, demo.NameGP)
	find := fed.Find(ctxTimeout(t, 30*time.Second), record.Query{NHSNumber: demo.NHSSuperseded})
	u, err := find.Next(ctxTimeout(t, 20*time.Second), 0)
	if err != nil || u.Answered != 1 || len(u.Pending) != 3 {
		t.Fatalf("after PDS: answered %d pending %v err %v", u.Answered, u.Pending, err)
	}
	if len(u.Matches) != 1 || u.Matches[0].Person.NHSNumber != demo.NHSReplacedBy || !u.Matches[0].replaces(demo.NHSSuperseded) {
		t.Fatalf("PDS's person under the new number: %+v", u.Matches)
	}
	m := u.Matches[0]
	if got := m.Pending(); !slices.Equal(got, []string{demo.NameNHS, demo.NameCouncil, demo.NameGP}) {
		t.Errorf("Pending = %v", got)
	}
	o := openAsync(ctxTimeout(t, 30*time.Second), fed, m)
	o.until(t, "PDS's identity", func() bool { _, ok := o.backends[demo.NamePDS]; return ok && o.rec.Identity != nil })
	o.mu.Lock()
	if !slices.Equal(o.rec.Identity.Superseded, []string{demo.NHSSuperseded}) || o.rec.Count(record.SectionAllergies) != 0 {
		t.Errorf("identity %+v, allergies before any regional answer %d", o.rec.Identity, o.rec.Count(record.SectionAllergies))
	}
	o.mu.Unlock()
	for _, g := range gates {
		g.Open()
	}
	<-o.done
	if o.rec.Count(record.SectionAllergies) == 0 {
		t.Error("no allergies read under the new number once the gates opened")
	}
	everySectionOnce(t, o, []string{demo.NameNHS, demo.NameCouncil, demo.NameGP})
}

// A name search: the regional back ends search beside the trace; a traced person opens while
// a regional back end is still held (PDS reads the person, the regional back ends are asked
// again with the verified number, each read as its search answers).
func TestNationalTraceOpensPastASlowBackEnd(t *testing.T) {
	fed, gates := gatedNational(t, demo.NameCouncil)
	find := fed.Find(ctxTimeout(t, 30*time.Second), record.Query{Family: "Marchbank", BirthDate: time.Date(1938, 4, 14, 0, 0, 0, 0, time.UTC)})
	u := untilOnly(t, find, demo.NameCouncil)
	if len(u.Matches) != 1 || u.Matches[0].national == nil || u.Matches[0].national.person == nil {
		t.Fatalf("traced match while the council is held: %+v", u.Matches)
	}
	o := openAsync(ctxTimeout(t, 30*time.Second), fed, u.Matches[0])
	o.until(t, "the NHS and GP back ends", func() bool {
		_, a := o.backends[demo.NameNHS]
		_, b := o.backends[demo.NameGP]
		return a && b
	})
	o.mu.Lock()
	if o.rec.Identity == nil || !o.rec.Identity.Verified {
		t.Errorf("identity %+v", o.rec.Identity)
	}
	if _, ok := o.backends[demo.NameCouncil]; ok {
		t.Error("the council answered through its gate")
	}
	o.mu.Unlock()
	gates[demo.NameCouncil].Open()
	<-o.done
	if !slices.ContainsFunc(o.rec.Sections.CarePackages, func(c record.CarePackage) bool { return c.Provider == "Brightwater Home Care Ltd" }) {
		t.Error("the council's care package did not fill in")
	}
	everySectionOnce(t, o, []string{demo.NameNHS, demo.NameCouncil, demo.NameGP})
}

// The national back ends are in the record's back end list, in config order, as visible as a
// regional one: ok when they answered, failed when they failed; they never make a section
// unchecked (they hold no care records).
func TestNationalBackEndsInTheStatusList(t *testing.T) {
	f, _ := nationalFed(t, "DMX01")
	rec, found := f.Fetch(context.Background(), demo.NHSWithPointers, record.Sections())
	if !found {
		t.Fatal("not found")
	}
	var names []string
	for _, b := range rec.Backends {
		names = append(names, b.Name)
	}
	if want := []string{demo.NameNHS, demo.NameCouncil, demo.NameGP, demo.NamePDS, demo.NameNRL}; !slices.Equal(names, want) {
		t.Errorf("back ends %v, want %v", names, want)
	}
	for _, n := range []string{demo.NamePDS, demo.NameNRL} {
		if st, _ := backendStatus(rec.Backends, n); st.Status != record.BackendOK || st.Kind == "" {
			t.Errorf("%s: %+v", n, st)
		}
	}
	for _, sec := range record.Sections() {
		for _, u := range rec.Coverage(sec).Unchecked {
			if u.Backend == demo.NamePDS || u.Backend == demo.NameNRL {
				t.Errorf("%s unchecked because of %s", sec, u.Backend)
			}
		}
	}

	// A PDS that fails is a failed back end in the list, and the identity says why.
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/fhir+json")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte(`{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"exception","diagnostics":"spine unavailable"}]}`))
	}))
	t.Cleanup(down.Close)
	srv := startDemo(t, demo.Options{National: true})
	var cfgs []config.Backend
	for _, c := range srv.Config() {
		if c.Name == demo.NamePDS {
			c.URL = down.URL
		}
		cfgs = append(cfgs, c)
	}
	failing, err := NewFederation(cfgs, testUserOptions())
	if err != nil {
		t.Fatal(err)
	}
	rec, found = failing.Fetch(context.Background(), demo.NHSWithPointers, []record.Section{record.SectionAllergies})
	if !found || rec.Identity == nil || rec.Identity.State != record.IdentityFailed {
		t.Fatalf("found %v identity %+v", found, rec.Identity)
	}
	if st, ok := backendStatus(rec.Backends, demo.NamePDS); !ok || st.Status != record.BackendFailed || st.Error == "" {
		t.Errorf("a failing PDS in the list: %+v", rec.Backends)
	}
	if st, _ := backendStatus(rec.Backends, demo.NameNRL); st.Status != record.BackendOK {
		t.Errorf("NRL: %+v", st)
	}
	if len(rec.Sections.Allergies) == 0 || !rec.Coverage(record.SectionAllergies).Checked() {
		t.Errorf("allergies with PDS down: %d, coverage %+v", len(rec.Sections.Allergies), rec.Coverage(record.SectionAllergies))
	}
	// A number PDS does not know: not known, as a regional back end that does not know them.
	_, sts := f.Search(context.Background(), record.Query{NHSNumber: "9111231130"})
	if st, _ := backendStatus(sts, demo.NamePDS); st.Status != record.BackendNotKnown {
		t.Errorf("PDS not knowing the number: %+v", st)
	}
}

// PDS's NHS record sharing dissent (NCRS) is an objection to sharing from every care record:
// everything the regional records hold is withheld until emergency access reveals it; the
// demographics service's own key reveals them all.
func TestPDSRecordSharingDissentWithholdsEveryRecord(t *testing.T) {
	f, _ := gatedNational(t)
	rec, found := f.Fetch(context.Background(), demo.NCRSDissentNHS, []record.Section{record.SectionAllergies, record.SectionMedications, record.SectionConsent})
	if !found {
		t.Fatal("not found")
	}
	i := slices.IndexFunc(rec.Sections.Consent, func(c record.ConsentRecord) bool { return c.Kind == record.ConsentNCRS })
	if i < 0 {
		t.Fatalf("no NCRS dissent in the consent section: %+v", rec.Sections.Consent)
	}
	c := rec.Sections.Consent[i]
	if !c.National || c.Provenance.Backend != demo.NamePDS || c.Decision != record.DecisionDeny || !c.EmergencyOnly {
		t.Errorf("dissent %+v", c)
	}
	now := demo.ReferenceDate
	if got := rec.ObjectedBackends(now); !slices.Contains(got, demo.NameNHS) || !slices.Contains(got, demo.NameGP) || slices.Contains(got, demo.NamePDS) {
		t.Errorf("objected back ends %v", got)
	}
	keys := rec.ObjectionKeys(now)
	if !slices.Contains(keys, record.RevealObjectionKey(demo.NamePDS)) {
		t.Errorf("keys %v", keys)
	}
	masked := rec.Masked(func(string) bool { return false })
	if len(masked.Sections.Allergies) == 0 || len(masked.Sections.Medications) == 0 {
		t.Fatalf("nothing to withhold: %+v", masked.Sections)
	}
	for _, a := range masked.Sections.Allergies {
		if a.Withheld != record.WithheldObjection || a.Substance != "" {
			t.Errorf("allergy shown under a national dissent: %+v", a)
		}
	}
	if len(masked.EmergencyAccess) != 0 {
		t.Errorf("emergency access without a reveal: %v", masked.EmergencyAccess)
	}
	// The holder's key alone (as a break glass before a late back end answered) shows them all.
	shown := rec.Masked(func(k string) bool { return k == record.RevealObjectionKey(demo.NamePDS) })
	for _, a := range shown.Sections.Allergies {
		if a.Withheld != "" || a.Substance == "" {
			t.Errorf("allergy withheld after emergency access: %+v", a)
		}
	}
	if !slices.Contains(shown.EmergencyAccess, demo.NameNHS) {
		t.Errorf("emergency access %v", shown.EmergencyAccess)
	}
	if st, _ := backendStatus(rec.Backends, demo.NamePDS); st.Status != record.BackendOK {
		t.Errorf("PDS status %+v", st)
	}
	if cov := rec.Coverage(record.SectionConsent); !slices.Contains(cov.Complete, demo.NamePDS) {
		t.Errorf("PDS's consent answer not counted: %+v", cov)
	}
	// Without the national services nothing says so: the test above proves something.
	plain, _ := NewFederation(startDemo(t, demo.Options{}).Config(), testUserOptions())
	p, _ := plain.Fetch(context.Background(), demo.NCRSDissentNHS, []record.Section{record.SectionAllergies, record.SectionConsent})
	if len(p.Objections(now)) != 0 || p.Masked(func(string) bool { return false }).Sections.Allergies[0].Withheld != "" {
		t.Errorf("without PDS: objections %+v", p.Objections(now))
	}
	if strings.Contains(strings.Join(p.ObjectionKeys(now), ","), demo.NamePDS) {
		t.Error("a PDS key without PDS")
	}
}

// A national flags service is asked by NHS number only: it is not searched, so the search
// has no "not known" status for it (it would find nobody), and the open still reads it.
func TestFlagsServiceNotInTheSearchStatuses(t *testing.T) {
	_, fed := flagsFederation(t)
	matches, sts := fed.Search(ctxTimeout(t, 20*time.Second), record.Query{NHSNumber: demo.FlagsChildNHS})
	if _, ok := backendStatus(sts, demo.NameFlags); ok || len(matches) != 1 {
		t.Fatalf("flags service in the search statuses %+v, matches %d", sts, len(matches))
	}
	if _, ok := backendStatus(sts, demo.NameNHS); !ok {
		t.Errorf("the NHS back end's search status is missing: %+v", sts)
	}
	rec := fed.OpenRecord(ctxTimeout(t, 20*time.Second), matches[0], []record.Section{record.SectionAlerts})
	if st, ok := backendStatus(rec.Backends, demo.NameFlags); !ok || st.Status != record.BackendOK {
		t.Errorf("the flags service at open: %+v", rec.Backends)
	}
	if len(rec.NationalFlags(demo.ReferenceDate)) == 0 {
		t.Error("no national flag read at open")
	}
}
