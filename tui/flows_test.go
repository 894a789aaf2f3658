package tui

import (
	"bytes"
	"context"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/teatest"
	"github.com/shcr-project/shcr/config"
	"github.com/shcr-project/shcr/internal/audit"
	"github.com/shcr-project/shcr/internal/demo"
	"github.com/shcr-project/shcr/internal/nhsnumber"
	"github.com/shcr-project/shcr/record"
	"github.com/shcr-project/shcr/views"
	"github.com/shcr-project/shcr/views/vocab"
)

// These flows drive the real program (bubbletea, via teatest) against the embedded demo
// back ends on loopback, with key presses as a user types them.

const (
	nhsMarchbank   = "9991230009" // active home care package (discharge case)
	nhsBrackenbury = "9992340002" // dispatcher case: four ranked contacts
)

// flow is a running program and everything it has written so far.
type flow struct {
	t    *testing.T
	tm   *teatest.TestModel
	out  []byte
	mark int // output before this was written before the last key press
}

func startProgram(t *testing.T, opts Options, extra ...config.Backend) *flow {
	t.Helper()
	fed, cfg := startDemo(t, extra...)
	opts.Federation, opts.Config = fed, cfg
	if !opts.Purpose.Preset() {
		opts.Purpose = demoPurpose // these flows are not about the purpose question (governance_test.go is)
	}
	if opts.Clock == nil {
		opts.Clock = func() time.Time { return demo.ReferenceDate }
	}
	m, err := New(context.Background(), withDemoNumbers(opts))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.close)
	return &flow{t: t, tm: teatest.NewTestModel(t, m, teatest.WithInitialTermSize(120, 40))}
}

// waitForRe waits until the output since the last key press matches re; it returns that output.
func (f *flow) waitForRe(re string) []byte {
	f.t.Helper()
	rx := regexp.MustCompile(re)
	f.poll("output matching "+re, rx.Match)
	return f.out[f.mark:]
}

// poll drains the program's output every 20 ms until cond holds for the output since the
// last key press, for at most 15 s. (teatest.WaitFor hands its condition everything it has
// read so far on every check; appending that to f.out each time made f.out grow
// quadratically and, on a loaded machine, made waits miss output they should have seen.)
func (f *flow) poll(what string, cond func(out []byte) bool) {
	f.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		f.drain()
		if cond(f.out[f.mark:]) {
			return
		}
		if time.Now().After(deadline) {
			out := f.out[f.mark:]
			f.t.Fatalf("waiting for %s: not seen after 15s; the last output since the key press:\n%s", what, out[max(0, len(out)-4000):])
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (f *flow) waitFor(text string) []byte {
	f.t.Helper()
	return f.waitForRe(regexp.QuoteMeta(text))
}

func (f *flow) drain() {
	buf := make([]byte, 1<<16)
	for {
		n, _ := f.tm.Output().Read(buf)
		if n == 0 {
			return
		}
		f.out = append(f.out, buf[:n]...)
	}
}

func (f *flow) press(keys ...string) {
	f.drain()
	f.mark = len(f.out)
	for _, k := range keys {
		f.tm.Send(keyMsg(k))
	}
}

func (f *flow) typeText(s string) {
	f.drain()
	f.mark = len(f.out)
	f.tm.Type(s)
}

// open types an NHS number, presses enter and waits until every back end has answered.
func (f *flow) open(nhs, family string) {
	f.t.Helper()
	f.typeText(nhsnumber.Format(nhs))
	f.waitFor("valid. Press enter")
	f.press("enter")
	f.waitFor(strings.ToUpper(family) + ",")
	f.waitLoaded()
}

// waitLoaded waits until the back ends line, as last drawn, no longer says "loading".
func (f *flow) waitLoaded() {
	f.t.Helper()
	f.poll("every back end to answer", func(out []byte) bool {
		i := bytes.LastIndex(out, []byte("Back ends:"))
		return i >= 0 && !bytes.Contains(out[i:], []byte("loading"))
	})
}

func (f *flow) final() *Model {
	f.t.Helper()
	f.tm.Send(keyMsg("ctrl+c"))
	return f.tm.FinalModel(f.t, teatest.WithFinalTimeout(10*time.Second)).(*Model)
}

// settled ends the program and checks that no section was still loading.
func (f *flow) settled() *Model {
	f.t.Helper()
	m := f.final()
	if m.record.loading() {
		f.t.Fatal("sections still loading at the end")
	}
	return m
}

func TestFlowSearchByNHSNumber(t *testing.T) {
	f := startProgram(t, Options{})
	f.open(nhsMarchbank, "Marchbank")
	f.waitFor("Brightwater Home Care Ltd")
	m := f.settled()
	if m.page != pageRecord || m.record.rec.Person.NHSNumber != nhsMarchbank {
		t.Fatalf("page %v, person %q", m.page, m.record.rec.Person.NHSNumber)
	}
	if m.record.active != 0 {
		t.Errorf("no role: first tab %d, want the summary", m.record.active)
	}
	if n := m.record.rec.Count(record.SectionCarePackages); n == 0 {
		t.Error("no care packages merged")
	}
}

func TestFlowSearchByNameSeveralMatches(t *testing.T) {
	f := startProgram(t, Options{})
	f.typeText("Hargreaves 30/06/1950")
	f.waitFor("Search patients named Hargreaves born 30-Jun-1950")
	f.press("enter")
	f.waitFor("Matching patients (2)")
	f.press("down", "enter")
	f.waitFor("HARGREAVES, ")
	f.waitLoaded()
	m := f.settled()
	results := m.search.results
	if len(results) != 2 {
		t.Fatalf("%d results", len(results))
	}
	if got, want := m.record.rec.Person.NHSNumber, results[1].Person.NHSNumber; got != want || got == results[0].Person.NHSNumber {
		t.Errorf("opened %s, want the second match %s", got, want)
	}
	if len(m.search.recent) != 1 {
		t.Errorf("recent people = %d, want 1", len(m.search.recent))
	}
}

func TestFlowEachTab(t *testing.T) {
	f := startProgram(t, Options{})
	f.open(nhsMarchbank, "Marchbank")
	tabs := views.TabTitles(vocab.Health())
	for i := 1; i < len(tabs); i++ {
		n := string(rune('1' + i))
		f.press(n)
		f.waitForRe(`\[` + n + ` ` + tabs[i] + ` \(\d+\)\]`)
	}
	f.press("1")
	f.waitFor("[1 Summary]")
	f.press("8")
	f.waitForRe(`\[8 Clinical notes \(\d+\)\]`)
	f.press("tab")
	f.waitFor("[1 Summary]")
	f.press("shift+tab")
	f.waitForRe(`\[8 Clinical notes \(\d+\)\]`)
	m := f.settled()
	if m.record.active != 7 {
		t.Errorf("active tab %d, want 7", m.record.active)
	}
}

func TestFlowVocabularySwitch(t *testing.T) {
	f := startProgram(t, Options{Role: RoleDischarge})
	f.open(nhsMarchbank, "Marchbank")
	f.waitFor("Care package in place: Yes")
	f.press("v")
	f.waitFor("Care and support in place: Yes")
	f.waitFor("[leaving hospital · social care words]")
	m := f.settled()
	if m.c.v.Name != vocab.NameSocialCare {
		t.Errorf("vocabulary %q", m.c.v.Name)
	}
	screen := stripped(m)
	for _, want := range []string{"[2 Care and support (", "3 Professionals (", "4 Medicines (", "6 Family and friends (", "7 Visits and appointments (", "8 Case notes ("} {
		if !strings.Contains(screen, want) {
			t.Errorf("tab bar lacks %q:\n%s", want, screen)
		}
	}
	if strings.Contains(screen, "Care package in place") {
		t.Error("health words left on screen after the switch")
	}
}

func stripped(m *Model) string {
	return regexp.MustCompile(`\x1b\[[0-9;]*m`).ReplaceAllString(m.View(), "")
}

func TestFlowRoleStartTab(t *testing.T) {
	t.Run("discharge", func(t *testing.T) {
		f := startProgram(t, Options{Role: RoleDischarge})
		f.open(nhsMarchbank, "Marchbank")
		f.waitFor("Care package in place: Yes — home care, 14 h a week, Brightwater Home Care Ltd, since 03-Jan-2026")
		if m := f.settled(); m.record.active != 1 {
			t.Errorf("tab %d", m.record.active)
		}
	})
	t.Run("social-worker", func(t *testing.T) {
		f := startProgram(t, Options{Role: RoleSocialWorker})
		f.open(nhsMarchbank, "Marchbank")
		m := f.settled()
		pn := m.record.pane()
		if m.record.active != 7 || pn.sec != record.SectionNotes {
			t.Fatalf("tab %d", m.record.active)
		}
		m.record.ensure(pn)
		notes := m.record.rec.Sections.Notes
		for i := 1; i < len(pn.order); i++ {
			a, b := notes[pn.table.Rows[pn.order[i-1]].Index].Date, notes[pn.table.Rows[pn.order[i]].Index].Date
			if a.Before(b) {
				t.Errorf("notes not newest first: %v before %v", a, b)
			}
		}
	})
	t.Run("dispatcher", func(t *testing.T) {
		f := startProgram(t, Options{Role: RoleDispatcher})
		f.open(nhsBrackenbury, "Brackenbury")
		f.waitForRe(`\[6 Next of kin \(\d+\)\]`)
		m := f.settled()
		pn := m.record.pane()
		m.record.ensure(pn)
		if m.record.active != 5 || len(pn.order) < 4 {
			t.Fatalf("tab %d, %d contacts", m.record.active, len(pn.order))
		}
		last := 0
		for _, ri := range pn.order {
			c := m.record.rec.Sections.NextOfKin[pn.table.Rows[ri].Index]
			rank := c.Rank
			if rank == 0 {
				rank = 1 << 20
			}
			if rank < last {
				t.Errorf("contacts not in rank order: %d after %d", c.Rank, last)
			}
			last = rank
		}
		if first := m.record.rec.Sections.NextOfKin[pn.table.Rows[pn.order[0]].Index]; first.Rank != 1 || len(first.Phones) == 0 {
			t.Errorf("first contact %+v, want rank 1 with a phone", first)
		}
	})
}

func TestFlowFilter(t *testing.T) {
	f := startProgram(t, Options{})
	f.open(nhsMarchbank, "Marchbank")
	f.press("7", "/")
	f.typeText("fracture")
	f.waitFor("Filter: ")
	f.press("enter")
	f.waitFor("Filter: fracture")
	m := f.settled()
	pn := m.record.pane()
	if len(pn.order) == 0 || len(pn.order) >= len(pn.table.Rows) {
		t.Fatalf("filter kept %d of %d rows", len(pn.order), len(pn.table.Rows))
	}
	for _, ri := range pn.order {
		if !strings.Contains(strings.ToLower(strings.Join(pn.table.Rows[ri].Cells, " ")), "fracture") {
			t.Errorf("row without the filter text: %v", pn.table.Rows[ri].Cells)
		}
	}
	if m.record.filtering {
		t.Error("enter did not leave the filter field")
	}
}

func TestFlowCopyPhoneNumber(t *testing.T) {
	f := startProgram(t, Options{Role: RoleDispatcher})
	f.open(nhsBrackenbury, "Brackenbury")
	f.press("y")
	out := f.waitFor("\x1b]52;c;")
	m := f.settled()
	phone := m.record.pane().selectedRow().Phone
	if phone == "" {
		t.Fatal("the first contact has no phone")
	}
	want := "\x1b]52;c;" + base64.StdEncoding.EncodeToString([]byte(phone)) + "\x07"
	if !bytes.Contains(out, []byte(want)) {
		t.Errorf("output lacks the OSC 52 sequence for %q", phone)
	}
}

// A back end answering 500 with an HTML page beside the demo: its failure is shown, the
// others' data is intact.
func TestFlowFailingBackend(t *testing.T) {
	broken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte("<html><body><h1>Internal Server Error</h1></body></html>"))
	}))
	t.Cleanup(broken.Close)
	f := startProgram(t, Options{}, config.Backend{Name: "Broken Council", Kind: config.KindFHIRR4, URL: broken.URL + "/fhir", Domain: "social-care"})
	f.open(nhsMarchbank, "Marchbank")
	f.waitFor("[BACK END FAILED: Broken Council]")
	m := f.settled()
	var st record.BackendStatus
	for _, b := range m.record.rec.Backends {
		if b.Name == "Broken Council" {
			st = b
		}
	}
	if st.Status != record.BackendFailed || !strings.Contains(st.Error, "500") {
		t.Errorf("broken back end status %+v", st)
	}
	if m.record.rec.Count(record.SectionMedications) == 0 || m.record.rec.Count(record.SectionCarePackages) == 0 {
		t.Error("the other back ends' data is missing")
	}
	if !strings.Contains(stripped(m), "Broken Council failed: ") {
		t.Errorf("status line does not name the failure:\n%s", stripped(m))
	}
}

func TestFlowEscClearsSearchAndNeverQuits(t *testing.T) {
	f := startProgram(t, Options{})
	f.typeText("99912")
	f.waitFor("5 of 10 digits")
	f.press("esc", "esc")
	f.typeText("q")
	f.waitFor("Patient: q")
	m := f.final()
	if got := m.search.input.Value(); got != "q" {
		t.Errorf("field = %q: esc should clear it and q should be typed, not quit", got)
	}
}

func TestFlowRecentPeopleOneKeyReturn(t *testing.T) {
	f := startProgram(t, Options{})
	f.open(nhsMarchbank, "Marchbank")
	f.press("esc")
	f.waitFor("Patients opened this session")
	f.open(nhsBrackenbury, "Brackenbury")
	f.press("esc")
	f.waitFor("alt+2")
	f.press("alt+2")
	f.waitFor("MARCHBANK, Edith")
	f.waitLoaded()
	m := f.settled()
	if m.record.rec.Person.NHSNumber != nhsMarchbank {
		t.Errorf("alt+2 opened %s", m.record.rec.Person.NHSNumber)
	}
}

func TestFlowRefresh(t *testing.T) {
	// The refresh is over when its record-opened audit event is recorded (once every back end
	// has answered). The screen cannot say so reliably: a refresh quicker than a frame never
	// draws "loading", so the unchanged back ends line is never drawn again.
	opened := make(chan struct{}, 4)
	f := startProgram(t, Options{Audit: func(e AuditEvent) error {
		if e.Event == audit.RecordOpened {
			opened <- struct{}{}
		}
		return nil
	}})
	f.open(nhsMarchbank, "Marchbank")
	for n := 1; n <= 2; n++ {
		if n == 2 {
			f.press("4", "r")
			f.waitFor("Refreshing")
		}
		select {
		case <-opened:
		case <-time.After(15 * time.Second):
			t.Fatalf("record-opened %d was not recorded within 15s", n)
		}
	}
	m := f.settled()
	if m.record.gen != 2 {
		t.Errorf("generation %d after one refresh, want 2", m.record.gen)
	}
	if m.record.rec.Count(record.SectionMedications) == 0 || m.record.active != 3 {
		t.Errorf("after refresh: %d medications, tab %d", m.record.rec.Count(record.SectionMedications), m.record.active)
	}
}

// A dispatcher often has the caller's number: a phone search finds a person known only to
// the council, without an NHS number, shown as such.
func TestFlowSearchByPhoneUnmatchedPerson(t *testing.T) {
	f := startProgram(t, Options{})
	f.typeText("07700 900999")
	f.waitFor("Phone number 07700 900999: press enter to search.")
	f.press("enter")
	f.waitFor("DUNMORE, Kayleigh")
	f.waitFor("NHS No. no NHS number")
	f.waitLoaded()
	m := f.settled()
	p := m.record.rec.Person
	if p.NHSNumber != "" || len(p.Sources) != 1 || p.Sources[0].Backend != demo.NameCouncil {
		t.Errorf("person %+v", p)
	}
	if m.record.rec.Count(record.SectionCarePackages) == 0 {
		t.Error("the council's care package is missing")
	}
}

// esc during a search stops it: the slow back end sees its request cancelled.
func TestFlowEscCancelsSearch(t *testing.T) {
	cancelled := make(chan struct{}, 1)
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
			select {
			case cancelled <- struct{}{}:
			default:
			}
		case <-time.After(20 * time.Second):
		}
	}))
	t.Cleanup(slow.Close)
	f := startProgram(t, Options{}, config.Backend{Name: "Slow ShCR", Kind: config.KindFHIRR4, URL: slow.URL + "/fhir", Domain: "health", Timeout: 30 * time.Second})
	f.typeText("999 123 0009")
	f.waitFor("valid. Press enter")
	f.press("enter")
	f.waitFor("Searching")
	f.press("esc")
	select {
	case <-cancelled:
	case <-time.After(10 * time.Second):
		t.Fatal("the search went on after esc")
	}
	m := f.final()
	if m.page != pageSearch || m.search.input.Value() != "" || m.search.searching {
		t.Errorf("after esc: page %v, field %q, searching %v", m.page, m.search.input.Value(), m.search.searching)
	}
}
