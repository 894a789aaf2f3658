package logscrub

import (
	"regexp"
	"strings"
	"testing"

	"github.com/shcr-project/shcr/internal/nhsnumber"
)

var anchoredNHS = regexp.MustCompile(`^[0-9]{3}[ -]?[0-9]{3}[ -]?[0-9]{4}`)

// leftoverNHS finds, by brute force at every position, an NHS number String should have removed.
func leftoverNHS(s string) (string, bool) {
	for i := range len(s) {
		if i > 0 && isDigit(s[i-1]) {
			continue
		}
		m := anchoredNHS.FindString(s[i:])
		if m == "" || i+len(m) < len(s) && isDigit(s[i+len(m)]) {
			continue
		}
		if nhsnumber.Valid(m) {
			return m, true
		}
	}
	return "", false
}

func FuzzString(f *testing.F) {
	for _, s := range []string{
		"patient 9434765919 not found", "555 943 4765919", "943 476 5919 476 5919", "call 07700 900123",
		"+44 (0)20 7946 0000", "Bearer abc.def", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", "2026-03-12T14:05:00Z",
		"9434765918", "0", "+44", "(0", "07700 900123 9434765919",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := String(s)
		if m, ok := leftoverNHS(out); ok {
			t.Fatalf("String(%q) = %q still holds NHS number %q", s, out, m)
		}
		if strings.Contains(out, "eyJ") && jwtRE.MatchString(out) {
			t.Fatalf("String(%q) = %q still holds a JWT", s, out)
		}
		if again := String(out); again != out {
			t.Fatalf("not stable: String(%q) = %q, then %q", s, out, again)
		}
	})
}
