package nhsnumber

import (
	"errors"
	"testing"
)

// FuzzParse checks the properties every input must keep: no panic; a typed error or ten
// digits that pass Modulus 11; formatting and re-parsing gives the same number back.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"9434765919", "943 476 5919", "943-476-5919", "1234567890", "", " ", "９４３４７６５９１９", "94347659190", "abc"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := Parse(s)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Parse(%q) returned untyped error %T", s, err)
			}
			if err.Error() == "" {
				t.Fatalf("empty message for %q", s)
			}
			return
		}
		if len(d) != 10 {
			t.Fatalf("Parse(%q) = %q: not 10 digits", s, d)
		}
		c, ok := CheckDigit(d[:9])
		if !ok || c != int(d[9]-'0') {
			t.Fatalf("Parse(%q) accepted %q which fails Modulus 11", s, d)
		}
		again, err := Parse(Format(d))
		if err != nil || again != d {
			t.Fatalf("round trip of %q via %q gave %q, %v", d, Format(d), again, err)
		}
	})
}
