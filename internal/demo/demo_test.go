package demo_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shcr-project/shcr/config"
	"github.com/shcr-project/shcr/internal/demo"
	"github.com/shcr-project/shcr/internal/nhsnumber"
)

const nhsSystem = "https://fhir.nhs.uk/Id/nhs-number"

// NHS numbers of the demo people (the README lists them).
const (
	nhsMarchbank    = "9991230009"
	nhsBrackenbury  = "9992340002"
	nhsQuimby       = "9993450006"
	nhsFenwick      = "9994560018"
	nhsPennywhistle = "9995670003"
	nhsOakes        = "9996780007"
	nhsThornbury    = "9997890000"
	nhsNowakowska   = "9998900018"
	nhsEtheridge    = "9999010008"
	nhsLongridge    = "9990120005"
)

func TestConfigDescribesThreeBackEnds(t *testing.T) {
	s := start(t)
	cfg := s.Config()
	if len(cfg) != 3 || len(s.Backends) != 3 {
		t.Fatalf("config = %+v", cfg)
	}
	want := map[string]struct {
		kind   config.Kind
		domain config.Domain
	}{
		demo.NameNHS:     {config.KindFHIRR4, "health"},
		demo.NameCouncil: {config.KindFHIRR4, "social-care"},
		demo.NameGP:      {config.KindGPConnect, "health"},
	}
	for i, b := range cfg {
		w, ok := want[b.Name]
		if !ok || b.Kind != w.kind || b.Domain != w.domain || b.Auth.Type != config.AuthNone {
			t.Errorf("back end %d = %+v", i, b)
		}
		if b.URL != s.Backends[i].URL || !strings.HasPrefix(b.URL, "http://127.0.0.1:") {
			t.Errorf("back end %s URL %q", b.Name, b.URL)
		}
	}
	gp := cfg[2].GPConnect
	if gp.FromASID == "" || gp.ToASID == "" || gp.FromODS == "" || gp.InteractionID != demo.GPConnectInteractionID {
		t.Errorf("GP Connect settings = %+v", gp)
	}
}

func TestMetadataOnEveryBaseURL(t *testing.T) {
	s := start(t)
	for _, b := range s.Backends {
		code, cs := get(t, b.URL+"/metadata")
		if code != http.StatusOK || cs["resourceType"] != "CapabilityStatement" {
			t.Fatalf("%s metadata: %d %v", b.Name, code, cs["resourceType"])
		}
		if b.Kind == config.KindGPConnect {
			if cs["fhirVersion"] != "3.0.1" || !strings.Contains(mustJSON(t, cs), "gpc.getstructuredrecord") {
				t.Errorf("%s: GP Connect capability statement lacks the operation: %v", b.Name, cs)
			}
			continue
		}
		if cs["fhirVersion"] != "4.0.1" {
			t.Errorf("%s fhirVersion %v", b.Name, cs["fhirVersion"])
		}
		res := map[string]obj{}
		for _, r := range list(list(cs["rest"])[0].(obj)["resource"]) {
			res[str(r, "type")] = r.(obj)
		}
		pat := res["Patient"]
		var params []string
		for _, p := range list(pat["searchParam"]) {
			params = append(params, str(p, "name"))
		}
		for _, p := range []string{"identifier", "family", "given", "birthdate", "address-postalcode", "phone"} {
			if !slices.Contains(params, p) {
				t.Errorf("%s: Patient search param %s not declared (%v)", b.Name, p, params)
			}
		}
		if !slices.Contains(list(pat["searchRevInclude"]), any("Provenance:target")) {
			t.Errorf("%s: Patient searchRevInclude = %v", b.Name, pat["searchRevInclude"])
		}
		switch b.Name {
		case demo.NameNHS:
			if !slices.Contains(list(res["MedicationRequest"]["searchInclude"]), any("MedicationRequest:medication")) {
				t.Errorf("NHS: MedicationRequest includes = %v", res["MedicationRequest"]["searchInclude"])
			}
		case demo.NameCouncil:
			incs := list(res["EpisodeOfCare"]["searchInclude"])
			if !slices.Contains(incs, any("EpisodeOfCare:care-manager")) || !slices.Contains(incs, any("EpisodeOfCare:organization")) {
				t.Errorf("council: EpisodeOfCare includes = %v", incs)
			}
		}
	}
}

func TestSearchByNHSNumber(t *testing.T) {
	s := start(t)
	for _, name := range []string{demo.NameNHS, demo.NameCouncil} {
		u := base(t, s, name)
		b := search(t, u, "Patient", url.Values{"identifier": {nhsSystem + "|" + nhsMarchbank}})
		ps := resources(b, "match")
		if total(b) != 1 || len(ps) != 1 {
			t.Fatalf("%s: found %d (total %d)", name, len(ps), total(b))
		}
		if got := str(list(ps[0]["identifier"])[0], "value"); got != nhsMarchbank {
			t.Errorf("%s: identifier %s", name, got)
		}
		// A valid number nobody has: an empty searchset, not an error.
		b = search(t, u, "Patient", url.Values{"identifier": {nhsSystem + "|9990000018"}})
		if total(b) != 0 || len(entries(b)) != 0 {
			t.Errorf("%s: unknown NHS number found %d", name, total(b))
		}
	}
	// Known to the NHS back end but not to the council.
	b := search(t, base(t, s, demo.NameCouncil), "Patient", url.Values{"identifier": {nhsSystem + "|" + nhsPennywhistle}})
	if total(b) != 0 {
		t.Errorf("council knows the NHS-only person")
	}
}

func TestSearchByFamilyAndBirthDateFindsTwins(t *testing.T) {
	s := start(t)
	u := base(t, s, demo.NameNHS)
	b := search(t, u, "Patient", url.Values{"family": {"hargreaves"}, "birthdate": {"1950-06-30"}})
	if total(b) != 2 {
		t.Fatalf("twins: total %d", total(b))
	}
	b = search(t, u, "Patient", url.Values{"family": {"Hargreaves"}, "given": {"Alan"}, "birthdate": {"eq1950-06-30"}})
	ps := resources(b, "match")
	if len(ps) != 1 || str(list(ps[0]["identifier"])[0], "value") != "9991110003" {
		t.Fatalf("Alan: %v", ps)
	}
	b = search(t, u, "Patient", url.Values{"family": {"Hargreaves"}, "birthdate": {"1950-07-01"}})
	if total(b) != 0 {
		t.Errorf("wrong birth date matched %d", total(b))
	}
}

func TestSearchByPostcodeAndPhone(t *testing.T) {
	s := start(t)
	council := base(t, s, demo.NameCouncil)
	b := search(t, council, "Patient", url.Values{"family": {"Dunmore"}, "address-postalcode": {"dm4 3sr"}})
	ps := resources(b, "match")
	if len(ps) != 1 {
		t.Fatalf("postcode search: %d", len(ps))
	}
	for _, id := range list(ps[0]["identifier"]) {
		if str(id, "system") == nhsSystem {
			t.Errorf("the local-authority-only person has an NHS number")
		}
	}
	// Not known to the NHS at all.
	b = search(t, base(t, s, demo.NameNHS), "Patient", url.Values{"family": {"Dunmore"}, "birthdate": {"2005-10-12"}})
	if total(b) != 0 {
		t.Errorf("NHS back end knows the local-authority-only person")
	}
	nhs := base(t, s, demo.NameNHS)
	for _, phone := range []string{"01632960202", "01632 960202", "+44 1632 960202"} {
		b = search(t, nhs, "Patient", url.Values{"phone": {phone}})
		ps = resources(b, "match")
		if len(ps) != 1 || str(list(ps[0]["identifier"])[0], "value") != nhsBrackenbury {
			t.Errorf("phone %q: %d matches", phone, len(ps))
		}
	}
	b = search(t, nhs, "Patient", url.Values{"telecom": {"phone|07700 900501"}})
	if total(b) != 1 {
		t.Errorf("telecom search: %d", total(b))
	}
}

func TestPagingFollowsEveryNextLinkToTheTotal(t *testing.T) {
	s := start(t)
	u := base(t, s, demo.NameNHS)
	pid := patientID(t, u, nhsLongridge)

	first := search(t, u, "Encounter", url.Values{"patient": {pid}})
	if n := len(resources(first, "match")); n != 50 {
		t.Errorf("default page size = %d, want 50", n)
	}
	all, tot, pages := searchAll(t, u, "Encounter", url.Values{"patient": {"Patient/" + pid}, "_count": {"500"}})
	if tot < 5000 || len(all) != tot {
		t.Fatalf("encounters: collected %d of total %d", len(all), tot)
	}
	if pages != (tot+499)/500 {
		t.Errorf("pages = %d for total %d at 500 a page", pages, tot)
	}
	seen := map[string]bool{}
	for _, e := range all {
		id := str(e, "id")
		if seen[id] {
			t.Fatalf("encounter %s returned twice", id)
		}
		seen[id] = true
		if str(e, "subject", "reference") != "Patient/"+pid {
			t.Fatalf("encounter %s belongs to %s", id, str(e, "subject", "reference"))
		}
	}
	// _count above the maximum is capped, not refused.
	b := search(t, u, "Encounter", url.Values{"subject": {pid}, "_count": {"5000"}})
	if n := len(resources(b, "match")); n != 500 {
		t.Errorf("_count=5000 gave %d entries, want the 500 cap", n)
	}
	// _count=0 gives the total only.
	b = search(t, u, "Encounter", url.Values{"patient": {pid}, "_count": {"0"}})
	if total(b) != tot || len(entries(b)) != 0 || nextLink(b) != "" {
		t.Errorf("_count=0: total %d entries %d", total(b), len(entries(b)))
	}
	meds := len(byPatient(t, u, "MedicationStatement", pid, nil)) + len(byPatient(t, u, "MedicationRequest", pid, nil))
	if meds < 200 {
		t.Errorf("large record has %d medications, want ≥ 200", meds)
	}
}

func TestIncludeReturnsReferencedResources(t *testing.T) {
	s := start(t)
	nhs := base(t, s, demo.NameNHS)
	pid := patientID(t, nhs, nhsMarchbank)

	check := func(u, typ string, q url.Values, refOf func(obj) []string, wantType string) {
		t.Helper()
		b := search(t, u, typ, q)
		included := map[string]bool{}
		for _, r := range resources(b, "include") {
			included[str(r, "resourceType")+"/"+str(r, "id")] = true
		}
		n := 0
		for _, r := range resources(b, "match") {
			for _, ref := range refOf(r) {
				if !strings.HasPrefix(ref, wantType+"/") {
					continue
				}
				n++
				if !included[ref] {
					t.Errorf("%s?%s: %s not included", typ, q.Encode(), ref)
				}
			}
		}
		if n == 0 {
			t.Errorf("%s?%s: no references to check", typ, q.Encode())
		}
	}
	check(nhs, "MedicationRequest", url.Values{"patient": {pid}, "_include": {"MedicationRequest:medication"}},
		func(r obj) []string { return []string{str(r, "medicationReference", "reference")} }, "Medication")
	check(nhs, "Encounter", url.Values{"patient": {pid}, "_include": {"Encounter:location", "Encounter:service-provider"}},
		func(r obj) []string {
			out := []string{str(r, "serviceProvider", "reference")}
			for _, l := range list(r["location"]) {
				out = append(out, str(l, "location", "reference"))
			}
			return out
		}, "Location")
	check(nhs, "CareTeam", url.Values{"patient": {pid}, "_include": {"CareTeam:participant"}},
		func(r obj) []string {
			var out []string
			for _, p := range list(r["participant"]) {
				out = append(out, str(p, "member", "reference"))
			}
			return out
		}, "Practitioner")

	council := base(t, s, demo.NameCouncil)
	cpid := patientID(t, council, nhsMarchbank)
	q := url.Values{"patient": {cpid}, "_include": {"EpisodeOfCare:care-manager,EpisodeOfCare:organization", "EpisodeOfCare:incoming-referral"}}
	check(council, "EpisodeOfCare", q, func(r obj) []string { return []string{str(r, "careManager", "reference")} }, "Practitioner")
	check(council, "EpisodeOfCare", q, func(r obj) []string { return []string{str(r, "managingOrganization", "reference")} }, "Organization")
	check(council, "EpisodeOfCare", q, func(r obj) []string {
		var out []string
		for _, x := range list(r["referralRequest"]) {
			out = append(out, str(x, "reference"))
		}
		return out
	}, "ServiceRequest")

	// The council's care team members are PractitionerRoles; _include:iterate follows them on
	// to the Practitioner and the organisation.
	ctq := url.Values{"patient": {cpid}, "_include": {"CareTeam:participant"}, "_include:iterate": {"PractitionerRole:practitioner", "PractitionerRole:organization"}}
	members := func(r obj) []string {
		var out []string
		for _, p := range list(r["participant"]) {
			out = append(out, str(p, "member", "reference"))
		}
		return out
	}
	check(council, "CareTeam", ctq, members, "PractitionerRole")
	b := search(t, council, "CareTeam", ctq)
	got := map[string]int{}
	for _, r := range resources(b, "include") {
		got[str(r, "resourceType")]++
	}
	if got["PractitionerRole"] != 1 || got["Practitioner"] != 1 || got["Organization"] != 1 {
		t.Errorf("iterate includes = %v", got)
	}

	// _revinclude=Provenance:target brings the Provenance of matched items, and only those.
	b = search(t, nhs, "MedicationRequest", url.Values{"patient": {pid}, "_revinclude": {"Provenance:target"}})
	matched := map[string]bool{}
	for _, r := range resources(b, "match") {
		matched["MedicationRequest/"+str(r, "id")] = true
	}
	provs := 0
	for _, r := range resources(b, "include") {
		if str(r, "resourceType") != "Provenance" {
			t.Errorf("unexpected include %s", str(r, "resourceType"))
			continue
		}
		provs++
		if tgt := str(list(r["target"])[0], "reference"); !matched[tgt] {
			t.Errorf("Provenance targets %s, not a match on this page", tgt)
		}
		if str(list(r["agent"])[0], "who", "display") == "" || str(list(r["agent"])[0], "onBehalfOf", "display") == "" {
			t.Errorf("Provenance agent lacks who/onBehalfOf: %v", r["agent"])
		}
	}
	if provs == 0 {
		t.Error("no Provenance revincluded")
	}
	// Without _include, nothing but matches.
	b = search(t, nhs, "MedicationRequest", url.Values{"patient": {pid}})
	if len(resources(b, "include")) != 0 {
		t.Error("includes without _include")
	}
}

func TestBadRequestsGetOperationOutcomes(t *testing.T) {
	s := start(t)
	nhs := base(t, s, demo.NameNHS)
	cases := []struct {
		path, mention string
		status        int
	}{
		{"/Patient?shoe-size=9", "shoe-size", 400},
		{"/Patient?birthdate=12-03-1948", "birthdate", 400},
		{"/Patient?birthdate=ap1948-03-12", "birthdate", 400},
		{"/Patient?family:exact=Smith", "family:exact", 400},
		{"/Patient?gender=yes", "gender", 400},
		{"/Patient?phone=abc", "phone", 400},
		{"/Encounter?patient=shcr-0001&_count=-1", "_count", 400},
		{"/Encounter?patient=shcr-0001&_count=ten", "_count", 400},
		{"/Encounter?patient=shcr-0001&_include=Encounter:nonsense", "Encounter:nonsense", 400},
		{"/Encounter?patient=shcr-0001&_include=Patient:general-practitioner", "Patient:general-practitioner", 400},
		{"/Encounter?patient=shcr-0001&_revinclude=AuditEvent:entity", "AuditEvent:entity", 400},
		{"/Encounter?patient=Group/x/y", "patient", 400},
		{"/Encounter?patient=shcr-0001&_include:iterate=Encounter:nonsense", "Encounter:nonsense", 400},
		{"/Encounter?category=x", "category", 400},
		{"/Patient/no-such-id", "no-such-id", 404},
		{"/Spaceship/1", "Spaceship", 404},
		{"/Spaceship?x=1", "Spaceship", 404},
		{"/Patient/shcr-0001/_history", "_history", 400},
	}
	for _, c := range cases {
		code, oo := get(t, nhs+c.path)
		if code != c.status || oo["resourceType"] != "OperationOutcome" {
			t.Errorf("%s: %d %v, want %d OperationOutcome", c.path, code, oo["resourceType"], c.status)
			continue
		}
		issue := list(oo["issue"])[0].(obj)
		if issue["severity"] != "error" || str(issue, "code") == "" || !strings.Contains(str(issue, "diagnostics"), c.mention) {
			t.Errorf("%s: issue %v does not name %q", c.path, issue, c.mention)
		}
	}
	resp, err := http.Post(nhs+"/Patient", "application/fhir+json", strings.NewReader(`{"resourceType":"Patient"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d", resp.StatusCode)
	}
	// A path outside the FHIR base says where the base is.
	code, oo := get(t, strings.TrimSuffix(nhs, "/fhir/R4")+"/Patient")
	if code != 404 || !strings.Contains(mustJSON(t, oo), nhs) {
		t.Errorf("outside the base: %d %v", code, oo)
	}
}

func TestReadAResource(t *testing.T) {
	s := start(t)
	nhs := base(t, s, demo.NameNHS)
	pid := patientID(t, nhs, nhsMarchbank)
	code, p := get(t, nhs+"/Patient/"+pid)
	if code != 200 || str(p, "id") != pid || str(p, "birthDate") != "1938-04-14" {
		t.Fatalf("read: %d %v", code, p)
	}
	meds := byPatient(t, nhs, "MedicationRequest", pid, nil)
	ref := str(meds[0], "medicationReference", "reference")
	code, m := get(t, nhs+"/"+ref)
	if code != 200 || str(m, "resourceType") != "Medication" || str(m, "code", "text") == "" {
		t.Fatalf("read %s: %d %v", ref, code, m)
	}
}

func TestEveryDemoNHSNumberIsValidAndFromTheTestRange(t *testing.T) {
	people := demo.People()
	if len(people) < 12 {
		t.Fatalf("%d demo people, want at least 12", len(people))
	}
	noNHS := 0
	seen := map[string]bool{}
	for _, p := range people {
		if p.NHSNumber == "" {
			noNHS++
			continue
		}
		if _, err := nhsnumber.Parse(p.NHSNumber); err != nil || !strings.HasPrefix(p.NHSNumber, "999") {
			t.Errorf("%s %s: NHS number %s: %v", p.Given, p.Family, p.NHSNumber, err)
		}
		if seen[p.NHSNumber] {
			t.Errorf("NHS number %s used twice", p.NHSNumber)
		}
		seen[p.NHSNumber] = true
		if p.Shows == "" || p.BirthDate == "" || p.Postcode == "" {
			t.Errorf("%s: incomplete %+v", p.NHSNumber, p)
		}
	}
	if noNHS != 1 {
		t.Errorf("%d people without an NHS number, want 1", noNHS)
	}
	// Every person with an NHS number is served by at least one back end under it.
	s := start(t)
	for _, p := range people {
		if p.NHSNumber == "" {
			continue
		}
		found := 0
		for _, name := range []string{demo.NameNHS, demo.NameCouncil} {
			b := search(t, base(t, s, name), "Patient", url.Values{"identifier": {nhsSystem + "|" + p.NHSNumber}})
			found += total(b)
		}
		if found == 0 {
			t.Errorf("%s is served by no back end", p.NHSNumber)
		}
	}
}

func TestLatencyAndLogging(t *testing.T) {
	var logs bytes.Buffer
	s, err := demo.Start(demo.Options{Latency: 20 * time.Millisecond, SlowEvery: 2, SlowLatency: 60 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	nhs := base(t, s, demo.NameNHS)
	var took []time.Duration
	for range 2 {
		t0 := time.Now()
		search(t, nhs, "Patient", url.Values{"identifier": {nhsSystem + "|" + nhsMarchbank}, "family": {"Marchbank"}})
		took = append(took, time.Since(t0))
	}
	if took[0] < 20*time.Millisecond || took[1] < 80*time.Millisecond {
		t.Errorf("latency not applied: %v", took)
	}
	out := logs.String()
	for _, secret := range []string{nhsMarchbank, "Marchbank", "999 123"} {
		if strings.Contains(out, secret) {
			t.Errorf("log holds personal data %q:\n%s", secret, out)
		}
	}
	for _, want := range []string{"status=200", "path=/fhir/R4/Patient", "params=family,identifier", "backend=\"Demo NHS ShCR\""} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	// A cancelled request does not wait out the latency.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, nhs+"/metadata", nil)
	if _, err := http.DefaultClient.Do(req); err == nil {
		t.Error("request beat a 5 ms deadline against 20 ms latency")
	}
	s.Close()
	s.Close() // twice is fine
	if _, err := http.Get(nhs + "/metadata"); err == nil {
		t.Error("back end still answers after Close")
	}
}

// --- the data covers each case the README promises -------------------------------------------

func TestDataCoversEachCase(t *testing.T) {
	s := start(t)
	nhs, council := base(t, s, demo.NameNHS), base(t, s, demo.NameCouncil)

	t.Run("active home care package with hours and provider", func(t *testing.T) {
		pid := patientID(t, council, nhsMarchbank)
		eocs := byPatient(t, council, "EpisodeOfCare", pid, nil)
		if len(eocs) != 1 {
			t.Fatalf("%d episodes", len(eocs))
		}
		e := eocs[0]
		if str(e, "status") != "active" || str(list(e["type"])[0], "text") != "Home care" ||
			str(e, "managingOrganization", "display") != "Brightwater Home Care Ltd" || str(e, "period", "start") != "2026-01-03" ||
			str(e, "careManager", "display") == "" || len(list(e["statusHistory"])) != 2 {
			t.Errorf("episode = %s", mustJSON(t, e))
		}
		tags := mustJSON(t, e["meta"].(obj)["tag"])
		if !strings.Contains(tags, "https://yhcr.nhs.uk/Source") || !strings.Contains(tags, "https://yhcr.nhs.uk/Provenance") {
			t.Errorf("meta.tag = %s", tags)
		}
		srs := byPatient(t, council, "ServiceRequest", pid, nil)
		if len(srs) != 1 {
			t.Fatalf("%d service requests", len(srs))
		}
		sr := srs[0]
		qty := sr["quantityQuantity"].(obj)
		if qty["value"] != 14.0 || qty["code"] != "h/wk" || qty["system"] != "http://unitsofmeasure.org" ||
			str(sr, "occurrenceTiming", "code", "text") != "4 visits a day" || str(list(sr["performer"])[0], "display") != "Brightwater Home Care Ltd" {
			t.Errorf("service request = %s", mustJSON(t, sr))
		}
		if ref := str(list(e["referralRequest"])[0], "reference"); ref != "ServiceRequest/"+str(sr, "id") {
			t.Errorf("episode referralRequest %s", ref)
		}
		cps := byPatient(t, council, "CarePlan", pid, nil)
		if len(cps) != 1 || str(list(cps[0]["category"])[0], "text") != "Care and support plan" || len(list(cps[0]["activity"])) == 0 {
			t.Errorf("care plan = %v", cps)
		}
	})

	t.Run("planned, ended and no package", func(t *testing.T) {
		e := byPatient(t, council, "EpisodeOfCare", patientID(t, council, nhsQuimby), nil)
		if len(e) != 1 || str(e[0], "status") != "planned" || str(e[0], "period", "start") <= demo.ReferenceDate.Format("2006-01-02") {
			t.Errorf("planned package = %v", e)
		}
		e = byPatient(t, council, "EpisodeOfCare", patientID(t, council, nhsFenwick), nil)
		if len(e) != 1 || str(e[0], "status") != "finished" || str(e[0], "period", "end") != "2026-06-15" {
			t.Errorf("ended package = %v", e)
		}
		if e := byPatient(t, council, "EpisodeOfCare", patientID(t, council, nhsBrackenbury), nil); len(e) != 0 {
			t.Errorf("no-package person has %d", len(e))
		}
		e = byPatient(t, council, "EpisodeOfCare", patientID(t, council, nhsThornbury), nil)
		if len(e) != 1 || str(list(e[0]["type"])[0], "text") != "Residential placement" {
			t.Errorf("residential placement = %v", e)
		}
	})

	t.Run("two allocated social workers", func(t *testing.T) {
		cts := byPatient(t, council, "CareTeam", patientID(t, council, nhsOakes), url.Values{"_include": {"CareTeam:participant"}})
		if len(cts) != 1 {
			t.Fatalf("%d care teams", len(cts))
		}
		sw, cm := 0, 0
		for _, p := range list(cts[0]["participant"]) {
			code := str(list(list(p.(obj)["role"])[0].(obj)["coding"])[0], "code")
			switch code {
			case "106328005":
				sw++
			case "768832004":
				cm++
			}
		}
		if sw != 2 || cm != 1 {
			t.Errorf("social workers %d, case managers %d", sw, cm)
		}
		b := search(t, council, "PractitionerRole", url.Values{"_id": {"role-pr-hollis"}})
		if !strings.Contains(mustJSON(t, b), `"R1330"`) {
			t.Errorf("social worker's role lacks NHS job role R1330")
		}
	})

	t.Run("several next of kin with phones and ranks", func(t *testing.T) {
		pid := patientID(t, nhs, nhsBrackenbury)
		_, p := get(t, nhs+"/Patient/"+pid)
		contacts := list(p["contact"])
		if len(contacts) < 3 {
			t.Fatalf("%d contacts", len(contacts))
		}
		for _, c := range contacts {
			js := mustJSON(t, c)
			if !strings.Contains(js, "Extension-UKCore-ContactRank") || len(list(c.(obj)["telecom"])) == 0 {
				t.Errorf("contact lacks rank or phone: %s", js)
			}
		}
		if !strings.Contains(mustJSON(t, contacts[0]), `"code":"N"`) {
			t.Errorf("first contact is not next of kin (v2-0131 N)")
		}
		rps := byPatient(t, council, "RelatedPerson", patientID(t, council, nhsBrackenbury), nil)
		if len(rps) < 3 {
			t.Fatalf("%d related people", len(rps))
		}
		all := mustJSON(t, rps)
		for _, role := range []string{`"code":"NOK"`, `"code":"KH"`, `"code":"LPA"`, "Extension-Interweave-SocialCareSupportRole", "v3-RoleCode", `"use":"mobile"`} {
			if !strings.Contains(all, role) {
				t.Errorf("related people lack %s", role)
			}
		}
		flags := byPatient(t, nhs, "Flag", pid, nil)
		if len(flags) != 1 || !strings.Contains(str(flags[0], "code", "text"), "Dog at property") {
			t.Errorf("crew safety flag = %v", flags)
		}
	})

	t.Run("no known allergies versus not recorded", func(t *testing.T) {
		al := byPatient(t, nhs, "AllergyIntolerance", patientID(t, nhs, nhsQuimby), nil)
		if len(al) != 1 || !strings.Contains(mustJSON(t, al[0]["code"]), "716186003") {
			t.Errorf("NKA = %v", al)
		}
		if al := byPatient(t, nhs, "AllergyIntolerance", patientID(t, nhs, nhsPennywhistle), nil); len(al) != 0 {
			t.Errorf("not-recorded person has %d allergies", len(al))
		}
	})

	t.Run("restricted case note and safeguarding flag", func(t *testing.T) {
		pid := patientID(t, council, nhsOakes)
		docs := byPatient(t, council, "DocumentReference", pid, nil)
		restricted := 0
		for _, d := range docs {
			if strings.Contains(mustJSON(t, d["meta"]), `"code":"R"`) {
				restricted++
			}
			att := list(d["content"])[0].(obj)["attachment"].(obj)
			text, err := base64.StdEncoding.DecodeString(str(att, "data"))
			if err != nil || len(text) == 0 || !strings.HasPrefix(str(att, "contentType"), "text/plain") {
				t.Errorf("case note attachment: %v %v", err, att)
			}
		}
		if restricted != 1 || len(docs) != 2 {
			t.Errorf("%d notes, %d restricted", len(docs), restricted)
		}
		flags := byPatient(t, council, "Flag", pid, nil)
		if len(flags) != 1 || str(list(flags[0]["category"])[0], "text") != "Safeguarding" {
			t.Errorf("safeguarding flag = %v", flags)
		}
	})

	t.Run("deceased, interpreter and discrepancy", func(t *testing.T) {
		_, p := get(t, nhs+"/Patient/"+patientID(t, nhs, nhsThornbury))
		if !strings.HasPrefix(str(p, "deceasedDateTime"), "2026-10-02") {
			t.Errorf("deceased = %v", p["deceasedDateTime"])
		}
		_, p = get(t, nhs+"/Patient/"+patientID(t, nhs, nhsNowakowska))
		js := mustJSON(t, p)
		if !strings.Contains(js, "patient-interpreterRequired") || str(list(p["communication"])[0], "language", "text") != "Polish" {
			t.Errorf("interpreter = %s", js)
		}
		_, a := get(t, nhs+"/Patient/"+patientID(t, nhs, nhsEtheridge))
		_, b := get(t, council+"/Patient/"+patientID(t, council, nhsEtheridge))
		if str(a, "birthDate") == str(b, "birthDate") || str(a, "birthDate") == "" || str(b, "birthDate") == "" {
			t.Errorf("birth dates %s / %s should differ", str(a, "birthDate"), str(b, "birthDate"))
		}
	})

	t.Run("local-authority-only person with a main carer", func(t *testing.T) {
		b := search(t, council, "Patient", url.Values{"identifier": {"https://demo-county.example.gov.uk/Id/social-care-person-id|DCC-100999"}})
		ps := resources(b, "match")
		if len(ps) != 1 {
			t.Fatalf("by local authority id: %d", len(ps))
		}
		pid := str(ps[0], "id")
		rps := byPatient(t, council, "RelatedPerson", pid, nil)
		if len(rps) != 1 || !strings.Contains(mustJSON(t, rps[0]["extension"]), `"code":"MC"`) {
			t.Errorf("main carer = %v", rps)
		}
		eocs := byPatient(t, council, "EpisodeOfCare", pid, nil)
		if len(eocs) != 1 || str(eocs[0], "status") != "active" || str(list(eocs[0]["type"])[0], "text") != "Supported living" {
			t.Errorf("supported living = %v", eocs)
		}
	})

	t.Run("clinical notes: discharge summary, inline text and a PDF", func(t *testing.T) {
		pid := patientID(t, nhs, nhsMarchbank)
		comps := byPatient(t, nhs, "Composition", pid, nil)
		if len(comps) != 1 || str(comps[0], "title") != "Discharge summary" || len(list(comps[0]["section"])) < 3 {
			t.Errorf("composition = %v", comps)
		}
		var pdf, text int
		for _, d := range byPatient(t, nhs, "DocumentReference", pid, nil) {
			att := list(d["content"])[0].(obj)["attachment"].(obj)
			switch {
			case att["contentType"] == "application/pdf" && att["size"].(float64) > 0:
				pdf++
			case strings.HasPrefix(str(att, "contentType"), "text/plain") && str(att, "data") != "":
				text++
			}
		}
		if pdf != 1 || text != 1 {
			t.Errorf("pdf %d, text %d", pdf, text)
		}
	})
}

// --- GP Connect ---------------------------------------------------------------------------

func TestGPConnectStructuredRecord(t *testing.T) {
	s := start(t)
	parts := allParts()
	code, b := gpPost(t, s, gpParams(nhsMarchbank, parts...), nil)
	if code != 200 || b["resourceType"] != "Bundle" || b["type"] != "collection" {
		t.Fatalf("%d %v", code, b)
	}
	pats := gpResources(b, "Patient")
	if len(pats) != 1 || str(list(pats[0]["identifier"])[0], "value") != nhsMarchbank {
		t.Fatalf("patient = %v", pats)
	}
	if c := list(pats[0]["contact"]); len(c) != 1 || str(list(c[0].(obj)["relationship"])[0], "text") != "Next of kin" {
		t.Errorf("contact = %v", pats[0]["contact"])
	}
	for _, typ := range []string{"Organization", "Practitioner", "PractitionerRole", "AllergyIntolerance", "MedicationStatement", "MedicationRequest", "Medication", "Encounter", "Observation"} {
		if len(gpResources(b, typ)) == 0 {
			t.Errorf("no %s in the bundle", typ)
		}
	}
	al := gpListByCode(b, "886921000000105")
	if al == nil || len(list(al["entry"])) != 1 {
		t.Errorf("allergies list = %v", al)
	}
	ml := gpListByCode(b, "933361000000108")
	if ml == nil || len(list(ml["entry"])) != 4 {
		t.Errorf("medication list = %v", ml)
	}
	intents := map[string]int{}
	for _, r := range gpResources(b, "MedicationRequest") {
		intents[str(r, "intent")]++
	}
	if intents["plan"] != 4 || intents["order"] != 4 {
		t.Errorf("MedicationRequest intents = %v", intents)
	}
	cl := gpListByCode(b, "1149501000000101")
	if cl == nil || len(list(cl["entry"])) != 2 {
		t.Errorf("consultations list = %v", cl)
	}
	comment := 0
	for _, o := range gpResources(b, "Observation") {
		if strings.Contains(mustJSON(t, o["code"]), "37331000000100") && str(o, "comment") != "" && strings.HasPrefix(str(o, "context", "reference"), "Encounter/") {
			comment++
		}
	}
	if comment != 2 {
		t.Errorf("%d comment notes", comment)
	}

	// Only what was asked: consultations limited to the most recent one, no allergies.
	_, b = gpPost(t, s, gpParams(nhsMarchbank, obj{"name": "includeConsultations", "part": []any{obj{"name": "includeNumberOfMostRecent", "valuePositiveInt": 1}}}), nil)
	if len(gpResources(b, "AllergyIntolerance")) != 0 || len(gpResources(b, "Encounter")) != 1 {
		t.Errorf("asked for one consultation, got %d allergies and %d encounters", len(gpResources(b, "AllergyIntolerance")), len(gpResources(b, "Encounter")))
	}
	// medicationSearchFromDate drops what ended before it.
	_, b = gpPost(t, s, gpParams(nhsMarchbank, obj{"name": "includeMedication", "part": []any{obj{"name": "medicationSearchFromDate", "valueDate": "2026-07-01"}}}), nil)
	if n := len(gpResources(b, "MedicationStatement")); n != 3 {
		t.Errorf("medications since 01-Jul-2026 = %d, want 3", n)
	}
}

func TestGPConnectAllergyCases(t *testing.T) {
	s := start(t)
	allergies := obj{"name": "includeAllergies", "part": []any{obj{"name": "includeResolvedAllergies", "valueBoolean": false}}}

	_, b := gpPost(t, s, gpParams(nhsOakes, allergies), nil)
	l := gpListByCode(b, "886921000000105")
	if !strings.Contains(mustJSON(t, l["extension"]), "confidential-items") || !strings.Contains(mustJSON(t, l["note"]), "confidentiality") {
		t.Errorf("confidential-items warning missing: %v", l)
	}
	_, b = gpPost(t, s, gpParams(nhsQuimby, allergies), nil)
	al := gpResources(b, "AllergyIntolerance")
	if len(al) != 1 || !strings.Contains(mustJSON(t, al[0]["code"]), "716186003") {
		t.Errorf("NKA at the GP = %v", al)
	}
	_, b = gpPost(t, s, gpParams(nhsPennywhistle, allergies), nil)
	l = gpListByCode(b, "886921000000105")
	if len(gpResources(b, "AllergyIntolerance")) != 0 || !strings.Contains(mustJSON(t, l["emptyReason"]), "no-content-recorded") {
		t.Errorf("not-recorded allergies list = %v", l)
	}
	if l["extension"] != nil {
		t.Errorf("unexpected warning on %v", l)
	}
	// A record still arriving from the previous practice warns on every list.
	_, b = gpPost(t, s, gpParams(nhsNowakowska, allParts()...), nil)
	for _, code := range []string{"886921000000105", "933361000000108", "1149501000000101"} {
		l := gpListByCode(b, code)
		if !strings.Contains(mustJSON(t, l["extension"]), `"valueCode":"data-in-transit"`) || !strings.Contains(mustJSON(t, l["note"]), "01-Oct-2026 may be missing") {
			t.Errorf("list %s lacks the data-in-transit warning: %v", code, l)
		}
	}
}

func TestGPConnectErrors(t *testing.T) {
	s := start(t)
	body := gpParams(nhsMarchbank, allParts()...)
	cases := []struct {
		name   string
		body   obj
		edit   func(http.Header)
		status int
		code   string
	}{
		{"no trace id", body, func(h http.Header) { h.Del("Ssp-TraceID") }, 400, "BAD_REQUEST"},
		{"no Ssp-From", body, func(h http.Header) { h.Del("Ssp-From") }, 400, "BAD_REQUEST"},
		{"wrong interaction", body, func(h http.Header) {
			h.Set("Ssp-InteractionID", "urn:nhs:names:services:gpconnect:fhir:rest:read:metadata-1")
		}, 400, "BAD_REQUEST"},
		{"wrong Ssp-To", body, func(h http.Header) { h.Set("Ssp-To", "123") }, 403, "ACCESS_DENIED"},
		{"no token", body, func(h http.Header) { h.Del("Authorization") }, 403, "ACCESS_DENIED"},
		{"not a JWT", body, func(h http.Header) { h.Set("Authorization", "Bearer abc") }, 400, "BAD_REQUEST"},
		{"wrong reason", body, func(h http.Header) {
			h.Set("Authorization", "Bearer "+gpJWT(func(c obj) { c["reason_for_request"] = "secondaryuses" }))
		}, 400, "BAD_REQUEST"},
		{"no practitioner", body, func(h http.Header) {
			h.Set("Authorization", "Bearer "+gpJWT(func(c obj) { delete(c, "requesting_practitioner") }))
		}, 400, "BAD_REQUEST"},
		{"long-lived token", body, func(h http.Header) {
			h.Set("Authorization", "Bearer "+gpJWT(func(c obj) { c["exp"] = c["iat"].(int64) + 3600 }))
		}, 400, "BAD_REQUEST"},
		{"expired token", body, func(h http.Header) {
			h.Set("Authorization", "Bearer "+gpJWT(func(c obj) {
				// Ten days before both the clock and the demo's reference day.
				iat := min(time.Now().Unix(), demo.ReferenceDate.Unix()) - 10*24*3600
				c["iat"], c["exp"] = iat, iat+300
			}))
		}, 400, "BAD_REQUEST"},
		{"invalid NHS number", gpParams("9991230001", allParts()...), nil, 400, "INVALID_NHS_NUMBER"},
		{"unknown patient", gpParams(nhsThornbury, allParts()...), nil, 404, "PATIENT_NOT_FOUND"},
		{"unknown parameter", gpParams(nhsMarchbank, obj{"name": "includeEverything"}), nil, 422, "INVALID_PARAMETER"},
		{"not Parameters", obj{"resourceType": "Patient"}, nil, 422, "INVALID_RESOURCE"},
	}
	for _, c := range cases {
		code, oo := gpPost(t, s, c.body, c.edit)
		if code != c.status || oo["resourceType"] != "OperationOutcome" || spineCode(oo) != c.code {
			t.Errorf("%s: %d %s, want %d %s (%v)", c.name, code, spineCode(oo), c.status, c.code, oo)
		}
	}
	// A client on the demo's fixed clock signs tokens at the reference date: accepted.
	code, _ := gpPost(t, s, body, func(h http.Header) {
		h.Set("Authorization", "Bearer "+gpJWT(func(c obj) {
			iat := demo.ReferenceDate.Unix()
			c["iat"], c["exp"] = iat, iat+300
		}))
	})
	if code != 200 {
		t.Errorf("token issued on the demo clock: %d", code)
	}
	// The operation is POST only; other paths are 404 with an OperationOutcome.
	code, oo := get(t, base(t, s, demo.NameGP)+"/Patient/$gpc.getstructuredrecord")
	if code != 405 || oo["resourceType"] != "OperationOutcome" {
		t.Errorf("GET on the operation: %d", code)
	}
	code, _ = get(t, base(t, s, demo.NameGP)+"/Patient?identifier=x")
	if code != 404 {
		t.Errorf("FHIR search on GP Connect: %d", code)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	var b bytes.Buffer
	enc := jsonEncoder(&b)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestPatientSearchParameterForms(t *testing.T) {
	s := start(t)
	nhs := base(t, s, demo.NameNHS)
	pid := patientID(t, nhs, nhsMarchbank)
	cases := []struct {
		q    url.Values
		want int
	}{
		{url.Values{"identifier": {nhsMarchbank}}, 1},                               // value without system
		{url.Values{"identifier": {"|" + nhsMarchbank}}, 1},                         // empty system
		{url.Values{"identifier": {"https://other.example/id|" + nhsMarchbank}}, 0}, // wrong system
		{url.Values{"identifier": {nhsMarchbank + "," + nhsQuimby}}, 2},             // OR
		{url.Values{"_id": {pid}}, 1},
		{url.Values{"name": {"edi"}}, 1},
		{url.Values{"family": {"HARG"}}, 2},
		{url.Values{"family": {"Hargreaves"}, "birthdate": {"1950"}}, 2},
		{url.Values{"family": {"Hargreaves"}, "birthdate": {"1950-06"}}, 2},
		{url.Values{"birthdate": {"lt1934-01-01"}}, 1},
		{url.Values{"birthdate": {"le1933-12-01"}}, 1},
		{url.Values{"birthdate": {"gt2005-01-01"}}, 1}, // Poppy Ashgrove (flags_people.go),
		{url.Values{"birthdate": {"ge1958-05-30"}}, 3}, // and Desmond Halloway,
		{url.Values{"gender": {"female"}, "family": {"Oakes"}}, 1},
		{url.Values{"gender": {"male"}, "family": {"Oakes"}}, 0},
	}
	for _, c := range cases {
		b := search(t, nhs, "Patient", c.q)
		if total(b) != c.want || len(resources(b, "match")) != c.want {
			t.Errorf("Patient?%s: %d, want %d", c.q.Encode(), total(b), c.want)
		}
	}
	// patient and subject together narrow to the same person.
	b := search(t, nhs, "Encounter", url.Values{"patient": {pid}, "subject": {"Patient/" + pid}})
	if total(b) != 4 {
		t.Errorf("patient+subject: %d", total(b))
	}
	b = search(t, nhs, "Encounter", url.Values{"patient": {pid}, "subject": {"shcr-0002"}})
	if total(b) != 0 {
		t.Errorf("two different patients: %d", total(b))
	}
	// _id on a section type, and a type searched without a patient.
	b = search(t, nhs, "Encounter", url.Values{"_id": {"en-0001-1,en-0001-2,nope"}})
	if total(b) != 2 {
		t.Errorf("_id list: %d", total(b))
	}
	b = search(t, nhs, "Medication", url.Values{})
	if total(b) < 10 {
		t.Errorf("all medications: %d", total(b))
	}
}
