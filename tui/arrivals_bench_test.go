package tui

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/shcr-project/shcr/client"
	"github.com/shcr-project/shcr/config"
	"github.com/shcr-project/shcr/record"
	"github.com/shcr-project/shcr/views/viewstest"
	"github.com/shcr-project/shcr/views/vocab"
)

// fiftyShape is one open's parts from fifty back ends: per back end, pages of per
// encounters (n in all, the same keys at every back end: each reported fifty times) and one
// part with every other section's status.
func fiftyShape(n, per int) [][]record.Part {
	out := make([][]record.Part, 50)
	for b := range out {
		name := fmt.Sprintf("Back end %02d", b)
		dom := record.DomainHealth
		if b%2 == 1 {
			dom = record.DomainSocialCare
		}
		for from := 0; from < n; from += per {
			var encs []record.Encounter
			for i := from; i < min(n, from+per); i++ {
				encs = append(encs, record.Encounter{Item: record.Item{Key: fmt.Sprintf("https://example.org/Id/encounter|E%d", i),
					Provenance: record.Provenance{Backend: name, Domain: dom, Recorded: viewstest.Now.AddDate(0, 0, -i)}},
					Type: "Outpatient appointment", Status: "finished"})
			}
			state := record.StateLoading
			if from+per >= n {
				state = record.StateReturned
			}
			out[b] = append(out[b], record.Part{Backend: name, Sections: record.SectionsData{Encounters: encs},
				Status: []record.SectionStatus{{Backend: name, Section: record.SectionEncounters, State: state, Count: from + len(encs), Total: n}}})
		}
		var st []record.SectionStatus
		for _, sec := range record.Sections() {
			if sec != record.SectionEncounters {
				st = append(st, record.SectionStatus{Backend: name, Section: sec, State: record.StateReturned})
			}
		}
		out[b] = append(out[b], record.Part{Backend: name, Status: st})
	}
	return out
}

// BenchmarkUpdateFiftyBackends is the record page taking one open's parts from fifty back
// ends, arriving shuffled (the later-configured as likely first), as the program does: each
// part (a part every 10 ms on the page's clock), then a frame at 200×60 on the encounters
// tab; each back end's status after its last part; the end of the open. worst-frame-ms is
// the slowest Update and frame.
func BenchmarkUpdateFiftyBackends(b *testing.B) {
	for _, c := range []struct {
		name   string
		n, per int
	}{{"person", 20, 20}, {"large", 5200, 500}} {
		b.Run(c.name, func(b *testing.B) {
			parts := fiftyShape(c.n, c.per)
			var cfgs []config.Backend
			var sources []record.PersonSource
			for _, ps := range parts {
				cfgs = append(cfgs, config.Backend{Name: ps[0].Backend, Kind: config.KindFHIRR4, URL: "http://127.0.0.1:9/fhir", Domain: "health"})
				sources = append(sources, record.PersonSource{Backend: ps[0].Backend, ID: "p1"})
			}
			fed, err := client.NewFederation(cfgs, client.Options{})
			if err != nil {
				b.Fatal(err)
			}
			r := rand.New(rand.NewPCG(5, 6))
			var arrival []any
			next := make([]int, len(parts))
			for left := len(parts); left > 0; {
				i := r.IntN(len(parts))
				if next[i] == len(parts[i]) {
					continue
				}
				arrival = append(arrival, parts[i][next[i]])
				if next[i]++; next[i] == len(parts[i]) {
					arrival = append(arrival, record.BackendStatus{Name: parts[i][0].Backend, Status: record.BackendOK})
					left--
				}
			}
			var worst time.Duration
			for b.Loop() {
				now := viewstest.Now
				m, err := New(context.Background(), Options{Federation: fed, Vocabulary: vocab.Health(), Clock: func() time.Time { return now }})
				if err != nil {
					b.Fatal(err)
				}
				noTimers(m)
				m.Update(tea.WindowSizeMsg{Width: 200, Height: 60})
				p := m.record
				p.reset()
				p.match = client.Match{Person: record.Person{NHSNumber: "9434765919", Sources: sources}}
				benchOpen(p)
				p.setTab(tabNamed(string(record.SectionEncounters)))
				m.page = pageRecord
				m.setKeys()
				_ = m.View()
				frame := func(msg tea.Msg) {
					t0 := time.Now()
					m.Update(msg)
					_ = m.View()
					worst = max(worst, time.Since(t0))
				}
				for _, a := range arrival {
					now = now.Add(10 * time.Millisecond)
					switch a := a.(type) {
					case record.Part:
						frame(partMsg{p.gen, a})
					case record.BackendStatus:
						frame(backendMsg{p.gen, a})
					}
				}
				frame(openDoneMsg{p.gen})
				if got := len(p.rec.Sections.Encounters); got != c.n {
					b.Fatalf("%d encounters, want %d", got, c.n)
				}
			}
			b.ReportMetric(float64(worst.Microseconds())/1000, "worst-frame-ms")
		})
	}
}
