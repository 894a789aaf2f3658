package demo_test

import (
	"context"
	"strings"
	"testing"

	"github.com/shcr-project/shcr/client"
	"github.com/shcr-project/shcr/config"
	"github.com/shcr-project/shcr/internal/demo"
	"github.com/shcr-project/shcr/record"
)

// fetchAll opens every demo person with an NHS number through the federation of the three
// demo back ends, as `shcr get --demo` does.
func fetchAll(t *testing.T) map[string]*record.Record {
	t.Helper()
	s := start(t)
	fed, err := client.NewFederation(s.Config(), client.Options{User: config.User{Name: "Dr Jane Carter", ID: "G13579135"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fed.Close)
	out := map[string]*record.Record{}
	for _, p := range demo.People() {
		if p.NHSNumber == "" {
			continue
		}
		rec, found := fed.Fetch(context.Background(), p.NHSNumber, record.Sections())
		if !found {
			t.Fatalf("%s not found", p.NHSNumber)
		}
		out[p.NHSNumber] = rec
	}
	return out
}

// Each real thing shows once, with every back end that reported it: the NHS ShCR holds
// the GP's medications and allergies under the GP's identifiers, contacts are the same
// person by name and phone, the GP by SDS user id, deceased and interpreter alerts by fact.
func TestDemoShowsEachRealThingOnce(t *testing.T) {
	recs := fetchAll(t)
	for nhs, rec := range recs {
		s := rec.Sections
		seen := map[string]string{}
		once := func(sec, what string, it record.Item) {
			k := sec + ": " + what
			if prev, dup := seen[k]; dup {
				t.Errorf("%s: %s shown twice (%s and %s)", nhs, k, prev, it.Provenance.Backend)
			}
			seen[k] = it.Provenance.Backend
		}
		for _, m := range s.Medications {
			once("medication", m.Name+" from "+m.Period.Start.Format("2006-01-02"), m.Item)
		}
		for _, a := range s.Allergies {
			once("allergy", a.Substance, a.Item)
		}
		for _, c := range s.NextOfKin {
			once("contact", record.NormaliseName(c.Name), c.Item)
		}
		for _, m := range s.CareTeam {
			once("care team", m.Name, m.Item)
		}
		for _, a := range s.Alerts {
			once("alert", a.Kind+" "+a.Text, a.Item)
		}
	}

	// The dispatcher case: four contacts, each with every back end that knows them and
	// every role any of them gives.
	b := recs["9992340002"]
	want := map[string]struct {
		roles    []string
		backends int
	}{
		"Mrs Margaret Brackenbury": {[]string{record.RoleNextOfKin}, 3},
		"Mr Peter Brackenbury":     {[]string{record.RoleEmergencyContact, record.RoleLPA}, 2},
		"Mrs Janet Ollerenshaw":    {[]string{record.RoleKeyHolder}, 1},
		"Ms Claire Whitcombe":      {[]string{record.RoleEmergencyContact}, 1},
	}
	if len(b.Sections.NextOfKin) != len(want) {
		t.Fatalf("Brackenbury contacts: %d, want %d", len(b.Sections.NextOfKin), len(want))
	}
	for _, c := range b.Sections.NextOfKin {
		w, ok := want[c.Name]
		if !ok {
			t.Errorf("unexpected contact %q", c.Name)
			continue
		}
		if strings.Join(c.Roles, ",") != strings.Join(w.roles, ",") || 1+len(c.AlsoFrom) != w.backends {
			t.Errorf("%s: roles %q from %d back ends, want %q from %d", c.Name, c.Roles, 1+len(c.AlsoFrom), w.roles, w.backends)
		}
		if strings.Count(strings.ToLower(c.Relationship), strings.ToLower(strings.Split(c.Relationship, ",")[0])) > 1 {
			t.Errorf("%s: relationship %q repeats itself", c.Name, c.Relationship)
		}
	}
	// Medications and allergies: the ShCR's copy and GP Connect's are one row, both named.
	for _, m := range b.Sections.Medications {
		if len(m.AlsoFrom) != 1 {
			t.Errorf("%s: reported by %s and %d others, want the NHS ShCR and the GP", m.Name, m.Provenance.Backend, len(m.AlsoFrom))
		}
	}
	if len(b.Sections.Medications) != 2 || len(b.Sections.Allergies) != 1 || len(b.Sections.Allergies[0].AlsoFrom) != 1 {
		t.Errorf("Brackenbury medications %d, allergies %+v", len(b.Sections.Medications), b.Sections.Allergies)
	}
	// No known allergies from both health back ends is one positive statement.
	q := recs["9993450006"].Sections.Allergies
	if len(q) != 1 || !q[0].NoKnownAllergies || len(q[0].AlsoFrom) != 1 {
		t.Errorf("Quimby allergies %+v", q)
	}
	// The deceased alert from the NHS ShCR and the council is one alert.
	if a := recs["9997890000"].Sections.Alerts; len(a) != 1 || a[0].Kind != record.AlertDeceased || len(a[0].AlsoFrom) != 1 {
		t.Errorf("Thornbury alerts %+v", a)
	}
}
