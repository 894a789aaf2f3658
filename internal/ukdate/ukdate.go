// Package ukdate formats and parses dates the way frontline staff in England read them:
// "12-Mar-2024" and "12-Mar-2024 14:05", always in UK local time (Europe/London).
package ukdate

import (
	"errors"
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // Europe/London must resolve on machines without a zoneinfo database
)

// London is the zone every date and time is shown in.
var London = mustLoad("Europe/London")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err) // unreachable: time/tzdata is embedded
	}
	return loc
}

const (
	dateLayout     = "02-Jan-2006"
	dateTimeLayout = "02-Jan-2006 15:04"
)

// Date formats t as "12-Mar-2024" in UK local time; a zero time gives "".
func Date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(London).Format(dateLayout)
}

// DateTime formats t as "12-Mar-2024 14:05" in UK local time; a zero time gives "".
func DateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(London).Format(dateTimeLayout)
}

// Age is the whole years between birth and now, as on a birthday card.
func Age(birth, now time.Time) int {
	if birth.IsZero() {
		return -1
	}
	b := birth.In(London)
	n := now.In(London)
	age := n.Year() - b.Year()
	if n.Month() < b.Month() || (n.Month() == b.Month() && n.Day() < b.Day()) {
		age--
	}
	return age
}

// ErrDate is wrapped by every parse failure.
var ErrDate = errors.New("not a date")

// ParseUser reads a date typed by a person: "12-Mar-1948", "12 Mar 1948", "12/03/1948",
// "12.03.1948" or ISO "1948-03-12". Day comes before month, as in the UK.
func ParseUser(s string) (time.Time, error) {
	in := strings.TrimSpace(s)
	if in == "" {
		return time.Time{}, fmt.Errorf("%w: nothing typed", ErrDate)
	}
	norm := strings.NewReplacer(" ", "-", "/", "/", ".", "/").Replace(in)
	for _, layout := range []string{"2-Jan-2006", "2-January-2006", "2/1/2006", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, titleMonth(norm), London); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%w: %q; type it as 12-Mar-1948 or 12/03/1948", ErrDate, in)
}

// titleMonth turns "12-MAR-1948" or "12-mar-1948" into "12-Mar-1948" so month names parse in any case.
func titleMonth(s string) string {
	parts := strings.Split(s, "-")
	if len(parts) != 3 {
		return s
	}
	m := strings.ToLower(parts[1])
	if m != "" {
		m = strings.ToUpper(m[:1]) + m[1:]
	}
	return parts[0] + "-" + m + "-" + parts[2]
}

// ParseFHIR reads a FHIR date, dateTime or instant: "1948", "1948-03", "1948-03-12",
// "2024-03-12T14:05:00Z", "2024-03-12T14:05:00+01:00". A date without a zone is a UK date.
// precision reports how much was given: "year", "month", "day" or "time".
func ParseFHIR(s string) (t time.Time, precision string, err error) {
	s = strings.TrimSpace(s)
	switch len(s) {
	case 4:
		t, err = time.ParseInLocation("2006", s, London)
		precision = "year"
	case 7:
		t, err = time.ParseInLocation("2006-01", s, London)
		precision = "month"
	case 10:
		t, err = time.ParseInLocation("2006-01-02", s, London)
		precision = "day"
	default:
		precision = "time"
		t, err = time.Parse(time.RFC3339Nano, s)
		if err != nil {
			// Some servers omit the zone; read it as UK local time.
			t, err = time.ParseInLocation("2006-01-02T15:04:05", s, London)
		}
	}
	if err != nil {
		return time.Time{}, "", fmt.Errorf("%w: %q is not a FHIR date or dateTime", ErrDate, s)
	}
	return t, precision, nil
}

// FHIRDate returns the FHIR date (YYYY-MM-DD) of t in UK local time.
func FHIRDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(London).Format("2006-01-02")
}

// Partial formats t at the precision its FHIR text raw was written with: "2023" for a year,
// "Mar-2024" for a month, "12-Mar-2024" for a date, "12-Mar-2024 14:05" for a time. With no
// raw text (or text that is not a FHIR date) it gives Date(t).
func Partial(t time.Time, raw string) string {
	if raw == "" {
		return Date(t)
	}
	pt, precision, err := ParseFHIR(raw)
	if err != nil {
		return Date(t)
	}
	switch precision {
	case "year":
		return pt.Format("2006")
	case "month":
		return pt.Format("Jan-2006")
	case "day":
		return pt.Format(dateLayout)
	}
	return DateTime(pt)
}
