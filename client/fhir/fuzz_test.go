package fhir

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/shcr-project/shcr/record"
)

// FuzzParseBundle checks that no input makes parsing or mapping panic: ParseBundle gives
// either an error or a bundle, and whatever it gives maps without panicking.
func FuzzParseBundle(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/fuzz/*")
	for _, s := range seeds {
		if fi, err := os.Stat(s); err != nil || fi.IsDir() {
			continue // Go's corpus directories (testdata/fuzz/FuzzX/) are not seeds here
		}
		b, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add(readFileF(f, "testdata/examples/pds/RelatedPersonBundle.json"))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := ParseBundle(data)
		if (b == nil) == (err == nil) {
			t.Fatalf("bundle %v and error %v: want exactly one", b, err)
		}
		_ = ReadError("application/fhir+json", data)
		if err != nil {
			return
		}
		for _, sec := range record.Sections() {
			MapSection(sec, nil, b.Entries, Source{Backend: "fuzz", Domain: record.DomainHealth})
		}
		_, _ = MapGPConnect(data, Source{Backend: "fuzz"}, nil)
	})
}

func readFileF(f testing.TB, path string) []byte {
	b, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	return b
}
