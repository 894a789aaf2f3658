package tui

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"
	"github.com/shcr-project/shcr/config"
	"github.com/shcr-project/shcr/internal/audit"
	"github.com/shcr-project/shcr/internal/demo"
	"github.com/shcr-project/shcr/record"
	"github.com/shcr-project/shcr/views"
	"github.com/shcr-project/shcr/views/viewstest"
	"github.com/shcr-project/shcr/views/vocab"
)

// The copy chooser, the timeline and the banner on a tab other than the summary, at 80×24
// and 200×60, in both vocabularies, against golden files.
func TestJobScreens(t *testing.T) {
	type screen struct {
		name  string
		rec   func() *record.Record
		role  config.Role
		sizes [][2]int
		keys  []string
	}
	both := [][2]int{{80, 24}, {200, 60}}
	screens := []screen{
		{name: "chooser-contact", rec: viewstest.Hard, role: RoleDispatcher, sizes: both, keys: []string{"Y"}},
		{name: "chooser-contact-moved", rec: viewstest.Hard, role: RoleDispatcher, sizes: both, keys: []string{"Y", "down", "down"}},
		{name: "chooser-summary", rec: viewstest.Record, sizes: both, keys: []string{"Y"}},
		{name: "timeline", rec: viewstest.Record, sizes: both, keys: []string{"t"}},
		{name: "timeline-la-only", rec: viewstest.Record, sizes: both, keys: []string{"t", "d", "d"}},
		{name: "timeline-restricted", rec: viewstest.Record, sizes: both, keys: []string{"t", "down", "down", "down"}},
		{name: "banner-next-of-kin", rec: viewstest.Deceased, sizes: [][2]int{{80, 24}}, keys: []string{"6"}},
	}
	for _, v := range []vocab.Vocabulary{vocab.Health(), vocab.SocialCare()} {
		for _, sc := range screens {
			for _, sz := range sc.sizes {
				t.Run(fmt.Sprintf("%s/%s/%dx%d", v.Name, sc.name, sz[0], sz[1]), func(t *testing.T) {
					m := fixtureModel(t, v, sc.role, sc.rec(), sz[0], sz[1])
					d := &driver{tb: t, m: m}
					d.keys(sc.keys...)
					out := views.Strip(m.View())
					checkScreen(t, v, out, sz[0], sz[1])
					golden.RequireEqual(t, []byte(out))
				})
			}
		}
	}
}

// The safety chips (crew safety, safeguarding, deceased, restricted, interpreter) are in the
// banner on every tab, the timeline too, not only on the summary.
func TestSafetyChipsOnEveryTab(t *testing.T) {
	rec := viewstest.Deceased()
	rec.Sections.Alerts = append(rec.Sections.Alerts, record.Alert{Item: rec.Sections.Alerts[0].Item, Kind: record.AlertFlag,
		Category: "Crew safety", Text: "Dog at property", Status: "active"})
	rec.Sections.Alerts[len(rec.Sections.Alerts)-1].Key = "crew-1"
	for _, v := range []vocab.Vocabulary{vocab.Health(), vocab.SocialCare()} {
		m := fixtureModel(t, v, "", rec, 80, 24)
		d := &driver{tb: t, m: m}
		want := []string{"[CREW SAFETY]", "[KEY SAFE]", "[" + v.Deceased + " 03-Oct-2026]", "[" + v.Interpreter + ": Polish]", "[" + v.RestrictedExist + "]",
			"[" + fmt.Sprintf(v.AlertsNotChecked, viewstest.Mental) + "]"}
		for tab := range tabCount + 1 {
			if tab < tabCount {
				d.keys(fmt.Sprint(tab + 1))
			} else {
				d.keys("t") // the timeline
			}
			out := views.Strip(m.View())
			head := strings.Join(strings.Split(out, "\n")[:6], "\n")
			for _, w := range want {
				if !strings.Contains(head, w) {
					t.Errorf("%s tab %d: banner lacks %s:\n%s", v.Name, tab+1, w, head)
				}
			}
		}
	}
}

// The dispatcher's record opens on the next of kin with the contact to call first selected:
// the row, even where the sort puts another on top (a rank 1 contact with no number).
func TestDispatcherSelectsCallFirst(t *testing.T) {
	rec := viewstest.Record()
	nok := rec.Sections.NextOfKin
	for i := range nok {
		nok[i].Rank = i + 2
	}
	nok[1].Rank, nok[1].Phones = 1, nil // rank 1, no number to call
	want := views.CallFirst(nok, viewstest.Now, nil)
	if want < 0 || want == 1 {
		t.Fatalf("fixture: call first %d", want)
	}
	m := fixtureModel(t, vocab.Health(), RoleDispatcher, rec, 80, 24)
	p := m.record
	m.View()
	pn := p.pane()
	if sectionOf(p.active) != record.SectionNextOfKin || pn == nil {
		t.Fatalf("tab %d", p.active)
	}
	if top := pn.table.Rows[pn.order[0]].Index; top != 1 {
		t.Fatalf("the rank 1 contact sorts at %d, not on top", top)
	}
	if got := pn.selectedIndex(); got != want {
		t.Errorf("selected contact %d (%s), want %d (%s)", got, nok[max(got, 0)].Name, want, nok[want].Name)
	}
	// The user's own move is kept as data arrives.
	d := &driver{tb: t, m: m}
	d.keys("g")
	p.invalidate()
	p.ensure(p.pane())
	if got := p.pane().selectedIndex(); got != 1 {
		t.Errorf("after g and new data: selected %d, want the top row", got)
	}
}

// start_tab (config) and --tab win over the role's start tab; an unknown name is refused.
func TestStartTabWinsOverRole(t *testing.T) {
	fed, cfg := startDemo(t)
	cfg.StartTab = string(record.SectionCareTeam)
	m, err := New(context.Background(), Options{Federation: fed, Config: cfg, Role: RoleDispatcher, Purpose: demoPurpose,
		Clock: func() time.Time { return demo.ReferenceDate }, Clipboard: noSystemClipboard})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.close)
	f := newFlow(t, m, 120, 40)
	f.open(nhsBrackenbury, "Brackenbury")
	f.waitForRe(`\[3 Care team \(\d+\)\]`)
	if m := f.settled(); sectionOf(m.record.active) != record.SectionCareTeam {
		t.Errorf("tab %d", m.record.active)
	}
	if config.CheckStartTab("next-of-kin") != nil || config.CheckStartTab("summary") != nil || config.CheckStartTab("alerts") == nil {
		t.Error("CheckStartTab")
	}
}

// recordingClipboard is a system clipboard that works: it keeps what it was given.
type recordingClipboard struct {
	mu  sync.Mutex
	got []string
}

func (c *recordingClipboard) write(s string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.got = append(c.got, s)
	return nil
}

func (c *recordingClipboard) all() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.got...)
}

// oscCopy is the OSC 52 sequence that copies s.
func oscCopy(s string) string {
	return "\x1b]52;c;" + base64.StdEncoding.EncodeToString([]byte(s)) + "\a"
}

// y on the summary copies the NHS number: the program writes its OSC 52 sequence (base64 of
// the digits) and, with no system clipboard on this machine, says so honestly.
func TestFlowCopyNHSNumberFromSummary(t *testing.T) {
	f := startProgram(t, Options{})
	f.open(nhsMarchbank, "Marchbank")
	f.press("y")
	f.waitFor("Copied NHS number (terminal only)")
	m := f.settled()
	if !bytes.Contains(f.out, []byte(oscCopy(nhsMarchbank))) {
		t.Errorf("output lacks the OSC 52 sequence of the NHS number")
	}
	if m.record.active != 0 {
		t.Errorf("tab %d", m.record.active)
	}
}

// Y opens the chooser; down, down and enter copy the contact's second phone to the terminal
// (OSC 52) and to a working system clipboard; the status bar says what, never the number.
func TestFlowCopyChooser(t *testing.T) {
	clip := &recordingClipboard{}
	f := startProgram(t, Options{Role: RoleDispatcher, Clipboard: clip.write})
	f.open(nhsBrackenbury, "Brackenbury")
	f.press("Y")
	f.waitForRe(`Copy[\s\S]*> NHS No\. 999 234 0002[\s\S]*Phone `)
	f.press("down", "down")
	f.waitForRe(`> Phone `)
	f.press("enter")
	screen := string(f.waitFor("Copied phone number to the clipboard"))
	m := f.settled()
	nok := m.record.rec.Sections.NextOfKin
	c := nok[views.CallFirst(nok, demo.ReferenceDate, nil)]
	var numbers []string
	for _, p := range c.Phones {
		numbers = append(numbers, p.Number)
	}
	if len(numbers) < 2 {
		t.Fatalf("the call-first contact has %d numbers", len(numbers))
	}
	if got := clip.all(); len(got) != 1 || got[0] != numbers[1] {
		t.Errorf("system clipboard got %q, want %q", got, numbers[1])
	}
	if !bytes.Contains(f.out, []byte(oscCopy(numbers[1]))) {
		t.Errorf("output lacks the OSC 52 sequence of %s", numbers[1])
	}
	if strings.Contains(screen[strings.LastIndex(screen, "\n"):], numbers[1]) {
		t.Error("the status bar repeats the number copied")
	}
	if n := bytes.Count(f.out, []byte("\x1b]52")); n != 1 {
		t.Errorf("%d OSC 52 sequences written; the chooser copies once", n)
	}
}

// esc closes the chooser without copying anything.
func TestCopyChooserEscCopiesNothing(t *testing.T) {
	clip := &recordingClipboard{}
	m := fixtureModel(t, vocab.Health(), RoleDispatcher, viewstest.Record(), 80, 24)
	m.c.opts.Clipboard = clip.write
	d := &driver{tb: t, m: m}
	d.keys("Y")
	if _, ok := m.top().(*copyChooser); !ok {
		t.Fatalf("Y opened %T", m.top())
	}
	d.keys("down", "esc")
	if len(m.stack) != 0 || m.osc != "" || len(clip.all()) != 0 || m.page != pageRecord {
		t.Errorf("after esc: stack %v, osc %q, clipboard %q, page %v", m.stack, m.osc, clip.all(), m.page)
	}
}

// y on each tab copies its primary value: the medication and dose on medications, the row
// as text elsewhere; never a restricted row's.
func TestCopyPrimaryValuePerTab(t *testing.T) {
	v := vocab.Health()
	m := fixtureModel(t, v, "", viewstest.Record(), 160, 48)
	d := &driver{tb: t, m: m}
	d.keys("4")
	med := m.record.rec.Sections.Medications[m.record.pane().selectedIndex()]
	m.osc = ""
	d.keys("y")
	if want := oscCopy(med.Name + " — " + med.Dosage); m.osc != want {
		t.Errorf("medications: copied %q, want %q", m.osc, want)
	}
	if !strings.Contains(m.flash, v.Medication) {
		t.Errorf("medications: flash %q", m.flash)
	}
	d.keys("8")
	pn := m.record.pane()
	for range pn.order {
		r := pn.selectedRow()
		m.osc = ""
		d.keys("y")
		switch {
		case r.Restricted && m.osc != "":
			t.Errorf("a restricted note was copied: %q", m.osc)
		case !r.Restricted && m.osc == "":
			t.Errorf("note %v: nothing copied", r.Cells)
		case !r.Restricted:
			payload, _ := base64.StdEncoding.DecodeString(strings.TrimSuffix(strings.TrimPrefix(m.osc, "\x1b]52;c;"), "\a"))
			if !strings.Contains(string(payload), r.Cells[1]) {
				t.Errorf("note %q: copied %q", r.Cells[1], payload)
			}
		}
		d.keys("down")
	}
}

// H writes the handover summary of the record as shown (restricted items withheld) to a new
// file readable by the user only, and says where.
func TestHandoverKeyWritesAFile(t *testing.T) {
	v := vocab.Health()
	m := fixtureModel(t, v, "", viewstest.Hard(), 80, 24)
	dir := filepath.Join(t.TempDir(), "handover")
	m.c.opts.HandoverDir = dir
	var events []AuditEvent
	auditErr := errors.New("disk full")
	m.c.opts.Audit = func(e AuditEvent) error { events = append(events, e); return auditErr }
	d := &driver{tb: t, m: m}
	// Not recorded, not written: the audit trail knows of every summary that leaves.
	d.keys("H")
	if files, _ := filepath.Glob(filepath.Join(dir, "handover-*.md")); len(files) != 0 {
		t.Fatalf("a summary written though the audit trail refused it: %v", files)
	}
	if n, ok := m.top().(*notePanel); !ok || !n.isErr || !strings.Contains(n.msg, "disk full") {
		t.Fatalf("audit failure not said: %+v", m.top())
	}
	d.keys("esc")
	auditErr, events = nil, nil
	d.keys("H")
	if len(events) != 1 || events[0].Event != audit.RecordExported || events[0].Detail != audit.ExportFile ||
		events[0].NHSNumber != viewstest.Hard().Person.NHSNumber {
		t.Errorf("audit events for H: %+v", events)
	}
	files, err := filepath.Glob(filepath.Join(dir, "handover-*.md"))
	if err != nil || len(files) != 1 {
		t.Fatalf("files %v, %v", files, err)
	}
	st, err := os.Stat(files[0])
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", st.Mode().Perm())
	}
	body, _ := os.ReadFile(files[0])
	if want := views.Handover(viewstest.Hard().Masked(nil), v, viewstest.Now, nil); string(body) != want {
		t.Errorf("file:\n%s\nwant:\n%s", body, want)
	}
	if strings.Contains(string(body), "SECRET") || strings.Contains(filepath.Base(files[0]), "999") {
		t.Error("restricted content in the file, or the NHS number in its name")
	}
	n, ok := m.top().(*notePanel)
	if !ok {
		t.Fatalf("no note of where it went: %T", m.top())
	}
	screen := regexp.MustCompile(`[│\s]+`).ReplaceAllString(views.Strip(m.View()), "")
	if !strings.Contains(screen, strings.ReplaceAll(files[0], " ", "")) {
		t.Errorf("the screen does not show the whole path %s:\n%s", files[0], views.Strip(m.View()))
	}
	d.keys("esc")
	if len(m.stack) != 0 || !n.Done() {
		t.Error("esc did not close the note")
	}
	// A second summary in the same second does not overwrite the first.
	d.keys("H")
	if files, _ := filepath.Glob(filepath.Join(dir, "handover-*.md")); len(files) != 2 {
		t.Errorf("%d files after a second H", len(files))
	}
	// Where it cannot be written, it says why.
	blocker := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	d.keys("esc")
	m.c.opts.HandoverDir = filepath.Join(blocker, "sub")
	d.keys("H")
	if n, ok := m.top().(*notePanel); !ok || !n.isErr || !strings.Contains(n.msg, "not a directory") {
		t.Errorf("unwritable directory: %+v", m.top())
	}
}

// The timeline's details pane shows the selected entry's own item, from its own section.
func TestTimelineDetailsAreTheEntrysItem(t *testing.T) {
	v := vocab.Health()
	m := fixtureModel(t, v, "", viewstest.Record(), 200, 60)
	d := &driver{tb: t, m: m}
	d.keys("t")
	p := m.record
	pn := p.pane()
	if pn != p.timeline() || sectionOf(p.active) != record.SectionEncounters {
		t.Fatalf("t did not show the timeline (tab %d)", p.active)
	}
	seen := map[record.Section]bool{}
	for range pn.order {
		sec, i := p.selected()
		seen[sec] = true
		want := views.ItemDetails(p.shown(), sec, i, v, m.c.st, 60, 0, p.reveals.Has, m.c.now())
		first := views.Strip(strings.Split(want, "\n")[0])
		if !strings.Contains(views.Strip(m.View()), strings.TrimSpace(first)) {
			t.Errorf("details of %s %d (%q) not on screen", sec, i, first)
		}
		d.keys("down")
	}
	for _, sec := range []record.Section{record.SectionEncounters, record.SectionNotes, record.SectionCarePackages, record.SectionAlerts} {
		if !seen[sec] {
			t.Errorf("no %s entry in the timeline", sec)
		}
	}
	d.keys("t")
	if p.pane() == p.timeline() {
		t.Error("t again did not go back to the encounters table")
	}
}

// The idle lock closes the copy chooser: what it offers (a revealed item's text, the
// handover summary) is not there after the unlock, which forgets reveals.
func TestLockClosesTheCopyChooser(t *testing.T) {
	m := fixtureModel(t, vocab.Health(), RoleDispatcher, viewstest.Record(), 80, 24)
	d := &driver{tb: t, m: m}
	d.keys("Y")
	if _, ok := m.top().(*copyChooser); !ok {
		t.Fatalf("Y opened %T", m.top())
	}
	lockFixture(d)
	for _, o := range m.stack {
		if _, ok := o.(*copyChooser); ok {
			t.Fatal("the chooser is still open under the lock")
		}
	}
	if _, ok := m.top().(*lockPanel); !ok {
		t.Fatalf("top %T", m.top())
	}
}

// Whether `y` is offered (from the row alone, at every key) agrees with what it copies, on
// every row of every tab and of the timeline.
func TestCanCopyAgreesWithPrimaryCopy(t *testing.T) {
	for _, rec := range []func() *record.Record{viewstest.Hard, viewstest.Record, viewstest.Deceased} {
		m := fixtureModel(t, vocab.Health(), "", rec(), 160, 48)
		d := &driver{tb: t, m: m}
		p := m.record
		check := func(where string) {
			_, ok := p.primaryCopy()
			if p.canCopy() != ok || m.c.keys.Copy.Enabled() != ok {
				sec, i := p.selected()
				t.Errorf("%s (%s %d): canCopy %v, key %v, primaryCopy %v", where, sec, i, p.canCopy(), m.c.keys.Copy.Enabled(), ok)
			}
		}
		for tab := range tabCount {
			d.keys(fmt.Sprint(tab + 1))
			check(fmt.Sprintf("tab %d", tab+1))
			if pn := p.pane(); pn != nil {
				for range pn.order {
					d.keys("down")
					check(fmt.Sprintf("tab %d", tab+1))
				}
			}
		}
		d.keys("t", "g")
		for range p.pane().order {
			check("timeline")
			d.keys("down")
		}
	}
}

// Through the real program: the dispatcher's record opens on the next of kin with the
// contact to call first selected (the row marked ">"), and y copies that contact's number.
func TestFlowDispatcherCallFirstSelected(t *testing.T) {
	f := startProgram(t, Options{Role: RoleDispatcher})
	f.open(nhsBrackenbury, "Brackenbury")
	f.press("y")
	f.waitFor("Copied phone number (terminal only)")
	m := f.settled()
	nok := m.record.rec.Sections.NextOfKin
	want := views.CallFirst(nok, demo.ReferenceDate, nil)
	if want < 0 {
		t.Fatal("no contact to call first")
	}
	pn := m.record.pane()
	if pn == nil || pn.sec != record.SectionNextOfKin || pn.selectedIndex() != want {
		t.Fatalf("selected %v, want contact %d (%s)", pn, want, nok[want].Name)
	}
	if !regexp.MustCompile(`(?m)^> \S+ +` + regexp.QuoteMeta(nok[want].Name)).MatchString(stripped(m)) {
		t.Errorf("the row marked > is not %s:\n%s", nok[want].Name, stripped(m))
	}
	number := pn.selectedRow().Phone
	if number == "" || !bytes.Contains(f.out, []byte(oscCopy(number))) {
		t.Errorf("y did not copy %q", number)
	}
}

// What was copied is read whole at 80 columns, in either vocabulary and with a role: the
// user and vocabulary on the right of the status bar give way to the message.
func TestCopyMessageNotCut(t *testing.T) {
	for _, v := range []vocab.Vocabulary{vocab.Health(), vocab.SocialCare()} {
		m := fixtureModel(t, v, config.RoleSocialWorker, viewstest.Record(), 80, 24)
		m.c.opts.SignedIn = func() string { return "Dr Jane Carter" }
		d := &driver{tb: t, m: m}
		d.keys("1")
		lines := strings.Split(views.Strip(m.View()), "\n")
		if last := lines[len(lines)-1]; !strings.Contains(last, "Dr Jane Carter") {
			t.Fatalf("the status bar does not name the signed-in user: %q", last)
		}
		d.keys("y")
		lines = strings.Split(views.Strip(m.View()), "\n")
		last := strings.TrimSpace(lines[len(lines)-1])
		if want := fmt.Sprintf(v.CopiedTerminal, v.CopyNHSNumber); !strings.HasPrefix(last, want) {
			t.Errorf("%s: status bar %q, want %q whole", v.Name, last, want)
		}
	}
}
