package client

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shcr-project/shcr/config"
	"github.com/shcr-project/shcr/internal/demo"
	"github.com/shcr-project/shcr/record"
)

func nationalFed(t *testing.T, org string) (*Federation, *demo.Servers) {
	t.Helper()
	srv := startDemo(t, demo.Options{National: true})
	f, err := NewFederation(srv.Config(), Options{User: config.User{Organisation: org}})
	if err != nil {
		t.Fatal(err)
	}
	return f, srv
}

// The demo PDS and NRL refuse requests without their required headers, with the
// services' OperationOutcome shapes; shcr's requests carry them.
func TestNationalServicesRefuseMissingHeaders(t *testing.T) {
	srv := startDemo(t, demo.Options{National: true})
	pds, _ := srv.Backend(demo.NamePDS)
	nrl, _ := srv.Backend(demo.NameNRL)
	get := func(url string, h map[string]string) (int, string) {
		req, _ := http.NewRequest("GET", url, nil)
		for k, v := range h {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b strings.Builder
		buf := make([]byte, 4096)
		for {
			n, err := resp.Body.Read(buf)
			b.Write(buf[:n])
			if err != nil {
				break
			}
		}
		return resp.StatusCode, b.String()
	}
	id := NewRequestID()
	if code, body := get(pds.URL+"/Patient/9991230009", nil); code != 400 || !strings.Contains(body, "MISSING_VALUE") || !strings.Contains(body, "X-Request-ID") {
		t.Errorf("PDS without X-Request-ID: %d %s", code, body)
	}
	if code, body := get(pds.URL+"/Patient/9991230009", map[string]string{"X-Request-ID": "not-a-uuid"}); code != 400 || !strings.Contains(body, "INVALID_VALUE") {
		t.Errorf("PDS with a bad X-Request-ID: %d %s", code, body)
	}
	if code, _ := get(pds.URL+"/Patient/9991230009", map[string]string{"X-Request-ID": id}); code != 200 {
		t.Errorf("PDS with X-Request-ID: %d", code)
	}
	q := "/DocumentReference?subject:identifier=https://fhir.nhs.uk/Id/nhs-number|9991230009"
	if code, body := get(nrl.URL+q, map[string]string{"X-Request-ID": id}); code != 400 || !strings.Contains(body, "NHSD-End-User-Organisation-ODS") {
		t.Errorf("NRL without the end-user organisation: %d %s", code, body)
	}
	if code, _ := get(nrl.URL+q, map[string]string{"X-Request-ID": id, "NHSD-End-User-Organisation-ODS": "RAJ"}); code != 200 {
		t.Errorf("NRL with its headers: %d", code)
	}
	// Without user.organisation shcr does not ask the locator, and says why.
	f, _ := nationalFed(t, "")
	rec, found := f.Fetch(context.Background(), demo.NHSWithPointers, []record.Section{record.SectionAlerts})
	if !found || rec.Locator == nil || rec.Locator.State != record.IdentityNotQueried || !strings.Contains(rec.Locator.Error, "user.organisation") {
		t.Errorf("locator without user.organisation: %+v", rec.Locator)
	}
}

func TestTraceRules(t *testing.T) {
	for _, c := range []struct {
		t    Trace
		app  bool
		want string // query, or an error fragment
	}{
		{Trace{Family: "Smith", BirthDate: "2010-10-22"}, false, "_max-results=10&birthdate=eq2010-10-22&family=Smith"},
		{Trace{Family: "Smith", BirthDate: "2010-01-01", BirthDateTo: "2010-12-31", Gender: "female"}, false, "_max-results=10&birthdate=ge2010-01-01&birthdate=le2010-12-31&family=Smith&gender=female"},
		{Trace{Family: "Smith", Given: []string{"John Paul", "James"}, BirthDate: "2010-10-22", Fuzzy: true, MaxResults: 50}, false, "_fuzzy-match=true&_max-results=50&birthdate=eq2010-10-22&family=Smith&given=John+Paul&given=James"},
		{Trace{Family: "Smith", BirthDate: "2010-10-22", Exact: true}, true, "_exact-match=true&_max-results=1&birthdate=eq2010-10-22&family=Smith"},
		{Trace{Family: "Smith", BirthDate: "2010-10-22", MaxResults: 5}, true, "one match only"},
		{Trace{Family: "Smith"}, false, "family name and a date of birth"},
		{Trace{Family: "Smith", BirthDate: "2010-10-22", Fuzzy: true}, false, "fuzzy search needs"},
		{Trace{Family: "S*", BirthDate: "2010-10-22"}, false, "wildcard"},
		{Trace{Family: "Sm*", BirthDate: "22/10/2010"}, false, "YYYY-MM-DD"},
		{Trace{Family: "Smith", BirthDate: "2010-10-22", MaxResults: 51}, false, "between 1 and 50"},
	} {
		q, err := c.t.Params(c.app)
		got := ""
		if err != nil {
			got = err.Error()
		} else {
			got = q.Encode()
		}
		if !strings.Contains(got, c.want) {
			t.Errorf("%+v (app %v): got %q, want %q", c.t, c.app, got, c.want)
		}
	}
}

// A trace against the demo PDS: one person found by name and birth date; a wildcard
// matching both twins with _max-results=1 is "too many matches" in plain words.
func TestTraceAgainstDemoPDS(t *testing.T) {
	srv := startDemo(t, demo.Options{National: true})
	var cfg config.Backend
	for _, c := range srv.Config() {
		if c.Kind == config.KindPDS {
			cfg = c
		}
	}
	b, err := New(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	pds := b.(*pdsBackend)
	ctx := context.Background()
	people, err := pds.Trace(ctx, Trace{Family: "Hargreaves", Given: []string{"Alan"}, BirthDate: "1950-06-30"})
	if err != nil || len(people) != 1 || people[0].NHSNumber != "9991110003" {
		t.Fatalf("trace: %v %+v", err, people)
	}
	_, err = pds.Trace(ctx, Trace{Family: "Harg*", BirthDate: "1950-06-30", MaxResults: 1})
	if !errors.Is(err, ErrTooManyMatches) || !strings.Contains(err.Error(), "too many people") {
		t.Fatalf("too many matches: %v", err)
	}
	// A misspelt given name finds nobody exactly; Search then tries a fuzzy trace.
	got, err := pds.Search(ctx, record.Query{Family: "Hargreaves", Given: "Alun", BirthDate: time.Date(1950, 6, 30, 0, 0, 0, 0, time.UTC)})
	if err != nil || len(got) != 1 || got[0].NHSNumber != "9991110003" {
		t.Fatalf("fuzzy after exact: %v %+v", err, got)
	}
	// An invalid NHS number is the service's INVALID_RESOURCE_ID in plain words.
	_, err = pds.get(ctx, "Patient/9990000000", nil, "Patient")
	if err == nil || !strings.Contains(err.Error(), "the NHS number is not valid") {
		t.Fatalf("invalid NHS number: %v", err)
	}
}

// An old NHS number is followed to the one that replaced it; the regional back ends are
// asked with the new number and the record says which number was replaced.
func TestSupersededNHSNumberIsFollowed(t *testing.T) {
	f, _ := nationalFed(t, "DMX01")
	rec, found := f.Fetch(context.Background(), demo.NHSSuperseded, []record.Section{record.SectionAllergies})
	if !found {
		t.Fatalf("the old number found nobody: %+v", rec.Backends)
	}
	if rec.Person.NHSNumber != demo.NHSReplacedBy || rec.Identity == nil || !rec.Identity.Verified ||
		!slices.Equal(rec.Identity.Superseded, []string{demo.NHSSuperseded}) {
		t.Fatalf("person %s identity %+v", rec.Person.NHSNumber, rec.Identity)
	}
	if n := len(rec.Sections.Allergies); n == 0 {
		t.Errorf("no allergies read from the regional back ends under the new number")
	}
	if rec.Identity.GPPractice != "DMG01" || rec.Identity.RelatedState != record.IdentityOK || len(rec.Identity.Related) == 0 {
		t.Errorf("GP %q related %s %d", rec.Identity.GPPractice, rec.Identity.RelatedState, len(rec.Identity.Related))
	}
}

// A restricted person: no address or phone from any back end, though the regional ones
// hold them; related people withheld.
func TestRestrictedAddressNeverShownFromAnotherBackend(t *testing.T) {
	f, _ := nationalFed(t, "DMX01")
	rec, found := f.Fetch(context.Background(), demo.NHSRestricted, []record.Section{record.SectionNextOfKin})
	if !found || rec.Identity == nil || !rec.Identity.Restricted {
		t.Fatalf("identity: %+v", rec.Identity)
	}
	if rec.Person.Address.Postcode != "" || len(rec.Person.Address.Lines) != 0 || len(rec.Person.Phones) != 0 {
		t.Errorf("address %+v phones %+v shown for a restricted person", rec.Person.Address, rec.Person.Phones)
	}
	for _, s := range rec.Person.Sources {
		if s.Postcode != "" {
			t.Errorf("source %s keeps postcode %q", s.Backend, s.Postcode)
		}
	}
	if rec.Identity.RelatedState != record.IdentityWithheld || rec.Identity.GPPractice != "" {
		t.Errorf("related %s gp %q", rec.Identity.RelatedState, rec.Identity.GPPractice)
	}
	// Without the national services the same person shows the regional address: the
	// test above proves something.
	srv := startDemo(t, demo.Options{})
	plain, _ := NewFederation(srv.Config(), Options{})
	p, _ := plain.Fetch(context.Background(), demo.NHSRestricted, []record.Section{record.SectionNextOfKin})
	if p.Person.Address.Postcode == "" || p.Identity != nil || p.Locator != nil || p.Routing != nil {
		t.Errorf("without national services: %+v identity %v", p.Person.Address, p.Identity)
	}
}

// Pointers: one to a configured back end opens it (and it is asked first, because the
// locator points to it); one to an unconfigured record shows its custodian and URL.
func TestPointersAndRoutingOrder(t *testing.T) {
	f, srv := nationalFed(t, "DMX01")
	rec, found := f.Fetch(context.Background(), demo.NHSWithPointers, []record.Section{record.SectionAlerts})
	if !found || rec.Locator == nil || rec.Locator.State != record.IdentityOK || len(rec.Locator.Pointers) != 2 {
		t.Fatalf("locator: %+v", rec.Locator)
	}
	in, out := rec.Locator.Pointers[0], rec.Locator.Pointers[1]
	if in.CustodianCode != "DMH01" || in.Backend != demo.NameNHS || in.Type != "Clinical summary" || in.Date.IsZero() {
		t.Errorf("pointer to a configured back end: %+v", in)
	}
	if out.CustodianCode != "DMN01" || out.Backend != "" || out.CustodianName != "Northshire Shared Care Record" || !strings.HasPrefix(out.URL, "ssp://") || out.Retrieval != "SSP" {
		t.Errorf("pointer to an unconfigured record: %+v", out)
	}
	want := []record.Route{{Backend: demo.NameNHS, Reason: record.RouteLocator}, {Backend: demo.NameGP, Reason: record.RouteGPArea}, {Backend: demo.NameCouncil, Reason: record.RouteConfigured}}
	if !slices.Equal(rec.Routing, want) {
		t.Errorf("routing %+v, want %+v", rec.Routing, want)
	}
	// The plan alone: a pointer opens a back end by its URL too.
	infos := f.Backends()
	nhs, _ := srv.Backend(demo.NameCouncil)
	if got := openable(record.Pointer{CustodianCode: "ZZZ99", URL: nhs.URL + "/Patient/1"}, infos); got != demo.NameCouncil {
		t.Errorf("pointer by URL opens %q", got)
	}
	if got := openable(record.Pointer{CustodianCode: "ZZZ99", URL: nhs.URL + "x/Patient/1"}, infos); got != "" {
		t.Errorf("a URL that only shares a prefix opens %q", got)
	}
}

// A name and birth date search traces nationally first: the PDS match comes first,
// verified, and is known to the regional back ends.
func TestNameSearchTracesNationallyFirst(t *testing.T) {
	f, _ := nationalFed(t, "DMX01")
	matches, sts := f.Search(context.Background(), record.Query{Family: "Hargreaves", BirthDate: time.Date(1950, 6, 30, 0, 0, 0, 0, time.UTC)})
	if len(matches) != 2 || sts[0].Name != demo.NamePDS || sts[0].Status != record.BackendOK {
		t.Fatalf("matches %d statuses %+v", len(matches), sts)
	}
	for _, m := range matches {
		if m.national == nil || m.national.person == nil {
			t.Errorf("%s not traced nationally", m.Person.NHSNumber)
		}
		if slices.ContainsFunc(m.Person.Sources, func(s record.PersonSource) bool { return s.Backend == demo.NamePDS }) {
			t.Errorf("PDS listed as a record source of %s", m.Person.NHSNumber)
		}
	}
	rec := f.OpenRecord(context.Background(), matches[0], []record.Section{record.SectionAlerts})
	if rec.Identity == nil || !rec.Identity.Verified || len(rec.Routing) != 3 {
		t.Errorf("opened trace result: identity %+v routing %+v", rec.Identity, rec.Routing)
	}
}
