package main

import (
	"math/rand/v2"
	"testing"
	"time"
)

// TestAppendRFC3339NanoIsAppendText: the hand time formatter writes what time.Time's
// AppendText writes, and declines exactly what AppendText refuses, for times across and
// beyond the years 0-9999 in UTC, Europe/London, whole and odd fixed offsets (seconds,
// a day or more) and fractions of every length.
func TestAppendRFC3339NanoIsAppendText(t *testing.T) {
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	zones := []*time.Location{time.UTC, london, time.FixedZone("BST", 3600), time.FixedZone("W", -5*3600-30*60),
		time.FixedZone("S", 30), time.FixedZone("NS", -30), time.FixedZone("N", -3630), time.FixedZone("E", 23*3600+59*60+59),
		time.FixedZone("Day", 24*3600), time.FixedZone("-Day", -24*3600), time.FixedZone("Z", 0)}
	times := []time.Time{
		time.Date(2024, 3, 12, 9, 30, 0, 120000000, time.UTC),
		time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(0, 3, 1, 0, 0, 0, 0, time.UTC),
		time.Date(-1, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(1600, 2, 29, 12, 0, 0, 1, time.UTC),
		time.Date(2000, 2, 29, 12, 0, 0, 10, time.UTC),
		time.Date(2100, 3, 1, 0, 0, 0, 100000, time.UTC),
		time.Date(1969, 12, 31, 23, 59, 59, 0, time.UTC),
		time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 3, 29, 0, 59, 59, 0, time.UTC), // the clocks go forward in London
		time.Date(2026, 10, 25, 1, 0, 0, 0, time.UTC),
	}
	r := rand.New(rand.NewPCG(5, 6))
	for range 20000 {
		sec := r.Int64N(int64(10002*366*24*3600)) - int64(1970*366*24*3600) - 365*24*3600
		ns := []int64{0, r.Int64N(1e9), r.Int64N(1000) * 1e6, r.Int64N(1000) * 1e3}[r.IntN(4)]
		times = append(times, time.Unix(sec, ns))
	}
	declined := 0
	for _, tm := range times {
		for _, z := range zones {
			tz := tm.In(z)
			want, wantErr := tz.AppendText([]byte("x"))
			got, ok := appendRFC3339Nano([]byte("x"), tz)
			if ok != (wantErr == nil) {
				t.Fatalf("%v (%s): hand formatter ok %v (%q), AppendText error %v (%q)", tm, z, ok, got, wantErr, want)
			}
			if !ok {
				declined++
				if string(got) != "x" {
					t.Fatalf("%v (%s): declined but appended %q", tm, z, got)
				}
				continue
			}
			if string(got) != string(want) {
				t.Fatalf("%v (%s): got %s, want %s", tm, z, got, want)
			}
		}
	}
	if declined == 0 {
		t.Fatal("no time was declined: the years and offsets AppendText refuses were not tried")
	}
}
