package main

import (
	"bytes"
	"reflect"
	"slices"
	"testing"

	"github.com/shcr-project/shcr/client"
	"github.com/shcr-project/shcr/internal/demo"
	"github.com/shcr-project/shcr/record"
)

// TestProvenanceFieldsKnown fails when record.Provenance gains, loses or renames a JSON
// field: writeProvenance writes them by hand and must then be changed with it.
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
		t.Fatalf("record.Provenance's JSON fields are now %q (writeProvenance writes %q): change writeProvenance", got, want)
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
// byte as the old writer (marshal, unmarshal, rewrite, indent) wrote it, and its items'
// provenance goes through writeProvenance (not the generic marshal it falls back to).
func TestWriteJSONMatchesOldWriterOnTheDemoLargeRecord(t *testing.T) {
	servers, err := demo.Start(demo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer servers.Close()
	fed, err := client.NewFederation(servers.Config(), client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	sections := record.Sections()
	rec, found := fed.Fetch(t.Context(), "9990120005", sections)
	if !found || len(rec.Sections.Encounters) < 5000 {
		t.Fatalf("the demo's large person: found %v, %d encounters", found, len(rec.Sections.Encounters))
	}
	written := 0
	for _, e := range rec.Sections.Encounters {
		if provenanceWritable(&e.Provenance) {
			written++
		}
	}
	if written != len(rec.Sections.Encounters) {
		t.Fatalf("%d of %d encounters' provenance written by hand", written, len(rec.Sections.Encounters))
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
