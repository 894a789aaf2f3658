package main

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/shcr-project/shcr/client"
	"github.com/shcr-project/shcr/internal/demo"
	"github.com/shcr-project/shcr/record"
)

// TestProvenanceFieldsKnown fails when record.Provenance gains, loses or renames a JSON
// field: itemWriter.provenance writes them by hand and must then be changed with it.
func TestProvenanceFieldsKnown(t *testing.T) {
	want := []string{"backend", "organisation", "organisation_code,omitempty", "domain", "author",
		"recorded,omitzero", "recorded_text,omitempty", "recorded_is_server_update,omitempty",
		"via,omitempty", "source_system", "security", "resource,omitempty"}
	var got []string
	pt := reflect.TypeFor[record.Provenance]()
	for i := range pt.NumField() {
		got = append(got, pt.Field(i).Tag.Get("json"))
	}
	if !slices.Equal(got, want) {
		t.Fatalf("record.Provenance's JSON fields are now %q (itemWriter.provenance writes %q): change it", got, want)
	}
	var gotA []string
	at := reflect.TypeFor[record.Author]()
	for i := range at.NumField() {
		gotA = append(gotA, at.Field(i).Tag.Get("json"))
	}
	if !slices.Equal(gotA, []string{"name,omitempty", "role,omitempty"}) {
		t.Fatalf("record.Author's JSON fields are now %q: change writeProvenance", gotA)
	}
}

// TestWriteJSONMatchesOldWriterOnTheDemoLargeRecord: the demo's large person (5,200
// encounters, read from the demo's three back ends over loopback) is written byte for
// byte as the old writer (marshal, unmarshal, rewrite, indent) wrote it, and every item of
// every section is written by hand (none handed to the generic marshal).
func TestWriteJSONMatchesOldWriterOnTheDemoLargeRecord(t *testing.T) {
	sections := record.Sections()
	rec, found := demoLargeRecord(t, sections), true
	all := reflect.ValueOf(&rec.Sections).Elem()
	for i := range all.NumField() {
		var w itemWriter
		w.b = w.key([]byte{'{'}, 2, "list")
		if ok, err := w.handSection(io.Discard, 2, all.Field(i)); !ok || err != nil || w.generic > 0 {
			t.Fatalf("section list %s: written by hand %v (%v), %d of %d items by the generic marshal",
				all.Type().Field(i).Name, ok, err, w.generic, all.Field(i).Len())
		}
	}
	want := writeJSONOld(t, rec, found, sections)
	var got bytes.Buffer
	if err := writeJSON(&got, rec, found, sections); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want) {
		g, w := got.String(), string(want)
		at := 0
		for at < len(g) && at < len(w) && g[at] == w[at] {
			at++
		}
		t.Fatalf("output differs at byte %d of %d:\ngot  …%s\nwant …%s", at, len(w), excerpt(g, at), excerpt(w, at))
	}
}

// TestProvenanceCopiesOnlyWhatIsTheSame: the provenance's head and tail, copied from the
// last written when their values are the same, are written anew when any one of their
// fields differs from the item before (and back again), at either depth (an item's own
// provenance and its also_reported_by list), through the chunked writer too: the bytes
// are json v2's.
func TestProvenanceCopiesOnlyWhatIsTheSame(t *testing.T) {
	base := record.Provenance{Backend: "b1", Organisation: "Org <1>", OrganisationCode: "O1", Domain: record.DomainHealth,
		Author: record.Author{Name: "Dr A", Role: "GP"}, Recorded: time.Date(2024, 3, 12, 9, 30, 0, 0, time.UTC),
		RecordedText: "2024-03-12", Via: "gp-connect", SourceSystem: "urn:sys", Security: []string{"R"}, Resource: "Encounter/1"}
	changes := []func(p *record.Provenance){
		func(p *record.Provenance) { p.Backend = "b2" },
		func(p *record.Provenance) { p.Organisation = "Org 2" },
		func(p *record.Provenance) { p.OrganisationCode = "" },
		func(p *record.Provenance) { p.Domain = record.DomainSocialCare },
		func(p *record.Provenance) { p.Author.Name = "" },
		func(p *record.Provenance) { p.Author.Role = "Nurse" },
		func(p *record.Provenance) { p.Author = record.Author{} },
		func(p *record.Provenance) { p.Recorded = time.Time{} },
		func(p *record.Provenance) { p.RecordedText = "" },
		func(p *record.Provenance) { p.ServerUpdated = true },
		func(p *record.Provenance) { p.Via = "" },
		func(p *record.Provenance) { p.SourceSystem = "urn:other" },
		func(p *record.Provenance) { p.Security = nil },
		func(p *record.Provenance) { p.Security = []string{"R", "V"} },
		func(p *record.Provenance) { p.Security = []string{"V"} },
		func(p *record.Provenance) { p.Resource = "" },
	}
	var encs []record.Encounter
	add := func(p record.Provenance, also ...record.Provenance) {
		e := record.Encounter{Class: "inpatient", Type: "t", Status: "finished"}
		e.Key = fmt.Sprintf("e%d", len(encs))
		e.Provenance, e.AlsoFrom = p, also
		encs = append(encs, e)
	}
	for _, ch := range changes {
		p := base
		p.Security = slices.Clone(base.Security)
		ch(&p)
		add(base)
		add(p)
		add(p, base, p)
		add(base, p, p)
		add(base)
	}
	// More sources than the parts kept, interleaved in turn and at random: each found
	// again while kept, written anew once replaced.
	var sources []record.Provenance
	for k := range 7 {
		p := base
		p.Organisation = fmt.Sprintf("Org %d", k)
		p.SourceSystem = fmt.Sprintf("urn:sys:%d", k%6)
		sources = append(sources, p)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 400 {
		switch {
		case i < 100:
			add(sources[i%5], sources[(i+1)%5])
		case i < 200:
			add(sources[i%7])
		default:
			add(sources[r.IntN(len(sources))], sources[r.IntN(len(sources))])
		}
	}
	g := itemWriter{b: []byte(`{"list": `)}
	if err := g.marshal(2, encs); err != nil {
		t.Fatal(err)
	}
	generic := g.b
	// One goroutine (flushing as it goes), then chunks of several sizes.
	var hand bytes.Buffer
	w := itemWriter{b: []byte(`{"list": `)}
	if err := writeItems(&w, &hand, 2, encs, (*itemWriter).encounter); err != nil {
		t.Fatal(err)
	}
	hand.Write(w.b)
	if w.generic != 0 || !bytes.Equal(hand.Bytes(), generic) {
		h := hand.String()
		at := 0
		for at < len(h) && at < len(generic) && h[at] == generic[at] {
			at++
		}
		t.Fatalf("%d items to the generic marshal; the hand writer differs from json v2 at byte %d:\nhand    …%s\ngeneric …%s", w.generic, at, excerpt(h, at), excerpt(string(generic), at))
	}
	for _, size := range []int{1, 2, 3, 7} {
		var chunked bytes.Buffer
		c := itemWriter{b: []byte(`{"list": `), chunks: chunking{workers: 2, minItems: 1, first: size, maxItems: size, inflight: 3}}
		if err := writeItems(&c, &chunked, 2, encs, (*itemWriter).encounter); err != nil {
			t.Fatal(err)
		}
		chunked.Write(c.b)
		if !bytes.Equal(chunked.Bytes(), generic) {
			t.Fatalf("chunks of %d: the chunked writer's bytes differ from json v2's", size)
		}
	}
	if len(generic) < 2*flushAt {
		t.Fatalf("%d bytes: the list is meant to be flushed on the way", len(generic))
	}
}

// demoLargeRecord is the demo's large person (5,200 encounters: real shapes, ASCII text, UTC
// times, one source's provenance after another) as read from the demo's three back ends
// over loopback.
func demoLargeRecord(tb testing.TB, sections []record.Section) *record.Record {
	tb.Helper()
	servers, err := demo.Start(demo.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	defer servers.Close()
	fed, err := client.NewFederation(servers.Config(), client.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	rec, found := fed.Fetch(tb.Context(), "9990120005", sections)
	if !found || len(rec.Sections.Encounters) < 5000 {
		tb.Fatalf("the demo's large person: found %v, %d encounters", found, len(rec.Sections.Encounters))
	}
	return rec
}
