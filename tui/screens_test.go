package tui

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/muesli/termenv"
	"github.com/shcr-project/shcr/client"
	"github.com/shcr-project/shcr/config"
	"github.com/shcr-project/shcr/record"
	"github.com/shcr-project/shcr/views"
	"github.com/shcr-project/shcr/views/viewstest"
	"github.com/shcr-project/shcr/views/vocab"
)

func TestMain(m *testing.M) {
	lipgloss.SetColorProfile(termenv.Ascii)
	os.Exit(m.Run())
}

// offlineFederation is a federation whose back end is never asked: the screen tests put a
// hand-made record in front of the model instead.
func offlineFederation(t testing.TB) *client.Federation {
	t.Helper()
	fed, err := client.NewFederation([]config.Backend{{Name: "unused", Kind: config.KindFHIRR4, URL: "http://127.0.0.1:9/fhir", Domain: "health"}}, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return fed
}

// fixtureModel is the root model showing rec (or the search page when rec is nil).
func fixtureModel(t *testing.T, v vocab.Vocabulary, role config.Role, rec *record.Record, w, h int) *Model {
	t.Helper()
	m, err := New(context.Background(), Options{Federation: offlineFederation(t), Vocabulary: v, Role: role,
		Clock: func() time.Time { return viewstest.Now }, DemoNumbers: []string{"9991000003", "9991158383"}})
	if err != nil {
		t.Fatal(err)
	}
	noTimers(m)
	m.Update(tea_size(w, h))
	m.Init()
	if rec != nil {
		showRecord(m, rec)
	}
	return m
}

func showRecord(m *Model, rec *record.Record) {
	p := m.record
	p.reset()
	p.match = client.Match{Person: rec.Person}
	p.rec = rec
	p.setTab(startTab(m.c.opts.Role))
	m.page = pageRecord
	m.setKeys()
}

// checkScreen is what every screen must satisfy: exactly the terminal's size, words from
// its own vocabulary only, no restricted content.
func checkScreen(t *testing.T, v vocab.Vocabulary, out string, w, h int) {
	t.Helper()
	lines := strings.Split(out, "\n")
	if len(lines) != h {
		t.Errorf("%d lines, want %d", len(lines), h)
	}
	for i, l := range lines {
		if lw := lipgloss.Width(l); lw > w {
			t.Errorf("line %d is %d wide (> %d): %q", i+1, lw, w, l)
		}
	}
	for _, word := range v.Other().Distinctive() {
		if regexp.MustCompile(`(?i)\b` + regexp.QuoteMeta(word) + `\b`).MatchString(out) {
			t.Errorf("%s screen shows %q from the other vocabulary", v.Name, word)
		}
	}
	if strings.Contains(out, "SECRET") {
		t.Error("restricted content on screen")
	}
}

var sizes = [][2]int{{80, 24}, {160, 48}}

// Every screen, at 80×24 and 160×48, in both vocabularies, against golden files.
func TestScreens(t *testing.T) {
	type screen struct {
		name string
		rec  func() *record.Record
		role config.Role
		do   func(d *driver)
	}
	typed := func(s string) func(d *driver) { return func(d *driver) { d.typeText(s) } }
	tab := func(n string) func(d *driver) { return func(d *driver) { d.keys(n) } }
	screens := []screen{
		{name: "search-empty"},
		{name: "search-nhs-valid", do: typed("999 100 0003")},
		{name: "search-nhs-partial", do: typed("99910")},
		{name: "search-nhs-invalid", do: typed("9991000004")},
		{name: "search-name", do: typed("Pebbleworth 12/03/1948")},
		{name: "search-name-incomplete", do: typed("Pebbleworth")},
		{name: "search-results", do: func(d *driver) {
			d.typeText("Hargreaves 30-Jun-1950")
			d.send(searchDoneMsg{gen: d.m.search.gen, matches: []client.Match{
				{Person: viewstest.Person()},
				{Person: record.Person{NHSNumber: "9991158383", Name: record.Name{Family: "Pebbleworth", Given: []string{"Anne"}}, BirthDate: "1948-03-12", Gender: "female",
					Address: record.Address{Postcode: "ZZ9 9ZZ"}, Sources: []record.PersonSource{{Backend: viewstest.Health}}}},
				{Person: record.Person{Name: record.Name{Family: "Pebbleworth", Given: []string{"Ann"}}, BirthDate: "1948-03-12", Gender: "female",
					Address: record.Address{Postcode: "ZZ1 1ZZ"}, Sources: []record.PersonSource{{Backend: viewstest.Social}}}, Unmatched: true},
			}})
		}},
		{name: "search-recent", do: func(d *driver) {
			d.m.search.remember(client.Match{Person: viewstest.Person()})
			d.m.search.remember(client.Match{Person: record.Person{NHSNumber: "9991158383", Name: record.Name{Family: "Quill", Given: []string{"Jo"}}, BirthDate: "1960-01-02"}})
		}},
	}
	for i, name := range []string{"summary", "care-packages", "care-team", "medications", "allergies", "next-of-kin", "encounters", "notes"} {
		screens = append(screens, screen{name: fmt.Sprintf("tab%d-%s", i+1, name), rec: viewstest.Record, do: tab(fmt.Sprint(i + 1))})
	}
	problems := func() *record.Record { return viewstest.WithProblems(viewstest.Record()) }
	screens = append(screens,
		screen{name: "problems-summary", rec: problems},
		screen{name: "problems-medications", rec: problems, do: tab("4")},
		screen{name: "problems-allergies", rec: problems, do: tab("5")},
		screen{name: "problems-encounters", rec: problems, do: tab("7")},
		screen{name: "empty-summary", rec: viewstest.Empty},
		screen{name: "empty-care-packages", rec: viewstest.Empty, do: tab("2")},
		screen{name: "empty-medications", rec: viewstest.Empty, do: tab("4")},
		screen{name: "hard-summary", rec: viewstest.Hard},
		screen{name: "hard-care-packages", rec: viewstest.Hard, do: tab("2")},
		screen{name: "hard-care-team", rec: viewstest.Hard, do: tab("3")},
		screen{name: "hard-medications", rec: viewstest.Hard, do: tab("4")},
		screen{name: "hard-allergies", rec: viewstest.Hard, do: tab("5")},
		screen{name: "hard-next-of-kin", rec: viewstest.Hard, do: tab("6")},
		screen{name: "hard-encounters", rec: viewstest.Hard, do: tab("7")},
		screen{name: "hard-notes", rec: viewstest.Hard, do: tab("8")},
		screen{name: "hard-note-composition", rec: viewstest.Hard, do: func(d *driver) { d.keys("8", "down") }},
		screen{name: "deceased-summary", rec: viewstest.Deceased},
		screen{name: "role-discharge", rec: viewstest.Record, role: RoleDischarge},
		screen{name: "role-social-worker", rec: viewstest.Record, role: RoleSocialWorker},
		screen{name: "role-dispatcher", rec: viewstest.Record, role: RoleDispatcher},
		screen{name: "help", rec: viewstest.Record, do: func(d *driver) { d.keys("7", "?") }},
		screen{name: "filter", rec: viewstest.Record, do: func(d *driver) { d.keys("7", "/"); d.typeText("clinic") }},
		screen{name: "filter-applied", rec: viewstest.Record, do: func(d *driver) { d.keys("7", "/"); d.typeText("clinic"); d.keys("enter") }},
		screen{name: "domain-nhs", rec: viewstest.Record, do: func(d *driver) { d.keys("7", "d") }},
		screen{name: "sort", rec: viewstest.Record, do: func(d *driver) { d.keys("7", "s", "s") }},
		screen{name: "loading-summary", rec: loadingRecord},
		screen{name: "loading-care-packages", rec: loadingRecord, role: RoleDischarge},
		screen{name: "loading-next-of-kin", rec: loadingRecord, do: tab("6")},
		screen{name: "large-scrolled", rec: func() *record.Record { return viewstest.Large(10000) }, do: func(d *driver) { d.keys("7", "pgdown", "pgdown", "down") }},
	)
	for _, v := range []vocab.Vocabulary{vocab.Health(), vocab.SocialCare()} {
		for _, sc := range screens {
			for _, sz := range sizes {
				t.Run(fmt.Sprintf("%s/%s/%dx%d", v.Name, sc.name, sz[0], sz[1]), func(t *testing.T) {
					var rec *record.Record
					if sc.rec != nil {
						rec = sc.rec()
					}
					m := fixtureModel(t, v, sc.role, rec, sz[0], sz[1])
					d := &driver{tb: t, m: m}
					if sc.do != nil {
						sc.do(d)
					}
					out := views.Strip(m.View())
					checkScreen(t, v, out, sz[0], sz[1])
					golden.RequireEqual(t, []byte(out))
				})
			}
		}
	}
}
