package views_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"
	"github.com/shcr-project/shcr/record"
	"github.com/shcr-project/shcr/views"
	"github.com/shcr-project/shcr/views/viewstest"
	"github.com/shcr-project/shcr/views/vocab"
)

// The handover summary of the fixtures, in both vocabularies, against golden files.
func TestHandover(t *testing.T) {
	for _, v := range vocabs {
		for name, rec := range map[string]func() *record.Record{
			"full":     viewstest.Record,
			"hard":     func() *record.Record { return viewstest.Hard().Masked(nil) },
			"deceased": func() *record.Record { return viewstest.Deceased().Masked(nil) },
			"empty":    viewstest.Empty,
		} {
			t.Run(v.Name+"/"+name, func(t *testing.T) {
				out := views.Handover(rec(), v, viewstest.Now, nil)
				if strings.Contains(out, "SECRET") {
					t.Error("restricted content in the handover summary")
				}
				noOtherWords(t, v, out)
				golden.RequireEqual(t, []byte(out))
			})
		}
	}
}

// Each list line names its source; nothing is "none recorded" where a back end failed or was
// not asked; the person's NHS number is formatted; ended things are not current.
func TestHandoverSaysWhereAndWhatCouldNotBeChecked(t *testing.T) {
	v := vocab.Health()
	out := views.Handover(viewstest.Hard().Masked(nil), v, viewstest.Now, nil)
	sections := map[string]string{}
	for _, part := range strings.Split(out, "\n## ")[1:] {
		title, body, _ := strings.Cut(part, "\n")
		sections[title] = body
	}
	for _, title := range []string{v.SumAlerts, v.SumMedications, v.SumAllergies, v.SumNextOfKin, fmt.Sprintf(v.HandoverLastEncounters, views.HandoverEncounters)} {
		body, ok := sections[title]
		if !ok {
			t.Fatalf("no section %q in:\n%s", title, out)
		}
		for _, l := range strings.Split(strings.TrimSpace(body), "\n") {
			if strings.HasPrefix(l, "- ") && !strings.HasPrefix(l, "- _") && !strings.Contains(l, " — _Demo ") {
				t.Errorf("%s: line without its source: %q", title, l)
			}
		}
	}
	if a := sections[v.SumAllergies]; !strings.Contains(a, "not checked at Demo GP Connect") || strings.Contains(a, v.HandoverNone) {
		t.Errorf("allergies failed at GP Connect, the summary says:\n%s", a)
	}
	if a := sections[v.SumAlerts]; strings.Contains(a, "Aggressive when confused") || strings.Contains(a, "Dog rehomed") || !strings.Contains(a, "Key safe by the back door") {
		t.Errorf("alerts: ended or inactive shown as current, or the current one missing:\n%s", a)
	}
	if n := sections[v.SumNextOfKin]; strings.Contains(n, "Rita Vole") {
		t.Errorf("the ended guardian is listed as next of kin:\n%s", n)
	}
	if !strings.Contains(out, "999 100 0003") || !strings.Contains(out, "# Handover summary: PEBBLEWORTH, Ann") {
		t.Errorf("banner:\n%s", out)
	}
	if c := sections[v.HandoverCoverage]; !strings.Contains(c, "Demo Mental Health Trust") || !strings.Contains(c, "timed out at Demo Community Trust") {
		t.Errorf("coverage does not name what could not be checked:\n%s", c)
	}
}

// A restricted item is listed as restricted, with its source, its content withheld; revealed,
// it shows.
func TestHandoverRestricted(t *testing.T) {
	v := vocab.Health()
	rec := viewstest.Hard()
	keys := rec.RestrictedKeys()
	if len(keys) == 0 {
		t.Fatal("the fixture has nothing restricted")
	}
	masked := views.Handover(rec.Masked(nil), v, viewstest.Now, nil)
	var reveals record.Reveals
	reveals.Add(keys...)
	shown := views.Handover(rec.Masked(reveals.Has), v, viewstest.Now, reveals.Has)
	if strings.Contains(masked, "SECRET") || !strings.Contains(shown, "SECRET SUBSTANCE") {
		t.Errorf("masked summary:\n%s\nrevealed:\n%s", masked, shown)
	}
	if !strings.Contains(masked, v.RestrictedText) {
		t.Errorf("masked summary does not say an item is withheld:\n%s", masked)
	}
}

// Server text never becomes Markdown: no link, heading, emphasis or HTML.
func TestHandoverEscapesServerText(t *testing.T) {
	rec := viewstest.Record()
	rec.Sections.Alerts[0].Text = "[click](https://evil.example) <b>bold</b> *x* _y_\n# Heading"
	out := views.Handover(rec, vocab.Health(), viewstest.Now, nil)
	want := `\[click\](https://evil.example) \<b\>bold\</b\> \*x\* \_y\_ \# Heading`
	if !strings.Contains(out, want) {
		t.Errorf("alert text not escaped; want %q in:\n%s", want, out)
	}
}

// The timeline: every encounter, note, care package start and end and alert, newest first,
// each row with its date, kind, text, source and domain; restricted content withheld.
func TestTimeline(t *testing.T) {
	v := vocab.Health()
	rec := viewstest.Record().Masked(nil)
	entries, tab := views.Timeline(rec, v, nil, viewstest.Now)
	s := &rec.Sections
	starts, ends := 0, 0
	for _, c := range s.CarePackages {
		if !c.Period.Start.IsZero() || c.Restricted {
			starts++
		}
		if !c.Period.End.IsZero() && !c.Restricted {
			ends++
		}
	}
	if want := len(s.Encounters) + len(s.Notes) + len(s.Alerts) + starts + ends; len(entries) != want || len(tab.Rows) != want {
		t.Fatalf("%d entries, %d rows, want %d", len(entries), len(tab.Rows), want)
	}
	order := views.DefaultOrder(&tab)
	for i := 1; i < len(order); i++ {
		a, b := entries[tab.Rows[order[i-1]].Index].When, entries[tab.Rows[order[i]].Index].When
		if a.Before(b) {
			t.Errorf("row %d (%v) before row %d (%v): not newest first", i-1, a, i, b)
		}
	}
	kinds := map[string]bool{}
	for _, r := range tab.Rows {
		if len(r.Cells) != 4 || r.Cells[1] == "" || r.Cells[3] == "" || !r.Domain.Valid() {
			t.Errorf("row without kind, source or domain: %+v", r)
		}
		kinds[r.Cells[1]] = true
		if strings.Contains(strings.Join(r.Cells, " "), "SECRET") {
			t.Errorf("restricted content: %v", r.Cells)
		}
		if r.Restricted && r.Cells[2] != v.RestrictedText {
			t.Errorf("restricted row shows %q", r.Cells[2])
		}
	}
	for _, k := range []string{v.TimelineEncounter, v.TimelineNote, v.TimelinePackageStart, v.TimelinePackageEnd, v.TimelineAlert} {
		if !kinds[k] {
			t.Errorf("no %q row", k)
		}
	}
	// Each row points at its item.
	for _, e := range entries {
		if !slices.Contains([]record.Section{record.SectionEncounters, record.SectionNotes, record.SectionCarePackages, record.SectionAlerts}, e.Section) || e.Index < 0 {
			t.Errorf("entry %+v", e)
		}
	}
}

// The contact to call first: the lowest rank with a number to call now; never an ended
// contact nor a restricted one; one without a number only when none has one.
func TestCallFirst(t *testing.T) {
	now := viewstest.Now
	phone := []record.Phone{{Number: "07700 900001", Use: "mobile"}}
	ended := record.Period{End: now.Add(-time.Hour)}
	for _, c := range []struct {
		name string
		cs   []record.Contact
		want int
	}{
		{"rank order", []record.Contact{{Rank: 2, Phones: phone}, {Rank: 1, Phones: phone}}, 1},
		{"rank 1 has no number", []record.Contact{{Rank: 1}, {Rank: 2, Phones: phone}}, 1},
		{"unranked with a number after ranked", []record.Contact{{Phones: phone}, {Rank: 3, Phones: phone}}, 1},
		{"ended", []record.Contact{{Rank: 1, Phones: phone, Period: ended}, {Rank: 2, Phones: phone}}, 1},
		{"restricted", []record.Contact{{Item: record.Item{Restricted: true}, Rank: 1, Phones: phone}, {Rank: 2}}, 1},
		{"none with a number", []record.Contact{{Rank: 2}, {Rank: 1}}, 1},
		{"none current", []record.Contact{{Inactive: true, Phones: phone}}, -1},
	} {
		if got := views.CallFirst(c.cs, now, nil); got != c.want {
			t.Errorf("%s: %d, want %d", c.name, got, c.want)
		}
	}
}

// What y copies and what Y offers, tab by tab.
func TestCopyChoices(t *testing.T) {
	v := vocab.Health()
	rec := viewstest.Hard().Masked(nil)
	now := viewstest.Now
	if c, ok := views.PrimaryCopy(rec, "", -1, v, nil, now); !ok || c.Value != "9991000003" || c.What != v.CopyNHSNumber {
		t.Errorf("summary: %+v %v", c, ok)
	}
	mary := slices.IndexFunc(rec.Sections.NextOfKin, func(c record.Contact) bool { return c.Name == "Mary Pebbleworth" })
	if c, ok := views.PrimaryCopy(rec, record.SectionNextOfKin, mary, v, nil, now); !ok || c.Value != "01632 960888" || c.What != v.CopyPhone {
		t.Errorf("Mary: %+v %v", c, ok)
	}
	rita := slices.IndexFunc(rec.Sections.NextOfKin, func(c record.Contact) bool { return c.Name == "Rita Vole" })
	if c, ok := views.PrimaryCopy(rec, record.SectionNextOfKin, rita, v, nil, now); ok {
		t.Errorf("the ended guardian: %+v", c)
	}
	m := &rec.Sections.Medications[0]
	if c, ok := views.PrimaryCopy(rec, record.SectionMedications, 0, v, nil, now); !ok || c.Value != m.Name+" — "+m.Dosage {
		t.Errorf("medication: %+v %v", c, ok)
	}
	// Every restricted item: nothing to copy, nothing but the NHS number offered.
	for _, sec := range record.TabSections() {
		for i, it := range rec.Sections.Items(sec) {
			if !it.Restricted {
				continue
			}
			if c, ok := views.PrimaryCopy(rec, sec, i, v, nil, now); ok {
				t.Errorf("%s %d restricted: y copies %+v", sec, i, c)
			}
			if cs := views.CopyChoices(rec, sec, i, v, nil, now); len(cs) != 1 || cs[0].Value != "9991000003" {
				t.Errorf("%s %d restricted: Y offers %+v", sec, i, cs)
			}
		}
	}
	cs := views.CopyChoices(rec, record.SectionNextOfKin, mary, v, nil, now)
	var values []string
	for _, c := range cs {
		values = append(values, c.Value)
	}
	for _, p := range rec.Sections.NextOfKin[mary].Phones {
		if !slices.Contains(values, p.Number) {
			t.Errorf("Y on Mary does not offer %s: %v", p.Number, values)
		}
	}
	if last := cs[len(cs)-1]; last.What != v.CopyRow || !strings.Contains(last.Value, "Mary Pebbleworth") || !strings.Contains(last.Value, "Demo NHS ShCR") {
		t.Errorf("the row as text: %+v", last)
	}
}

// A back end still being asked: every list says so, never "none recorded" (the TUI's H
// while a back end is slow).
func TestHandoverWhileLoading(t *testing.T) {
	v := vocab.Health()
	rec := viewstest.Empty()
	rec.SetBackend(record.BackendStatus{Name: "Slow council", Status: string(record.StateLoading)})
	for _, sec := range record.Sections() {
		rec.SetStatus(record.SectionStatus{Backend: "Slow council", Section: sec, State: record.StateLoading})
	}
	out := views.Handover(rec, v, viewstest.Now, nil)
	if strings.Contains(out, "- "+v.HandoverNone) || strings.Contains(out, v.HandoverAllChecked) {
		t.Errorf("none recorded, or all checked, while a back end is still asked:\n%s", out)
	}
	if n := strings.Count(out, "Slow council"); n < 6 {
		t.Errorf("the back end still asked is named %d times:\n%s", n, out)
	}
}
