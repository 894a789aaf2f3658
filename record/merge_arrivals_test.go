package record

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"
)

// withPersonAndNotices gives every part of c a person (each back end its own name, birth
// date and postcode) and now and then a notice, in c.parts and c.arrival alike: Merge keeps
// the first-merged back end's person and lists notices in merge order, so these differ
// between arrival and configuration order too.
func withPersonAndNotices(r *rand.Rand, c gatherCase) gatherCase {
	for b, parts := range c.parts {
		for i := range parts {
			name := fmt.Sprintf("b%d", b)
			p := &parts[i]
			p.Person = &Person{NHSNumber: "9434765919", Name: Name{Family: "PEBBLEWORTH", Given: []string{name}},
				BirthDate: fmt.Sprintf("1948-0%d-12", 1+b), Address: Address{Postcode: fmt.Sprintf("LS%d 1AA", b)}}
			if r.IntN(2) == 0 {
				p.Notices = []Notice{{Backend: name, Kind: NoticeDuplicates, Text: fmt.Sprintf("%s part %d", name, i)}}
			}
		}
	}
	next := make([]int, len(c.parts))
	for i, p := range c.arrival {
		b := int(p.Backend[1] - '0')
		c.arrival[i] = c.parts[b][next[b]]
		next[b]++
	}
	return c
}

// arrivalBase is the record an open starts from (as the TUI's: the person searched for,
// every section loading).
func arrivalBase() *Record {
	r := &Record{Person: Person{NHSNumber: "9434765919"}}
	for b := range 5 {
		for _, sec := range Sections() {
			r.SetStatus(SectionStatus{Backend: fmt.Sprintf("b%d", b), Section: sec, State: StateLoading})
		}
	}
	return r
}

// inOrderFrom is base with the parts merged in configuration order (all of c's back ends'
// parts, or of the first n to arrive when n >= 0).
func (c gatherCase) inOrderFrom(n int) *Record {
	seen := make([]int, len(c.parts))
	if n < 0 {
		n = len(c.arrival)
	}
	for _, p := range c.arrival[:n] {
		seen[int(p.Backend[1]-'0')]++
	}
	r := arrivalBase()
	for b, parts := range c.parts {
		for _, p := range parts[:seen[b]] {
			r.Merge(cloneParts(p))
		}
	}
	return r
}

func names(c gatherCase) []string {
	var out []string
	for b := range c.parts {
		out = append(out, fmt.Sprintf("b%d", b))
	}
	return out
}

func sameRecord(t *testing.T, what string, want, got *Record) {
	t.Helper()
	if !reflect.DeepEqual(want, got) {
		w, _ := json.MarshalIndent(want, "", " ")
		g, _ := json.MarshalIndent(got, "", " ")
		t.Fatalf("%s: the record differs from Merge in configuration order\nwant %s\ngot  %s", what, w, g)
	}
}

// Whatever order the parts arrive in, the record Arrivals builds is, once the last part is
// in and settled, the one Merge builds from the parts in configuration order: the same
// items, leads, AlsoFrom, Restricted, order, person, statuses and notices. With room to
// build again at once (a small record), it is so after every part. Merging in arrival order
// (what the TUI did) is not: the test counts the cases where it differs, so it can fail.
func TestArrivalsIsMergeInConfigurationOrder(t *testing.T) {
	for _, odd := range []float64{0, 0.05, 0.3, 0.6} {
		t.Run(fmt.Sprintf("odd=%v", odd), func(t *testing.T) {
			r := rand.New(rand.NewPCG(7, uint64(odd*100)))
			differs, rebuilt, deferred := 0, 0, 0
			for n := range 300 {
				c := withPersonAndNotices(r, randomGatherCase(r, odd))
				want := c.inOrderFrom(-1)

				// Arrival order, as the TUI merged: counted, to show the cases can tell.
				plainMerge := arrivalBase()
				for _, p := range c.arrival {
					plainMerge.Merge(cloneParts(p))
				}
				if !reflect.DeepEqual(want, plainMerge) {
					differs++
				}

				// Room to build again at once: in order after every part.
				a := NewArrivals(arrivalBase, names(c))
				a.Budget = 1 << 30
				for i, p := range c.arrival {
					a.Part(cloneParts(p))
					if a.Small() && a.Settle() {
						rebuilt++
					}
					sameRecord(t, fmt.Sprintf("case %d, after part %d of %d", n, i+1, len(c.arrival)), c.inOrderFrom(i+1), a.Record())
				}
				a.Settle()
				sameRecord(t, fmt.Sprintf("case %d, settled", n), want, a.Record())

				// No room: merged as they come, settled once at the end.
				d := NewArrivals(arrivalBase, names(c))
				d.Budget = 0
				for _, p := range c.arrival {
					d.Part(cloneParts(p))
				}
				if d.Finish() {
					deferred++
				}
				sameRecord(t, fmt.Sprintf("case %d, settled at the end", n), want, d.Record())
				if !d.closed && len(c.arrival) > 0 {
					t.Fatalf("case %d: Finish kept the parts of a record over its budget", n)
				}
			}
			t.Logf("%d cases differ in arrival order; %d built again at once, %d settled at the end", differs, rebuilt, deferred)
			if differs < 50 || rebuilt < 50 || deferred < 50 {
				t.Fatalf("the cases did not exercise arrival order: %d differ, %d built again, %d settled", differs, rebuilt, deferred)
			}
		})
	}
}

// arrivalOrder interleaves the back ends' parts at random (each back end's in its own
// order), the later-configured back ends as likely to answer first as the earlier.
func arrivalOrder(r *rand.Rand, parts [][]Part) []Part {
	var out []Part
	next := make([]int, len(parts))
	for {
		var open []int
		for b := range parts {
			if next[b] < len(parts[b]) {
				open = append(open, b)
			}
		}
		if len(open) == 0 {
			return out
		}
		b := open[r.IntN(len(open))]
		out = append(out, parts[b][next[b]])
		next[b]++
	}
}

// personBenchParts are fifty back ends each answering a person's every section in three
// parts of a few items, the same keys as the others (every item reported fifty times).
func personBenchParts(backends int) [][]Part {
	out := make([][]Part, backends)
	for b := range backends {
		name := fmt.Sprintf("b%d", b)
		for p := range 3 {
			var encs []Encounter
			var allergies []Allergy
			for i := range 10 {
				it := Item{Key: fmt.Sprintf("k%d-%d", p, i), Provenance: Provenance{Backend: name}}
				encs = append(encs, Encounter{Item: it, Type: "Outpatient appointment", Status: "finished"})
				allergies = append(allergies, Allergy{Item: it, Substance: "Penicillin"})
			}
			var st []SectionStatus
			for _, sec := range Sections() {
				st = append(st, SectionStatus{Backend: name, Section: sec, State: StateReturned, Count: 10})
			}
			out[b] = append(out[b], Part{Backend: name, Sections: SectionsData{Encounters: encs, Allergies: allergies}, Status: st})
		}
	}
	return out
}

// BenchmarkArrivals merges one open's parts, arriving in a shuffled order, the TUI's way:
// "arrival" as it did (Merge as they come), "ordered" through Arrivals (settled after every
// part while Small, the most the TUI does, then Finish). worst-part-ms is the slowest
// single part or Finish (what one frame waits).
func BenchmarkArrivals(b *testing.B) {
	for _, c := range []struct {
		name  string
		parts [][]Part
	}{
		{"fifty-person", personBenchParts(50)},
		{"fifty-large", gatherBenchParts(50, 5200)},
	} {
		var names []string
		for i := range c.parts {
			names = append(names, fmt.Sprintf("b%d", i))
		}
		arrival := arrivalOrder(rand.New(rand.NewPCG(3, 4)), c.parts)
		for _, mode := range []string{"arrival", "ordered"} {
			b.Run(c.name+"/"+mode, func(b *testing.B) {
				var worst time.Duration
				for b.Loop() {
					if mode == "arrival" {
						r := arrivalBase()
						for _, p := range arrival {
							t0 := time.Now()
							r.Merge(p)
							worst = max(worst, time.Since(t0))
						}
						continue
					}
					a := NewArrivals(arrivalBase, names)
					for _, p := range arrival {
						t0 := time.Now()
						a.Part(p)
						if a.Small() {
							a.Settle() // as if every part came after the TUI's interval
						}
						worst = max(worst, time.Since(t0))
					}
					t0 := time.Now()
					a.Finish()
					worst = max(worst, time.Since(t0))
				}
				b.ReportMetric(float64(worst.Microseconds())/1000, "worst-part-ms")
			})
		}
	}
}

// Past Hold the parts are let go of: the record is then what merging as they come gives
// (arrival order), nothing is held or built again, and Finish changes nothing.
func TestArrivalsLetsGoOfPartsPastHold(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 3))
	held, cut := 0, 0
	for n := range 300 {
		c := withPersonAndNotices(r, randomGatherCase(r, 0.3))
		total := 0
		for _, p := range c.arrival {
			total += partItems(&p) + len(p.Status)
		}
		a := NewArrivals(arrivalBase, names(c))
		a.Budget = 0
		a.Hold = total / 2
		plainMerge := arrivalBase()
		for i, p := range c.arrival {
			a.Part(cloneParts(p))
			plainMerge.Merge(cloneParts(p))
			if a.closed && a.log != nil {
				t.Fatalf("case %d, part %d: closed but still holding %d changes", n, i+1, len(a.log))
			}
		}
		if !a.closed {
			held++
			continue
		}
		cut++
		if a.Finish() {
			t.Fatalf("case %d: Finish built a record whose parts were let go of", n)
		}
		// Never settled (Budget 0, no Settle) and let go of: the record is as the parts came.
		sameRecord(t, fmt.Sprintf("case %d", n), plainMerge, a.Record())
	}
	if cut < 50 {
		t.Fatalf("only %d of 300 cases passed Hold (%d did not)", cut, held)
	}
}
