package client

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/shcr-project/shcr/config"
	"github.com/shcr-project/shcr/internal/demo"
	gated "github.com/shcr-project/shcr/internal/gate"
	"github.com/shcr-project/shcr/record"
)

// gatedDemo runs the demo back ends with the council behind a gate that holds its requests
// until the test opens it, and a federation over them (NHS, council, GP, config order).
func gatedDemo(t *testing.T) (*Federation, *gated.Gate) {
	t.Helper()
	srv := startDemo(t, demo.Options{})
	council := demoConfig(t, srv, demo.NameCouncil)
	g, err := gated.New(council.URL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(g.Close)
	council.URL = g.URL
	fed, err := NewFederation([]config.Backend{demoConfig(t, srv, demo.NameNHS), council, demoConfig(t, srv, demo.NameGP)},
		Options{User: config.User{Name: "Dr Test User", ID: "999999999999", Role: "R8000"}, Now: func() time.Time { return demo.ReferenceDate }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fed.Close) // before the servers close
	return fed, g
}

// untilOnly waits until every back end but the one held has answered the search.
func untilOnly(t *testing.T, find *Finding, held string) SearchUpdate {
	t.Helper()
	ctx := ctxTimeout(t, 20*time.Second)
	u := find.Snapshot()
	for !slices.Equal(u.Pending, []string{held}) {
		var err error
		if u, err = find.Next(ctx, u.Answered); err != nil || u.Done() {
			t.Fatalf("waiting for all but %s: pending %v, err %v", held, u.Pending, err)
		}
	}
	return u
}

// opening collects what an Open sends, safe for its goroutines.
type opening struct {
	mu       sync.Mutex
	rec      record.Record
	parts    []record.Part
	backends map[string]record.BackendStatus
	changed  chan struct{}
	done     chan struct{}
}

func openAsync(ctx context.Context, fed *Federation, m Match) *opening {
	o := &opening{backends: map[string]record.BackendStatus{}, changed: make(chan struct{}, 1), done: make(chan struct{})}
	p := m.Person
	o.rec.Merge(record.Part{Person: &p})
	wake := func() {
		select {
		case o.changed <- struct{}{}:
		default:
		}
	}
	go func() {
		defer close(o.done)
		fed.Open(ctx, m, record.Sections(), func(p record.Part) {
			o.mu.Lock()
			o.parts = append(o.parts, p)
			o.rec.Merge(p)
			o.mu.Unlock()
			wake()
		}, func(st record.BackendStatus) {
			o.mu.Lock()
			o.backends[st.Name] = st
			o.rec.SetBackend(st)
			o.mu.Unlock()
			wake()
		})
	}()
	return o
}

// until waits until cond holds (under the lock).
func (o *opening) until(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.NewTimer(20 * time.Second)
	defer deadline.Stop()
	for {
		o.mu.Lock()
		ok := cond()
		o.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-o.changed:
		case <-o.done:
		case <-deadline.C:
			t.Fatalf("waiting for %s", what)
		}
	}
}

// everySectionOnce checks that every section of every back end ended in exactly one state.
func everySectionOnce(t *testing.T, o *opening, backends []string) {
	t.Helper()
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, b := range backends {
		for _, sec := range record.Sections() {
			n := 0
			for _, p := range o.parts {
				for _, st := range p.Status {
					if st.Backend == b && st.Section == sec {
						n++
						if st.State == record.StateLoading {
							t.Errorf("%s %s ended loading", b, sec)
						}
					}
				}
			}
			if n != 1 {
				t.Errorf("%s %s: %d states, want exactly 1", b, sec, n)
			}
		}
	}
}

// A back end that answers late never holds the others: the search hands over the person as
// soon as the NHS back end finds them, the open reads the back ends that found them at once,
// and the held council is read as soon as its search answers with the same NHS number.
func TestFindOpensBeforeTheSlowestBackEnd(t *testing.T) {
	fed, g := gatedDemo(t)
	const nhs = "9991230009" // Marchbank: a care package at the council
	find := fed.Find(ctxTimeout(t, 30*time.Second), record.Query{NHSNumber: nhs})
	<-g.Arrived()
	u := untilOnly(t, find, demo.NameCouncil)
	if len(u.Matches) != 1 || u.Matches[0].Person.NHSNumber != nhs {
		t.Fatalf("matches before the council answered: %+v", u.Matches)
	}
	if st := u.Statuses[1]; st.Name != demo.NameCouncil || st.Status != string(record.StateLoading) {
		t.Errorf("the council's status while it searches: %+v", st)
	}
	m := u.Matches[0]
	if got := m.Pending(); !slices.Equal(got, []string{demo.NameCouncil}) {
		t.Errorf("Pending = %v", got)
	}

	o := openAsync(ctxTimeout(t, 30*time.Second), fed, m)
	// The NHS and GP back ends are read in full while the council's search is still held.
	o.until(t, "the NHS and GP back ends", func() bool {
		_, a := o.backends[demo.NameNHS]
		_, b := o.backends[demo.NameGP]
		return a && b
	})
	o.mu.Lock()
	for _, p := range o.parts {
		if p.Backend == demo.NameCouncil {
			t.Errorf("a council part before its search answered: %+v", p)
		}
	}
	if _, ok := o.backends[demo.NameCouncil]; ok {
		t.Error("the council's status before its search answered")
	}
	if o.rec.Count(record.SectionNextOfKin) == 0 {
		t.Error("no next of kin from the NHS back end while the council was held")
	}
	o.mu.Unlock()

	g.Open()
	<-o.done
	o.mu.Lock()
	// The council's view of the person comes before its sections.
	first := slices.IndexFunc(o.parts, func(p record.Part) bool { return p.Backend == demo.NameCouncil })
	if first < 0 || o.parts[first].Person == nil {
		t.Errorf("the council's first part does not carry its view of the person")
	}
	if st := o.backends[demo.NameCouncil]; st.Status != record.BackendOK && st.Status != record.BackendSlow {
		t.Errorf("council status %+v", st)
	}
	if !slices.ContainsFunc(o.rec.Person.Sources, func(s record.PersonSource) bool { return s.Backend == demo.NameCouncil }) {
		t.Error("the council is not among the person's sources")
	}
	if !slices.ContainsFunc(o.rec.Sections.CarePackages, func(c record.CarePackage) bool { return c.Provider == "Brightwater Home Care Ltd" }) {
		t.Error("the council's care package did not fill in")
	}
	o.mu.Unlock()
	everySectionOnce(t, o, []string{demo.NameNHS, demo.NameCouncil, demo.NameGP})
	if u := find.Wait(); !u.Done() || len(u.Matches) != 1 || len(u.Matches[0].Person.Sources) < 3 {
		t.Errorf("the whole search: %+v", u)
	}
}

// A late back end that finds another person under the same NHS number (different date of
// birth) is said at once: its view of the person comes first, so the merged record has the
// discrepancy before any of its sections.
func TestFindLateDiscrepancy(t *testing.T) {
	fed, g := gatedDemo(t)
	const nhs = "9999010008" // Etheridge: the council has another date of birth
	find := fed.Find(ctxTimeout(t, 30*time.Second), record.Query{NHSNumber: nhs})
	u := untilOnly(t, find, demo.NameCouncil)
	if len(u.Matches) != 1 || len(u.Matches[0].Discrepancies) != 0 {
		t.Fatalf("before the council answered: %+v", u.Matches)
	}
	o := openAsync(ctxTimeout(t, 30*time.Second), fed, u.Matches[0])
	g.Open()
	o.until(t, "the council's view of the person", func() bool {
		return slices.ContainsFunc(o.parts, func(p record.Part) bool { return p.Backend == demo.NameCouncil })
	})
	o.mu.Lock()
	if !slices.ContainsFunc(o.rec.Discrepancies, func(d record.Discrepancy) bool { return d.Field == "birth_date" }) {
		t.Errorf("discrepancies when the council's first part arrived: %+v", o.rec.Discrepancies)
	}
	o.mu.Unlock()
	<-o.done
	everySectionOnce(t, o, []string{demo.NameNHS, demo.NameCouncil, demo.NameGP})
}

// A late back end that does not know the person gives every section not-known, once.
func TestFindLateNotKnown(t *testing.T) {
	fed, g := gatedDemo(t)
	const nhs = "9995670003" // Pennywhistle: not known to the council
	find := fed.Find(ctxTimeout(t, 30*time.Second), record.Query{NHSNumber: nhs})
	u := untilOnly(t, find, demo.NameCouncil)
	o := openAsync(ctxTimeout(t, 30*time.Second), fed, u.Matches[0])
	g.Open()
	<-o.done
	if st := o.backends[demo.NameCouncil]; st.Status != record.BackendNotKnown {
		t.Errorf("council status %+v", st)
	}
	for _, p := range o.parts {
		for _, st := range p.Status {
			if st.Backend == demo.NameCouncil && st.State != record.StateNotKnown {
				t.Errorf("council %s: %s", st.Section, st.State)
			}
		}
	}
	everySectionOnce(t, o, []string{demo.NameNHS, demo.NameCouncil, demo.NameGP})
}

// Leaving the record while a back end is still searching ends the wait at once: its
// sections fail as cancelled, and the search itself goes on.
func TestFindOpenCancelledWhileSearching(t *testing.T) {
	fed, g := gatedDemo(t)
	find := fed.Find(ctxTimeout(t, 30*time.Second), record.Query{NHSNumber: "9991230009"})
	u := untilOnly(t, find, demo.NameCouncil)
	ctx, cancel := context.WithCancel(context.Background())
	o := openAsync(ctx, fed, u.Matches[0])
	o.until(t, "the NHS and GP back ends", func() bool { return len(o.backends) == 2 })
	cancel()
	select {
	case <-o.done:
	case <-time.After(10 * time.Second):
		t.Fatal("Open did not return after cancel")
	}
	if st := o.backends[demo.NameCouncil]; st.Status != record.BackendFailed {
		t.Errorf("council status after cancel %+v", st)
	}
	everySectionOnce(t, o, []string{demo.NameNHS, demo.NameCouncil, demo.NameGP})
	if s := find.Snapshot(); s.Done() {
		t.Error("the search ended with the open")
	}
	g.Open()
	if u := find.Wait(); len(u.Matches) != 1 || len(u.Matches[0].Person.Sources) < 3 {
		t.Errorf("the search after the gate opened: %+v", u.Matches)
	}
}

// SearchLive gives an update as back ends answer, the last one complete; Search is its end.
func TestSearchLiveUpdates(t *testing.T) {
	fed, g := gatedDemo(t)
	var updates []SearchUpdate
	done := make(chan SearchUpdate)
	go func() {
		done <- fed.SearchLive(ctxTimeout(t, 30*time.Second), record.Query{NHSNumber: "9991230009"}, func(u SearchUpdate) {
			updates = append(updates, u)
			if slices.Equal(u.Pending, []string{demo.NameCouncil}) {
				g.Open() // the council answers only after the others have been reported
			}
		})
	}()
	last := <-done
	if !last.Done() || len(updates) < 2 || !updates[len(updates)-1].Done() {
		t.Fatalf("%d updates, last %+v", len(updates), last)
	}
	if updates[0].Done() || len(updates[0].Pending) == 0 {
		t.Errorf("the first update was already complete: %+v", updates[0])
	}
	for i := 1; i < len(updates); i++ {
		if updates[i].Answered <= updates[i-1].Answered {
			t.Errorf("update %d answered %d after %d", i, updates[i].Answered, updates[i-1].Answered)
		}
	}
	matches, statuses := fed.Search(ctxTimeout(t, 30*time.Second), record.Query{NHSNumber: "9991230009"})
	if len(matches) != 1 || len(statuses) != 3 || slices.ContainsFunc(statuses, func(s record.BackendStatus) bool { return s.Status == string(record.StateLoading) }) {
		t.Errorf("Search: %d matches, statuses %+v", len(matches), statuses)
	}
}
