package tui

import (
	"context"
	"net/http"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shcr-project/shcr/client"
	"github.com/shcr-project/shcr/config"
	"github.com/shcr-project/shcr/internal/demo"
	"github.com/shcr-project/shcr/internal/fhirtest"
	"github.com/shcr-project/shcr/internal/nhsnumber"
	"github.com/shcr-project/shcr/record"
	"github.com/shcr-project/shcr/views"
)

// twinResources are one person with one encounter, as both twin back ends hold them: an R4
// Patient with an NHS number and an Encounter keyed by its identifier, naming no
// organisation (so each back end's items are of its configured domain).
func twinResources(t *testing.T) []fhirtest.Resource {
	t.Helper()
	var out []fhirtest.Resource
	for _, raw := range []string{
		`{"resourceType":"Patient","id":"pat-1","identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9434765919"}],
		  "name":[{"family":"Twinsby","given":["Ada"]}],"gender":"female","birthDate":"1950-01-02"}`,
		`{"resourceType":"Encounter","id":"enc-1","identifier":[{"system":"https://example.org/Id/encounter","value":"E-TWIN-1"}],
		  "status":"finished","class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"HH","display":"home health"},
		  "type":[{"text":"Falls assessment visit"}],"subject":{"reference":"Patient/pat-1"},
		  "period":{"start":"2024-03-12T10:00:00+00:00","end":"2024-03-12T11:00:00+00:00"}}`,
	} {
		r, err := fhirtest.Parse([]byte(raw))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

// holdEncounters holds a server's Encounter searches until release is closed; held is
// closed when the first one arrives.
type holdEncounters struct {
	held, release chan struct{}
	once, opened  sync.Once
}

// open lets every held and later Encounter search through.
func (h *holdEncounters) open() { h.opened.Do(func() { close(h.release) }) }

func (h *holdEncounters) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "/Encounter") {
			h.once.Do(func() { close(h.held) })
			select {
			case <-h.release:
			case <-r.Context().Done():
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// Two back ends report the same encounter, the council's configured first (social care),
// the NHS one second; the NHS one answers first. While only it has answered, the row is
// its (Src NHS, "From Twin NHS"); once the council has answered too, the row is led by the
// first configured back end whichever answered first (Src LA, "From Twin Council", the NHS
// one under "Also reported by"), as `shcr get` prints it. Merged in arrival order, the NHS
// back end would keep the lead.
func TestFlowFirstConfiguredBackEndLeadsWhateverAnswersFirst(t *testing.T) {
	hold := &holdEncounters{held: make(chan struct{}), release: make(chan struct{})}
	council := fhirtest.Start(t, twinResources(t), fhirtest.Options{Wrap: hold.wrap})
	nhs := fhirtest.Start(t, twinResources(t), fhirtest.Options{})
	user := config.User{Name: "Dr Test User", ID: "999999999999", Role: "R8000"}
	cfg := config.Config{User: user, Backends: []config.Backend{
		{Name: "Twin Council", Kind: config.KindFHIRR4, URL: council.URL, Domain: record.DomainSocialCare, Auth: config.Auth{Type: config.AuthNone}},
		{Name: "Twin NHS", Kind: config.KindFHIRR4, URL: nhs.URL, Domain: record.DomainHealth, Auth: config.Auth{Type: config.AuthNone}},
	}}
	now := func() time.Time { return demo.ReferenceDate }
	fed, err := client.NewFederation(cfg.Backends, client.Options{User: user, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fed.Close)
	t.Cleanup(hold.open)
	m, err := New(context.Background(), Options{Federation: fed, Config: cfg, Purpose: demoPurpose, Clock: now, Clipboard: noSystemClipboard})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.close)
	f := newFlow(t, m, 120, 40)
	f.typeText(nhsnumber.Format("9434765919"))
	f.waitFor("valid. Press enter")
	f.press("enter")
	f.waitRecord("TWINSBY,")
	<-hold.held // the council has been asked for its encounters, and is held
	f.press(strconv.Itoa(tabNamed(string(record.SectionEncounters)) + 1))
	// Only the NHS back end's encounter: its row, its provenance.
	row := regexp.MustCompile(`(?m)^.*Falls assessment visit.*$`)
	before := views.Strip(string(f.waitFor("From Twin NHS (NHS)")))
	if r := row.FindString(before); !strings.Contains(r, "NHS") || strings.Contains(r, " LA ") {
		t.Fatalf("before the council answered, the row is %q: want the NHS back end's", r)
	}
	hold.open()
	f.waitLoaded()
	f.press("down", "up") // draw again, with the encounter selected
	after := views.Strip(string(f.waitFor("From Twin Council (LA)")))
	if r := row.FindString(after); !regexp.MustCompile(`\bLA\b`).MatchString(r) || regexp.MustCompile(`\bNHS\b`).MatchString(r) {
		t.Errorf("once both answered, the row is %q: want the first-configured (council, LA) back end's", r)
	}
	if !strings.Contains(after, "Twin NHS") {
		t.Errorf("the NHS back end is not named as also reporting the encounter:\n%s", after)
	}
	rec := f.settled().record.rec
	encs := rec.Sections.Encounters
	if len(encs) != 1 || encs[0].Provenance.Backend != "Twin Council" || len(encs[0].AlsoFrom) != 1 || encs[0].AlsoFrom[0].Backend != "Twin NHS" {
		t.Fatalf("the record's encounters: %+v", encs)
	}
	// What `shcr get` builds from the same back ends (both answering at once now).
	matches, _ := fed.Search(context.Background(), record.Query{NHSNumber: "9434765919"})
	if len(matches) != 1 {
		t.Fatalf("%d matches", len(matches))
	}
	get := fed.OpenRecord(context.Background(), matches[0], record.Sections())
	if !reflect.DeepEqual(get.Sections, rec.Sections) || !reflect.DeepEqual(get.Notices, rec.Notices) {
		t.Errorf("the TUI's record differs from get's:\nget %+v\ntui %+v", get.Sections, rec.Sections)
	}
}

// The record page settles a part that came early at once the first time, then at most every
// settleEvery on its clock (the next part or the spinner's tick after it), and once more
// when the open is done: then the record is Merge's in configuration order.
func TestRecordPageSettlesEarlyPartsOnItsClock(t *testing.T) {
	names := []string{"First", "Second", "Third"}
	p, now := openedRecordPage(t, names)
	part := func(backend string, dom record.Domain) record.Part {
		return record.Part{Backend: backend, Sections: record.SectionsData{Encounters: []record.Encounter{{
			Item: record.Item{Key: "https://example.org/Id/encounter|E1", Provenance: record.Provenance{Backend: backend, Domain: dom}},
			Type: "Falls assessment visit", Status: "finished"}}},
			Status: []record.SectionStatus{{Backend: backend, Section: record.SectionEncounters, State: record.StateReturned, Count: 1}}}
	}
	lead := func() string { return p.rec.Sections.Encounters[0].Provenance.Backend }
	arrival := []record.Part{part("Third", record.DomainHealth), part("Second", record.DomainSocialCare), part("First", record.DomainHealth)}

	p.update(partMsg{p.gen, arrival[0]})
	*now = now.Add(10 * time.Millisecond)
	p.update(partMsg{p.gen, arrival[1]}) // early: the first time, settled at once
	if lead() != "Second" {
		t.Fatalf("after Second's early part the lead is %s", lead())
	}
	*now = now.Add(10 * time.Millisecond)
	p.update(partMsg{p.gen, arrival[2]}) // early again, within settleEvery: shown where it stands
	if lead() != "Second" || !p.arr.Stale() {
		t.Fatalf("within %v of the last settling: lead %s, stale %v", settleEvery, lead(), p.arr.Stale())
	}
	p.update(p.spin.Tick()) // the spinner's tick, still within settleEvery
	if lead() != "Second" {
		t.Fatalf("settled again within %v", settleEvery)
	}
	*now = now.Add(settleEvery)
	p.update(p.spin.Tick())
	if lead() != "First" || p.arr.Stale() {
		t.Fatalf("a tick %v later: lead %s, stale %v", settleEvery, lead(), p.arr.Stale())
	}
	for _, n := range names {
		p.update(backendMsg{p.gen, record.BackendStatus{Name: n, Status: record.BackendOK}})
	}
	p.update(openDoneMsg{p.gen})
	want := record.Record{}
	for _, n := range names {
		for _, a := range arrival {
			if a.Backend == n {
				want.Merge(a)
			}
		}
	}
	if !reflect.DeepEqual(want.Sections, p.rec.Sections) {
		t.Fatalf("the record's sections: %+v\nwant %+v", p.rec.Sections, want.Sections)
	}
	if e := p.rec.Sections.Encounters[0]; len(e.AlsoFrom) != 2 || e.AlsoFrom[0].Backend != "Second" || e.AlsoFrom[1].Backend != "Third" {
		t.Fatalf("AlsoFrom %+v", e.AlsoFrom)
	}
}

// A record built again in configuration order moves items in their lists: the item the
// user selected stays selected (by its key), not the place it stood in.
func TestRecordPageKeepsTheSelectedItemWhenBuiltAgain(t *testing.T) {
	names := []string{"First", "Second"}
	p, now := openedRecordPage(t, names)
	enc := func(key, what string, day int) record.Encounter {
		return record.Encounter{Item: record.Item{Key: "https://example.org/Id/encounter|" + key},
			Type: what, Status: "finished", Period: record.Period{Start: now.AddDate(0, 0, -day)}}
	}
	part := func(backend string, encs ...record.Encounter) record.Part {
		for i := range encs {
			encs[i].Provenance = record.Provenance{Backend: backend, Domain: record.DomainHealth}
		}
		return record.Part{Backend: backend, Sections: record.SectionsData{Encounters: encs},
			Status: []record.SectionStatus{{Backend: backend, Section: record.SectionEncounters, State: record.StateReturned, Count: len(encs)}}}
	}
	tab := 0
	for i := range tabCount {
		if sectionOf(i) == record.SectionEncounters {
			tab = i
		}
	}
	pn := p.panes[tab]
	build := func() {
		pn.ensure(p.rec, p.c.v, p.dom, func(string) bool { return false }, *now)
	}
	selectedKey := func() string {
		it := p.rec.Sections.Item(record.SectionEncounters, pn.selectedIndex())
		if it == nil {
			return ""
		}
		return it.Key
	}

	p.update(partMsg{p.gen, part("Second", enc("E2", "Home visit", 2), enc("E3", "Falls assessment visit", 3))})
	build()
	for pos, ri := range pn.order { // the user moves to the falls assessment
		if strings.Contains(strings.Join(pn.table.Rows[ri].Cells, " "), "Falls assessment") {
			pn.cursor, pn.moved = pos, true
		}
	}
	want := selectedKey()
	if !strings.HasSuffix(want, "|E3") {
		t.Fatalf("selected %q before: the test did not select the falls assessment", want)
	}
	p.update(partMsg{p.gen, part("First", enc("E1", "Ward round", 1))}) // early: built again at once
	if p.rec.Sections.Encounters[0].Key != "https://example.org/Id/encounter|E1" {
		t.Fatalf("not built again in configuration order: %+v", p.rec.Sections.Encounters)
	}
	build()
	if got := selectedKey(); got != want {
		t.Fatalf("after the record was built again the selection is %q, want %q", got, want)
	}
	// The timeline keeps its entry too.
	p.toggleTimeline()
	tp := p.timelinePane()
	p.ensureTimeline(tp)
	timelineKey := func() string {
		sec, i := p.timelineItem(tp.selectedIndex())
		if it := p.rec.Sections.Item(sec, i); it != nil {
			return it.Key
		}
		return ""
	}
	for pos, ri := range tp.order {
		if strings.Contains(strings.Join(tp.table.Rows[ri].Cells, " "), "Falls assessment") {
			tp.cursor, tp.moved = pos, true
		}
	}
	if got := timelineKey(); got != want {
		t.Fatalf("timeline: selected %q before, want %q", got, want)
	}
	*now = now.Add(settleEvery)
	p.update(partMsg{p.gen, part("Zeroth", enc("E0", "Phone call", 4))}) // not configured: first
	p.ensureTimeline(tp)
	if p.rec.Sections.Encounters[0].Key != "https://example.org/Id/encounter|E0" {
		t.Fatalf("not built again with the unconfigured back end first: %+v", p.rec.Sections.Encounters)
	}
	if got := timelineKey(); got != want {
		t.Fatalf("timeline: after the record was built again the selection is %q, want %q", got, want)
	}
	// And once more at the end of the open.
	for _, n := range names {
		p.update(backendMsg{p.gen, record.BackendStatus{Name: n, Status: record.BackendOK}})
	}
	p.update(openDoneMsg{p.gen})
	build()
	if got := selectedKey(); got != want {
		t.Fatalf("after the open ended the selection is %q, want %q", got, want)
	}
}

// openedRecordPage is a record page whose open of a person known to the back ends names (in
// that configuration order; nothing listens on their address) has started, on a clock the
// test moves (*now).
func openedRecordPage(t *testing.T, names []string) (*recordPage, *time.Time) {
	t.Helper()
	var cfgs []config.Backend
	var sources []record.PersonSource
	for _, n := range names {
		cfgs = append(cfgs, config.Backend{Name: n, Kind: config.KindFHIRR4, URL: "http://127.0.0.1:9/fhir", Domain: "health"})
		sources = append(sources, record.PersonSource{Backend: n, ID: "p1"})
	}
	fed, err := client.NewFederation(cfgs, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	now := demo.ReferenceDate
	m, err := New(context.Background(), Options{Federation: fed, Clock: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	noTimers(m)
	p := m.record
	p.reset()
	p.match = client.Match{Person: record.Person{NHSNumber: "9434765919", Sources: sources}}
	benchOpen(p)
	return p, &now
}
