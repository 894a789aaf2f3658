package client

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shcr-project/shcr/config"
	"github.com/shcr-project/shcr/internal/fhirtest"
	"github.com/shcr-project/shcr/record"
)

// The UK Core example patient, whom most published UK Core examples are about.
const ukCoreNHSNumber = "9912003888"

var publishedCorpus = filepath.Join("..", "internal", "fhirtest", "testdata", "published")

// ordinaryFederation serves the published corpus from an ordinary FHIR server with the
// given CapabilityStatement and configures one shcr back end on it.
func ordinaryFederation(t *testing.T, opts fhirtest.Options) (*Federation, *fhirtest.Server) {
	t.Helper()
	srv := fhirtest.StartDir(t, opts, publishedCorpus)
	cfg := config.Backend{Name: "Ordinary", Kind: config.KindFHIRR4, URL: srv.URL, Domain: "health", Timeout: 10 * time.Second}
	fed, err := NewFederation([]config.Backend{cfg}, Options{SlowAfter: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fed.Close)
	return fed, srv
}

// openOnOrdinaryServer opens the UK Core example patient's record, every section.
func openOnOrdinaryServer(t *testing.T, opts fhirtest.Options) (*record.Record, *fhirtest.Server) {
	t.Helper()
	fed, srv := ordinaryFederation(t, opts)
	rec, found := fed.Fetch(ctxTimeout(t, 30*time.Second), ukCoreNHSNumber, record.Sections())
	if !found {
		t.Fatalf("%s statement: the UK Core example patient was not found: %+v", opts.Capability, rec.Backends)
	}
	return rec, srv
}

// openInterweavePerson opens the Interweave examples' person, Jane BLOGGS born 27-Jan-1992
// (the published NHS number has 9 digits, so she is found by name and birth date), every
// section, as Federation.Fetch does for an NHS number.
func openInterweavePerson(t *testing.T, opts fhirtest.Options) *record.Record {
	t.Helper()
	fed, _ := ordinaryFederation(t, opts)
	ctx := ctxTimeout(t, 30*time.Second)
	matches, sts := fed.Search(ctx, record.Query{Family: "Bloggs", BirthDate: time.Date(1992, 1, 27, 0, 0, 0, 0, time.UTC)})
	if len(matches) != 1 {
		t.Fatalf("%s statement: %d people found for Jane Bloggs: %+v", opts.Capability, len(matches), sts)
	}
	return fed.OpenRecord(ctx, matches[0], record.Sections())
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
	// The corpus's only Provenance naming an organisation targets its Consent (UK Core
	// RARecordConsent); a server that does not declare _revinclude is not asked for it, so the
	// consent's organisation is the back end's there. Compared without its provenance.
	for i, c := range lists["consent"] {
		var m map[string]any
		if json.Unmarshal(c, &m) == nil {
			delete(m, "provenance")
			lists["consent"][i], _ = json.Marshal(m)
		}
	}
	for _, items := range lists {
		slices.SortFunc(items, func(a, b json.RawMessage) int { return strings.Compare(string(a), string(b)) })
	}
	out, err := json.MarshalIndent(lists, "", " ") // map keys are sorted; one field a line, so a difference is easy to point at
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
	if a, b := sectionsJSON(t, complete), sectionsJSON(t, incomplete); a != b {
		t.Errorf("the record differs with an incomplete CapabilityStatement:\n complete   %v\n incomplete %v\n%s\nrequests to the incomplete server: %q",
			sectionCounts(complete.Sections), sectionCounts(incomplete.Sections), firstDifference(a, b), incSrv.Requests())
	}
	nonEmpty("incomplete", incomplete)

	// The Interweave (Yorkshire and Humber) examples' person: social care service,
	// key-holder contact, allergies, a diet Flag, emergency attendances.
	iwComplete := openInterweavePerson(t, fhirtest.Options{Capability: fhirtest.Complete})
	iwIncomplete := openInterweavePerson(t, fhirtest.Options{Capability: fhirtest.Incomplete})
	n := sectionCounts(iwComplete.Sections)
	for _, sec := range []string{"allergies", "alerts", "encounters", "next of kin"} {
		if n[sec] == 0 {
			t.Errorf("Interweave person, complete statement: %s is empty (states %q)", sec, sectionStates(iwComplete))
		}
	}
	if n["care packages"]+n["referrals and orders"] == 0 {
		t.Errorf("Interweave person, complete statement: the social care service is not shown (states %q)", sectionStates(iwComplete))
	}
	if a, b := sectionsJSON(t, iwComplete), sectionsJSON(t, iwIncomplete); a != b {
		t.Errorf("Interweave person: the record differs with an incomplete CapabilityStatement:\n complete   %v\n incomplete %v\n%s",
			n, sectionCounts(iwIncomplete.Sections), firstDifference(a, b))
	}
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
		t.Errorf("sections differ:\n complete %v\n refusing %v\n%s", sectionCounts(complete.Sections), sectionCounts(refusing.Sections), firstDifference(a, b))

	}
	refusingOpts := fhirtest.Options{Capability: fhirtest.Incomplete, Omit: []string{}, Refuse: []string{"DeviceRequest"}}
	iwComplete := openInterweavePerson(t, fhirtest.Options{Capability: fhirtest.Complete})
	iwRefusing := openInterweavePerson(t, refusingOpts)
	if a, b := sectionsJSON(t, iwComplete), sectionsJSON(t, iwRefusing); a != b {
		t.Errorf("Interweave person: sections differ:\n complete %v\n refusing %v\n%s", sectionCounts(iwComplete.Sections), sectionCounts(iwRefusing.Sections), firstDifference(a, b))
	}
	for _, rec := range []*record.Record{complete, refusing, iwComplete, iwRefusing} {
		for _, st := range rec.SectionStatus {
			// The server answers every search a client makes: nothing fails. (A client that
			// asks the refused DeviceRequest is told not-supported, which is allowed.)
			if st.State != record.StateReturned && st.State != record.StateNotSupported {
				t.Errorf("%s: %s %s", st.Section, st.State, st.Error)
			}
		}
	}
}

// firstDifference shows where two JSON texts first differ, with a few lines of context.
func firstDifference(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) && i < len(bl); i++ {
		if al[i] != bl[i] {
			from := max(0, i-4)
			return fmt.Sprintf("first difference at line %d:\n%s\n- %s\n+ %s", i+1, strings.Join(al[from:i], "\n"), al[i], bl[i])
		}
	}
	return fmt.Sprintf("one is a prefix of the other (%d and %d lines)", len(al), len(bl))
}
