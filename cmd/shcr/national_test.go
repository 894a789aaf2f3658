package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/shcr-project/shcr/internal/demo"
)

// `shcr get --output json` carries identity, held_elsewhere and routing from the demo's
// national services; the text output shows them; a superseded number opens the new one.
func TestGetNationalJSONAndText(t *testing.T) {
	t.Parallel()
	env := testEnv(t)
	r := shcr(t, env, "get", "--demo", demo.NHSSuperseded, "--section", "alerts", "--output", "json")
	if r.code != 0 {
		t.Fatalf("want exit 0\n%s", r)
	}
	var doc struct {
		Person struct {
			NHSNumber string `json:"nhs_number"`
		} `json:"person"`
		Identity *struct {
			State      string   `json:"state"`
			Verified   bool     `json:"verified"`
			Superseded []string `json:"superseded"`
			Restricted bool     `json:"restricted"`
			GPPractice string   `json:"gp_practice"`
		} `json:"identity"`
		HeldElsewhere *struct {
			Status   string `json:"status"`
			Pointers []struct {
				CustodianCode string `json:"custodian_code"`
				OpensBackend  string `json:"opens_backend"`
			} `json:"pointers"`
		} `json:"held_elsewhere"`
		Routing []struct{ Backend, Reason string } `json:"routing"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Person.NHSNumber != demo.NHSReplacedBy || doc.Identity == nil || !doc.Identity.Verified ||
		len(doc.Identity.Superseded) != 1 || doc.Identity.Superseded[0] != demo.NHSSuperseded || doc.Identity.GPPractice != "DMG01" {
		t.Errorf("superseded: person %s identity %+v", doc.Person.NHSNumber, doc.Identity)
	}
	if doc.HeldElsewhere == nil || doc.HeldElsewhere.Status != "ok" || doc.HeldElsewhere.Pointers == nil || len(doc.Routing) != 4 { // three records and the flags service
		t.Errorf("held_elsewhere %+v routing %+v", doc.HeldElsewhere, doc.Routing)
	}

	r = shcr(t, env, "get", "--demo", demo.NHSWithPointers, "--section", "alerts", "--output", "json")
	doc.HeldElsewhere, doc.Routing = nil, nil
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || doc.HeldElsewhere == nil || len(doc.HeldElsewhere.Pointers) != 2 {
		t.Fatalf("pointers: %v %+v\n%s", err, doc.HeldElsewhere, r)
	}
	if p := doc.HeldElsewhere.Pointers; p[0].OpensBackend != demo.NameNHS || p[1].OpensBackend != "" {
		t.Errorf("opens: %+v", p)
	}
	if doc.Routing[0].Backend != demo.NameNHS || doc.Routing[0].Reason != "locator" {
		t.Errorf("routing: %+v", doc.Routing)
	}

	r = shcr(t, env, "get", "--demo", demo.NHSRestricted, "--section", "alerts")
	for _, want := range []string{"[RESTRICTED DEMOGRAPHICS]", "Registered GP: withheld: restricted demographics"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("restricted text output lacks %q\n%s", want, r)
		}
	}
	r = shcr(t, env, "get", "--demo", demo.NHSSuperseded, "--section", "alerts", "--vocabulary", "social-care")
	if !strings.Contains(r.stdout, "[NHS NUMBER 999 000 0026 WAS REPLACED BY 999 456 0018]") || !strings.Contains(r.stdout, "Identity: ") {
		t.Errorf("social care text output:\n%s", r)
	}
}

// `get --output json` lists the national back ends in `backends` with their state, beside the
// regional ones (their detail stays in identity and held_elsewhere); PDS's NHS record sharing
// dissent is an objection covering every care record, in `consent`, withheld in the text.
func TestGetNationalBackendsAndDissent(t *testing.T) {
	t.Parallel()
	env := testEnv(t)
	r := shcr(t, env, "get", "--demo", demo.NHSWithPointers, "--section", "alerts", "--output", "json")
	if r.code != 0 {
		t.Fatalf("want exit 0\n%s", r)
	}
	var doc struct {
		Backends []struct{ Name, Kind, Status string } `json:"backends"`
		Consent  struct {
			ObjectedBackends []string `json:"objected_backends"`
			Records          []struct {
				Kind     string `json:"kind"`
				National bool   `json:"national"`
			} `json:"records"`
		} `json:"consent"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, b := range doc.Backends {
		got[b.Name] = b.Kind + " " + b.Status
	}
	if got[demo.NamePDS] != "pds ok" || got[demo.NameNRL] != "nrl ok" || got[demo.NameNHS] == "" {
		t.Errorf("backends %+v", doc.Backends)
	}

	r = shcr(t, env, "get", "--demo", demo.NCRSDissentNHS, "--section", "allergies", "--output", "json")
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("%v\n%s", err, r)
	}
	if len(doc.Consent.ObjectedBackends) == 0 || !strings.Contains(strings.Join(doc.Consent.ObjectedBackends, ","), demo.NameNHS) {
		t.Errorf("objected back ends %v\n%s", doc.Consent.ObjectedBackends, r.stdout)
	}
	if len(doc.Consent.Records) != 1 || doc.Consent.Records[0].Kind != "ncrs" || !doc.Consent.Records[0].National {
		t.Errorf("consent records %+v", doc.Consent.Records)
	}
	r = shcr(t, env, "get", "--demo", demo.NCRSDissentNHS, "--section", "allergies")
	if !strings.Contains(r.stdout, "NHS RECORD SHARING DISSENT AT "+demo.NamePDS) || strings.Contains(r.stdout, "Penicillin") {
		t.Errorf("text output under a national dissent:\n%s", r)
	}
}
