package tui

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/shcr-project/shcr/internal/demo"
	"github.com/shcr-project/shcr/internal/text"
	"github.com/shcr-project/shcr/record"
	"github.com/shcr-project/shcr/views"
	"github.com/shcr-project/shcr/views/viewstest"
	"github.com/shcr-project/shcr/views/vocab"
)

// Two long numbers of one contact: both must show whole at 80×24.
const (
	longMobile = "+44 7700 900123"
	longWork   = "0113 496 0000 ext 1234"
)

// longNoteText is a discharge letter of about sixty lines at 80 columns; "fall" is in it
// five times (one "Fall", one "falls").
var longNoteText = strings.Join([]string{
	"Reason for admission: Fall at home on the evening of 28 September, found on the floor by her daughter.",
	"",
	"History: She lives alone in a bungalow with a key safe by the back door. Carers visit twice a day for help with washing, dressing and meals. " +
		"Her daughter visits daily. She has had two previous falls this year, neither with injury. She uses a frame indoors and a wheelchair outdoors.",
	"",
	"Examination: Alert and orientated. Bruising over the left hip. No fracture on X-ray of the hip and pelvis. Lying and standing blood pressure " +
		"showed a postural drop of 25 mmHg, which resolved after her amlodipine was stopped.",
	"",
	"Progress on the ward: Mobilising with a frame and the supervision of one helper by day 3. Physiotherapy daily; occupational therapy assessed " +
		"the kitchen and bathroom at a home visit on 30 September and recommends a perching stool, a second stair rail and a bath board.",
	"",
	"Tablets on going home: Metformin 500mg twice a day with food; paracetamol 1g four times a day when needed for pain. Amlodipine stopped " +
		"(postural hypotension). Please review her blood pressure in two weeks at the surgery.",
	"",
	"Follow-up: Falls clinic in six weeks. District nurse to check the bruising in one week. Carers to restart on the day she goes home: the " +
		"care agency has confirmed the morning and evening calls.",
	"",
	"Risks: A further fall is likely. A pendant alarm has been ordered through the council's telecare service. If she has another fall, " +
		"please call the community rapid response team before calling an ambulance, unless she is injured.",
	"",
	"Signed: Dr Lee Hartley, Consultant Geriatrician, Muddlecombe General Hospital.",
}, "\n")

// readerRecord is the fixture record with a long letter as the newest note and many next
// of kin, the first of whom has two long numbers.
func readerRecord() *record.Record {
	rec := viewstest.Record()
	s := &rec.Sections
	first := s.Notes[0]
	first.Key, first.Title, first.Text, first.Kind = "note-letter", "Hospital letter", longNoteText, "document"
	first.Date = viewstest.Now.AddDate(0, 0, -1)
	s.Notes = append([]record.Note{first}, s.Notes...)
	kin := s.NextOfKin[0]
	s.NextOfKin = nil
	for i, name := range []string{"Margaret Anne Pebbleworth-Hargreaves", "Tom Pebbleworth", "Jo Quill", "Rita Vole", "Sam Pebbleworth", "Lily Pebbleworth", "Nia Quill", "Owen Vole"} {
		c := kin
		c.Key, c.Name, c.Rank = fmt.Sprintf("nok-%d", i+1), name, i+1
		c.Phones = []record.Phone{{Number: fmt.Sprintf("07700 9004%02d", i), Use: "mobile"}}
		if i == 0 {
			c.Relationship, c.Roles = "Daughter", []string{record.RoleNextOfKin, record.RoleKeyHolder, record.RoleLPA}
			c.Phones = []record.Phone{{Number: longMobile, Use: "mobile"}, {Number: longWork, Use: "work"}}
		}
		s.NextOfKin = append(s.NextOfKin, c)
	}
	return rec
}

// The reader, the "+N more" states and next of kin, at 80×24 and 200×60 in both
// vocabularies, against golden files.
func TestReader(t *testing.T) {
	note := func(d *driver) { d.keys("8", "enter") }
	screens := []struct {
		name string
		do   func(d *driver)
	}{
		{"note-top", note},
		{"note-scrolled", func(d *driver) { note(d); d.keys("pgdown", "j", "j") }},
		{"note-find", func(d *driver) { note(d); d.keys("/"); d.typeText("fall"); d.keys("enter", "n") }},
		{"note-find-typing", func(d *driver) { note(d); d.keys("/"); d.typeText("carers") }},
		{"summary-more", func(d *driver) { d.keys("1") }},
		{"summary-reader", func(d *driver) { d.keys("1", "enter") }},
		{"next-of-kin-many", func(d *driver) { d.keys("6") }},
		{"next-of-kin-scrolled", func(d *driver) { d.keys("6", "G") }},
		{"next-of-kin-reader", func(d *driver) { d.keys("6", "enter") }},
	}
	for _, v := range []vocab.Vocabulary{vocab.Health(), vocab.SocialCare()} {
		for _, sc := range screens {
			for _, sz := range [][2]int{{80, 24}, {200, 60}} {
				t.Run(fmt.Sprintf("%s/%s/%dx%d", v.Name, sc.name, sz[0], sz[1]), func(t *testing.T) {
					m := fixtureModel(t, v, "", readerRecord(), sz[0], sz[1])
					d := &driver{tb: t, m: m}
					sc.do(d)
					out := views.Strip(m.View())
					checkScreen(t, v, out, sz[0], sz[1])
					golden.RequireEqual(t, []byte(out))
				})
			}
		}
	}
}

// At 80×24 the contact's two long numbers show whole in the table, the row growing a line,
// and the other contacts scroll rather than being cut.
func TestNextOfKinLongNumbersAt80(t *testing.T) {
	for _, v := range []vocab.Vocabulary{vocab.Health(), vocab.SocialCare()} {
		m := fixtureModel(t, v, "", readerRecord(), 80, 24)
		d := &driver{tb: t, m: m}
		d.keys("6")
		out := views.Strip(m.View())
		checkScreen(t, v, out, 80, 24)
		table := strings.Join(strings.Split(out, "\n")[:17], "\n") // above the details pane
		for _, num := range []string{longMobile, longWork} {
			if !strings.Contains(table, num) {
				t.Errorf("%s: %q not whole in the table:\n%s", v.Name, num, out)
			}
		}
		// Every contact can be reached: the last one scrolls into view.
		d.keys("G")
		if out := views.Strip(m.View()); !strings.Contains(out, "> LA  Owen Vole") && !strings.Contains(out, "> NHS Owen Vole") {
			t.Errorf("%s: the last contact not reached:\n%s", v.Name, out)
		}
	}
}

// `/` finds in the text; n and N go round the matches; the match shown is marked and in view.
func TestReaderFind(t *testing.T) {
	m := fixtureModel(t, vocab.Health(), "", readerRecord(), 80, 24)
	d := &driver{tb: t, m: m}
	d.keys("8", "enter")
	r, ok := m.top().(*reader)
	if !ok {
		t.Fatalf("enter did not open the reader: %T", m.top())
	}
	d.keys("/")
	d.typeText("FALL") // case does not matter
	d.keys("enter")
	want := strings.Count(strings.ToLower(strings.Join(r.lines, "\n")), "fall")
	if want < 5 || len(r.matches) != want {
		t.Fatalf("%d matches, want %d (at least 5)", len(r.matches), want)
	}
	seen := func() string { return views.Strip(m.View()) }
	if !strings.Contains(seen(), fmt.Sprintf("Find: FALL  1/%d", want)) {
		t.Fatalf("first match not shown as 1/%d:\n%s", want, seen())
	}
	lines := []int{}
	for i := 0; i < want; i++ {
		cur := r.matches[r.cur]
		if cur.line < r.vp.YOffset || cur.line >= r.vp.YOffset+r.vp.Height {
			t.Errorf("match %d (line %d) not in view (lines %d–%d)", r.cur+1, cur.line, r.vp.YOffset, r.vp.YOffset+r.vp.Height-1)
		}
		screen := seen()
		if !strings.Contains(screen, fmt.Sprintf("%d/%d", i+1, want)) {
			t.Errorf("not %d/%d:\n%s", i+1, want, screen)
		}
		// The line of the match shown is marked (not by colour alone).
		marked := "> " + r.lines[cur.line]
		if !strings.Contains(screen, marked) {
			t.Errorf("match %d: line not marked %q:\n%s", i+1, marked, screen)
		}
		lines = append(lines, cur.line)
		d.keys("n")
	}
	if r.cur != 0 {
		t.Errorf("n after the last match: at %d, want round to the first", r.cur+1)
	}
	d.keys("N")
	if r.cur != want-1 || !strings.Contains(seen(), fmt.Sprintf("%d/%d", want, want)) {
		t.Errorf("N from the first: at %d, want the last (%d)", r.cur+1, want)
	}
	for i := 1; i < len(lines); i++ {
		if lines[i] < lines[i-1] {
			t.Errorf("matches not in order: lines %v", lines)
		}
	}
	// Nothing found says so; esc in the find field keeps the last search.
	d.keys("/")
	d.typeText("zebra")
	d.keys("enter")
	if !strings.Contains(seen(), "Find: zebra  not found") || len(r.matches) != 0 {
		t.Errorf("no match not said:\n%s", seen())
	}
}

// Esc returns to the same tab and the same selected row, however far the reader scrolled.
func TestReaderEscReturnsToTheRow(t *testing.T) {
	for _, tab := range []string{"2", "4", "6", "7", "8"} {
		m := fixtureModel(t, vocab.SocialCare(), "", readerRecord(), 80, 24)
		d := &driver{tb: t, m: m}
		d.keys(tab, "j", "j")
		pn := m.record.pane()
		before := pn.selectedIndex()
		d.keys("enter")
		if _, ok := m.top().(*reader); !ok {
			t.Fatalf("tab %s: enter did not open the reader", tab)
		}
		d.keys("G", "k", "/")
		d.typeText("a")
		d.keys("enter", "n", "/")
		d.typeText("e")
		d.keys("esc") // esc leaves the find field: the reader stays
		if _, ok := m.top().(*reader); !ok {
			t.Fatalf("tab %s: esc after a find closed the reader", tab)
		}
		d.keys("esc")
		if m.top() != nil {
			t.Fatalf("tab %s: esc did not close the reader", tab)
		}
		if m.page != pageRecord || m.record.active != int(tab[0]-'1') || m.record.pane().selectedIndex() != before {
			t.Errorf("tab %s: after esc on tab %d row %d, want tab %s row %d", tab, m.record.active+1, m.record.pane().selectedIndex(), tab, before)
		}
	}
}

// The reader wraps to the width and wraps again when the window changes; it uses a large
// window's space.
func TestReaderRewrapsOnResize(t *testing.T) {
	m := fixtureModel(t, vocab.Health(), "", readerRecord(), 80, 24)
	d := &driver{tb: t, m: m}
	d.keys("8", "enter")
	r := m.top().(*reader)
	narrow := len(r.lines)
	for _, l := range r.lines {
		if text.Width(l) > 80-readerGutter {
			t.Errorf("line wider than 78: %q", l)
		}
	}
	d.send(tea.WindowSizeMsg{Width: 200, Height: 60})
	if len(r.lines) >= narrow {
		t.Errorf("at 200 columns %d lines, at 80 %d: not wrapped again", len(r.lines), narrow)
	}
	if r.vp.Height != 56 || r.vp.Width != 200 {
		t.Errorf("viewport %d×%d at 200×60, want 200×56", r.vp.Width, r.vp.Height)
	}
	out := views.Strip(m.View())
	checkScreen(t, vocab.Health(), out, 200, 60)
	// The whole letter is on one screen at 200×60, every word of it.
	for _, w := range strings.Fields(longNoteText) {
		if !strings.Contains(out, w) {
			t.Fatalf("%q missing at 200×60:\n%s", w, out)
		}
	}
}

// The reader closes when the record under it goes (the idle lock forgets reveals; signing
// out closes the record): it never shows an item that is no longer open.
func TestReaderClosesWithTheRecord(t *testing.T) {
	m := fixtureModel(t, vocab.Health(), "", readerRecord(), 80, 24)
	d := &driver{tb: t, m: m}
	d.keys("8", "enter")
	m.lock()
	for _, o := range m.stack {
		if _, ok := o.(*reader); ok {
			t.Fatal("the reader stays open under the lock")
		}
	}
	m2 := fixtureModel(t, vocab.Health(), "", readerRecord(), 80, 24)
	d2 := &driver{tb: t, m: m2}
	d2.keys("8", "enter")
	m2.record.rec = nil          // the record closed (an audit failure, a sign-out)
	d2.send(backendMsg{gen: -1}) // any message the page gets
	if m2.top() != nil {
		t.Fatalf("the reader outlived its record: %T", m2.top())
	}
}

// The real program at 80×24 against the demo back ends: enter on a note opens the reader,
// `/` finds, n moves on, esc comes back to the same row, the wheel moves the selection.
func TestFlowReader(t *testing.T) {
	fed, cfg := startDemo(t)
	m, err := New(context.Background(), withDemoNumbers(Options{Federation: fed, Config: cfg, Purpose: demoPurpose,
		Clock: func() time.Time { return demo.ReferenceDate }}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.close)
	f := newFlow(t, m, 80, 24)
	f.open(nhsMarchbank, "Marchbank")
	f.press("8", "j")
	f.waitForRe(`(?m)^> +LA .*Care package review`)
	f.press("enter", "/") // the key after enter reaches the reader, however fast it comes
	f.typeText("in")
	f.press("enter")
	f.waitForRe(`Find: in  1/\d+`)
	f.press("n")
	f.waitForRe(`Find: in  2/\d+`)
	f.press("esc")
	f.waitForRe(`(?m)^> +LA .*Care package review`)
	f.drain()
	f.mark = f.log.len()
	f.tm.Send(wheel(true, 10, 12))
	f.waitForRe(`(?m)^> +NHS .*Fracture clinic letter`) // three rows down
	got := f.final()
	if got.top() != nil {
		t.Errorf("an overlay left open: %T", got.top())
	}
}

// A restricted item opens in the reader as restricted: where it came from, never its content.
func TestReaderRestrictedItem(t *testing.T) {
	for _, v := range []vocab.Vocabulary{vocab.Health(), vocab.SocialCare()} {
		m := fixtureModel(t, v, "", readerRecord(), 80, 24)
		d := &driver{tb: t, m: m}
		d.keys("8")
		for i := 0; i < 5 && (m.record.pane().selectedRow() == nil || !m.record.pane().selectedRow().Restricted); i++ {
			d.keys("j")
		}
		if r := m.record.pane().selectedRow(); r == nil || !r.Restricted {
			t.Fatal("no restricted row in the fixture's notes")
		}
		d.keys("enter")
		if _, ok := m.top().(*reader); !ok {
			t.Fatalf("enter on a restricted row: %T", m.top())
		}
		out := views.Strip(m.View())
		checkScreen(t, v, out, 80, 24) // no SECRET
		if !strings.Contains(strings.Join(strings.Fields(out), " "), v.RestrictedDetails) || !strings.Contains(out, viewstest.Social) {
			t.Errorf("%s: the reader does not say the item is restricted and where it came from:\n%s", v.Name, out)
		}
	}
}

// A large terminal's space is used: tables show more rows, the details pane grows on a tall
// narrow terminal, the Summary needs no "+N more", the reader shows more of the text.
func TestLargeTerminalUsesItsSpace(t *testing.T) {
	rows := func(w, h int) (int, int) {
		m := fixtureModel(t, vocab.Health(), "", viewstest.Large(500), w, h)
		d := &driver{tb: t, m: m}
		d.keys("7")
		out := views.Strip(m.View())
		checkScreen(t, vocab.Health(), out, w, h)
		first, last, _ := m.record.pane().shownRows()
		details := 0 // the lines between the rule over the details pane and the back ends line
		if i := strings.LastIndex(out, strings.Repeat("─", w)); i >= 0 && w < wideLayout {
			if j := strings.Index(out[i:], "\nBack ends:"); j > 0 {
				details = strings.Count(out[i:i+j], "\n")
			}
		}
		return last - first + 1, details
	}
	small, smallDetails := rows(80, 24)
	tall, tallDetails := rows(80, 50)
	large, _ := rows(200, 60)
	if !(small < tall && tall < large) || small < 5 || large < 40 {
		t.Errorf("rows shown: %d at 80×24, %d at 80×50, %d at 200×60", small, tall, large)
	}
	if tallDetails <= smallDetails || tallDetails < 10 {
		t.Errorf("details pane: %d lines at 80×24, %d at 80×50", smallDetails, tallDetails)
	}
	m := fixtureModel(t, vocab.Health(), "", readerRecord(), 200, 60)
	if out := views.Strip(m.View()); strings.Contains(out, "more lines (Enter)") || strings.Contains(out, "more line (Enter)") {
		t.Errorf("the Summary cut at 200×60:\n%s", out)
	}
}

// What is typed or pasted into the find field is cleaned: an escape sequence never reaches
// the screen; a match is found in any case and never splits a character.
func TestReaderFindInputIsClean(t *testing.T) {
	m := fixtureModel(t, vocab.Health(), "", readerRecord(), 80, 24)
	d := &driver{tb: t, m: m}
	d.keys("8", "enter", "/")
	d.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("\x1b]52;c;ZXZpbA==\x07fall"), Paste: true})
	out := m.View()
	if strings.Contains(out, "\x1b]52") || strings.Contains(out, "ZXZpbA") {
		t.Fatalf("an escape sequence typed into find reached the screen: %q", out)
	}
	d.keys("enter")
	r := m.top().(*reader)
	if r.query != "fall" || len(r.matches) != 5 {
		t.Errorf("query %q, %d matches; want \"fall\", 5", r.query, len(r.matches))
	}
	r.lines = []string{"İstanbul ıi straße STRASSE"} // folding changes lengths here
	r.query = "i"
	r.find()
	for _, mt := range r.matches {
		if !onRunes(r.lines[mt.line], mt.start, mt.end) {
			t.Errorf("a match splits a character: %+v", mt)
		}
	}
}

// Words the wrapping put on two lines are found: "/" searches a paragraph as the text it
// was wrapped from, and the match is highlighted on both lines.
func TestReaderFindAcrossWrappedLines(t *testing.T) {
	for _, v := range []vocab.Vocabulary{vocab.Health(), vocab.SocialCare()} {
		t.Run(v.Name, func(t *testing.T) {
			m := fixtureModel(t, v, "", readerRecord(), 80, 24)
			d := &driver{tb: t, m: m}
			d.keys("8", "enter")
			r, ok := m.top().(*reader)
			if !ok {
				t.Fatalf("enter did not open the reader: %T", m.top())
			}
			// Two words of the letter either side of a line break the wrapping made.
			line, query := -1, ""
			for i := 0; i+1 < len(r.lines) && line < 0; i++ {
				a, b := strings.Fields(r.lines[i]), strings.Fields(r.lines[i+1])
				if len(a) < 2 || len(b) < 2 || !strings.Contains(longNoteText, a[len(a)-1]+" "+b[0]) {
					continue
				}
				q := a[len(a)-1] + " " + b[0]
				if !strings.Contains(strings.Join(r.lines, "\n"), q) && strings.Count(longNoteText, q) == 1 {
					line, query = i, q
				}
			}
			if line < 0 {
				t.Fatalf("no line break inside the letter's text in:\n%s", strings.Join(r.lines, "\n"))
			}
			d.keys("/")
			d.typeText(strings.ToUpper(query))
			d.keys("enter")
			if len(r.matches) != 1 {
				t.Fatalf("%q (across lines %d and %d): %d matches, want 1", query, line+1, line+2, len(r.matches))
			}
			got := r.matches[0].spans()
			if len(got) != 2 || got[0].line != line || got[1].line != line+1 ||
				r.lines[line][got[0].start:got[0].end]+" "+r.lines[line+1][got[1].start:got[1].end] != query {
				t.Fatalf("match %+v, want the end of line %d and the start of line %d", got, line, line+1)
			}
			d.keys("n")
			screen := views.Strip(m.View())
			if !strings.Contains(screen, "1/1") || !strings.Contains(screen, "> "+r.lines[line]) || !strings.Contains(screen, "> "+r.lines[line+1]) {
				t.Errorf("the match is not shown as 1/1 with both its lines marked:\n%s", screen)
			}
		})
	}
}
