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

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

// flagsRecord is a child with a current CP-IS flag and (when plan) the plan read; an ended
// reasonable adjustment flag; and (when objected) an objection to sharing from "Demo NHS
// ShCR", whose encounter is then withheld unless emergency access revealed it.
func flagsRecord(plan, objected bool) *record.Record {
	prov := func(b string) record.Provenance {
		return record.Provenance{Backend: b, Organisation: b, Domain: record.DomainHealth}
	}
	r := &record.Record{Person: record.Person{NHSNumber: "9993010006", Name: record.Name{Family: "Ashgrove", Given: []string{"Poppy"}, Prefix: []string{"Miss"}},
		BirthDate: "2018-05-14", Gender: "female"}}
	r.Merge(record.Part{Backend: "Demo National Flags", Sections: record.SectionsData{Alerts: []record.Alert{
		{Item: record.Item{Key: "Flag/cp", Provenance: prov("Demo National Flags")}, Kind: record.AlertFlag, Programme: record.FlagChildProtection,
			Category: "Child Protection - Information Sharing Flag", Text: "Child Protection - Information Sharing Flag", Status: "active",
			Period: record.Period{Start: day("2026-02-10"), StartText: "2026-02-10"}},
		{Item: record.Item{Key: "Flag/ra-ended", Provenance: prov("Demo National Flags")}, Kind: record.AlertFlag, Programme: record.FlagReasonableAdjustment,
			Text: "National Reasonable Adjustment Flag", Notes: "Ended: never shown", Status: "active",
			Period: record.Period{Start: day("2019-01-01"), End: day("2020-01-01")}},
		{Item: record.Item{Key: "Flag/ra", Provenance: prov("Demo National Flags")}, Kind: record.AlertFlag, Programme: record.FlagReasonableAdjustment,
			Text: "National Reasonable Adjustment Flag", Notes: "Deaf: uses British Sign Language. Book a BSL interpreter.", Status: "active"},
	}}})
	cp := record.SectionStatus{Backend: "Demo National Flags", Section: record.SectionChildProtection, State: record.StateNotQueried,
		Error: "opened on request", National: true}
	if plan {
		cp.State, cp.Error = record.StateReturned, ""
		r.Merge(record.Part{Backend: "Demo National Flags", Sections: record.SectionsData{ChildProtection: []record.ChildProtectionPlan{{
			Item: record.Item{Key: "CareTeam/1", Provenance: prov("Demo National Flags")}, PlanType: record.PlanChildProtection,
			LocalAuthority: "Demo County Council Children's Services", Period: record.Period{Start: day("2026-02-10"), StartText: "2026-02-10"},
			OfficeHours: []record.Phone{{Number: "01632 960500", Use: "work"}}, OutOfHours: []record.Phone{{Number: "01632 960599", Use: "work"}},
			UnscheduledNotified: true}}}})
	}
	r.SetStatus(cp)
	if objected {
		r.Merge(record.Part{Backend: "Demo NHS ShCR", Sections: record.SectionsData{
			Consent: []record.ConsentRecord{{Item: record.Item{Key: "Consent/1", Provenance: prov("Demo NHS ShCR")}, Kind: record.ConsentResource,
				Decision: record.DecisionDeny, EmergencyOnly: true, Status: "active", Text: "Refused consent for upload to local shared electronic record"}},
			Encounters: []record.Encounter{{Item: record.Item{Key: "Encounter/1", Provenance: prov("Demo NHS ShCR")}, Type: "Inpatient stay",
				Status: "finished", Period: record.Period{Start: day("2026-08-03")}}},
		}})
	}
	return r
}

// The banner at 80 columns, in both vocabularies: a child protection flag with the local
// authority's numbers, one whose contacts were not asked (unscheduled care), an objection
// with its data withheld, and the same under emergency access. Ended flags never show.
func TestFlagBanners(t *testing.T) {
	var all record.Reveals
	all.Add(record.RevealObjectionKey("Demo NHS ShCR"))
	states := []struct {
		name string
		rec  *record.Record
	}{
		{"child-protection", flagsRecord(true, false).Masked(nil)},
		{"child-protection-not-asked", flagsRecord(false, false).Masked(nil)},
		{"objection-withheld", flagsRecord(true, true).Masked(nil)},
		{"objection-break-glass", flagsRecord(true, true).Masked(all.Has)},
	}
	st := views.TextStyles()
	for _, v := range vocabs {
		for _, s := range states {
			t.Run(fmt.Sprintf("%s/%s", v.Name, s.name), func(t *testing.T) {
				out := views.Banner(s.rec, v, st, 80, viewstest.Now)
				if s.name != "objection-withheld" && s.name != "objection-break-glass" {
					if strings.Contains(out, "OBJECTED") {
						t.Error("objection shown without one")
					}
				}
				tab := views.SectionTable(s.rec, record.SectionEncounters, v, nil, viewstest.Now)
				table := views.RenderTable(&tab, views.Widths(&tab, 80), views.Window{Order: views.DefaultOrder(&tab), Cursor: -1}, v, st, 80, 4)
				out += "\n---- " + views.SectionTitle(record.SectionEncounters, v) + "\n" + table
				for _, l := range strings.Split(out, "\n") {
					if lipgloss.Width(l) > 80 {
						t.Errorf("line wider than 80: %q", l)
					}
				}
				if strings.Contains(out, "Ended: never shown") {
					t.Error("an ended flag is shown")
				}
				noOtherWords(t, v, out)
				golden.RequireEqual(t, []byte(out))
			})
		}
	}
}

// The Summary never says "none recorded" for a section whose items an objection withheld.
func TestSummaryWithheldIsNotNone(t *testing.T) {
	for _, v := range vocabs {
		rec := flagsRecord(true, true).Masked(nil)
		for _, f := range views.SummaryFields(rec, v, viewstest.Now, nil) {
			if f.Label == v.SumLastEncounter && f.Value != v.WithheldObjectionText {
				t.Errorf("%s: %s = %q", v.Name, f.Label, f.Value)
			}
		}
	}
}

// A child protection plan that could not be read says why, never "no contacts".
func TestChildProtectionPlanFailed(t *testing.T) {
	for _, v := range vocabs {
		rec := flagsRecord(false, false)
		rec.SetStatus(record.SectionStatus{Backend: "Demo National Flags", Section: record.SectionChildProtection,
			State: record.StateFailed, Error: "server error", HTTPStatus: 503})
		out := strings.Join(strings.Fields(views.Banner(rec.Masked(nil), v, views.TextStyles(), 80, viewstest.Now)), " ")
		if strings.Contains(out, "%!") || strings.Contains(out, v.CPNoContacts) || !strings.Contains(out, "Demo National Flags") {
			t.Errorf("%s: %s", v.Name, out)
		}
	}
}
