package fhirtest

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// Every fixture file is named in its folder's README (which gives its source and licence,
// or says it is shcr's own), and every file a README names exists.
func TestFixtureREADMEs(t *testing.T) {
	for _, dir := range []string{"testdata/published", "testdata/edge"} {
		readme, err := os.ReadFile(filepath.Join(dir, "README.md"))
		if err != nil {
			t.Fatal(err)
		}
		var files []string
		err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(p, ".json") {
				rel, _ := filepath.Rel(dir, p)
				files = append(files, filepath.ToSlash(rel))
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		var named []string
		for _, m := range regexp.MustCompile("(?m)^\\| `([^`]+\\.json)` \\|").FindAllStringSubmatch(string(readme), -1) {
			named = append(named, m[1])
		}
		for _, f := range files {
			if !slices.Contains(named, f) {
				t.Errorf("%s/%s is not in the README's table", dir, f)
			}
		}
		for _, n := range named {
			if !slices.Contains(files, n) {
				t.Errorf("%s/README.md names %s, which does not exist", dir, n)
			}
		}
		if dir == "testdata/published" && len(files) < 30 {
			t.Errorf("the published corpus has %d files", len(files))
		}
	}
}
