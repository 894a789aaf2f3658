package audit

import (
	"bytes"
	"testing"
)

// FuzzRead: any bytes (a damaged or hand-edited file) give events that each have a time and a
// kind, damaged lines reported with their line number, and never a panic.
func FuzzRead(f *testing.F) {
	for _, s := range []string{
		`{"time":"2026-03-12T14:05:00Z","event":"record-opened","os_user":"u","nhs_number":"9434765919"}` + "\n",
		`{"time":"2026-03-12T14:05:00Z","event":"sect`,
		"\n\n\r\n",
		`{"time":"x","event":"y"}` + "\n" + `[1,2]` + "\nnull\n",
		`{"time":"2026-03-12T14:05:00Z","event":"a","backends":"notalist"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		events, bad, err := read(bytes.NewReader(b), Filter{})
		if err != nil {
			t.Fatalf("reading from memory failed: %v", err)
		}
		lines := bytes.Count(b, []byte{'\n'}) + 1
		if len(events)+len(bad) > lines {
			t.Fatalf("%d events + %d bad from %d lines", len(events), len(bad), lines)
		}
		for _, e := range events {
			if e.Time.IsZero() || e.Event == "" {
				t.Fatalf("event without time or kind: %+v", e)
			}
		}
		for _, be := range bad {
			le, ok := be.(*LineError)
			if !ok || le.Line < 1 || le.Line > lines {
				t.Fatalf("bad line error %v", be)
			}
		}
	})
}
