package fhir

import (
	"encoding/json"
	"fmt"
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

// referencesScan is References by the token scan alone (what it was before the byte
// scanner): the reference the byte scanner is held to.
func referencesScan(raw []byte, base string) []string {
	var out []string
	seen := map[string]bool{}
	if !scanReferences(raw, base, false, func(ref, _ string) {
		if !seen[ref] {
			seen[ref] = true
			out = append(out, ref)
		}
	}) {
		return nil
	}
	return out
}

func referencesFastAgrees(t *testing.T, raw []byte, base string) (used bool) {
	t.Helper()
	fast, ok := referencesFast(raw, base)
	want := referencesScan(raw, base)
	if ok && !slices.Equal(fast, want) {
		t.Fatalf("base %q: the byte scanner found %q, the token scan %q, in %q", base, fast, want, raw)
	}
	if got := References(raw, base); !slices.Equal(got, want) {
		t.Fatalf("base %q: References found %q, the token scan %q, in %q", base, got, want, raw)
	}
	return ok
}

// TestReferencesFastAgreesWithScan: on every published example, test case and fuzz
// seed, and on corners (escapes, duplicates, non-string references, bad syntax), what
// the byte scanner reads gives exactly the token scan's references, in the same order;
// and it does read the plain shapes (the demo's encounters, the UK Core examples), so the
// fast path cannot silently stop being used.
func TestReferencesFastAgreesWithScan(t *testing.T) {
	corners := []string{
		`{"reference":"Patient/1","reference":{"x":1}}`, `{"reference":"Patient/1","reference":5}`,
		`{"reference":"Patient/1","reference":[]}`, `{"reference":"Patient/1","reference":null}`,
		`{"reference":"Pati\u0065nt/1"}`, `{"reference":"Patient/\ud800"}`, `{"reference":"Patient/é"}`,
		`{"reference":"Patient/\xff"}`, `{"a":[{"reference":"A/1"},{"reference":"A/1"},{"b":{"reference":"B/2"}}],"reference":"C/3"}`,
		`{"reference" : "Patient/1" , "x" : [ 1 , -0.5e+3 , true , false , null ] }`,
		`{"reference":"Patient/1"`, `{"reference":"Patient/1",}`, `{"reference":"Patient/1"} {}`,
		`{"reference":"Patient/1","x":01}`, `{"reference":"Patient/1","x":1.}`, `{"reference":"Patient/1","x":tru}`,
		`{"reference":"Patient/1","x":"a\qb"}`, `{"reference":"Patient/1","x":"a` + "\x01" + `b"}`,
		`[{"reference":"Patient/1"}]`, `"reference"`, `  {"reference":" http://b/fhir/Practitioner/2 "}  `,
		strings.Repeat(`{"a":`, 70) + `{"reference":"Deep/1"}` + strings.Repeat(`}`, 70),
	}
	var many strings.Builder
	many.WriteString(`{"a":[`)
	for i := range 40 {
		if i > 0 {
			many.WriteString(",")
		}
		fmt.Fprintf(&many, `{"reference":"Practitioner/%d"},{"reference":"Practitioner/%d"}`, i, i/2)
	}
	many.WriteString(`]}`)
	corners = append(corners, many.String())
	for _, c := range corners {
		for _, base := range []string{"", "http://b/fhir"} {
			referencesFastAgrees(t, []byte(c), base)
		}
	}
	read, all := 0, 0
	for _, raw := range referenceInputs(t) {
		for _, base := range []string{"", "http://b/fhir"} {
			all++
			if referencesFastAgrees(t, raw, base) {
				read++
			}
		}
	}
	bun, err := ParseBundle(largeEncounterBundle(50))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range bun.Entries {
		if !referencesFastAgrees(t, e.Raw, "http://demo.invalid/fhir") {
			t.Fatalf("the byte scanner gave up on a demo-shaped %s: %s", e.Type, e.Raw)
		}
	}
	if read < all*3/4 {
		t.Fatalf("the byte scanner read %d of %d inputs: it should read the plain ones", read, all)
	}
}

func FuzzReferencesFast(f *testing.F) {
	for _, raw := range referenceInputs(f) {
		if len(raw) < 64<<10 {
			f.Add(raw)
		}
	}
	f.Add([]byte(`{"reference":"Patient/1","reference":5,"x":{"reference":"A/2"}}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		referencesFastAgrees(t, raw, "http://b/fhir")
	})
}
