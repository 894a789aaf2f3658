package tui

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/shcr-project/shcr/config"
	"github.com/shcr-project/shcr/internal/audit"
	"github.com/shcr-project/shcr/internal/demo"
	"github.com/shcr-project/shcr/internal/nhsnumber"
	"github.com/shcr-project/shcr/internal/purpose"
	"github.com/shcr-project/shcr/record"
	"github.com/shcr-project/shcr/views"
	"github.com/shcr-project/shcr/views/vocab"
)

// These tests drive the root model against the real demo back ends (and, where a test needs
// one, a FHIR back end on loopback that refuses), with a fake clock, and read the real audit
// trail file back with audit.Read.

const (
	oakesNHS      = "9996780007" // Winifred OAKES: a restricted (R) council case note
	oakesSecret   = "Section 42 enquiry opened"
	restrictedRow = "Restricted item — press x to reveal"
)

// fakeClock is a clock a test moves by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// gov is a driver over the demo back ends (plus extra) writing a real audit trail.
type govRig struct {
	*driver
	clock *fakeClock
	trail string
}

// newGovRig starts the demo, an audit trail in a temporary directory and the model. With
// opts.Purpose not preset, the TUI asks for the purpose.
func newGovRig(t *testing.T, opts Options, extra ...config.Backend) *govRig {
	t.Helper()
	fed, cfg := startDemo(t, extra...)
	opts.Federation = fed
	if len(opts.Config.Backends) == 0 {
		idle := opts.Config.IdleLock
		opts.Config = cfg
		opts.Config.IdleLock = idle
	}
	clk := &fakeClock{t: demo.ReferenceDate}
	opts.Clock = clk.Now
	path := filepath.Join(t.TempDir(), "state", "shcr", "audit.jsonl")
	log, err := audit.Open(path, audit.Options{Now: clk.Now, OSUser: "tester", SignedInUser: opts.SignedIn})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = log.Close() })
	opts.Audit = log.Append
	return &govRig{driver: newAskingDriver(t, opts, 120, 40), clock: clk, trail: path}
}

func (r *govRig) view() string { return views.Strip(r.m.View()) }

// search types a query and presses enter (the driver waits for the back ends).
func (r *govRig) search(q string) {
	r.keys("esc")
	r.typeText(q)
	r.keys("enter")
}

// events reads the audit trail back.
func (r *govRig) events(t *testing.T) []audit.Event {
	t.Helper()
	evs, bad, err := audit.Read(r.trail, audit.Filter{})
	if err != nil || len(bad) > 0 {
		t.Fatalf("audit trail: %v %v", err, bad)
	}
	return evs
}

func kinds(evs []audit.Event) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = e.Event
		if e.Sections != nil && e.Event == audit.SectionViewed {
			out[i] += ":" + e.Sections[0]
		}
	}
	return out
}

func find(evs []audit.Event, kind string) *audit.Event {
	for i := range evs {
		if evs[i].Event == kind {
			return &evs[i]
		}
	}
	return nil
}

// The purpose is asked when a record is opened, once per person per session: esc backs out
// without opening or recording anything; the answer goes into every event for that person.
func TestPurposeAskedOncePerPerson(t *testing.T) {
	r := newGovRig(t, Options{})
	r.search(nhsnumber.Format(oakesNHS))
	if out := r.view(); !strings.Contains(out, "Purpose of access") || !strings.Contains(out, "Why are you opening this patient's record?") ||
		!strings.Contains(out, "Safeguarding") || !strings.Contains(out, "Other (type a reason)") {
		t.Fatalf("no purpose question:\n%s", out)
	}
	if r.m.page == pageRecord && r.m.record.rec != nil {
		t.Fatal("the record opened before the purpose was given")
	}
	r.keys("esc")
	if out := r.view(); strings.Contains(out, "Purpose of access") || strings.Contains(out, "OAKES") || r.m.page != pageSearch {
		t.Fatalf("esc did not go back to the search:\n%s", out)
	}
	if evs := r.events(t); len(evs) != 0 {
		t.Fatalf("backing out recorded %v", kinds(evs))
	}

	r.search(nhsnumber.Format(oakesNHS))
	r.keys("2") // safeguarding
	if out := r.view(); !strings.Contains(out, "OAKES, Winifred") || strings.Contains(out, "Purpose of access") {
		t.Fatalf("record not open after choosing a purpose:\n%s", out)
	}
	evs := r.events(t)
	open := find(evs, audit.RecordOpened)
	if open == nil || open.Purpose != "safeguarding" || open.NHSNumber != oakesNHS || open.OSUser != "tester" {
		t.Fatalf("record-opened: %+v (all %v)", open, kinds(evs))
	}
	if len(open.Backends) != 3 || len(open.Sections) != len(record.Sections()) {
		t.Errorf("record-opened back ends %v sections %v", open.Backends, open.Sections)
	}

	// Back, and open the same person again: not asked again; recorded with the same purpose.
	r.keys("esc")
	r.search(nhsnumber.Format(oakesNHS))
	if out := r.view(); strings.Contains(out, "Purpose of access") || !strings.Contains(out, "OAKES, Winifred") {
		t.Fatalf("asked twice for the same person:\n%s", out)
	}
	evs = r.events(t)
	n := 0
	for _, e := range evs {
		if e.Event == audit.RecordOpened {
			n++
			if e.Purpose != "safeguarding" {
				t.Errorf("second open recorded purpose %q", e.Purpose)
			}
		}
	}
	if n != 2 {
		t.Errorf("record-opened %d times, want 2: %v", n, kinds(evs))
	}

	// Another person: asked again. "other" needs a typed reason.
	r.keys("esc")
	r.search("999 123 0009")
	if !strings.Contains(r.view(), "Purpose of access") {
		t.Fatalf("not asked for another person:\n%s", r.view())
	}
	r.keys("4", "enter")
	if out := r.view(); !strings.Contains(out, `Type a reason for "other".`) || r.m.record.rec != nil && r.m.page == pageRecord {
		t.Fatalf("other without a reason:\n%s", out)
	}
	r.typeText("checking a referral letter")
	r.keys("enter")
	last := r.events(t)
	open = nil
	for i := range last {
		if last[i].Event == audit.RecordOpened && last[i].NHSNumber == "9991230009" {
			open = &last[i]
		}
	}
	if open == nil || open.Purpose != "other" || open.Reason != "checking a referral letter" {
		t.Fatalf("other: %+v", open)
	}
}

// A preset purpose (role dispatcher → emergency) is never asked, and is what is recorded.
func TestPurposePresetNotAsked(t *testing.T) {
	res, err := purpose.Resolve(purpose.Inputs{Role: string(RoleDispatcher)})
	if err != nil {
		t.Fatal(err)
	}
	r := newGovRig(t, Options{Role: RoleDispatcher, Purpose: res})
	r.search(nhsnumber.Format(oakesNHS))
	if out := r.view(); strings.Contains(out, "Purpose of access") || !strings.Contains(out, "OAKES, Winifred") {
		t.Fatalf("asked although preset:\n%s", out)
	}
	evs := r.events(t)
	if len(evs) < 2 {
		t.Fatalf("events %v", kinds(evs))
	}
	for _, e := range evs {
		if e.Purpose != "emergency" {
			t.Errorf("%s recorded purpose %q", e.Event, e.Purpose)
		}
	}
	// The dispatcher starts on next of kin: its view is recorded once, after the open.
	if got := kinds(evs)[:2]; got[0] != audit.RecordOpened || got[1] != "section-viewed:next-of-kin" {
		t.Errorf("order %v", kinds(evs))
	}
}

// Open, view (once per section per open record), reveal with a reason (empty refused), in
// both vocabularies; the reveal lasts only while the record is open.
func TestAuditOpenViewRevealRestricted(t *testing.T) {
	r := newGovRig(t, Options{Purpose: demoPurpose})
	r.search(nhsnumber.Format(oakesNHS))
	r.keys("8")
	for _, v := range []vocab.Vocabulary{vocab.Health(), vocab.SocialCare()} {
		out := r.view()
		if !strings.Contains(out, restrictedRow) || strings.Contains(out, oakesSecret) || !strings.Contains(out, v.TabNotes) {
			t.Fatalf("%s: restricted note not masked:\n%s", v.Name, out)
		}
		r.keys("v")
	}
	r.keys("2", "8", "8") // care packages, then notes again: notes recorded once
	// Select the restricted row (sorted newest first: the strategy meeting is the newest note).
	for i := 0; i < 5 && !r.selectedRestricted(); i++ {
		r.keys("j")
	}
	if !r.selectedRestricted() {
		t.Fatalf("no restricted row selected:\n%s", r.view())
	}
	r.keys("x")
	if out := r.view(); !strings.Contains(out, "Reveal a restricted item") || !strings.Contains(out, "Why do you need to see it?") {
		t.Fatalf("no reveal prompt:\n%s", out)
	}
	r.keys("enter")
	if out := r.view(); !strings.Contains(out, "A reason is needed to reveal a restricted item.") || strings.Contains(out, oakesSecret) {
		t.Fatalf("an empty reason was accepted:\n%s", out)
	}
	r.typeText("strategy meeting follow-up")
	r.keys("enter")
	if out := r.view(); !strings.Contains(out, oakesSecret) {
		t.Fatalf("not revealed:\n%s", out)
	}
	evs := r.events(t)
	want := []string{audit.RecordOpened, "section-viewed:notes", "section-viewed:care-packages", audit.RestrictedRevealed}
	if got := kinds(evs); !slices.Equal(got, want) {
		t.Errorf("events %v, want %v", got, want)
	}
	rev := find(evs, audit.RestrictedRevealed)
	if rev == nil || rev.Reason != "strategy meeting follow-up" || len(rev.Items) != 1 || rev.Items[0] == "" ||
		!slices.Equal(rev.Sections, []string{"notes"}) || rev.Purpose != "demo" || rev.NHSNumber != oakesNHS {
		t.Errorf("restricted-revealed: %+v", rev)
	}
	// Leave and open again: masked again.
	r.keys("esc")
	r.search(nhsnumber.Format(oakesNHS))
	r.keys("8")
	if out := r.view(); strings.Contains(out, oakesSecret) || !strings.Contains(out, restrictedRow) {
		t.Fatalf("the reveal outlived the open record:\n%s", out)
	}
}

func (r *govRig) selectedRestricted() bool {
	pn := r.m.record.pane()
	if pn == nil {
		return false
	}
	row := pn.selectedRow()
	return row != nil && row.Restricted
}

// stubFHIR is a FHIR R4 back end on loopback: Patient searches answer patient (a Patient
// resource, or nothing found when ""), every other request answers status (200: an empty
// searchset; otherwise an OperationOutcome).
func stubFHIR(t *testing.T, patient string, status int) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/fhir+json")
		switch {
		case strings.HasSuffix(r.URL.Path, "/metadata"):
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"not-found"}]}`))
		case strings.HasSuffix(r.URL.Path, "/Patient") && (status != http.StatusForbidden || patient != ""):
			entries := ""
			if patient != "" && strings.Contains(r.URL.RawQuery, "identifier") {
				entries = `,"entry":[{"fullUrl":"urn:uuid:p1","resource":` + patient + `,"search":{"mode":"match"}}]`
			}
			_, _ = fmt.Fprintf(w, `{"resourceType":"Bundle","type":"searchset"%s}`, entries)
		case status == http.StatusOK:
			_, _ = w.Write([]byte(`{"resourceType":"Bundle","type":"searchset","total":0}`))
		default:
			w.WriteHeader(status)
			_, _ = w.Write([]byte(`{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"forbidden","diagnostics":"Access to this record is not permitted for your role"}]}`))
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// A back end that refuses (403) beside the demo: refused attempts are recorded, with the
// back end's name and the status only; a search that finds nobody is person-not-found.
func TestAuditRefusedAndNotFound(t *testing.T) {
	oakes := `{"resourceType":"Patient","id":"ref-1","identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"` + oakesNHS + `"}],` +
		`"name":[{"use":"official","family":"Oakes","given":["Winifred"],"prefix":["Ms"]}],"gender":"female","birthDate":"1950-11-05"}`
	refusesSections := stubFHIR(t, oakes, http.StatusForbidden)
	refusesAll := stubFHIR(t, "", http.StatusForbidden)
	r := newGovRig(t, Options{Purpose: demoPurpose},
		config.Backend{Name: "Refusing Hospice", Kind: config.KindFHIRR4, URL: refusesSections.URL + "/fhir", Domain: "health"},
		config.Backend{Name: "Refusing Trust", Kind: config.KindFHIRR4, URL: refusesAll.URL + "/fhir", Domain: "health"})
	r.search(nhsnumber.Format(oakesNHS))
	if !strings.Contains(r.view(), "OAKES, Winifred") {
		t.Fatalf("record not open:\n%s", r.view())
	}
	evs := r.events(t)
	var refused []audit.Event
	for _, e := range evs {
		if e.Event == audit.AccessRefused {
			refused = append(refused, e)
		}
	}
	if len(refused) != 2 {
		t.Fatalf("access-refused %d, want 2 (sections refused by one, the search by the other): %v", len(refused), kinds(evs))
	}
	for _, e := range refused {
		if e.Detail != "HTTP 403" || len(e.Backends) != 1 || e.NHSNumber != oakesNHS || e.Purpose != "demo" {
			t.Errorf("refusal: %+v", e)
		}
	}
	// Every section is refused but child protection, which only a national flags service is asked for.
	if refused[0].Backends[0] != "Refusing Hospice" || refused[1].Backends[0] != "Refusing Trust" || len(refused[0].Sections) != len(record.Sections())-1 ||
		slices.Contains(refused[0].Sections, string(record.SectionChildProtection)) {
		t.Errorf("refusals: %+v", refused)
	}
	open := find(evs, audit.RecordOpened)
	if open == nil || slices.Contains(open.Backends, "Refusing Hospice") || !slices.Contains(open.Backends, "Demo NHS ShCR") {
		t.Errorf("record-opened: %+v", open)
	}

	// Nobody found: one person-not-found naming how the search was made, never what was typed.
	r.keys("esc")
	r.search("Zzyzx 01-Jan-1901")
	evs = r.events(t)
	nf := find(evs, audit.PersonNotFound)
	if nf == nil || nf.Detail != "searched by family name, birth date" || nf.NHSNumber != "" {
		t.Fatalf("person-not-found: %+v (%v)", nf, kinds(evs))
	}
	for _, e := range evs {
		if strings.Contains(strings.ToLower(fmt.Sprint(e)), "zzyzx") {
			t.Errorf("the typed name reached the audit trail: %+v", e)
		}
	}
}

// The audit trail refusing an event closes the record: a look that is not recorded is not shown.
func TestAuditFailureHidesRecord(t *testing.T) {
	fed, cfg := startDemo(t)
	fail := false
	d := newAskingDriver(t, Options{Federation: fed, Config: cfg, Purpose: demoPurpose, Clock: func() time.Time { return demo.ReferenceDate },
		Audit: func(e AuditEvent) error {
			if fail {
				return errors.New("disk full")
			}
			return nil
		}}, 120, 40)
	fail = true
	d.typeText(nhsnumber.Format(oakesNHS))
	d.keys("enter")
	out := views.Strip(d.m.View())
	if d.m.page != pageSearch || strings.Contains(out, "OAKES") || !strings.Contains(out, "Not shown: the audit trail could not record this look (disk full).") {
		t.Fatalf("record shown without an audit trail:\n%s", out)
	}
}

// A restricted person (PDS sensitive): address and phones withheld until revealed with a
// reason on the summary; the summary then shows them.
func TestRevealRestrictedPerson(t *testing.T) {
	nhs := ""
	for n := 999123450; nhs == ""; n++ { // the first number of the 999 test range with a check digit
		if cd, ok := nhsnumber.CheckDigit(fmt.Sprint(n)); ok {
			nhs = fmt.Sprintf("%d%d", n, cd)
		}
	}
	patient := `{"resourceType":"Patient","id":"s1","meta":{"security":[{"system":"http://terminology.hl7.org/CodeSystem/v3-Confidentiality","code":"R","display":"restricted"}]},` +
		`"identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"` + nhs + `"}],"name":[{"use":"official","family":"Quillfeather","given":["Ottilie"],"prefix":["Mrs"]}],` +
		`"telecom":[{"system":"phone","value":"01632 960999","use":"home"}],"gender":"female","birthDate":"1944-02-03",` +
		`"address":[{"line":["9 Hidden Row"],"city":"Wexbridge","postalCode":"DM9 9ZZ"}]}`
	srv := stubFHIR(t, patient, http.StatusOK)
	r := newGovRig(t, Options{Purpose: demoPurpose}, config.Backend{Name: "Sensitive Spine", Kind: config.KindFHIRR4, URL: srv.URL + "/fhir", Domain: "health"})
	r.search(nhsnumber.Format(nhs))
	out := r.view()
	if !strings.Contains(out, "QUILLFEATHER, Ottilie") || strings.Contains(out, "Hidden Row") || strings.Contains(out, "960999") ||
		!strings.Contains(out, "Address and phone        "+restrictedRow) {
		t.Fatalf("restricted person not masked:\n%s", out)
	}
	r.keys("x")
	r.typeText("confirming the address for a home visit")
	r.keys("enter")
	out = r.view()
	if !strings.Contains(out, "9 Hidden Row, Wexbridge, DM9 9ZZ; 01632 960999 (home)") {
		t.Fatalf("person not revealed:\n%s", out)
	}
	rev := find(r.events(t), audit.RestrictedRevealed)
	if rev == nil || !slices.Equal(rev.Items, []string{record.RevealPersonKey}) || !slices.Equal(rev.Backends, []string{"Sensitive Spine"}) {
		t.Errorf("restricted-revealed: %+v", rev)
	}
}

// personal is everything of Winifred OAKES that must never be on the lock panel.
var personal = []string{"OAKES", "Oakes", "Winifred", "999 678 0007", "9996780007", "DM2 3TS", "01632 960606", "07700 900601",
	"Tannery", "Tremlett", "Section 42", "Safeguarding strategy", "05-Nov-1950", "Home care", "Sertraline", "Trimethoprim"}

// After idle_lock without a key the screen is the lock panel, with no personal data; the
// unlock without sign-in re-confirms the purpose; reveals do not survive the lock.
func TestIdleLockHidesEverythingAndUnlocks(t *testing.T) {
	r := newGovRig(t, Options{Config: config.Config{IdleLock: 5 * time.Minute}})
	r.search(nhsnumber.Format(oakesNHS))
	r.keys("1") // direct care (1 chooses it: an enter after it would open the Summary in the reader)
	r.keys("8")
	for i := 0; i < 5 && !r.selectedRestricted(); i++ {
		r.keys("j")
	}
	r.keys("x")
	r.typeText("reading before the visit")
	r.keys("enter")
	if !strings.Contains(r.view(), oakesSecret) {
		t.Fatal("not revealed")
	}

	r.clock.Advance(4*time.Minute + 59*time.Second)
	r.send(IdleTickMsg{})
	if out := r.view(); strings.Contains(out, "Screen locked") || !strings.Contains(out, "OAKES") {
		t.Fatalf("locked too early:\n%s", out)
	}
	r.keys("k") // a key restarts the idle time
	r.clock.Advance(4 * time.Minute)
	r.send(IdleTickMsg{})
	if strings.Contains(r.view(), "Screen locked") {
		t.Fatal("a key did not restart the idle time")
	}
	r.clock.Advance(time.Minute)
	r.send(IdleTickMsg{})
	for _, v := range []string{r.m.View(), r.view()} {
		if !strings.Contains(views.Strip(v), "Screen locked") || !strings.Contains(views.Strip(v), "No patient data is shown.") {
			t.Fatalf("not locked:\n%s", v)
		}
		for _, s := range personal {
			if strings.Contains(v, s) {
				t.Errorf("lock panel shows %q:\n%s", s, v)
			}
		}
	}
	// Keys other than the panel's do nothing while locked.
	r.keys("esc", "2", "q", "v")
	if !strings.Contains(r.view(), "Screen locked") {
		t.Fatal("a key got past the lock")
	}
	// Unlock: enter, then confirm the purpose (the one chosen is offered first).
	r.keys("enter")
	if out := r.view(); !strings.Contains(out, "Confirm your purpose of access to unlock.") || strings.Contains(out, "OAKES") {
		t.Fatalf("unlock did not ask to confirm the purpose:\n%s", out)
	}
	r.keys("esc") // back to the lock
	if !strings.Contains(r.view(), "Screen locked") {
		t.Fatal("esc from the purpose unlocked the screen")
	}
	r.keys("enter", "enter")
	out := r.view()
	if strings.Contains(out, "Screen locked") || !strings.Contains(out, "OAKES, Winifred") || !strings.Contains(out, restrictedRow) || strings.Contains(out, oakesSecret) {
		t.Fatalf("after unlock (record back, reveal forgotten):\n%s", out)
	}
	evs := r.events(t)
	got := kinds(evs)
	if got[len(got)-2] != audit.ScreenLocked || got[len(got)-1] != audit.ScreenUnlocked {
		t.Fatalf("events %v", got)
	}
	if u := evs[len(evs)-1]; u.Purpose != "direct-care" || u.NHSNumber != oakesNHS {
		t.Errorf("screen-unlocked: %+v", u)
	}
}

// Where the user is signed in, unlocking is a fresh sign-in (Options.Unlock); a failed one
// keeps the lock and says why.
func TestIdleLockUnlockNeedsSignIn(t *testing.T) {
	var calls int
	fail := true
	r := newGovRig(t, Options{Purpose: demoPurpose, SignedIn: func() string { return "dr.test@example.nhs.uk" },
		Unlock: func(ctx context.Context) error {
			calls++
			if fail {
				return errors.New("sign-in did not complete: access denied")
			}
			return ctx.Err()
		}})
	r.search(nhsnumber.Format(oakesNHS))
	r.clock.Advance(5 * time.Minute)
	r.send(IdleTickMsg{})
	if out := r.view(); !strings.Contains(out, "enter   sign in again to unlock") || strings.Contains(out, "OAKES") {
		t.Fatalf("lock panel:\n%s", out)
	}
	r.keys("enter")
	if out := r.view(); calls != 1 || !strings.Contains(out, "Still locked: sign-in did not complete: access denied") || strings.Contains(out, "OAKES") {
		t.Fatalf("failed sign-in (%d calls):\n%s", calls, out)
	}
	fail = false
	r.keys("enter")
	if out := r.view(); calls != 2 || strings.Contains(out, "Screen locked") || !strings.Contains(out, "OAKES, Winifred") {
		t.Fatalf("after signing in again:\n%s", out)
	}
	evs := r.events(t)
	if u := evs[len(evs)-1]; u.Event != audit.ScreenUnlocked || u.SignedInUser != "dr.test@example.nhs.uk" {
		t.Errorf("last event %+v", u)
	}
}

// Signing out from the lock panel ends the session for the next member of staff: the hook is
// called, the record closed, the people opened forgotten, and the purpose asked afresh.
func TestLockSignOut(t *testing.T) {
	signedOut := 0
	r := newGovRig(t, Options{SignOut: func() error { signedOut++; return nil },
		SignedIn: func() string {
			if signedOut > 0 {
				return ""
			}
			return "dr.test@example.nhs.uk"
		}})
	r.search(nhsnumber.Format(oakesNHS))
	r.keys("3")
	r.clock.Advance(6 * time.Minute)
	r.send(IdleTickMsg{})
	r.send(tea.KeyMsg{Type: tea.KeyCtrlO})
	out := r.view()
	if signedOut != 1 || r.m.page != pageSearch || strings.Contains(out, "Screen locked") || strings.Contains(out, "OAKES") ||
		len(r.m.search.recent) != 0 || r.m.record.rec != nil {
		t.Fatalf("after sign-out (hook called %d):\n%s", signedOut, out)
	}
	if !strings.Contains(out, "Signed out") {
		t.Errorf("no signed-out message:\n%s", out)
	}
	evs := r.events(t)
	if last := evs[len(evs)-1]; last.Event != audit.SignedOut || last.SignedInUser != "dr.test@example.nhs.uk" {
		t.Errorf("last event %+v (%v)", last, kinds(evs))
	}
	r.search(nhsnumber.Format(oakesNHS))
	if !strings.Contains(r.view(), "Purpose of access") {
		t.Error("the purpose was remembered across a sign-out")
	}

	// A sign-out that fails keeps the screen locked.
	r2 := newGovRig(t, Options{Purpose: demoPurpose, SignOut: func() error { return errors.New("keyring locked") }})
	r2.search(nhsnumber.Format(oakesNHS))
	r2.clock.Advance(6 * time.Minute)
	r2.send(IdleTickMsg{})
	r2.send(tea.KeyMsg{Type: tea.KeyCtrlO})
	if out := r2.view(); !strings.Contains(out, "Screen locked") || !strings.Contains(out, "keyring locked") || strings.Contains(out, "OAKES") {
		t.Fatalf("failed sign-out:\n%s", out)
	}
}

// A restricted person's postcode is withheld in the list of matches too.
func TestResultsWithholdRestrictedPostcode(t *testing.T) {
	people := []record.Person{
		{NHSNumber: "9991230009", Address: record.Address{Postcode: "DM1 4QT"}},
		{NHSNumber: "9996780007", Address: record.Address{Postcode: "DM9 9ZZ"}, Restricted: true},
	}
	for _, v := range []vocab.Vocabulary{vocab.Health(), vocab.SocialCare()} {
		tb := views.ResultsTable(people, nil, v, demo.ReferenceDate)
		if got := tb.Rows[0].Cells[3]; got != "DM1 4QT" {
			t.Errorf("%s: postcode %q", v.Name, got)
		}
		if got := tb.Rows[1].Cells[3]; got != "withheld" {
			t.Errorf("%s: restricted person's postcode %q", v.Name, got)
		}
	}
}

// Signing out from the lock panel never uncovers the record: until the session has ended,
// the frame drawn is the lock.
func TestLockSignOutUncoversNothing(t *testing.T) {
	r := newGovRig(t, Options{Purpose: demoPurpose, SignOut: func() error { return nil }})
	r.search(nhsnumber.Format(oakesNHS))
	r.clock.Advance(6 * time.Minute)
	r.send(IdleTickMsg{})
	_, cmd := r.m.Update(tea.KeyMsg{Type: tea.KeyCtrlO})
	if out := r.view(); strings.Contains(out, "OAKES") || !strings.Contains(out, "Screen locked") {
		t.Fatalf("between the sign-out and the end of the session:\n%s", out)
	}
	r.run(cmd)
	if out := r.view(); strings.Contains(out, "OAKES") || strings.Contains(out, "Screen locked") || !strings.Contains(out, "Signed out") {
		t.Fatalf("after the sign-out:\n%s", out)
	}
}
