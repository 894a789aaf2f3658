package ukdate

import (
	"errors"
	"testing"
	"time"
)

func TestDateInUKLocalTime(t *testing.T) {
	// 23:30 UTC on 30 June is 00:30 on 1 July in British Summer Time.
	ts := time.Date(2024, 6, 30, 23, 30, 0, 0, time.UTC)
	if got := Date(ts); got != "01-Jul-2024" {
		t.Fatalf("Date = %q", got)
	}
	if got := DateTime(ts); got != "01-Jul-2024 00:30" {
		t.Fatalf("DateTime = %q", got)
	}
	// In winter UK time is UTC.
	if got := DateTime(time.Date(2024, 3, 12, 14, 5, 0, 0, time.UTC)); got != "12-Mar-2024 14:05" {
		t.Fatalf("DateTime = %q", got)
	}
	if Date(time.Time{}) != "" {
		t.Fatal("zero time must format as empty")
	}
}

func TestParseUser(t *testing.T) {
	want := time.Date(1948, 3, 12, 0, 0, 0, 0, London)
	for _, in := range []string{"12-Mar-1948", "12-MAR-1948", "12 mar 1948", "12/03/1948", "12/3/1948", "12.03.1948", "1948-03-12", "12-March-1948"} {
		got, err := ParseUser(in)
		if err != nil || !got.Equal(want) {
			t.Errorf("ParseUser(%q) = %v, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "31/02/1948", "1948", "Smith", "03/12"} {
		if _, err := ParseUser(in); !errors.Is(err, ErrDate) {
			t.Errorf("ParseUser(%q) err = %v, want ErrDate", in, err)
		}
	}
}

func TestParseFHIR(t *testing.T) {
	cases := []struct{ in, prec, shown string }{
		{"1948", "year", "01-Jan-1948"},
		{"1948-03", "month", "01-Mar-1948"},
		{"1948-03-12", "day", "12-Mar-1948"},
		{"2024-03-12T14:05:00Z", "time", "12-Mar-2024 14:05"},
		{"2024-07-01T00:30:00+01:00", "time", "01-Jul-2024 00:30"},
		{"2024-07-01T00:30:00.123Z", "time", "01-Jul-2024 01:30"},
	}
	for _, c := range cases {
		got, p, err := ParseFHIR(c.in)
		if err != nil || p != c.prec {
			t.Errorf("ParseFHIR(%q) = %v %q %v", c.in, got, p, err)
			continue
		}
		shown := Date(got)
		if p == "time" {
			shown = DateTime(got)
		}
		if shown != c.shown {
			t.Errorf("ParseFHIR(%q) shown %q, want %q", c.in, shown, c.shown)
		}
	}
	for _, in := range []string{"", "yesterday", "2024-13-01", "12/03/1948"} {
		if _, _, err := ParseFHIR(in); !errors.Is(err, ErrDate) {
			t.Errorf("ParseFHIR(%q) err = %v", in, err)
		}
	}
}

func TestAge(t *testing.T) {
	b := time.Date(1948, 3, 12, 0, 0, 0, 0, London)
	if a := Age(b, time.Date(2026, 3, 11, 12, 0, 0, 0, London)); a != 77 {
		t.Fatalf("age day before birthday = %d", a)
	}
	if a := Age(b, time.Date(2026, 3, 12, 0, 0, 0, 0, London)); a != 78 {
		t.Fatalf("age on birthday = %d", a)
	}
}

func TestPartialKeepsPrecision(t *testing.T) {
	full := time.Date(2024, 3, 12, 13, 5, 0, 0, time.UTC)
	for _, tc := range []struct {
		raw  string
		t    time.Time
		want string
	}{
		{"2023", time.Date(2023, 1, 1, 0, 0, 0, 0, London), "2023"},
		{"2024-03", time.Date(2024, 3, 1, 0, 0, 0, 0, London), "Mar-2024"},
		{"2024-03-12", time.Date(2024, 3, 12, 0, 0, 0, 0, London), "12-Mar-2024"},
		{"2024-03-12T13:05:00Z", full, "12-Mar-2024 13:05"},
		{"", full, "12-Mar-2024"},
		{"not a date", full, "12-Mar-2024"},
		{"", time.Time{}, ""},
	} {
		if got := Partial(tc.t, tc.raw); got != tc.want {
			t.Errorf("Partial(%v, %q) = %q, want %q", tc.t, tc.raw, got, tc.want)
		}
	}
}
