package forward

import (
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/shcr-project/shcr/internal/audit"
)

// Reading the trail batch by batch from the cursor, whatever mix of whole, blank, damaged and
// unfinished lines it holds, gives every whole event exactly once, in order, with ids that do
// not depend on the batch size.
func TestReadBatchProperty(t *testing.T) {
	for seed := uint64(1); seed <= 100; seed++ {
		r := rand.New(rand.NewPCG(seed, 7))
		path := filepath.Join(t.TempDir(), "audit.jsonl")
		var data []byte
		var want []string
		for i := range r.IntN(60) {
			switch r.IntN(8) {
			case 0:
				data = append(data, '\n') // blank
			case 1:
				data = append(data, `{"time":"2026-11-25T09:00:00Z","ev`+"\n"...) // damaged
			default:
				b, _ := json.Marshal(audit.Event{Time: base.Add(time.Duration(i) * time.Second), Event: audit.RecordOpened, Detail: string(rune('a' + i%26))})
				want = append(want, audit.EventID(int64(len(data)), b))
				data = append(append(data, b...), '\n')
			}
		}
		complete := len(data)
		if r.IntN(2) == 0 {
			data = append(data, `{"time":"2026-11-25T09:00:00Z","event":"record-op`...) // being written
		}
		must(t, os.WriteFile(path, data, 0o600))
		limit := 1 + r.IntN(7)
		var got []string
		off := int64(0)
		for range 1000 {
			b, err := readBatch(path, off, limit, audit.Site{})
			must(t, err)
			if len(b.msgs) == 0 {
				off = b.base
				break
			}
			for _, m := range b.msgs {
				got = append(got, m.ID)
			}
			off = b.ends[len(b.ends)-1]
		}
		if off != int64(complete) {
			t.Fatalf("seed %d: stopped at %d, the whole lines end at %d", seed, off, complete)
		}
		if len(got) != len(want) {
			t.Fatalf("seed %d: %d events read, want %d", seed, len(got), len(want))
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("seed %d: event %d has id %s, want %s", seed, i, got[i], want[i])
			}
		}
		if n, _ := countFrom(path, 0); n != len(want)+countDamaged(data[:complete]) {
			t.Fatalf("seed %d: backlog %d, want %d", seed, n, len(want)+countDamaged(data[:complete]))
		}
	}
}

func countDamaged(data []byte) int {
	n := 0
	for _, l := range splitLines(data) {
		var e audit.Event
		if len(l) > 0 && json.Unmarshal(l, &e) != nil {
			n++
		}
	}
	return n
}

func splitLines(data []byte) [][]byte {
	var out [][]byte
	start := 0
	for i, c := range data {
		if c == '\n' {
			out = append(out, data[start:i])
			start = i + 1
		}
	}
	return out
}
