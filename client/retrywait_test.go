package client

import (
	"context"
	"errors"
	"testing"
	"time"
)

// The wait before a retry: Retry-After when the server gives one (at least 200 ms, at most
// 10 s), else the backoff: 200 ms·2^n with jitter, between half and all of it, at least
// 200 ms, capped at 10 s.
func TestRetryWait(t *testing.T) {
	now := time.Date(2026, 3, 12, 10, 0, 0, 0, time.UTC)
	for h, want := range map[string]time.Duration{
		"1":                             time.Second,
		"3600":                          10 * time.Second,
		"0":                             200 * time.Millisecond,
		"Thu, 12 Mar 2026 10:00:04 GMT": 4 * time.Second,
		"Thu, 12 Mar 2026 09:00:00 GMT": 200 * time.Millisecond,
	} {
		if got := retryWait(h, 0, now); got != want {
			t.Errorf("Retry-After %q: wait %v, want %v", h, got, want)
		}
	}
	for attempt, r := range [][2]time.Duration{
		{200 * time.Millisecond, 200 * time.Millisecond},
		{200 * time.Millisecond, 400 * time.Millisecond},
		{400 * time.Millisecond, 800 * time.Millisecond},
		{800 * time.Millisecond, 1600 * time.Millisecond},
	} {
		for range 50 {
			if got := retryWait("", attempt, now); got < r[0] || got > r[1] {
				t.Fatalf("backoff before retry %d = %v, want within %v–%v", attempt+1, got, r[0], r[1])
			}
		}
	}
	for range 50 {
		if got := retryWait("soon", 40, now); got < 5*time.Second || got > 10*time.Second {
			t.Fatalf("backoff after many attempts = %v, want within 5–10 s", got)
		}
	}
}

// Without Options.Sleep the wait is a real timer that a cancelled context cuts short.
func TestDefaultSleepStopsWithItsContext(t *testing.T) {
	if err := (Options{}).sleep(context.Background(), time.Millisecond); err != nil {
		t.Fatalf("a 1 ms wait: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	start := time.Now()
	if err := (Options{}).sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Fatalf("a cancelled wait returned %v", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("a cancelled wait took %v", d)
	}
}
