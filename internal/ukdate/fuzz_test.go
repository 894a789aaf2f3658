package ukdate

import (
	"errors"
	"testing"
)

// FuzzParseUser: no panic; an error wraps ErrDate; a date it accepts formats and reads back
// to the same day.
func FuzzParseUser(f *testing.F) {
	for _, s := range []string{"12-Mar-1948", "12/03/1948", "1948-03-12", "31/02/1948", "", "12 mar 1948", "12-MARCH-1948", "-", "1/1/0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseUser(s)
		if err != nil {
			if !errors.Is(err, ErrDate) {
				t.Fatalf("ParseUser(%q) error %v does not wrap ErrDate", s, err)
			}
			return
		}
		back, err := ParseUser(Date(d))
		if err != nil || !back.Equal(d) {
			t.Fatalf("ParseUser(%q) = %v; Date gives %q which reads back as %v, %v", s, d, Date(d), back, err)
		}
	})
}

// FuzzParseFHIR: no panic; an error wraps ErrDate; precision is one of the four words.
func FuzzParseFHIR(f *testing.F) {
	for _, s := range []string{"1948", "1948-03", "1948-03-12", "2024-03-12T14:05:00Z", "2024-07-01T00:30:00+01:00", "2024-03-12T14:05:00", "", "2024-13-01"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_, p, err := ParseFHIR(s)
		if err != nil {
			if !errors.Is(err, ErrDate) {
				t.Fatalf("ParseFHIR(%q) error %v does not wrap ErrDate", s, err)
			}
			return
		}
		switch p {
		case "year", "month", "day", "time":
		default:
			t.Fatalf("ParseFHIR(%q) precision %q", s, p)
		}
	})
}
