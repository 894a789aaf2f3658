package tui

import (
	"context"
	"fmt"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/shcr-project/shcr/client"
	"github.com/shcr-project/shcr/views/viewstest"
	"github.com/shcr-project/shcr/views/vocab"
)

// benchModel shows a record with n encounters on the encounters tab at w × h.
func benchModel(b *testing.B, n, w, h int) *Model {
	b.Helper()
	m, err := New(context.Background(), Options{Federation: offlineFederation(b), Vocabulary: vocab.Health(),
		Clock: func() time.Time { return viewstest.Now }})
	if err != nil {
		b.Fatal(err)
	}
	noTimers(m)
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	rec := viewstest.Large(n)
	m.record.reset()
	m.record.match = client.Match{Person: rec.Person}
	m.record.rec = rec
	m.record.setTab(6) // tab 7: encounters
	m.page = pageRecord
	m.setKeys()
	_ = m.View() // rows are built once, when the data arrives or the tab is first shown
	if got := len(m.record.pane().order); got != n {
		b.Fatalf("%d rows, want %d", got, n)
	}
	return m
}

// BenchmarkRenderEncounters10k renders one frame of a 10,000-encounter record at 200×60.
// Goal (issue 15): ≤ 1 ms per frame, so no part of a frame may walk every item: whole-record
// facts (views.Facts) are worked out once per record change, the details pane reads one item.
func BenchmarkRenderEncounters10k(b *testing.B) {
	m := benchModel(b, 10000, 200, 60)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		_ = m.View()
	}
}

// BenchmarkScroll moves the cursor one row and renders the frame: the cost must not grow
// with the record (1,000 vs 10,000 encounters).
func BenchmarkScroll(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("encounters=%d", n), func(b *testing.B) {
			m := benchModel(b, n, 200, 60)
			down, up := keyMsg("down"), keyMsg("up")
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				msg := down
				if i/500%2 == 1 {
					msg = up
				}
				i++
				m.Update(msg)
				_ = m.View()
			}
		})
	}
}

// BenchmarkBuildRows10k is the one-off cost when 10,000 encounters arrive: building the rows,
// sorting them and laying out the columns.
func BenchmarkBuildRows10k(b *testing.B) {
	m := benchModel(b, 10000, 200, 60)
	b.ReportAllocs()
	for b.Loop() {
		m.record.pane().invalidate()
		_ = m.View()
	}
}
