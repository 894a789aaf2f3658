package client

import (
	"context"
	"testing"
	"time"

	"github.com/shcr-project/shcr/config"
	"github.com/shcr-project/shcr/internal/demo"
	"github.com/shcr-project/shcr/record"
)

// BenchmarkOpenRecord3Backends100ms opens a whole record (search every back end, then every
// section of every back end that knows the person) against the demo back ends with 100 ms
// added to every response. A fresh Federation per iteration, so the CapabilityStatement
// read is included. Goal: ≤ 350 ms for a record that fits one page per section (a
// sequential client would need 2+ s).
func BenchmarkOpenRecord3Backends100ms(b *testing.B) {
	srv := startDemo(b, demo.Options{Latency: 100 * time.Millisecond})
	cfgs := srv.Config()
	opts := Options{User: config.User{Name: "Dr Jane Carter", ID: "G13579135"}}
	nhs := ""
	for _, p := range demo.People() {
		if p.NHSNumber == "" {
			continue
		}
		fed, err := NewFederation(cfgs, opts)
		if err != nil {
			b.Fatal(err)
		}
		rec, found := fed.Fetch(context.Background(), p.NHSNumber, record.Sections())
		fed.Close()
		if !found || len(rec.Sections.Encounters) > pageSize {
			continue
		}
		known := 0
		for _, st := range rec.Backends {
			if st.Status == record.BackendOK || st.Status == record.BackendSlow {
				known++
			}
		}
		if known == len(cfgs) {
			nhs = p.NHSNumber
			break
		}
	}
	if nhs == "" {
		b.Fatal("no demo person is known to every demo back end")
	}
	open := func(b *testing.B, fed *Federation) {
		rec, found := fed.Fetch(context.Background(), nhs, record.Sections())
		if !found || len(rec.Backends) != len(cfgs) {
			b.Fatalf("found=%v backends=%+v", found, rec.Backends)
		}
		for _, st := range rec.Backends {
			if st.Status != record.BackendOK {
				b.Fatalf("%s: %s %s", st.Name, st.Status, st.Error)
			}
		}
	}
	// cold: a new Federation per record (CapabilityStatements read again, nothing learned).
	b.Run("cold", func(b *testing.B) {
		for b.Loop() {
			fed, err := NewFederation(cfgs, opts)
			if err != nil {
				b.Fatal(err)
			}
			open(b, fed)
			fed.Close()
		}
	})
	// warm: one Federation for the session, as the TUI keeps it.
	b.Run("warm", func(b *testing.B) {
		fed, err := NewFederation(cfgs, opts)
		if err != nil {
			b.Fatal(err)
		}
		defer fed.Close()
		open(b, fed)
		for b.Loop() {
			open(b, fed)
		}
	})
}
