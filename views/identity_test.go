package views_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/shcr-project/shcr/record"
	"github.com/shcr-project/shcr/views"
	"github.com/shcr-project/shcr/views/viewstest"
)

// identityRecord is the fixture record with what the national services say in one state.
func identityRecord(state string) *record.Record {
	rec := viewstest.Record()
	pds := &record.Identity{Backend: "PDS", State: record.IdentityVerified, Verified: true, Superseded: []string{},
		GPPractice: "Y12345", GPPracticeName: "Kettlewick Surgery", RelatedState: record.IdentityOK,
		Related: []record.RelatedPerson{{Name: record.Name{Family: "Marchbank", Given: []string{"Susan"}, Prefix: []string{"Mrs"}},
			Relationship: "daughter", NextOfKin: true, Phones: []record.Phone{{Number: "07700 900101", Use: "mobile"}}}}}
	loc := &record.Locator{Backend: "NRL", State: record.IdentityOK, Pointers: []record.Pointer{}}
	switch state {
	case "restricted":
		pds.Restricted, pds.Confidentiality, pds.GPPractice, pds.GPPracticeName = true, "R", "", ""
		pds.RelatedState, pds.Related = record.IdentityWithheld, nil
	case "superseded":
		pds.Superseded = []string{"9990000026"}
	case "held-elsewhere":
		loc.Pointers = []record.Pointer{
			{CustodianCode: "DMH01", CustodianName: "Wexbridge General Hospital NHS Trust", Type: "Clinical summary",
				Date: time.Date(2026, 10, 2, 10, 15, 0, 0, time.UTC), Backend: "Demo NHS ShCR"},
			{CustodianCode: "DMN01", CustodianName: "Northshire Shared Care Record", Type: "Mental health crisis plan",
				Date: time.Date(2025, 3, 18, 14, 0, 0, 0, time.UTC), URL: "ssp://spine-proxy.national.ncrs.nhs.uk/plans/7"},
		}
	case "not-checked":
		pds = &record.Identity{Backend: "PDS", State: record.IdentityFailed, Error: "back end PDS did not answer within 15s", Superseded: []string{}}
		loc = &record.Locator{Backend: "NRL", State: record.IdentityFailed, Error: "back end NRL answered 403 with access was denied", Pointers: []record.Pointer{}}
	}
	rec.Merge(record.Part{Identity: pds, Locator: loc, Routing: []record.Route{
		{Backend: "Demo NHS ShCR", Reason: record.RouteLocator}, {Backend: "Demo County Council", Reason: record.RouteConfigured}}})
	return rec
}

// The banner in each national state, at 80 columns, in both vocabularies.
func TestIdentityBanner(t *testing.T) {
	for _, v := range vocabs {
		for _, state := range []string{"restricted", "superseded", "held-elsewhere", "not-checked"} {
			t.Run(fmt.Sprintf("%s/%s", v.Name, state), func(t *testing.T) {
				rec := identityRecord(state)
				out := views.Banner(rec, v, views.TextStyles(), 80, viewstest.Now) + "\n\n" +
					views.Summary(rec, v, views.TextStyles(), 80, 0, viewstest.Now, nil)
				for _, l := range strings.Split(out, "\n") {
					if lipgloss.Width(l) > 80 {
						t.Errorf("line wider than 80: %q", l)
					}
				}
				noOtherWords(t, v, out)
				want := map[string][]string{
					"restricted":     {"[RESTRICTED DEMOGRAPHICS]", "withheld: restricted demographics (only PDS's details are shown)"},
					"superseded":     {"[NHS NUMBER 999 000 0026 WAS REPLACED BY"},
					"held-elsewhere": {"Records held elsewhere: 2 (Wexbridge General Hospital NHS Trust (DMH01),", "opens in shcr from Demo NHS ShCR", "not in shcr: contact Northshire"},
					"not-checked":    {"[NHS NUMBER NOT CHECKED: back end PDS did not answer within 15s]", "Records held elsewhere: not checked (back end NRL answered 403"},
				}[state]
				flat := strings.Join(strings.Fields(out), " ")
				for _, w := range want {
					if !strings.Contains(flat, strings.Join(strings.Fields(w), " ")) {
						t.Errorf("missing %q in:\n%s", w, out)
					}
				}
				if state == "restricted" && strings.Contains(out, viewstest.Person().Address.Postcode) {
					t.Errorf("restricted person's postcode shown:\n%s", out)
				}
				if state != "held-elsewhere" && strings.Contains(out, "Records held elsewhere: 0") {
					t.Error("no pointers shown as a count of 0 rather than in words")
				}
				golden.RequireEqual(t, []byte(out))
			})
		}
	}
}

// Without national services nothing national is shown.
func TestNoNationalServicesNoIdentityLines(t *testing.T) {
	rec := viewstest.Record()
	for _, v := range vocabs {
		out := views.Banner(rec, v, views.TextStyles(), 80, viewstest.Now) + views.Summary(rec, v, views.TextStyles(), 80, 0, viewstest.Now, nil)
		for _, w := range []string{v.SumIdentity, "Records held elsewhere", v.SumAsked + " "} {
			if strings.Contains(out, w) {
				t.Errorf("%s: %q shown without national services", v.Name, w)
			}
		}
	}
}
