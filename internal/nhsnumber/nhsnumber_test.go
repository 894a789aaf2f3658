package nhsnumber

import (
	"errors"
	"testing"
)

func TestParse(t *testing.T) {
	cases := []struct {
		in   string
		want string
		err  error
	}{
		{"9434765919", "9434765919", nil},
		{"943 476 5919", "9434765919", nil},
		{"943-476-5919", "9434765919", nil},
		{" 9912003888 ", "9912003888", nil},
		{"9000000009", "9000000009", nil},
		{"9999999999", "9999999999", nil},
		{"9434765918", "", ErrCheckDigit},
		{"1234567890", "", ErrCheckDigit}, // remainder 10: no valid check digit
		{"1352465790", "", ErrCheckDigit},
		{"943476591", "", ErrLength},
		{"94347659190", "", ErrLength},
		{"94347A5919", "", ErrCharacters},
		{"", "", ErrEmpty},
		{"   ", "", ErrEmpty},
	}
	for _, c := range cases {
		got, err := Parse(c.in)
		if c.err != nil {
			if !errors.Is(err, c.err) {
				t.Errorf("Parse(%q) error = %v, want %v", c.in, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("Parse(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}

func TestLengthMessageSaysHowMany(t *testing.T) {
	_, err := Parse("12345")
	if err == nil || err.Error() != "an NHS number has 10 digits, not 5" {
		t.Fatalf("got %v", err)
	}
}

func TestFormat(t *testing.T) {
	if got := Format("9434765919"); got != "943 476 5919" {
		t.Fatalf("Format = %q", got)
	}
	if got := Format("94347"); got != "94347" {
		t.Fatalf("Format(short) = %q", got)
	}
	if got := Format("943 476 5919"); got != "943 476 5919" {
		t.Fatalf("Format(spaced) = %q", got)
	}
}

func TestCheckDigitAgreesWithParse(t *testing.T) {
	// Every nine-digit prefix either has exactly one valid completion or none.
	for _, p := range []string{"943476591", "999000000", "123456789", "000000000"} {
		valid := 0
		for d := '0'; d <= '9'; d++ {
			if Valid(p + string(d)) {
				valid++
			}
		}
		_, ok := CheckDigit(p)
		if (ok && valid != 1) || (!ok && valid != 0) {
			t.Errorf("prefix %s: CheckDigit ok=%v but %d valid completions", p, ok, valid)
		}
	}
}
