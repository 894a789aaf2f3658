package views_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/shcr-project/shcr/record"
	"github.com/shcr-project/shcr/views"
	"github.com/shcr-project/shcr/views/viewstest"
	"github.com/shcr-project/shcr/views/vocab"
)

// Tests for issue 11 as the views show it: never "none" when shcr does not know, never an
// ended thing as current. Each runs in both vocabularies.

// summaryValue is the Summary's value for a label ("" when there is no such line).
func summaryValue(rec *record.Record, v vocab.Vocabulary, label string, revealed func(string) bool) string {
	for _, f := range views.SummaryFields(rec, v, viewstest.Now, revealed) {
		if f.Label == label {
			return f.Value
		}
	}
	return ""
}

// unwrap joins wrapped lines so that a phrase split over lines can be found.
func unwrap(s string) string { return strings.Join(strings.Fields(s), " ") }

var noneWord = regexp.MustCompile(`(?i)\bnone\b`)

// Point 1: "none recorded" only when record.NoneRecorded; otherwise what could not be
// checked, per back end — on the Summary, the tab, the tab label and the text of shcr get.
func TestNoneOnlyWhenEveryBackEndWasChecked(t *testing.T) {
	cases := []struct {
		name  string
		other *record.SectionStatus // the second back end's answer for allergies (nil: no status at all)
		none  bool                  // "none recorded" may be said
		want  string                // phrase on the Summary and in the tab notice (%s: "patient"/"person")
		label string                // tab label
	}{
		{"both returned", &record.SectionStatus{State: record.StateReturned}, true, "none recorded", "5 Allergies (0)"},
		{"failed, server error", &record.SectionStatus{State: record.StateFailed, HTTPStatus: 503}, false, "not checked at Demo GP (server error)", "5 Allergies (0!)"},
		{"failed with a reason", &record.SectionStatus{State: record.StateFailed, Error: "answered 500 with an HTML page"}, false, "not checked at Demo GP (answered 500 with an HTML page)", "5 Allergies (0!)"},
		{"access refused", &record.SectionStatus{State: record.StateFailed, HTTPStatus: 403}, false, "not checked at Demo GP (access refused)", "5 Allergies (0!)"},
		{"timed out", &record.SectionStatus{State: record.StateTimedOut}, false, "timed out at Demo GP", "5 Allergies (0!)"},
		{"truncated", &record.SectionStatus{State: record.StateTruncated, Count: 500, Total: 1203}, false, "showing first 500 of 1,203 at Demo GP", "5 Allergies (0+)"},
		{"not asked", &record.SectionStatus{State: record.StateNotQueried, Error: "sign-in needed"}, false, "not asked at Demo GP (sign-in needed)", "5 Allergies (0!)"},
		{"loading", &record.SectionStatus{State: record.StateLoading}, false, "", ""},
		{"no status from a back end that knows the person", nil, false, "not asked at Demo GP", "5 Allergies (0!)"},
		{"not served there", &record.SectionStatus{State: record.StateNotSupported, Error: "does not serve AllergyIntolerance"}, true, "none recorded", "5 Allergies (0)"},
		{"not known there", &record.SectionStatus{State: record.StateNotKnown}, true, "none recorded", "5 Allergies (0)"},
	}
	for _, v := range vocabs {
		for _, c := range cases {
			t.Run(v.Name+"/"+c.name, func(t *testing.T) {
				rec := &record.Record{Person: viewstest.Person()}
				rec.SetBackend(record.BackendStatus{Name: "Demo NHS ShCR", Status: record.BackendOK})
				rec.SetBackend(record.BackendStatus{Name: "Demo GP", Status: record.BackendOK})
				for _, sec := range record.Sections() {
					rec.SetStatus(record.SectionStatus{Backend: "Demo NHS ShCR", Section: sec, State: record.StateReturned})
					if c.other != nil {
						st := *c.other
						st.Backend, st.Section = "Demo GP", sec
						rec.SetStatus(st)
					}
				}
				if got := rec.NoneRecorded(record.SectionAllergies); got != c.none {
					t.Fatalf("fixture: NoneRecorded = %v, want %v", got, c.none)
				}
				sum := summaryValue(rec, v, v.SumAllergies, nil)
				notice := unwrap(strings.Join(views.SectionNotice(rec, record.SectionAllergies, v, views.TextStyles(), 60), "\n"))
				text := unwrap(views.RecordTextWith(rec, v, []record.Section{record.SectionAllergies}, 80, views.TextOptions{Now: viewstest.Now}))
				if !c.none {
					for name, s := range map[string]string{"summary": sum, "notice": notice, "text": text} {
						if noneWord.MatchString(s) {
							t.Errorf("%s says none although not every back end was checked: %q", name, s)
						}
					}
				}
				if c.want != "" {
					if !strings.Contains(sum, c.want) {
						t.Errorf("summary %q lacks %q", sum, c.want)
					}
					if !strings.Contains(strings.ToLower(notice), strings.ToLower(c.want)) {
						t.Errorf("tab notice %q lacks %q", notice, c.want)
					}
					if !strings.Contains(strings.ToLower(text), strings.ToLower(c.want)) {
						t.Errorf("get text %q lacks %q", text, c.want)
					}
				}
				if c.label != "" {
					if got := views.TabLabel(5, v.TabAllergies, rec, record.SectionAllergies, "~"); got != c.label {
						t.Errorf("tab label %q, want %q", got, c.label)
					}
				}
				noOtherWords(t, v, sum+"\n"+notice+"\n"+text)
			})
		}
	}
}

// Point 1: what a back end that does not serve a section, or does not know the person, says.
func TestNotHeldAndNotKnownAreNamed(t *testing.T) {
	for _, v := range vocabs {
		rec := &record.Record{}
		rec.SetBackend(record.BackendStatus{Name: "Demo GP", Status: record.BackendOK})
		rec.SetBackend(record.BackendStatus{Name: "Demo Borough", Status: record.BackendNotKnown})
		rec.SetStatus(record.SectionStatus{Backend: "Demo GP", Section: record.SectionAllergies, State: record.StateNotSupported, Error: "does not serve AllergyIntolerance"})
		notice := strings.Join(views.SectionNotice(rec, record.SectionAllergies, v, views.TextStyles(), 200), "\n")
		for _, want := range []string{"Not available from Demo GP (does not serve AllergyIntolerance)", "Demo Borough does not know this " + v.Person} {
			if !strings.Contains(notice, want) {
				t.Errorf("%s notice lacks %q:\n%s", v.Name, want, notice)
			}
		}
		if noneWord.MatchString(notice) {
			t.Errorf("%s: no back end returned allergies, yet: %s", v.Name, notice)
		}
	}
}

// Point 2: "No known allergies" only when asserted and no source lists an allergy; a
// restricted one counts.
func TestNoKnownAllergiesOnlyWhenNothingListed(t *testing.T) {
	nka := record.Allergy{Item: record.Item{Key: "nka", Provenance: record.Provenance{Backend: "A"}}, NoKnownAllergies: true, ClinicalStatus: "active"}
	pen := record.Allergy{Item: record.Item{Key: "pen", Provenance: record.Provenance{Backend: "B"}}, Substance: "Penicillin", ClinicalStatus: "active"}
	secret := record.Allergy{Item: record.Item{Key: "sec", Provenance: record.Provenance{Backend: "B", Security: []string{"R"}}, Restricted: true}, Substance: "SECRET", ClinicalStatus: "active"}
	resolved := record.Allergy{Item: record.Item{Key: "res", Provenance: record.Provenance{Backend: "B"}}, Substance: "Latex", ClinicalStatus: "resolved"}
	cases := []struct {
		name      string
		items     []record.Allergy
		bFails    bool
		want      []string
		forbidden []string
	}{
		{"asserted, nothing listed", []record.Allergy{nka}, false, []string{"No known allergies"}, nil},
		{"asserted, another lists one", []record.Allergy{nka, pen}, false, []string{"Penicillin"}, []string{"No known allergies"}},
		{"asserted, a restricted one", []record.Allergy{nka, secret}, false, []string{"1 restricted allergy"}, []string{"No known allergies", "none", "SECRET"}},
		{"two restricted", []record.Allergy{secret, func() record.Allergy { s := secret; s.Key = "sec2"; return s }()}, false, []string{"2 restricted allergies"}, []string{"none"}},
		{"asserted, a resolved one", []record.Allergy{nka, resolved}, false, []string{"Latex (resolved)"}, []string{"No known allergies"}},
		{"asserted, the other failed", []record.Allergy{nka}, true, []string{"No known allergies", "not checked at B (server error)"}, nil},
		{"nothing, the other failed", nil, true, []string{"not checked at B (server error)"}, []string{"No known allergies", "none"}},
	}
	for _, v := range vocabs {
		for _, c := range cases {
			t.Run(v.Name+"/"+c.name, func(t *testing.T) {
				rec := &record.Record{}
				rec.Sections.Allergies = c.items
				rec.SetBackend(record.BackendStatus{Name: "A", Status: record.BackendOK})
				rec.SetBackend(record.BackendStatus{Name: "B", Status: record.BackendOK})
				rec.SetStatus(record.SectionStatus{Backend: "A", Section: record.SectionAllergies, State: record.StateReturned})
				b := record.SectionStatus{Backend: "B", Section: record.SectionAllergies, State: record.StateReturned}
				if c.bFails {
					b.State, b.HTTPStatus = record.StateFailed, 500
				}
				rec.SetStatus(b)
				got := summaryValue(rec.Masked(nil), v, v.SumAllergies, nil)
				for _, w := range c.want {
					if !strings.Contains(got, w) {
						t.Errorf("allergies %q lack %q", got, w)
					}
				}
				for _, w := range c.forbidden {
					if strings.Contains(strings.ToLower(got), strings.ToLower(w)) {
						t.Errorf("allergies %q say %q", got, w)
					}
				}
			})
		}
	}
}

// Point 3: the discharge verdict.
func TestCarePackageVerdictYesNoUnknown(t *testing.T) {
	pkg := func(key, status, category string) record.CarePackage {
		return record.CarePackage{Item: record.Item{Key: key, Provenance: record.Provenance{Backend: "Council"}}, Kind: record.PackageKindEpisode,
			PackageCategory: category, Type: "Home care", Status: status, Provider: "Brightwater"}
	}
	finished := pkg("f", "finished", record.PackageCare)
	finished.ReportedStatus = "active"
	restricted := pkg("r", "active", record.PackageCare)
	restricted.Restricted, restricted.Provenance.Security = true, []string{"R"}
	cases := []struct {
		name      string
		pkgs      []record.CarePackage
		referrals []record.CarePackage
		state     record.SectionState // the second back end's answer
		want      string              // after "in place: "
	}{
		{"active package", []record.CarePackage{pkg("a", "active", record.PackageCare)}, nil, record.StateReturned, "Yes — home care, Brightwater"},
		{"active package, other timed out", []record.CarePackage{pkg("a", "active", record.PackageCare)}, nil, record.StateTimedOut, "Unknown — found active: home care, Brightwater; timed out at NHS"},
		{"nothing, all checked", nil, nil, record.StateReturned, "No — none active at Council, NHS"},
		{"nothing, other timed out", nil, nil, record.StateTimedOut, "Unknown — nothing active at Council; timed out at NHS"},
		{"nothing, other truncated", nil, nil, record.StateTruncated, "Unknown — nothing active at Council; showing first 0 at NHS (more exist)"},
		{"referral only", nil, []record.CarePackage{pkg("o", "active", record.PackageOrder)}, record.StateReturned, "No — none active at Council, NHS"},
		{"equipment only", []record.CarePackage{pkg("e", "active", record.PackageEquipment)}, nil, record.StateReturned, "No — none active at Council, NHS"},
		{"finished, server says active", []record.CarePackage{finished}, nil, record.StateReturned, "No — none active at Council, NHS"},
		{"restricted, not revealed", []record.CarePackage{restricted}, nil, record.StateReturned, "Unknown — 1 restricted (content hidden); nothing active at Council, NHS"},
	}
	for _, v := range vocabs {
		for _, c := range cases {
			t.Run(v.Name+"/"+c.name, func(t *testing.T) {
				rec := &record.Record{}
				rec.Sections.CarePackages, rec.Sections.Referrals = c.pkgs, c.referrals
				rec.SetBackend(record.BackendStatus{Name: "Council", Status: record.BackendOK})
				rec.SetBackend(record.BackendStatus{Name: "NHS", Status: record.BackendOK})
				rec.SetStatus(record.SectionStatus{Backend: "Council", Section: record.SectionCarePackages, State: record.StateReturned})
				rec.SetStatus(record.SectionStatus{Backend: "NHS", Section: record.SectionCarePackages, State: c.state})
				got := views.CarePackageVerdict(rec, v, viewstest.Now, nil)
				prefix := "Care package in place: "
				if v.Name == vocab.NameSocialCare {
					prefix = "Care and support in place: "
				}
				if want := prefix + c.want; got != want {
					t.Errorf("verdict\n got %q\nwant %q", got, want)
				}
				noOtherWords(t, v, got)
			})
		}
	}
}

// Point 3: equipment with care packages, marked; referrals apart; a finished service the
// server calls active says what the history says and when.
func TestCarePackagesListShowsWhatEachIs(t *testing.T) {
	rec := viewstest.Hard()
	for _, v := range vocabs {
		tab := views.SectionTable(rec, record.SectionCarePackages, v, nil, viewstest.Now)
		out := views.RenderTable(&tab, views.NaturalWidths(&tab, 300), views.Window{Order: views.DefaultOrder(&tab), Cursor: -1}, v, views.TextStyles(), 300, 20)
		lines := strings.Split(out, "\n")
		if len(lines) != 4 || !strings.Contains(lines[3], "[order] MRI lumbar spine") {
			t.Errorf("%s: the referral is not last:\n%s", v.Name, out)
		}
		for _, want := range []string{"[equipment] Hospital bed", "ended 03-Jan-2026 (server says active)", "Mar-2025"} {
			if !strings.Contains(out, want) {
				t.Errorf("%s care packages lack %q:\n%s", v.Name, want, out)
			}
		}
		text := views.RecordTextWith(rec.Masked(nil), v, []record.Section{record.SectionCarePackages}, 200, views.TextOptions{Now: viewstest.Now})
		if !strings.Contains(text, "Referrals and orders (1)\n") || !strings.Contains(text, fmt.Sprintf(v.ReferralsNote, 1)) {
			t.Errorf("%s get text has no separate referrals list:\n%s", v.Name, text)
		}
		if !strings.Contains(text, v.TabCarePackages+" (2)") {
			t.Errorf("%s get text counts referrals as care packages:\n%s", v.Name, text)
		}
		det := views.ItemDetails(rec, record.SectionCarePackages, 2, v, views.TextStyles(), 120, 0, nil, viewstest.Now)
		if !strings.Contains(det, "MRI lumbar spine [order]") {
			t.Errorf("%s: details of the referral row:\n%s", v.Name, det)
		}
	}
}

// Point 4: ended contacts, phones, care team members and alerts are shown as ended, never as
// current, never offered to call or copy.
func TestEndedThingsAreNotCurrent(t *testing.T) {
	rec := viewstest.Hard()
	for _, v := range vocabs {
		nok := views.NextOfKinTable(rec.Sections.NextOfKin, v, nil, viewstest.Now)
		byName := map[string]views.Row{}
		for _, r := range nok.Rows {
			byName[r.Cells[0]] = r
		}
		rita := byName["Rita Vole"]
		if rita.Phone != "" || rita.Cells[3] != "" || !strings.Contains(rita.Cells[1], "ended 01-Nov-2025") || !strings.Contains(rita.Cells[2], "01632 960555 (work, fax)") {
			t.Errorf("%s ended guardian: phone %q cells %q", v.Name, rita.Phone, rita.Cells)
		}
		if order := views.DefaultOrder(&nok); nok.Rows[order[len(order)-1]].Cells[0] != "Rita Vole" {
			t.Errorf("%s: the ended contact is not last", v.Name)
		}
		mary := byName["Mary Pebbleworth"]
		if want := "01632 960888 (home), " + fmt.Sprintf(v.PhonesMore, 2); mary.Phone != "01632 960888" || mary.Cells[2] != want {
			t.Errorf("%s: Mary's number to call %q, phones %q, want %q", v.Name, mary.Phone, mary.Cells[2], want)
		}
		det := views.ItemDetails(rec, record.SectionNextOfKin, 1, v, views.TextStyles(), 200, 0, nil, viewstest.Now)
		if !strings.Contains(det, "07700 900123 (mobile, ended 01-Feb-2026)") || !strings.Contains(det, "18001 01632 960444 (textphone)") {
			t.Errorf("%s: Mary's details:\n%s", v.Name, det)
		}
		if !strings.HasPrefix(rita.Cells[1], "ended 01-Nov-2025 — Guardian") {
			t.Errorf("%s: the ended state is not first: %q", v.Name, rita.Cells[1])
		}
		if r, ok := byName[v.NameNotRecorded]; !ok || r.Phone != "01632 960777" {
			t.Errorf("%s: a contact with no name: %+v", v.Name, byName)
		}
		if r := byName["Jo Quill"]; r.Cells[2] != v.NoPhoneRecorded || r.Phone != "" {
			t.Errorf("%s: a contact with no phone: %q", v.Name, r.Cells)
		}
		kin := summaryValue(rec, v, v.SumNextOfKin, nil)
		if strings.Contains(kin, "Rita Vole") || strings.Contains(kin, "07700 900123") || !strings.Contains(kin, "Mary Pebbleworth (Daughter — next of kin) 01632 960888") {
			t.Errorf("%s summary next of kin: %q", v.Name, kin)
		}

		ct := views.CareTeamTable(rec.Sections.CareTeam, v, nil, viewstest.Now)
		if r := ct.Rows[0]; r.Phone != "" || r.Cells[3] != "" || r.Cells[5] != "ended 30-Jun-2026" {
			t.Errorf("%s ended social worker: phone %q cells %q", v.Name, r.Phone, r.Cells)
		}
		if r := ct.Rows[1]; r.Phone != "01632 960123" {
			t.Errorf("%s current social worker: the number to call is %q (not the fax)", v.Name, r.Phone)
		}
		if sw := summaryValue(rec, v, v.SumSocialWorker, nil); strings.Contains(sw, "Alex Former") || !strings.Contains(sw, "Sam Okafor") {
			t.Errorf("%s summary social worker: %q", v.Name, sw)
		}

		banner := views.Banner(rec, v, views.TextStyles(), 200, viewstest.Now)
		if strings.Contains(banner, "VIOLENCE") || strings.Contains(banner, "DOG") || !strings.Contains(banner, "[KEY SAFE]") {
			t.Errorf("%s banner shows ended alerts or lacks the current one:\n%s", v.Name, banner)
		}
		if al := summaryValue(rec, v, v.SumAlerts, nil); strings.Contains(al, "Violence") || strings.Contains(al, "Dog") {
			t.Errorf("%s summary alerts: %q", v.Name, al)
		}
		at := views.AlertsTable(rec.Sections.Alerts, v, nil, viewstest.Now)
		if at.Rows[1].Cells[2] != "ended 01-Jan-2025" || at.Rows[2].Cells[2] != v.StatusInactive {
			t.Errorf("%s alerts status: %q / %q", v.Name, at.Rows[1].Cells[2], at.Rows[2].Cells[2])
		}
	}
}

func TestPhoneText(t *testing.T) {
	v := vocab.Health()
	ended := record.Period{End: viewstest.Now.AddDate(0, -1, 0)}
	for _, c := range []struct {
		p        record.Phone
		want     string
		callable bool
	}{
		{record.Phone{Number: "07700 900001", Use: "mobile"}, "07700 900001 (mobile)", true},
		{record.Phone{Number: "01632 960002", Use: "work", System: record.PhoneFax}, "01632 960002 (work, fax)", false},
		{record.Phone{Number: "07623 960003", System: record.PhonePager}, "07623 960003 (pager)", false},
		{record.Phone{Number: "18001 01632 960004", System: record.PhoneTextphone}, "18001 01632 960004 (textphone)", false},
		{record.Phone{Number: "07700 900005", Use: "mobile", System: record.PhoneSMS}, "07700 900005 (mobile, texts only)", false},
		{record.Phone{Number: "01632 960006", Use: "home", Period: ended}, "01632 960006 (home, ended 25-Oct-2026)", false},
		{record.Phone{Number: "01632 960007", Use: "old"}, "01632 960007 (no longer in use)", false},
	} {
		if got := views.PhoneText(c.p, v, viewstest.Now); got != c.want {
			t.Errorf("PhoneText = %q, want %q", got, c.want)
		}
		if c.p.Callable(viewstest.Now) != c.callable {
			t.Errorf("%s callable = %v", c.want, !c.callable)
		}
	}
}

// Point 5: provenance — via, updated on server, partial dates.
func TestProvenanceViaServerUpdatedAndPartialDates(t *testing.T) {
	rec := viewstest.Hard()
	for _, v := range vocabs {
		via := views.ItemDetails(rec, record.SectionNotes, 0, v, views.TextStyles(), 120, 0, nil, viewstest.Now)
		if !strings.Contains(via, "LA (local authority, social care), via Demo NHS ShCR") {
			t.Errorf("%s relayed item:\n%s", v.Name, via)
		}
		compact := views.ItemDetailsCompact(rec, record.SectionNotes, 0, v, views.TextStyles(), 80, 0, nil, viewstest.Now)
		if !strings.Contains(compact, "From Demo NHS ShCR (LA, via Demo NHS ShCR)") {
			t.Errorf("%s compact relayed item:\n%s", v.Name, compact)
		}
		srv := views.ItemDetails(rec, record.SectionNotes, 2, v, views.TextStyles(), 120, 0, nil, viewstest.Now)
		if !regexp.MustCompile(`Updated on server\s+12-Mar-2024 08:30`).MatchString(srv) || strings.Contains(srv, "Recorded") {
			t.Errorf("%s server-dated item:\n%s", v.Name, srv)
		}
		med := views.ItemDetails(rec, record.SectionMedications, 0, v, views.TextStyles(), 120, 0, nil, viewstest.Now)
		if !regexp.MustCompile(`Recorded\s+Mar-2024\n`).MatchString(med) || !regexp.MustCompile(`Start\s+2023\n`).MatchString(med) {
			t.Errorf("%s partial dates in details:\n%s", v.Name, med)
		}
		tab := views.SectionTable(rec, record.SectionEncounters, v, nil, viewstest.Now)
		if tab.Rows[1].Cells[0] != "Mar-2024" {
			t.Errorf("%s encounter partial date cell %q", v.Name, tab.Rows[1].Cells[0])
		}
	}
}

// Point 6: hospitalisation, language, deceased, readable notes.
func TestWhatRealRecordsCarry(t *testing.T) {
	for _, v := range vocabs {
		rec := viewstest.Hard()
		enc := views.ItemDetails(rec, record.SectionEncounters, 0, v, views.TextStyles(), 160, 0, nil, viewstest.Now)
		for _, want := range []string{"Emergency department", "Home with support", "Usual place of residence", "24-Nov-2026", "Mental Health Act 1983 section 2",
			v.ColAdmitSource, v.ColDischargeDisposition, v.ColMedicallySafe, v.ColLegalStatus} {
			if !strings.Contains(enc, want) {
				t.Errorf("%s encounter details lack %q:\n%s", v.Name, want, enc)
			}
		}
		if got := summaryValue(rec, v, v.SumLegalStatus, nil); got != "Mental Health Act 1983 section 2 [NHS]" {
			t.Errorf("%s summary legal status %q", v.Name, got)
		}
		if got := summaryValue(rec, v, v.SumMedicallySafe, nil); got != "24-Nov-2026" {
			t.Errorf("%s summary medically safe %q", v.Name, got)
		}
		if got := summaryValue(rec, v, v.SumLanguage, nil); got != "Polish" {
			t.Errorf("%s preferred language %q", v.Name, got)
		}
		if b := views.Banner(rec, v, views.TextStyles(), 200, viewstest.Now); !strings.Contains(b, "Language Polish") || strings.Contains(b, "INTERPRETER") {
			t.Errorf("%s banner language:\n%s", v.Name, b)
		}
		note := views.ItemDetails(rec, record.SectionNotes, 1, v, views.TextStyles(), 120, 0, nil, viewstest.Now)
		if !regexp.MustCompile(`(?m)^\s+Plan:$`).MatchString(note) || !strings.Contains(note, "Presenting complaint:") {
			t.Errorf("%s composition sections not readable:\n%s", v.Name, note)
		}
		link := views.ItemDetails(rec, record.SectionNotes, 2, v, views.TextStyles(), 120, 0, nil, viewstest.Now)
		if !strings.Contains(link, "attachment not included (link only): application/pdf, 48213 bytes") {
			t.Errorf("%s link-only attachment:\n%s", v.Name, link)
		}

		dead := viewstest.Deceased()
		b := views.Banner(dead, v, views.TextStyles(), 200, viewstest.Now)
		for _, want := range []string{"Born 12-Mar-1948 (died aged 78)", "[DECEASED 03-Oct-2026]", "[INTERPRETER NEEDED: Polish]", "Language Polish"} {
			if !strings.Contains(b, want) {
				t.Errorf("%s deceased banner lacks %q:\n%s", v.Name, want, b)
			}
		}
		if got := summaryValue(dead, v, v.SumLegalStatus, nil); got != "" {
			t.Errorf("%s: legal status of an ended stay on the summary: %q", v.Name, got)
		}
		partial := viewstest.Deceased()
		partial.Person.DeceasedText = "2026-10"
		if b := views.Banner(partial, v, views.TextStyles(), 200, viewstest.Now); !strings.Contains(b, "[DECEASED Oct-2026]") {
			t.Errorf("%s partial date of death:\n%s", v.Name, b)
		}
	}
}

// Point 7: every GP Connect warning in full, each on its own line, wrapped, never cut.
func TestEveryWarningInFull(t *testing.T) {
	rec := viewstest.Hard()
	for _, v := range vocabs {
		for _, width := range []int{60, 100} {
			lines := views.SectionNotice(rec, record.SectionMedications, v, views.TextStyles(), width)
			joined := unwrap(strings.Join(lines, "\n"))
			for _, w := range []string{fmt.Sprintf(v.WarnConfidential, viewstest.GP), fmt.Sprintf(v.WarnInTransit, viewstest.GP),
				fmt.Sprintf(v.WarnAwaitingFiling, viewstest.GP), viewstest.GPWarningPaper} {
				if !strings.Contains(joined, unwrap(w)) {
					t.Errorf("%s/%d: warning not in full: %q\n%s", v.Name, width, w, strings.Join(lines, "\n"))
				}
			}
			starts := 0
			for _, l := range lines {
				if len([]rune(l)) > width || strings.Contains(l, "…") {
					t.Errorf("%s/%d: line cut or too wide: %q", v.Name, width, l)
				}
				if strings.HasPrefix(l, viewstest.GP+":") {
					starts++
				}
			}
			if starts != 4 {
				t.Errorf("%s/%d: %d warnings start a line, want 4:\n%s", v.Name, width, starts, strings.Join(lines, "\n"))
			}
		}
		sum := views.Summary(rec, v, views.TextStyles(), 80, 0, viewstest.Now, nil)
		if !strings.Contains(unwrap(sum), unwrap(viewstest.GPWarningPaper)) || !strings.Contains(unwrap(sum), unwrap(fmt.Sprintf(v.WarnInTransit, viewstest.GP))) {
			t.Errorf("%s summary lacks a warning:\n%s", v.Name, sum)
		}
		text := views.RecordTextWith(rec.Masked(nil), v, nil, 80, views.TextOptions{Now: viewstest.Now})
		if !strings.Contains(unwrap(text), unwrap(viewstest.GPWarningPaper)) {
			t.Errorf("%s get text lacks the warning", v.Name)
		}
	}
}

// Point 8: notices on the Summary and in the text of shcr get.
func TestNoticesShown(t *testing.T) {
	rec := viewstest.Hard()
	for _, v := range vocabs {
		sum := unwrap(views.Summary(rec, v, views.TextStyles(), 100, 0, viewstest.Now, nil))
		text := unwrap(views.RecordTextWith(rec.Masked(nil), v, []record.Section{record.SectionAllergies}, 100, views.TextOptions{Now: viewstest.Now}))
		for _, n := range rec.Notices {
			if !strings.Contains(sum, n.Backend+": "+n.Text) {
				t.Errorf("%s summary lacks notice %q", v.Name, n.Text)
			}
			if !strings.Contains(text, "Notice: "+n.Backend+": "+n.Text) {
				t.Errorf("%s get text lacks notice %q", v.Name, n.Text)
			}
		}
	}
}

// A Summary taller than its room says what is below (and that Enter reads it) rather than
// cutting it silently.
func TestSummarySaysWhatDidNotFit(t *testing.T) {
	for _, v := range vocabs {
		out := views.Summary(viewstest.Hard(), v, views.TextStyles(), 80, 10, viewstest.Now, nil)
		lines := strings.Split(out, "\n")
		if len(lines) != 10 || !strings.Contains(lines[9], "more lines (Enter)") || !strings.HasPrefix(lines[9], "… +") {
			t.Errorf("%s:\n%s", v.Name, out)
		}
	}
}

// A safety flag that could not be checked is said to be so on the Summary; with every back
// end checked and no current alert, the line is left out.
func TestSummaryAlertsNotChecked(t *testing.T) {
	for _, v := range vocabs {
		rec := &record.Record{}
		rec.SetBackend(record.BackendStatus{Name: "A", Status: record.BackendOK})
		rec.SetStatus(record.SectionStatus{Backend: "A", Section: record.SectionAlerts, State: record.StateReturned})
		if got := summaryValue(rec, v, v.SumAlerts, nil); got != "" {
			t.Errorf("%s: alerts line with nothing to say: %q", v.Name, got)
		}
		rec.SetStatus(record.SectionStatus{Backend: "A", Section: record.SectionAlerts, State: record.StateTimedOut})
		if got := summaryValue(rec, v, v.SumAlerts, nil); got != "timed out at A" {
			t.Errorf("%s: alerts not checked: %q", v.Name, got)
		}
	}
}

// A medication whose period has ended is not listed as current; when every one has ended,
// the line says so (never "none recorded"); a restricted one is counted, never dropped.
func TestEndedMedicationNotCurrent(t *testing.T) {
	rec := viewstest.Record()
	meds := rec.Sections.Medications
	ended := meds[0].Name
	meds[0].Period.End = viewstest.Now.AddDate(0, 0, -1)
	for _, v := range vocabs {
		got := summaryValue(rec, v, v.SumMedications, nil)
		if strings.Contains(got, ended) || !strings.Contains(got, meds[1].Name) || !strings.Contains(got, meds[2].Name) {
			t.Errorf("%s: current medications %q: want %q and %q, not the ended %q", v.Name, got, meds[1].Name, meds[2].Name, ended)
		}
	}
	for i := range meds {
		meds[i].Period.End = viewstest.Now.AddDate(0, 0, -1)
	}
	meds[1].Restricted = true
	for _, v := range vocabs {
		got := summaryValue(rec, v, v.SumMedications, nil)
		if want := fmt.Sprintf(v.RestrictedCount, 1); got != want {
			t.Errorf("%s: all ended but a restricted one: %q, want %q", v.Name, got, want)
		}
		meds[1].Restricted = false
		if got, want := summaryValue(rec, v, v.SumMedications, nil), fmt.Sprintf(v.OnlyEnded, len(meds)); got != want {
			t.Errorf("%s: all ended: %q, want %q", v.Name, got, want)
		}
		meds[1].Restricted = true
	}
}

// A type a back end does not serve, on a section it otherwise answered, is said on the
// section's tab as a plain note; the Summary does not turn it into a warning, and the
// section is still "none recorded".
func TestNotServedIsANoteNotAWarning(t *testing.T) {
	for _, v := range []vocab.Vocabulary{vocab.Health(), vocab.SocialCare()} {
		rec := &record.Record{Person: record.Person{NHSNumber: "9434765919"}}
		rec.SetStatus(record.SectionStatus{Backend: "Regional", Section: record.SectionNextOfKin, State: record.StateReturned,
			NotServed: "does not serve RelatedPerson (404)"})
		notice := strings.Join(views.SectionNotice(rec, record.SectionNextOfKin, v, views.TextStyles(), 120), "\n")
		if !strings.Contains(notice, "Regional: does not serve RelatedPerson (404)") {
			t.Errorf("%s: the tab does not say what is not served:\n%s", v.Name, notice)
		}
		if sum := views.Summary(rec, v, views.TextStyles(), 120, 40, time.Now(), nil); strings.Contains(sum, "RelatedPerson") {
			t.Errorf("%s: the Summary shows a not-served type:\n%s", v.Name, sum)
		}
		if !rec.NoneRecorded(record.SectionNextOfKin) {
			t.Errorf("%s: not 'none recorded'", v.Name)
		}
	}
}

// A Summary line drawn from part of a section (the allocated social worker, from the care
// team) says "none recorded" when the section answered in full with no such item, and
// never "not returned" (the section was returned); when a back end could not be checked
// it says so.
func TestSummaryLineFromPartOfASection(t *testing.T) {
	for _, v := range []vocab.Vocabulary{vocab.Health(), vocab.SocialCare()} {
		rec := &record.Record{Person: record.Person{NHSNumber: "9434765919"}}
		rec.Sections.CareTeam = []record.CareTeamMember{{Item: record.Item{Key: "gp"}, Name: "Dr A Jones", Role: "General practitioner"}}
		rec.SetStatus(record.SectionStatus{Backend: "Regional", Section: record.SectionCareTeam, State: record.StateReturned, Count: 1})
		if got := summaryValue(rec, v, v.SumSocialWorker, nil); got != v.SumNone {
			t.Errorf("%s: social worker line = %q, want %q", v.Name, got, v.SumNone)
		}
		rec.SetStatus(record.SectionStatus{Backend: "Council", Section: record.SectionCareTeam, State: record.StateFailed, Error: "server error"})
		if got := summaryValue(rec, v, v.SumSocialWorker, nil); got == v.SumNone || !strings.Contains(got, "Council") {
			t.Errorf("%s: with the council failed, social worker line = %q", v.Name, got)
		}
	}
}

// The discharge verdict names a back end that does not serve care packages briefly; why
// (the refused resource types) is said on the care packages tab.
func TestVerdictNamesNotServedBriefly(t *testing.T) {
	for _, v := range []vocab.Vocabulary{vocab.Health(), vocab.SocialCare()} {
		rec := &record.Record{Person: record.Person{NHSNumber: "9434765919"}}
		rec.SetStatus(record.SectionStatus{Backend: "Council", Section: record.SectionCarePackages, State: record.StateReturned})
		rec.SetStatus(record.SectionStatus{Backend: "Regional", Section: record.SectionCarePackages, State: record.StateNotSupported,
			Error: "does not serve EpisodeOfCare (404), CarePlan (404)"})
		verdict := views.CarePackageVerdict(rec, v, viewstest.Now, nil)
		if !strings.Contains(verdict, fmt.Sprintf(v.NotAvailableFromBare, "Regional")) || strings.Contains(verdict, "EpisodeOfCare") {
			t.Errorf("%s: verdict %q", v.Name, verdict)
		}
		notice := strings.Join(views.SectionNotice(rec, record.SectionCarePackages, v, views.TextStyles(), 200), "\n")
		if !strings.Contains(notice, "EpisodeOfCare (404)") {
			t.Errorf("%s: the tab does not say why:\n%s", v.Name, notice)
		}
	}
}
