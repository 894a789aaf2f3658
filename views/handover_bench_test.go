package views_test

import (
	"testing"

	"github.com/shcr-project/shcr/views"
	"github.com/shcr-project/shcr/views/viewstest"
	"github.com/shcr-project/shcr/views/vocab"
)

// The timeline of a 10,000-encounter record: built once when `t` is pressed or data
// arrives while it is shown.
func BenchmarkTimeline10k(b *testing.B) {
	rec := viewstest.Large(10000)
	v := vocab.Health()
	for b.Loop() {
		entries, t := views.Timeline(rec, v, nil, viewstest.Now)
		if len(entries) < 10000 || len(t.Rows) != len(entries) {
			b.Fatal(len(entries))
		}
	}
}

// The handover summary of a 10,000-encounter record (`H`, `get --output md`, and the copy
// chooser, which offers it).
func BenchmarkHandover10k(b *testing.B) {
	rec := viewstest.Large(10000)
	v := vocab.Health()
	for b.Loop() {
		if views.Handover(rec, v, viewstest.Now, nil) == "" {
			b.Fatal("empty")
		}
	}
}
