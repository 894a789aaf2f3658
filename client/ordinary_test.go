package client

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shcr-project/shcr/client/record"
	"github.com/shcr-project/shcr/config"
	"github.com/shcr-project/shcr/internal/fhirtest"
)

// The UK Core example patient, whom most published UK Core examples are about.
const ukCoreNHSNumber = "9912003888"

var publishedCorpus = filepath.Join("..", "internal", "fhirtest", "testdata", "published")

// openOnOrdinaryServer serves the published corpus from an ordinary FHIR server with the
// given CapabilityStatement, configures one shcr back end on it, and opens the UK Core
// example patient's record with every section.
func openOnOrdinaryServer(t *testing.T, opts fhirtest.Options) (*record.Record, *fhirtest.Server) {
	t.Helper()
	c := opts.Capability
	srv := fhirtest.StartDir(t, opts, publishedCorpus)
	cfg := config.Backend{Name: "Ordinary", Kind: config.KindFHIRR4, URL: srv.URL, Domain: "health", Timeout: 10 * time.Second}
	fed, err := NewFederation([]config.Backend{cfg}, Options{SlowAfter: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fed.Close)
	rec, found := fed.Fetch(ctxTimeout(t, 30*time.Second), ukCoreNHSNumber, record.Sections())
	if !found {
		t.Fatalf("%s statement: the UK Core example patient was not found: %+v", c, rec.Backends)
	}
	return rec, srv
}

// sectionCounts is how many items each section of the record holds.
func sectionCounts(s record.SectionsData) map[string]int {
	return map[string]int{
		"care packages": len(s.CarePackages), "referrals and orders": len(s.Referrals), "care team": len(s.CareTeam),
		"medications": len(s.Medications), "allergies": len(s.Allergies), "next of kin": len(s.NextOfKin),
		"encounters": len(s.Encounters), "notes": len(s.Notes), "alerts": len(s.Alerts),
	}
}

// sectionsJSON is the record's sections as JSON, each list in a fixed order (by its items'
// JSON): items arrive in the order the concurrent searches answer, which is not content.
func sectionsJSON(t *testing.T, rec *record.Record) string {
	t.Helper()
	raw, err := json.Marshal(rec.Sections)
	if err != nil {
		t.Fatal(err)
	}
	var lists map[string][]json.RawMessage
	if err := json.Unmarshal(raw, &lists); err != nil {
		t.Fatal(err)
	}
	for _, items := range lists {
		slices.SortFunc(items, func(a, b json.RawMessage) int { return strings.Compare(string(a), string(b)) })
	}
	out, err := json.Marshal(lists) // map keys are sorted
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// sectionStates is each section's state ("allergies: not-supported").
func sectionStates(rec *record.Record) []string {
	var out []string
	for _, st := range rec.SectionStatus {
		out = append(out, string(st.Section)+": "+string(st.State))
	}
	return out
}

// TestOrdinaryServerCompleteAndIncompleteStatements: the same published data, served by an
// ordinary FHIR server whose CapabilityStatement is complete and by one whose statement is
// incomplete (it declares Patient alone of the types it serves, and declares DeviceRequest,
// which it refuses), gives the same record: a CapabilityStatement is advice, not truth
// (issue 11, point 1). Section states may differ (the refused type); the sections may not.
func TestOrdinaryServerCompleteAndIncompleteStatements(t *testing.T) {
	complete, _ := openOnOrdinaryServer(t, fhirtest.Options{Capability: fhirtest.Complete})
	incomplete, incSrv := openOnOrdinaryServer(t, fhirtest.Options{Capability: fhirtest.Incomplete})

	// Where the corpus holds the patient's data, the record shows it: allergies (UK Core
	// AllergyIntolerance examples), medications (MedicationStatement, MedicationRequest),
	// next of kin (RelatedPerson Joy Smith, Patient.contact), encounters (the inpatient
	// Encounter), notes (DocumentReference), alerts (Flag), care team (CareTeam), and care
	// packages or referrals and orders (EpisodeOfCare, CarePlan, ServiceRequest: which list
	// an item belongs in is the mapping's decision, so the two are counted together).
	nonEmpty := func(name string, rec *record.Record) {
		t.Helper()
		n := sectionCounts(rec.Sections)
		for _, sec := range []string{"allergies", "medications", "next of kin", "encounters", "notes", "alerts", "care team"} {
			if n[sec] == 0 {
				t.Errorf("%s statement: %s is empty, the corpus has the patient's data for it (states %q)", name, sec, sectionStates(rec))
			}
		}
		if n["care packages"]+n["referrals and orders"] == 0 {
			t.Errorf("%s statement: neither care packages nor referrals and orders hold the patient's EpisodeOfCare, CarePlan and ServiceRequests", name)
		}
	}
	nonEmpty("complete", complete)

	// The record's sections, section states aside, are the same.
	if sectionsJSON(t, complete) != sectionsJSON(t, incomplete) {
		t.Errorf("the record differs with an incomplete CapabilityStatement:\n complete   %v\n incomplete %v\nrequests to the incomplete server: %q",
			sectionCounts(complete.Sections), sectionCounts(incomplete.Sections), incSrv.Requests())
	}
	nonEmpty("incomplete", incomplete)
	if complete.Person.NHSNumber != ukCoreNHSNumber || incomplete.Person.NHSNumber != ukCoreNHSNumber {
		t.Errorf("person: %q, %q", complete.Person.NHSNumber, incomplete.Person.NHSNumber)
	}
}

// The comparison above is sound: a statement that declares every served type and also a
// type the server refuses gives the very same sections (nothing in them depends on the
// server, the time or the order of answers).
func TestOrdinaryServerRefusedDeclaredType(t *testing.T) {
	complete, _ := openOnOrdinaryServer(t, fhirtest.Options{Capability: fhirtest.Complete})
	refusing, _ := openOnOrdinaryServer(t, fhirtest.Options{Capability: fhirtest.Incomplete, Omit: []string{}, Refuse: []string{"DeviceRequest"}})
	if a, b := sectionsJSON(t, complete), sectionsJSON(t, refusing); a != b {
		t.Errorf("sections differ:\n complete %v\n refusing %v", sectionCounts(complete.Sections), sectionCounts(refusing.Sections))

	}
	for _, rec := range []*record.Record{complete, refusing} {
		for _, st := range rec.SectionStatus {
			if st.State != record.StateReturned {
				t.Errorf("%s: %s %s", st.Section, st.State, st.Error)
			}
		}
	}
}
