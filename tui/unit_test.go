package tui

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
	"github.com/shcr-project/shcr/client"
	"github.com/shcr-project/shcr/config"
	"github.com/shcr-project/shcr/record"
	"github.com/shcr-project/shcr/views"
	"github.com/shcr-project/shcr/views/viewstest"
	"github.com/shcr-project/shcr/views/vocab"
)

func TestParseQuery(t *testing.T) {
	v := vocab.Health()
	cases := []struct {
		in    string
		kind  queryKind
		ready bool
		err   bool
		hint  string
		check func(record.Query) bool
	}{
		{in: "943 476 5919", kind: queryNHS, ready: true, hint: "NHS number 943 476 5919: valid", check: func(q record.Query) bool { return q.NHSNumber == "9434765919" }},
		{in: "9434765919", kind: queryNHS, ready: true, check: func(q record.Query) bool { return q.NHSNumber == "9434765919" }},
		{in: "943-476-5919", kind: queryNHS, ready: true},
		{in: "94347", kind: queryNHS, hint: "NHS number: 5 of 10 digits"},
		{in: "9434765918", kind: queryNHS, err: true, hint: "check digit is wrong (Modulus 11)"},
		{in: "94347659190", kind: queryNHS, err: true, hint: "an NHS number has 10 digits, not 11"},
		{in: "01632 960001", kind: queryPhone, ready: true, check: func(q record.Query) bool { return q.Phone == "01632 960001" }},
		{in: "+44 1632 960001", kind: queryPhone, ready: true},
		{in: "Smith 12-Mar-1948", kind: queryName, ready: true, hint: "Search patients named Smith born 12-Mar-1948",
			check: func(q record.Query) bool {
				return q.Family == "Smith" && q.BirthDate.Day() == 12 && q.BirthDate.Month() == time.March
			}},
		{in: "smith 12/03/1948", kind: queryName, ready: true, check: func(q record.Query) bool { return q.BirthDate.Year() == 1948 }},
		{in: "Smith 12 Mar 1948", kind: queryName, ready: true},
		{in: "Smith 12-03-1948", kind: queryName, ready: true, check: func(q record.Query) bool { return q.BirthDate.Month() == time.March }},
		{in: "Smith DM1 4QT", kind: queryName, ready: true, hint: "at postcode DM1 4QT", check: func(q record.Query) bool { return q.Postcode == "DM1 4QT" && q.Family == "Smith" }},
		{in: "Smith dm14qt", kind: queryName, ready: true, check: func(q record.Query) bool { return q.Postcode == "DM14QT" }},
		{in: "Smith", kind: queryName, hint: "Add a date of birth"},
		{in: "Smith 31/02/1948", kind: queryName, err: true, hint: "type it as 12-Mar-1948"},
	}
	for _, c := range cases {
		p := parseQuery(c.in, v)
		if p.kind != c.kind || p.ready != c.ready || p.err != c.err || !strings.Contains(p.hint, c.hint) {
			t.Errorf("parseQuery(%q) = kind %v ready %v err %v hint %q", c.in, p.kind, p.ready, p.err, p.hint)
		}
		if c.check != nil && !c.check(p.query) {
			t.Errorf("parseQuery(%q) query %+v", c.in, p.query)
		}
	}
}

// Keys that do not apply are disabled: they neither match nor show in the help.
func TestKeysFollowFocus(t *testing.T) {
	m := fixtureModel(t, vocab.Health(), "", nil, 80, 24)
	k := m.c.keys
	if k.Quit.Enabled() || k.Vocab.Enabled() || k.Help.Enabled() {
		t.Error("q, v or ? enabled while the search field has focus")
	}
	if !k.ForceQuit.Enabled() {
		t.Error("ctrl+c disabled")
	}
	showRecord(m, viewstest.Record())
	k = m.c.keys
	if !k.Quit.Enabled() || k.Filter.Enabled() || k.Copy.Enabled() {
		t.Errorf("summary tab: quit %v filter %v copy %v", k.Quit.Enabled(), k.Filter.Enabled(), k.Copy.Enabled())
	}
	d := &driver{tb: t, m: m}
	d.keys("6")
	if !m.c.keys.Copy.Enabled() {
		t.Error("copy disabled on a contact with a phone")
	}
	d.keys("/")
	if m.c.keys.Quit.Enabled() || m.c.keys.Tab.Enabled() {
		t.Error("q or 1–8 enabled while the filter field has focus")
	}
	d.typeText("q1")
	if m.record.filterIn.Value() != "q1" || m.record.active != 5 {
		t.Errorf("filter field = %q, tab %d: keys should go to the field", m.record.filterIn.Value(), m.record.active)
	}
	for _, b := range m.c.keys.FullHelp() {
		for _, kb := range b {
			if kb.Help().Key == "q" {
				t.Error("full help lists q while it is disabled")
			}
		}
	}
	d.keys("esc")
	if m.record.filtering || m.record.pane().filter != "" || m.page != pageRecord {
		t.Error("esc in the filter field should clear the filter and stay on the record")
	}
	d.keys("esc")
	if m.page != pageSearch {
		t.Error("esc on the record should go back to the search")
	}
}

// Keys typed faster than the terminal is read ("6y") act one by one outside text fields.
func TestFastKeysSplit(t *testing.T) {
	m := fixtureModel(t, vocab.Health(), "", viewstest.Record(), 80, 24)
	d := &driver{tb: t, m: m}
	d.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("6j")})
	if m.record.active != 5 || m.record.pane().cursor != 1 {
		t.Errorf("tab %d cursor %d after \"6j\"", m.record.active, m.record.pane().cursor)
	}
}

func TestResizeRelaysOut(t *testing.T) {
	m := fixtureModel(t, vocab.SocialCare(), "", viewstest.Record(), 80, 24)
	d := &driver{tb: t, m: m}
	d.keys("7")
	for _, sz := range [][2]int{{160, 48}, {80, 24}, {100, 30}, {60, 20}} {
		d.send(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
		out := views.Strip(m.View())
		if n := len(strings.Split(out, "\n")); n != sz[1] {
			t.Errorf("%dx%d: %d lines", sz[0], sz[1], n)
		}
		for _, l := range strings.Split(out, "\n") {
			if lipgloss.Width(l) > sz[0] {
				t.Errorf("%dx%d: line too wide: %q", sz[0], sz[1], l)
			}
		}
	}
}

// The domain filter keeps rows of one domain; the marker is text on every row.
func TestDomainFilter(t *testing.T) {
	m := fixtureModel(t, vocab.Health(), "", viewstest.Record(), 160, 48)
	d := &driver{tb: t, m: m}
	d.keys("7", "d")
	pn := m.record.pane()
	for _, ri := range pn.order {
		if pn.table.Rows[ri].Domain != record.DomainHealth {
			t.Errorf("NHS only shows %v", pn.table.Rows[ri].Domain)
		}
	}
	d.keys("d")
	for _, ri := range pn.order {
		if pn.table.Rows[ri].Domain != record.DomainSocialCare {
			t.Errorf("LA only shows %v", pn.table.Rows[ri].Domain)
		}
	}
	if len(pn.order) != 1 {
		t.Errorf("LA only: %d encounters, want 1", len(pn.order))
	}
	d.keys("d")
	if len(pn.order) != len(pn.table.Rows) {
		t.Error("all: rows missing")
	}
}

// While back ends are answering, tabs show a spinner and "waiting for …", never "none".
func TestLoadingTabs(t *testing.T) {
	rec := viewstest.Record()
	rec.Sections.Medications = nil
	rec.SetStatus(record.SectionStatus{Backend: viewstest.Health, Section: record.SectionMedications, State: record.StateLoading})
	rec.SetStatus(record.SectionStatus{Backend: viewstest.Social, Section: record.SectionMedications, State: record.StateLoading})
	m := fixtureModel(t, vocab.Health(), "", rec, 120, 30)
	d := &driver{tb: t, m: m}
	d.keys("4")
	out := views.Strip(m.View())
	if !strings.Contains(out, "[4 Medications ⠋]") || !strings.Contains(out, "⠋ waiting for Demo NHS ShCR, Demo County Council (0 s)") {
		t.Errorf("loading tab:\n%s", out)
	}
	if strings.Contains(out, "None recorded") || strings.Contains(out, "Not returned") {
		t.Errorf("a loading section is said to be empty:\n%s", out)
	}
}

// --plain and NO_COLOR: no colour at all, even on a true-colour terminal; selection and
// the active tab are still marked in text.
func TestPlainHasNoColour(t *testing.T) {
	lipgloss.SetColorProfile(termenv.TrueColor)
	defer lipgloss.SetColorProfile(termenv.Ascii)
	m, err := New(t.Context(), Options{Federation: offlineFederation(t), Plain: true, Clock: func() time.Time { return viewstest.Now }})
	if err != nil {
		t.Fatal(err)
	}
	noTimers(m)
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	showRecord(m, viewstest.Record())
	(&driver{tb: t, m: m}).keys("7")
	out := m.View()
	if strings.Contains(out, "38;2;") || strings.Contains(out, "48;2;") {
		t.Error("plain mode emits colours")
	}
	if !strings.Contains(out, "\x1b[7m") {
		t.Error("plain mode does not reverse the selected row")
	}
	plain := views.Strip(out)
	if !strings.Contains(plain, "[7 Encounters (4)]") || !strings.Contains(plain, "> NHS ") {
		t.Errorf("active tab or selected row not marked in text:\n%s", plain)
	}
	m.c.st = views.DefaultStyles()
	if !strings.Contains(m.View(), "38;2;") {
		t.Error("default styles emit no colour on a true-colour terminal: the test proves nothing")
	}
}

func TestRunNeedsBackends(t *testing.T) {
	if _, err := New(t.Context(), Options{}); err == nil || !strings.Contains(err.Error(), "no back ends") {
		t.Errorf("New without a federation: %v", err)
	}
}

func TestDemoHint(t *testing.T) {
	nums := []string{"999 123 0009", "999 234 0002", "999 345 0006", "999 456 0018", "999 567 0003", "999 678 0007", "999 789 0000", "999 890 0018", "999 901 0008", "999 012 0005"}
	got := demoHint("Demo NHS numbers: %s", nums, 80)
	if len(got) != 2 || !strings.HasSuffix(got[1], " …") {
		t.Fatalf("hint = %q", got)
	}
	for _, l := range got {
		if len(l) > 80 {
			t.Errorf("line too long: %q", l)
		}
		for _, f := range strings.Split(strings.TrimPrefix(l, "Demo NHS numbers: "), ", ") {
			f = strings.TrimSuffix(strings.TrimSuffix(f, " …"), ",")
			if f != "…" && len(f) != 12 {
				t.Errorf("a number is broken: %q in %q", f, l)
			}
		}
	}
	if got := demoHint("Demo NHS numbers: %s", nums[:2], 80); len(got) != 1 || got[0] != "Demo NHS numbers: 999 123 0009, 999 234 0002" {
		t.Errorf("short hint = %q", got)
	}
}

// When every back end fails, the search says so and never "not found".
func TestSearchAllBackendsFail(t *testing.T) {
	broken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		_, _ = w.Write([]byte("<html>Bad gateway</html>"))
	}))
	t.Cleanup(broken.Close)
	fed, err := client.NewFederation([]config.Backend{{Name: "Broken ShCR", Kind: config.KindFHIRR4, URL: broken.URL + "/fhir", Domain: "health"}}, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	d := newDriver(t, Options{Federation: fed}, 100, 30)
	d.typeText("999 123 0009")
	d.keys("enter")
	out := views.Strip(d.m.View())
	if !strings.Contains(out, "Search failed in Broken ShCR:") || !strings.Contains(out, "502") || strings.Contains(out, "No patient found") {
		t.Errorf("search screen:\n%s", out)
	}
	if d.m.page != pageSearch {
		t.Error("left the search page")
	}
}

// Restricted items stay masked until revealed for this open record (the governance work
// adds the reveal and its audited reason); once revealed they show, and only they.
func TestRevealSeam(t *testing.T) {
	rec := viewstest.Record()
	rec.Sections.Notes = append(rec.Sections.Notes, rec.Sections.Notes[2])
	rec.Sections.Notes[3].Key, rec.Sections.Notes[3].Title = "note-4", "OTHER SECRET"
	m := fixtureModel(t, vocab.SocialCare(), RoleSocialWorker, rec, 160, 48)
	if out := views.Strip(m.View()); strings.Contains(out, "SECRET") || strings.Count(out, "Restricted item — press x to reveal") != 2 {
		t.Fatalf("before reveal:\n%s", out)
	}
	m.record.reveals.Add("note-3")
	m.record.invalidate()
	out := views.Strip(m.View())
	if !strings.Contains(out, "SECRET TITLE") || strings.Contains(out, "OTHER SECRET") || strings.Count(out, "press x to reveal") != 1 {
		t.Errorf("after revealing note-3:\n%s", out)
	}
	showRecord(m, viewstest.Record()) // a new open record forgets reveals
	if out := views.Strip(m.View()); strings.Contains(out, "SECRET") {
		t.Error("a reveal outlived its record")
	}
}
