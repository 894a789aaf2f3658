package main

import (
	"bytes"
	"io"
	"reflect"
	"slices"
	"testing"

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
