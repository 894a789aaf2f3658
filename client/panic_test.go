package client

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shcr-project/shcr/internal/demo"
	"github.com/shcr-project/shcr/record"
)

// panicky is a back end whose code panics, with personal data in the panic value. No real
// input is known to make shcr's own back ends panic (the fuzzers found none), so the only way
// to prove the recovery is a back end that panics on purpose; it runs beside the real demo.
type panicky struct {
	info     Info
	inSearch bool
}

const secretInPanic = "SMITH 943 476 5919"

func (p *panicky) Info() Info { return p.info }

func (p *panicky) Search(ctx context.Context, q record.Query) ([]record.Person, error) {
	if p.inSearch {
		panic("search blew up for " + secretInPanic)
	}
	return []record.Person{{NHSNumber: q.NHSNumber, Sources: []record.PersonSource{{Backend: p.info.Name, ID: "x"}}}}, nil
}

func (p *panicky) Fetch(ctx context.Context, who record.PersonSource, nhs string, sections []record.Section, emit func(record.Part)) {
	// One section answers before the bug strikes: it must stand.
	emit(record.Part{Backend: p.info.Name, Status: []record.SectionStatus{{Backend: p.info.Name, Section: sections[0], State: record.StateReturned}}})
	panic("fetch blew up for " + secretInPanic)
}

// TestPanicInABackEndFailsThatBackEndAlone: a bug while handling one back end's data fails
// that back end (or its unanswered sections) with one line; the other back ends' data is
// intact, the program goes on, and the panic's value reaches neither the user nor the log.
func TestPanicInABackEndFailsThatBackEndAlone(t *testing.T) {
	srv, err := demo.Start(demo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	nhsCfg := demoConfig(t, srv, demo.NameNHS)
	for _, inSearch := range []bool{false, true} {
		var logBuf bytes.Buffer
		opts := Options{Logger: slog.New(slog.NewTextHandler(&logBuf, &slog.HandlerOptions{Level: slog.LevelDebug}))}
		real, err := New(nhsCfg, opts)
		if err != nil {
			t.Fatal(err)
		}
		bad := &panicky{info: Info{Name: "Buggy", Kind: "fhir-r4", Domain: record.DomainHealth}, inSearch: inSearch}
		fed := NewFederationOf([]Backend{real, bad}, opts)
		defer fed.Close() // its idle connections would hold up the demo's shutdown
		ctx := ctxTimeout(t, 20*time.Second)
		nhs := demoPerson(t, srv).NHS
		matches, statuses := fed.Search(ctx, record.Query{NHSNumber: nhs})
		if len(matches) != 1 {
			t.Fatalf("inSearch=%v: matches = %+v, statuses %+v", inSearch, matches, statuses)
		}
		var (
			mu       sync.Mutex
			rec      record.Record
			backends = map[string]record.BackendStatus{}
		)
		fed.Open(ctx, matches[0], record.Sections(), func(p record.Part) {
			mu.Lock()
			defer mu.Unlock()
			rec.Merge(p)
		}, func(b record.BackendStatus) {
			mu.Lock()
			defer mu.Unlock()
			backends[b.Name] = b
		})
		if st := backends[nhsCfg.Name]; st.Status != record.BackendOK || countFrom(&rec, nhsCfg.Name) == 0 {
			t.Errorf("inSearch=%v: the healthy back end was hurt: %+v", inSearch, st)
		}
		buggy := backends["Buggy"]
		if buggy.Status != record.BackendFailed && buggy.Status != record.BackendPartial {
			t.Errorf("inSearch=%v: Buggy = %+v", inSearch, buggy)
		}
		if !strings.Contains(buggy.Error+failedText(&rec, "Buggy"), "internal error in shcr") {
			t.Errorf("inSearch=%v: no one-line internal error: %+v / %s", inSearch, buggy, failedText(&rec, "Buggy"))
		}
		if !inSearch {
			// The section answered before the panic stands; every other one failed.
			sts := rec.StatusOf(record.Sections()[0])
			for _, s := range sts {
				if s.Backend == "Buggy" && s.State != record.StateReturned {
					t.Errorf("the section answered before the panic was lost: %+v", s)
				}
			}
			failed := 0
			for _, s := range rec.SectionStatus {
				if s.Backend == "Buggy" && s.State == record.StateFailed {
					failed++
				}
			}
			if failed != len(record.Sections())-1 {
				t.Errorf("failed sections = %d, want %d", failed, len(record.Sections())-1)
			}
		}
		everything := logBuf.String() + buggy.Error + failedText(&rec, "Buggy")
		if strings.Contains(everything, "SMITH") || strings.Contains(everything, "943 476 5919") {
			t.Errorf("inSearch=%v: the panic's value leaked:\n%s", inSearch, everything)
		}
		if !strings.Contains(logBuf.String(), "recovered from a panic") {
			t.Errorf("inSearch=%v: the debug log does not record the bug", inSearch)
		}
	}
}

func failedText(rec *record.Record, backend string) string {
	var b strings.Builder
	for _, s := range rec.SectionStatus {
		if s.Backend == backend {
			b.WriteString(s.Error)
		}
	}
	return b.String()
}
