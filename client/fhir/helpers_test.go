package fhir

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shcr-project/shcr/record"
)

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", path))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// example loads one published example resource from testdata/examples.
func example(t *testing.T, path string) Resource {
	t.Helper()
	r, err := ParseResource(readFile(t, filepath.Join("examples", path)))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return r
}

// ukcore loads every UK Core example, as a server answering with _include would.
func ukcore(t *testing.T) []Resource {
	t.Helper()
	ents, err := os.ReadDir("testdata/examples/ukcore")
	if err != nil {
		t.Fatal(err)
	}
	var out []Resource
	for _, e := range ents {
		out = append(out, example(t, "ukcore/"+e.Name()))
	}
	return out
}

// inline parses a resource written in a test.
func inline(t *testing.T, json string) Resource {
	t.Helper()
	r, err := ParseResource([]byte(json))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func bundleOf(t *testing.T, path string) *Bundle {
	t.Helper()
	b, err := ParseBundle(readFile(t, path))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return b
}

var (
	healthSrc = Source{Backend: "demo-shcr", Domain: record.DomainHealth, Organisation: "Demo NHS ShCR"}
	socialSrc = Source{Backend: "demo-council", Domain: record.DomainSocialCare, Organisation: "Demo County Council"}
)

func day(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func hasWarning(ws []string, parts ...string) bool {
	for _, w := range ws {
		ok := true
		for _, p := range parts {
			if !strings.Contains(w, p) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}
