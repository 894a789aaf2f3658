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

// nationalDissentRecord is a person whose NHS record sharing dissent PDS holds (a national
// objection), with an encounter from a regional record and a flag from the national flags
// service (not a care record: never withheld by it).
func nationalDissentRecord() *record.Record {
	prov := func(b string) record.Provenance {
		return record.Provenance{Backend: b, Organisation: b, Domain: record.DomainHealth}
	}
	r := flagsRecord(true, false)
	for _, b := range []string{"Demo PDS", "Demo National Flags"} {
		r.SetStatus(record.SectionStatus{Backend: b, Section: record.SectionEncounters, State: record.StateNotSupported, National: true})
	}
	r.Merge(record.Part{Backend: "Demo PDS", Sections: record.SectionsData{Consent: []record.ConsentRecord{{
		Item: record.Item{Key: "Patient/9993010006", Provenance: prov("Demo PDS")}, Kind: record.ConsentNCRS,
		Decision: record.DecisionDeny, EmergencyOnly: true, Status: "active", National: true}}}})
	r.Merge(record.Part{Backend: "Demo NHS ShCR", Sections: record.SectionsData{Encounters: []record.Encounter{{
		Item: record.Item{Key: "Encounter/1", Provenance: prov("Demo NHS ShCR")}, Type: "Inpatient stay",
		Status: "finished", Period: record.Period{Start: day("2026-08-03")}}}}})
	return r
}

// A national dissent is one banner line, in both vocabularies: every care record's data
// withheld (the national flags stay), then shown under emergency access by its holder's key.
func TestNationalDissentBanner(t *testing.T) {
	var all record.Reveals
	all.Add(record.RevealObjectionKey("Demo PDS"))
	states := []struct {
		name string
		rec  *record.Record
	}{
		{"withheld", nationalDissentRecord().Masked(nil)},
		{"break-glass", nationalDissentRecord().Masked(all.Has)},
	}
	st := views.TextStyles()
	for _, v := range vocabs {
		for _, s := range states {
			t.Run(fmt.Sprintf("%s/%s", v.Name, s.name), func(t *testing.T) {
				out := views.Banner(s.rec, v, st, 80, viewstest.Now)
				if strings.Count(out, "OBJECTED") != 1 || strings.Contains(out, "FROM Demo") {
					t.Errorf("not one national objection line:\n%s", out)
				}
				if !strings.Contains(out, "CHILD PROTECTION") {
					t.Error("the national flag is withheld by the dissent")
				}
				withheld := s.rec.Sections.Encounters[0].Withheld == record.WithheldObjection
				if withheld != (s.name == "withheld") {
					t.Errorf("encounter withheld %v", withheld)
				}
				tab := views.SectionTable(s.rec, record.SectionEncounters, v, nil, viewstest.Now)
				table := views.RenderTable(&tab, views.Widths(&tab, 80), views.Window{Order: views.DefaultOrder(&tab), Cursor: -1}, v, st, 80, 4)
				out += "\n---- " + views.SectionTitle(record.SectionEncounters, v) + "\n" + table
				for _, l := range strings.Split(out, "\n") {
					if lipgloss.Width(l) > 80 {
						t.Errorf("line wider than 80: %q", l)
					}
				}
				noOtherWords(t, v, out)
				golden.RequireEqual(t, []byte(out))
			})
		}
	}
}

// The child protection block with CP-IS's recent unscheduled-care accesses, in both
// vocabularies: the newest on the banner line, every one in the plan's details; accesses that
// could not be read are said so there, never "none".
func TestChildProtectionAccesses(t *testing.T) {
	withAccesses := func(read bool, failure string, acc ...record.ChildProtectionAccess) *record.Record {
		r := flagsRecord(true, false)
		p := &r.Sections.ChildProtection[0]
		p.RecentAccesses, p.AccessesRead, p.AccessesError = acc, read, failure
		return r
	}
	at := func(s string) record.ChildProtectionAccess {
		tm := day(s[:10]).Add(16*time.Hour + 25*time.Minute)
		return record.ChildProtectionAccess{At: tm, AtText: s}
	}
	newest := at("2026-09-12T16:25:00Z")
	newest.Organisation, newest.OrganisationCode = "Wexbridge General Hospital NHS Trust", "DMH01"
	older := at("2026-03-21T16:25:00Z")
	older.Organisation, older.OrganisationCode = "Demoshire Ambulance Service NHS Trust", "DMA01"
	states := []struct {
		name string
		rec  *record.Record
	}{
		{"accesses", withAccesses(true, "", newest, older)},
		{"none", withAccesses(true, "")},
		{"failed", withAccesses(false, "back end Demo National Flags answered 403")},
	}
	st := views.TextStyles()
	for _, v := range vocabs {
		for _, s := range states {
			t.Run(fmt.Sprintf("%s/%s", v.Name, s.name), func(t *testing.T) {
				out := views.Banner(s.rec, v, st, 80, viewstest.Now) + "\n----\n" +
					views.ItemDetails(s.rec, record.SectionChildProtection, 0, v, st, 80, 30, nil, viewstest.Now)
				switch s.name {
				case "accesses":
					if !strings.Contains(out, "access 12-Sep-2026 17:25 (Wexbridge") || !strings.Contains(out, "(DMH01)") || !strings.Contains(out, "(DMA01)") {
						t.Errorf("accesses not shown:\n%s", out)
					}
				case "failed":
					if strings.Contains(out, v.CPAccessesNone) || !strings.Contains(out, "403") {
						t.Errorf("a failed read shown as none:\n%s", out)
					}
				}
				noOtherWords(t, v, out)
				golden.RequireEqual(t, []byte(out))
			})
		}
	}
}
