package client

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/shcr-project/shcr/config"
	"github.com/shcr-project/shcr/record"
)

// The tests in this file serve published UK Core examples (testdata/states) from loopback
// FHIR servers whose CapabilityStatement is incomplete or wrong, and check that every
// section ends in the one state the server's answers call for.

var statePerson = testPerson{NHS: "9434765919", Family: "State", Given: "Sam", BirthDate: "1950-01-01", Gender: "female"}

// amoxicillin is the UK Core amoxicillin allergy, about patientRef, with the given id.
func amoxicillin(t *testing.T, id, patientRef string) map[string]any {
	t.Helper()
	m := readTestdata(t, "states/UKCore-AllergyIntolerance-Amoxicillin-Example.json")
	m["id"] = id
	m["patient"] = map[string]any{"reference": patientRef}
	delete(m, "text")
	delete(m, "encounter")
	return m
}

// inpatient is the UK Core inpatient encounter, about subject (nil: no subject at all).
func inpatient(t *testing.T, id string, subject map[string]any) map[string]any {
	t.Helper()
	m := readTestdata(t, "states/UKCore-Encounter-InpatientEncounter-Example.json")
	m["id"] = id
	m["identifier"] = []any{map[string]any{"system": "https://tools.ietf.org/html/rfc4122", "value": "enc-" + id}}
	delete(m, "text")
	delete(m, "subject")
	if subject != nil {
		m["subject"] = subject
	}
	return m
}

// withBundle changes a searchset's JSON (total, extra entries) before it is sent.
func withBundle(body []byte, change func(m map[string]any)) []byte {
	var m map[string]any
	json.Unmarshal(body, &m)
	change(m)
	out, _ := json.Marshal(m)
	return out
}

// stateServer serves the person as Patient p1 with the given CapabilityStatement; every
// other path goes to types (by the path after the base), else 404.
func stateServer(t *testing.T, caps []byte, types map[string]http.HandlerFunc) *fhirServer {
	t.Helper()
	pat := patientJSON(t, statePerson, "p1")
	patBytes, _ := json.Marshal(pat)
	return newFHIRServer(t, caps, func(w http.ResponseWriter, r *http.Request) {
		path := r.URL.Path[strings.Index(r.URL.Path, "/fhir/R4/")+len("/fhir/R4/"):]
		switch {
		case types[path] != nil:
			types[path](w, r)
		case path == "Patient":
			writeFHIR(w, 200, searchset("", pat))
		case path == "Patient/p1":
			writeFHIR(w, 200, patBytes)
		default:
			writeFHIR(w, 404, outcome("error", "not-supported", "Unknown resource type"))
		}
	})
}

// fetchOne asks one back end for the sections and merges what it emits.
func fetchOne(t *testing.T, cfg config.Backend, ids []string, sections ...record.Section) *record.Record {
	t.Helper()
	return fetchSources(t, cfg, statePerson.NHS, ids, 20*time.Second, sections...)
}

func oneStatus(t *testing.T, rec *record.Record, sec record.Section) record.SectionStatus {
	t.Helper()
	sts := rec.StatusOf(sec)
	if len(sts) != 1 {
		t.Fatalf("%s: %d statuses, want exactly 1: %+v", sec, len(sts), sts)
	}
	return sts[0]
}

func status(code int, body []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { writeFHIR(w, code, body) }
}

// TestEverySectionTypeIsAsked: the CapabilityStatement is advice. A type it leaves out is
// asked anyway; a type the server refuses makes the section not-supported with the reason;
// other failures are failed, timed-out or truncated; a partly refused section that
// otherwise answered is returned with a warning naming what was refused.
func TestEverySectionTypeIsAsked(t *testing.T) {
	allergy := func(t *testing.T) map[string]any { return amoxicillin(t, "a1", "Patient/p1") }
	entries := func(t *testing.T, next string) []byte {
		return searchset(next, allergy(t))
	}
	for _, tc := range []struct {
		name      string
		caps      []byte
		allergies func(t *testing.T) http.HandlerFunc
		timeout   time.Duration
		state     record.SectionState
		count     int
		total     int
		errText   string // the status's Error contains this ("" = must be empty)
		warning   string // a warning contains this
		http      int
	}{
		{name: "not declared, served", caps: capsJSON("Patient"), state: record.StateReturned, count: 1,
			allergies: func(t *testing.T) http.HandlerFunc { return status(200, entries(t, "")) }},
		{name: "no statement at all", caps: []byte(`{"resourceType":"OperationOutcome"}`), state: record.StateReturned, count: 1,
			allergies: func(t *testing.T) http.HandlerFunc { return status(200, entries(t, "")) }},
		{name: "declared, 404", caps: capsJSON("Patient", "AllergyIntolerance"), state: record.StateNotSupported,
			errText:   "does not serve AllergyIntolerance (404)",
			allergies: func(*testing.T) http.HandlerFunc { return status(404, outcome("error", "not-found", "no such type")) }},
		{name: "405", caps: capsJSON("Patient"), state: record.StateNotSupported, errText: "does not serve AllergyIntolerance (405)",
			allergies: func(*testing.T) http.HandlerFunc { return status(405, nil) }},
		{name: "501", caps: capsJSON("Patient"), state: record.StateNotSupported, errText: "does not serve AllergyIntolerance (501)",
			allergies: func(*testing.T) http.HandlerFunc {
				return status(501, outcome("error", "not-supported", "not implemented"))
			}},
		{name: "422 not-supported", caps: capsJSON("Patient"), state: record.StateNotSupported, errText: "does not serve AllergyIntolerance (422, not-supported)",
			allergies: func(*testing.T) http.HandlerFunc {
				return status(422, outcome("error", "not-supported", "AllergyIntolerance is not supported"))
			}},
		{name: "200 searchset holding a not-supported outcome", caps: capsJSON("Patient"), state: record.StateNotSupported,
			errText: "does not serve AllergyIntolerance (not-supported)",
			allergies: func(*testing.T) http.HandlerFunc {
				var oo map[string]any
				json.Unmarshal(outcome("error", "not-supported", "no allergies here"), &oo)
				oo["id"] = "oo1"
				return status(200, searchset("", oo))
			}},
		{name: "500", caps: capsJSON("Patient", "AllergyIntolerance"), state: record.StateFailed, http: 500,
			errText: "answered 500 with fatal (exception): database offline",
			allergies: func(*testing.T) http.HandlerFunc {
				return status(500, outcome("fatal", "exception", "database offline"))
			}},
		{name: "403", caps: capsJSON("Patient", "AllergyIntolerance"), state: record.StateFailed, http: 403, errText: "answered 403",
			allergies: func(*testing.T) http.HandlerFunc { return status(403, outcome("error", "forbidden", "no")) }},
		// Two seconds, not less: the Patient's own requests must be answered within it even
		// on a machine busy with other tests (300 ms was seen to pass at load 10).
		{name: "slow past the timeout", caps: capsJSON("Patient"), timeout: 2 * time.Second, state: record.StateTimedOut,
			errText: "did not answer within 2s",
			allergies: func(*testing.T) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }
			}},
		{name: "200 searchset holding only an error outcome", caps: capsJSON("Patient"), state: record.StateFailed,
			errText: "sent an error instead of AllergyIntolerance results: error (processing): index rebuilding",
			allergies: func(*testing.T) http.HandlerFunc {
				var oo map[string]any
				json.Unmarshal(outcome("error", "processing", "index rebuilding"), &oo)
				oo["id"] = "oo1"
				return status(200, searchset("", oo))
			}},
		{name: "warning outcome kept", caps: capsJSON("Patient"), state: record.StateReturned, count: 1,
			warning: "results limited to the last 5 years",
			allergies: func(t *testing.T) http.HandlerFunc {
				return status(200, withBundle(entries(t, ""), func(m map[string]any) {
					m["entry"] = append(m["entry"].([]any), map[string]any{"search": map[string]any{"mode": "outcome"},
						"resource": map[string]any{"resourceType": "OperationOutcome", "id": "w1", "issue": []any{map[string]any{
							"severity": "warning", "code": "informational", "diagnostics": "results limited to the last 5 years"}}}})
				}))
			}},
		{name: "warning-only outcome, nothing recorded", caps: capsJSON("Patient"), state: record.StateReturned, count: 0,
			warning: "partial index",
			allergies: func(*testing.T) http.HandlerFunc {
				var oo map[string]any
				json.Unmarshal(outcome("warning", "incomplete", "partial index"), &oo)
				oo["id"] = "w1"
				return status(200, searchset("", oo))
			}},
		{name: "total larger than read, no next link", caps: capsJSON("Patient"), state: record.StateTruncated, count: 1, total: 7,
			allergies: func(t *testing.T) http.HandlerFunc {
				return status(200, withBundle(entries(t, ""), func(m map[string]any) { m["total"] = 7 }))
			}},
		{name: "next link to another server", caps: capsJSON("Patient"), state: record.StateTruncated, count: 1,
			errText: "sent a next link to another server: not followed; showing the 1 entries read",
			allergies: func(t *testing.T) http.HandlerFunc {
				return status(200, entries(t, "https://elsewhere.example/fhir/AllergyIntolerance?page=2"))
			}},
		{name: "next link loops", caps: capsJSON("Patient"), state: record.StateTruncated, count: 1,
			errText: "sent a next link that loops back to a page already read",
			allergies: func(t *testing.T) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					writeFHIR(w, 200, entries(t, "http://"+r.Host+r.URL.Path+"?page=2"))
				}
			}},
		{name: "empty pages for ever", caps: capsJSON("Patient"), state: record.StateTruncated, count: 1,
			errText: "kept sending empty pages: showing the 1 entries read",
			allergies: func(t *testing.T) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					page := r.URL.Query().Get("page")
					next := fmt.Sprintf("http://%s%s?page=%s1", r.Host, r.URL.Path, page)
					if page == "" {
						writeFHIR(w, 200, entries(t, next))
						return
					}
					writeFHIR(w, 200, searchset(next))
				}
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fs := stateServer(t, tc.caps, map[string]http.HandlerFunc{"AllergyIntolerance": tc.allergies(t)})
			cfg := fs.config("Regional")
			cfg.Timeout = tc.timeout
			rec := fetchOne(t, cfg, []string{"p1"}, record.SectionAllergies, record.SectionNextOfKin)
			st := oneStatus(t, rec, record.SectionAllergies)
			if st.State != tc.state || st.Count != tc.count || len(rec.Sections.Allergies) != tc.count || st.Total != tc.total || st.HTTPStatus != tc.http {
				t.Errorf("allergies = %+v with %d items, want %s, %d items, total %d, HTTP %d", st, len(rec.Sections.Allergies), tc.state, tc.count, tc.total, tc.http)
			}
			if tc.errText == "" && st.Error != "" || !strings.Contains(st.Error, tc.errText) {
				t.Errorf("error = %q, want it to contain %q", st.Error, tc.errText)
			}
			if tc.warning != "" && !strings.Contains(strings.Join(st.Warnings, "\n"), tc.warning) {
				t.Errorf("warnings = %q, want one with %q", st.Warnings, tc.warning)
			}
			if tc.count > 0 && !strings.Contains(rec.Sections.Allergies[0].Substance, "Amoxicillin") {
				t.Errorf("allergy = %+v", rec.Sections.Allergies[0])
			}
			// The Patient answers next of kin whatever happened to the allergies.
			if nok := oneStatus(t, rec, record.SectionNextOfKin); nok.State != record.StateReturned {
				t.Errorf("next of kin = %+v", nok)
			}
			// Coverage: only a complete answer lets "none recorded" be said.
			cov := rec.Coverage(record.SectionAllergies)
			switch tc.state {
			case record.StateReturned:
				if !cov.Checked() {
					t.Errorf("coverage = %+v, want checked", cov)
				}
			case record.StateNotSupported:
				if len(cov.NotHeld) != 1 || len(cov.Unchecked) != 0 {
					t.Errorf("coverage = %+v, want not held", cov)
				}
			default:
				if len(cov.Unchecked) != 1 || rec.NoneRecorded(record.SectionAllergies) {
					t.Errorf("coverage = %+v, want unchecked", cov)
				}
			}
		})
	}
}

// TestPartlyRefusedSection: a section of several types, some refused and one answered, is
// returned, naming the refused types in NotServed (the server holds none of them: an answer,
// not a warning); every type refused is not-supported.
func TestPartlyRefusedSection(t *testing.T) {
	enc := inpatient(t, "e1", map[string]any{"reference": "Patient/p1"})
	fs := stateServer(t, capsJSON("Patient", "CarePlan", "ServiceRequest"), map[string]http.HandlerFunc{
		"Encounter":         serveResources(enc),
		"DocumentReference": status(405, nil),
		"Composition":       status(404, outcome("error", "not-found", "unknown type")),
		"Observation":       serveResources(),
	})
	rec := fetchOne(t, fs.config("Regional"), []string{"p1"}, record.SectionNotes, record.SectionCarePackages, record.SectionEncounters)
	notes := oneStatus(t, rec, record.SectionNotes)
	if notes.State != record.StateReturned || len(notes.Warnings) != 0 || notes.NotServed != "does not serve DocumentReference (405), Composition (404)" &&
		notes.NotServed != "does not serve Composition (404), DocumentReference (405)" {
		t.Errorf("notes = %+v, want returned, naming DocumentReference and Composition as not served (not as a warning)", notes)
	}
	cp := oneStatus(t, rec, record.SectionCarePackages)
	if cp.State != record.StateNotSupported || !strings.Contains(cp.Error, "EpisodeOfCare (404)") || !strings.Contains(cp.Error, "CarePlan (404)") {
		t.Errorf("care packages = %+v, want not-supported naming every refused type", cp)
	}
	if e := oneStatus(t, rec, record.SectionEncounters); e.State != record.StateReturned || e.Count != 1 {
		t.Errorf("encounters = %+v", e)
	}
}

// TestRefusedTypeIsNotAWarning: a council that serves care packages but no equipment
// requests (DeviceRequest) answers the section in full: the refused type is named as not
// served, never as a warning (which the Summary would show for every such server).
func TestRefusedTypeIsNotAWarning(t *testing.T) {
	fs := stateServer(t, capsJSON("Patient"), map[string]http.HandlerFunc{
		"EpisodeOfCare":  serveResources(),
		"CarePlan":       serveResources(),
		"ServiceRequest": serveResources(),
		"DeviceRequest":  status(404, outcome("error", "not-supported", "unknown type")),
	})
	rec := fetchOne(t, fs.config("Council"), []string{"p1"}, record.SectionCarePackages)
	if cp := oneStatus(t, rec, record.SectionCarePackages); cp.State != record.StateReturned || len(cp.Warnings) != 0 || cp.NotServed != "does not serve DeviceRequest (404)" {
		t.Errorf("care packages = %+v, want returned, DeviceRequest not served, no warning", cp)
	}
	if !rec.NoneRecorded(record.SectionCarePackages) {
		t.Error("a council with no care packages and no DeviceRequest type: not 'none recorded'")
	}
}

// TestWrongSubjectDropped: entries about another person are dropped before mapping, with a
// notice; entries about the person (relative, absolute on the same base, versioned) and
// entries with no subject at all are kept; _include'd resources are not checked.
func TestWrongSubjectDropped(t *testing.T) {
	var base string
	fs := stateServer(t, capsJSON("Patient", "Encounter"), map[string]http.HandlerFunc{
		"Encounter": func(w http.ResponseWriter, r *http.Request) {
			body := searchset("",
				inpatient(t, "mine-relative", map[string]any{"reference": "Patient/p1"}),
				inpatient(t, "mine-absolute", map[string]any{"reference": base + "/Patient/p1/_history/3"}),
				inpatient(t, "no-subject", nil),
				inpatient(t, "other-relative", map[string]any{"reference": "Patient/p2"}),
				inpatient(t, "other-server", map[string]any{"reference": "https://elsewhere.example/fhir/Patient/p1"}),
				inpatient(t, "other-nhs", map[string]any{"identifier": map[string]any{"system": nhsNumberSystem, "value": "9000000009"}}),
				inpatient(t, "mine-nhs", map[string]any{"identifier": map[string]any{"system": nhsNumberSystem, "value": statePerson.NHS}}),
				inpatient(t, "mine-conditional", map[string]any{"reference": "Patient?identifier=" + nhsNumberSystem + "|" + statePerson.NHS}),
				inpatient(t, "other-conditional", map[string]any{"reference": "Patient?identifier=" + nhsNumberSystem + "|9000000009"}),
			)
			body = withBundle(body, func(m map[string]any) {
				inc := inpatient(t, "included-other", map[string]any{"reference": "Patient/p9"})
				m["entry"] = append(m["entry"].([]any), map[string]any{"resource": inc, "search": map[string]any{"mode": "include"}})
			})
			writeFHIR(w, 200, body)
		},
	})
	cfg := fs.config("Regional")
	base = cfg.URL
	rec := fetchOne(t, cfg, []string{"p1"}, record.SectionEncounters)
	st := oneStatus(t, rec, record.SectionEncounters)
	if st.State != record.StateReturned || st.Count != 5 || len(rec.Sections.Encounters) != 5 {
		t.Errorf("encounters = %+v, %d items; want the 5 about the person", st, len(rec.Sections.Encounters))
	}
	for _, e := range rec.Sections.Encounters {
		if strings.Contains(e.Provenance.Resource, "other") || strings.Contains(e.Key, "other") {
			t.Errorf("an entry about another person was kept: %s", e.Key)
		}
	}
	want := record.Notice{Backend: "Regional", Kind: record.NoticeWrongSubject, Text: "sent 4 entries about another person (encounters): not shown"}
	if len(rec.Notices) != 1 || rec.Notices[0] != want {
		t.Errorf("notices = %+v, want %+v", rec.Notices, want)
	}
}

// TestDuplicatePatientsReadTogether: a back end holding two Patient records with one NHS
// number, one of which links (replaced-by) to a third: all three are read and their
// sections merged into one record, each section with one status, with notices.
func TestDuplicatePatientsReadTogether(t *testing.T) {
	p1 := patientJSON(t, statePerson, "p1")
	p2 := patientJSON(t, statePerson, "p2")
	p2["link"] = []any{map[string]any{"type": "replaced-by", "other": map[string]any{"reference": "Patient/p3"}}}
	p3 := patientJSON(t, statePerson, "p3")
	p3["identifier"] = []any{} // the linked record does not carry the NHS number: only the link finds it
	read := func(p map[string]any) http.HandlerFunc {
		b, _ := json.Marshal(p)
		return status(200, b)
	}
	var (
		mu    sync.Mutex
		asked = map[string]bool{}
	)
	fs := stateServer(t, capsJSON("Patient", "AllergyIntolerance"), map[string]http.HandlerFunc{
		"Patient":    status(200, searchset("", p1, p2)),
		"Patient/p2": read(p2),
		"Patient/p3": read(p3),
		"AllergyIntolerance": func(w http.ResponseWriter, r *http.Request) {
			id := r.URL.Query().Get("patient")
			mu.Lock()
			asked[id] = true
			mu.Unlock()
			writeFHIR(w, 200, searchset("", amoxicillin(t, "a-"+id, "Patient/"+id)))
		},
	})
	fed, err := NewFederation([]config.Backend{fs.config("Regional")}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	rec, found := fed.Fetch(ctxTimeout(t, 20*time.Second), statePerson.NHS, []record.Section{record.SectionAllergies, record.SectionNextOfKin})
	if !found {
		t.Fatal("not found")
	}
	mu.Lock()
	if !asked["p1"] || !asked["p2"] || !asked["p3"] {
		t.Errorf("allergies asked for %v, want p1, p2 and p3", asked)
	}
	mu.Unlock()
	st := oneStatus(t, rec, record.SectionAllergies)
	if st.State != record.StateReturned || st.Count != 3 || len(rec.Sections.Allergies) != 3 {
		t.Errorf("allergies = %+v with %d items, want all 3 records' allergies", st, len(rec.Sections.Allergies))
	}
	kinds := map[string]string{}
	for _, n := range rec.Notices {
		kinds[n.Kind] = n.Text
	}
	if kinds[record.NoticeDuplicates] != "holds 2 records for this NHS number: shown together" {
		t.Errorf("duplicates notice = %q (notices %+v)", kinds[record.NoticeDuplicates], rec.Notices)
	}
	if kinds[record.NoticeLinked] != "links this person's record to 1 other record: shown together" {
		t.Errorf("linked notice = %q", kinds[record.NoticeLinked])
	}
	if _, ok := kinds[record.NoticeWrongSubject]; ok {
		t.Errorf("a linked record's entries were taken for another person's: %+v", rec.Notices)
	}
	ids := map[string]bool{}
	for _, s := range rec.Person.Sources {
		ids[s.ID] = true
	}
	if !ids["p1"] || !ids["p2"] || !ids["p3"] {
		t.Errorf("sources = %+v, want p1, p2 and p3", rec.Person.Sources)
	}
	if b := statusOf(rec.Backends, "Regional"); b.Status != record.BackendOK && b.Status != record.BackendSlow {
		t.Errorf("back end = %+v", b)
	}
}

// TestEveryBackendSectionHasOneState: across a federation, a back end that does not know
// the person, one that needs a sign-in and one whose search timed out give every asked
// section a state of their own; the one that knows the person answers.
func TestEveryBackendSectionHasOneState(t *testing.T) {
	known := stateServer(t, capsJSON("Patient"), map[string]http.HandlerFunc{
		"AllergyIntolerance": serveResources(amoxicillin(t, "a1", "Patient/p1")),
	})
	unknown := stateServer(t, capsJSON("Patient"), map[string]http.HandlerFunc{"Patient": status(200, searchset(""))})
	secure := stateServer(t, capsJSON("Patient"), nil)
	slow := stateServer(t, capsJSON("Patient"), map[string]http.HandlerFunc{
		"Patient": func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() },
	})
	slowCfg := slow.config("Slow")
	slowCfg.Timeout = 300 * time.Millisecond
	fed, err := NewFederation([]config.Backend{known.config("Known"), unknown.config("Unknown"), secure.config("Secure"), slowCfg},
		Options{Tokens: func(name string) oauth2.TokenSource {
			if name == "Secure" {
				return needSignIn{}
			}
			return nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	sections := []record.Section{record.SectionAllergies, record.SectionAlerts}
	rec, found := fed.Fetch(ctxTimeout(t, 20*time.Second), statePerson.NHS, sections)
	if !found {
		t.Fatal("not found")
	}
	want := map[string]record.SectionState{"Known": record.StateReturned, "Unknown": record.StateNotKnown,
		"Secure": record.StateNotQueried, "Slow": record.StateTimedOut}
	for _, sec := range sections {
		got := map[string]record.SectionState{}
		for _, st := range rec.StatusOf(sec) {
			if _, dup := got[st.Backend]; dup {
				t.Errorf("%s: %s has two states", sec, st.Backend)
			}
			got[st.Backend] = st.State
		}
		for name, state := range want {
			if got[name] != state {
				t.Errorf("%s at %s = %q, want %q", sec, name, got[name], state)
			}
		}
	}
	if len(rec.Sections.Allergies) != 1 {
		t.Errorf("allergies = %+v", rec.Sections.Allergies)
	}
	cov := rec.Coverage(record.SectionAllergies)
	if len(cov.NotKnown) != 1 || len(cov.Unchecked) != 2 {
		t.Errorf("coverage = %+v, want Unknown not known, Secure and Slow unchecked", cov)
	}
}

// TestPatientSearchNotDeclared: a server whose statement does not declare searching
// Patient by identifier is searched anyway; one that refuses the search is "not asked".
func TestPatientSearchNotDeclared(t *testing.T) {
	undeclared := []byte(`{"resourceType":"CapabilityStatement","status":"active","kind":"instance","fhirVersion":"4.0.1","format":["json"],
		"rest":[{"mode":"server","resource":[{"type":"Patient","searchParam":[{"name":"family"},{"name":"birthdate"}]}]}]}`)
	for _, tc := range []struct {
		name    string
		search  http.HandlerFunc
		status  string
		errText string
	}{
		{"answers", nil, record.BackendOK, ""},
		{"refuses (400)", status(400, outcome("error", "invalid", "Unknown search parameter identifier")), record.BackendNotQueried,
			"back end Regional was not asked: it does not support searching by NHS number"},
		{"refuses (not-supported)", status(403, outcome("error", "not-supported", "identifier search is off")), record.BackendNotQueried,
			"back end Regional was not asked: it does not support searching by NHS number"},
		{"fails (500)", status(500, outcome("fatal", "exception", "down")), record.BackendFailed,
			"back end Regional answered 500 with fatal (exception): down"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			types := map[string]http.HandlerFunc{}
			if tc.search != nil {
				types["Patient"] = tc.search
			}
			fs := stateServer(t, undeclared, types)
			fed, err := NewFederation([]config.Backend{fs.config("Regional")}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			matches, sts := fed.Search(ctxTimeout(t, 20*time.Second), record.Query{NHSNumber: statePerson.NHS})
			if st := statusOf(sts, "Regional"); st.Status != tc.status || st.Error != tc.errText {
				t.Errorf("status = %s %q, want %s %q", st.Status, st.Error, tc.status, tc.errText)
			}
			if (tc.status == record.BackendOK) != (len(matches) == 1) {
				t.Errorf("matches = %+v", matches)
			}
		})
	}
}

// TestGPConnectSectionStates: GP Connect follows the same rules: a patient the practice
// does not hold is not-known for every section, an answer too late is timed-out, and the
// areas GP Connect does not cover are not-supported with the reason.
func TestGPConnectSectionStates(t *testing.T) {
	pki := newTestPKI(t)
	sections := []record.Section{record.SectionAllergies, record.SectionCarePackages, record.SectionAlerts}
	notFound := func(w http.ResponseWriter, _ []byte) {
		b, _ := json.Marshal(map[string]any{"resourceType": "OperationOutcome", "issue": []any{map[string]any{
			"severity": "error", "code": "not-found",
			"details": map[string]any{"coding": []any{map[string]any{
				"system": "https://fhir.nhs.uk/STU3/CodeSystem/Spine-ErrorOrWarningCode-1", "code": "PATIENT_NOT_FOUND", "display": "Patient not found"}}},
		}}})
		writeFHIR(w, 404, b)
	}
	for _, tc := range []struct {
		name    string
		answer  func(t *testing.T, done <-chan struct{}) func(w http.ResponseWriter, body []byte)
		timeout time.Duration
		want    map[record.Section]record.SectionState
		errText map[record.Section]string
	}{
		{name: "answered", answer: func(t *testing.T, _ <-chan struct{}) func(http.ResponseWriter, []byte) {
			return func(w http.ResponseWriter, _ []byte) { writeFHIR(w, 200, allergiesBundle(t)) }
		},
			want: map[record.Section]record.SectionState{record.SectionAllergies: record.StateReturned,
				record.SectionCarePackages: record.StateNotSupported, record.SectionAlerts: record.StateNotSupported},
			errText: map[record.Section]string{record.SectionCarePackages: "GP Connect does not serve care packages",
				record.SectionAlerts: "GP Connect does not serve alerts"}},
		{name: "patient not found", answer: func(*testing.T, <-chan struct{}) func(http.ResponseWriter, []byte) { return notFound },
			want: map[record.Section]record.SectionState{record.SectionAllergies: record.StateNotKnown,
				record.SectionCarePackages: record.StateNotKnown, record.SectionAlerts: record.StateNotKnown}},
		{name: "too slow", timeout: 300 * time.Millisecond, answer: func(_ *testing.T, done <-chan struct{}) func(http.ResponseWriter, []byte) {
			return func(http.ResponseWriter, []byte) { <-done }
		},
			want: map[record.Section]record.SectionState{record.SectionAllergies: record.StateTimedOut,
				record.SectionCarePackages: record.StateTimedOut, record.SectionAlerts: record.StateTimedOut}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			done := make(chan struct{})
			ts, _, _ := newGPServer(t, pki, tc.answer(t, done))
			t.Cleanup(func() { close(done) }) // before the server closes: it waits for its handlers
			cfg := gpConfig(ts.URL, pki, true)
			cfg.Timeout = tc.timeout
			b, err := New(cfg, Options{User: testUser})
			if err != nil {
				t.Fatal(err)
			}
			var rec record.Record
			b.Fetch(ctxTimeout(t, 20*time.Second), record.PersonSource{Backend: "GP", ID: "1"}, "9999999999", sections, func(p record.Part) { rec.Merge(p) })
			for _, sec := range sections {
				st := oneStatus(t, &rec, sec)
				if st.State != tc.want[sec] || !strings.Contains(st.Error, tc.errText[sec]) {
					t.Errorf("%s = %+v, want %s (%q)", sec, st, tc.want[sec], tc.errText[sec])
				}
			}
		})
	}
}

// TestBadRequestAskedAgainWithoutIncludes: a server that declares _include values but
// answers 400 when they are sent is asked again without them (the section is returned);
// one that answers 400 whatever is sent refuses the type (not-supported).
func TestBadRequestAskedAgainWithoutIncludes(t *testing.T) {
	caps := withBundle(capsJSON("Patient", "AllergyIntolerance"), func(m map[string]any) {
		for _, r := range m["rest"].([]any)[0].(map[string]any)["resource"].([]any) {
			r.(map[string]any)["searchInclude"] = []any{"*"}
		}
	})
	for _, tc := range []struct {
		name     string
		always   bool
		state    record.SectionState
		count    int
		requests int
	}{
		{"refuses the includes", false, record.StateReturned, 1, 2},
		{"refuses the search", true, record.StateNotSupported, 0, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var (
				mu    sync.Mutex
				asked []string
			)
			fs := stateServer(t, caps, map[string]http.HandlerFunc{
				"AllergyIntolerance": func(w http.ResponseWriter, r *http.Request) {
					mu.Lock()
					asked = append(asked, r.URL.Query().Get("_include"))
					mu.Unlock()
					if tc.always || r.URL.Query().Has("_include") {
						writeFHIR(w, 400, outcome("error", "invalid", "unknown _include"))
						return
					}
					writeFHIR(w, 200, searchset("", amoxicillin(t, "a1", "Patient/p1")))
				},
			})
			rec := fetchOne(t, fs.config("Regional"), []string{"p1"}, record.SectionAllergies)
			st := oneStatus(t, rec, record.SectionAllergies)
			if st.State != tc.state || st.Count != tc.count {
				t.Errorf("allergies = %+v, want %s with %d", st, tc.state, tc.count)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(asked) != tc.requests || asked[0] == "" || asked[len(asked)-1] != "" {
				t.Errorf("asked with _include %q, want once with and once without", asked)
			}
		})
	}
}
