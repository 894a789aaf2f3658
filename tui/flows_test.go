package tui

import (
	"bytes"
	"context"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
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

// flow is a running program, every screen it has drawn and everything it has written.
//
// Waits look at the screens, not at the terminal output: Bubble Tea redraws only the lines
// that changed, so text already on the screen before a key press is not written again and
// a wait on the output since the press could time out. The probe takes the model's View
// after every Update, on the program's goroutine, and wakes the waiting test; no test sleeps.
type flow struct {
	t    *testing.T
	tm   *teatest.TestModel
	log  *screenLog
	out  []byte // the terminal output (drained at key presses and at the end)
	mark int    // screens before this were drawn before the last key press
	seen []byte // the screen the last wait matched
}

// screenLog is every screen the model has drawn.
type screenLog struct {
	mu      sync.Mutex
	screens []string
	changed chan struct{} // a new screen (capacity 1: a wake-up, not a count)
}

func (l *screenLog) add(s string) {
	l.mu.Lock()
	l.screens = append(l.screens, s)
	l.mu.Unlock()
	select {
	case l.changed <- struct{}{}:
	default:
	}
}

func (l *screenLog) since(i int) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.screens[min(i, len(l.screens)):]
}

func (l *screenLog) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.screens)
}

// probe is the root model as the program runs it, noting each screen after each Update.
type probe struct {
	*Model
	log *screenLog
}

func (p probe) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	_, cmd := p.Model.Update(msg)
	p.log.add(p.Model.View())
	return p, cmd
}

// newFlow runs m in a test program of w×h cells.
func newFlow(t *testing.T, m *Model, w, h int) *flow {
	t.Helper()
	l := &screenLog{changed: make(chan struct{}, 1)}
	l.add(m.View())
	return &flow{t: t, log: l, tm: teatest.NewTestModel(t, probe{m, l}, teatest.WithInitialTermSize(w, h))}
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
	return newFlow(t, m, 120, 40)
}

// waitForRe waits until a screen drawn since the last key press matches re; it returns
// that screen.
func (f *flow) waitForRe(re string) []byte {
	f.t.Helper()
	rx := regexp.MustCompile(re)
	f.poll("a screen matching "+re, func(screens []string) bool {
		for _, s := range screens {
			if rx.MatchString(s) {
				f.seen = []byte(s)
				return true
			}
		}
		return false
	})
	return f.seen
}

// poll waits until cond holds for the screens drawn since the last key press, checking
// each time the program draws one, for at most 15 s.
func (f *flow) poll(what string, cond func(screens []string) bool) {
	f.t.Helper()
	deadline := time.NewTimer(15 * time.Second)
	defer deadline.Stop()
	for {
		screens := f.log.since(f.mark)
		if cond(screens) {
			return
		}
		select {
		case <-f.log.changed:
		case <-deadline.C:
			last := "(none)"
			if all := f.log.since(0); len(all) > 0 {
				last = all[len(all)-1]
			}
			f.t.Fatalf("waiting for %s: not seen after 15s (%d screens since the key press); the screen now:\n%s", what, len(screens), last)
		}
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
	f.mark = f.log.len()
	for _, k := range keys {
		f.tm.Send(keyMsg(k))
	}
}

func (f *flow) typeText(s string) {
	f.drain()
	f.mark = f.log.len()
	f.tm.Type(s)
}

// open types an NHS number, presses enter and waits until every back end has answered.
func (f *flow) open(nhs, family string) {
	f.t.Helper()
	f.typeText(nhsnumber.Format(nhs))
	f.waitFor("valid. Press enter")
	f.press("enter")
	f.waitRecord(strings.ToUpper(family) + ",")
	f.waitLoaded()
}

// recordTabs is on the screen only when a record is: its tab bar (a search result, or the
// recent people, may show the same name).
var recordTabs = regexp.MustCompile(`\b1 Summary\b`)

// waitRecord waits for a record on the screen showing text.
func (f *flow) waitRecord(text string) []byte {
	f.t.Helper()
	return f.waitForRe(regexp.QuoteMeta(text) + `[\s\S]*` + recordTabs.String())
}

// waitLoaded waits until the record is on the screen as last drawn, its back ends line no
// longer says "loading" and no tab shows the spinner (the back ends line may not name every
// back end: a long failure takes its two lines).
func (f *flow) waitLoaded() {
	f.t.Helper()
	f.poll("every back end to answer", func(screens []string) bool {
		if len(screens) == 0 {
			return false
		}
		s := screens[len(screens)-1]
		i := strings.LastIndex(s, "Back ends:")
		if i < 0 || !recordTabs.MatchString(s) {
			return false
		}
		return !strings.Contains(s[i:], "loading") && !strings.ContainsAny(s, spinnerFrames)
	})
}

// spinnerFrames are the spinner's frames (bubbles' MiniDot): on screen while a section waits.
var spinnerFrames = strings.Join(spinner.MiniDot.Frames, "")

// final ends the program and returns the model; f.out then holds everything it wrote.
func (f *flow) final() *Model {
	f.t.Helper()
	f.tm.Send(keyMsg("ctrl+c"))
	m := f.tm.FinalModel(f.t, teatest.WithFinalTimeout(10*time.Second)).(probe).Model
	f.drain()
	return m
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
	f.waitRecord("HARGREAVES, ")
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
	f.waitRecord("MARCHBANK, Edith")
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
	f.waitRecord("DUNMORE, Kayleigh")
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

// esc during a search stops it: the slow back end sees its request cancelled. When a fast
// back end has found the person, the record opens at once and waits for the slow one; esc
// there goes back to the search and ends it too.
func TestFlowEscCancelsSearch(t *testing.T) {
	for _, tc := range []struct {
		name, nhs, family string // family: the record opens before the slow back end answers
	}{
		{name: "nobody found yet", nhs: "943 476 5919"},
		{name: "record open", nhs: "999 123 0009", family: "MARCHBANK,"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cancelled, arrived := make(chan struct{}, 1), make(chan struct{}, 1)
			slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				select {
				case arrived <- struct{}{}:
				default:
				}
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
			f.typeText(tc.nhs)
			f.waitFor("valid. Press enter")
			f.press("enter")
			if tc.family != "" {
				f.waitRecord(tc.family)
			} else {
				f.waitFor("Still searching Slow ShCR…")
			}
			select { // the search reached the slow back end: esc has a request to cancel
			case <-arrived:
			case <-time.After(10 * time.Second):
				t.Fatal("the search never reached the slow back end")
			}
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
		})
	}
}
