package fhir

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// referencesByMaps is client.references as it is: a decode into maps and a walk.
func referencesByMaps(raw []byte, base string) []string {
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return nil
	}
	seen := map[string]bool{}
	var out []string
	var walk func(any)
	walk = func(v any) {
		switch t := v.(type) {
		case map[string]any:
			if s, ok := t["reference"].(string); ok {
				s = strings.TrimPrefix(strings.TrimSpace(s), base+"/")
				typ, id, ok := strings.Cut(s, "/")
				if ok && typ != "" && id != "" && !strings.ContainsAny(id, "/:#?") && !strings.Contains(typ, ":") && !seen[s] {
					seen[s] = true
					out = append(out, s)
				}
			}
			for _, c := range t {
				walk(c)
			}
		case []any:
			for _, c := range t {
				walk(c)
			}
		}
	}
	walk(v)
	return out
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func referenceInputs(tb testing.TB) [][]byte {
	in := [][]byte{nil, []byte(`{}`), []byte(`[`), []byte(`{"a":{"reference":"Patient/1"}} x`),
		[]byte(`{"reference":"Patient/1","reference":5,"x":{"reference":" http://b/fhir/Practitioner/2 ","y":[{"reference":"Organization/3"},{"reference":"#c1"},{"reference":"urn:uuid:9/x"},{"reference":"Location/a/b"}]}}`),
		[]byte(`{"refer\u0065nce":"Flag/9","reference":null,"z":{"Reference":"Flag/8","reference":"Flag/7","reference":"Flag/6"}}`)}
	for _, pat := range []string{"testdata/examples/*/*.json", "testdata/cases/*.json", "testdata/fuzz/*"} {
		files, _ := filepath.Glob(pat)
		for _, f := range files {
			if fi, err := os.Stat(f); err == nil && !fi.IsDir() {
				in = append(in, readFileF(tb, f))
			}
		}
	}
	return in
}

func TestReferencesMatchesTheMapWalk(t *testing.T) {
	for i, raw := range referenceInputs(t) {
		for _, base := range []string{"", "http://b/fhir"} {
			got, want := References(raw, base), referencesByMaps(raw, base)
			if !sameSet(got, want) || (got == nil) != (want == nil) {
				t.Errorf("input %d base %q: got %q, want %q", i, base, got, want)
			}
		}
	}
}

func FuzzReferences(f *testing.F) {
	for _, raw := range referenceInputs(f) {
		if len(raw) < 64<<10 {
			f.Add(raw)
		}
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		got, want := References(raw, "http://b/fhir"), referencesByMaps(raw, "http://b/fhir")
		if !sameSet(got, want) || (got == nil) != (want == nil) {
			t.Fatalf("got %q, want %q", got, want)
		}
	})
}

// BenchmarkReferences lists the references of every entry of a 5,000-encounter page:
// "scan" is References, "maps" the decode into maps it replaces.
func BenchmarkReferences(b *testing.B) {
	data := largeEncounterBundle(5000)
	bun, err := ParseBundle(data)
	if err != nil {
		b.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		fn   func([]byte, string) []string
	}{{"scan", References}, {"maps", referencesByMaps}} {
		b.Run(tc.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				for _, e := range bun.Entries {
					tc.fn(e.Raw, "http://demo.invalid/fhir")
				}
			}
		})
	}
}
