package main

import (
	"reflect"
	"slices"
	"testing"

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
