package memlimit

import (
	"math"
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

func currentMemoryLimit() int64 { return debug.SetMemoryLimit(-1) }

// The operator's GOMEMLIMIT stands: shcr sets no limit of its own.
func TestSoftMemoryLimitLeavesGOMEMLIMIT(t *testing.T) {
	before := currentMemoryLimit()
	stop := Soft(1<<40, func(k string) string {
		if k == "GOMEMLIMIT" {
			return "1GiB"
		}
		return ""
	})
	if got := currentMemoryLimit(); got != before {
		t.Errorf("limit %d with GOMEMLIMIT set: want the runtime's own %d", got, before)
	}
	stop()
	if got := currentMemoryLimit(); got != before {
		t.Errorf("limit %d after stop: want %d", got, before)
	}
}

// Without GOMEMLIMIT the limit is set, and stop puts back what was there.
func TestSoftMemoryLimitSetsAndStops(t *testing.T) {
	before := currentMemoryLimit()
	stop := Soft(1<<40, func(string) string { return "" })
	if got := currentMemoryLimit(); got != 1<<40 {
		t.Errorf("limit %d: want %d", got, int64(1<<40))
	}
	stop()
	if got := currentMemoryLimit(); got != before {
		t.Errorf("limit %d after stop: want %d", got, before)
	}
}

// The limit is lifted when what stays in use after a collection passes three quarters of
// it (the collector would otherwise run without end), and set again when it falls under
// half.
func TestSoftMemoryLimitLiftsWhenTheLiveHeapNearsIt(t *testing.T) {
	before := currentMemoryLimit()
	t.Cleanup(func() { debug.SetMemoryLimit(before) })
	w := &limitWatch{limit: 100 << 20, before: before}
	for _, c := range []struct {
		live   uint64
		lifted bool
		limit  int64
	}{
		{10 << 20, false, 100 << 20},
		{75 << 20, false, 100 << 20}, // three quarters: not past it
		{76 << 20, true, math.MaxInt64},
		{60 << 20, true, math.MaxInt64}, // between half and three quarters: still lifted
		{49 << 20, false, 100 << 20},
		{70 << 20, false, 100 << 20},
	} {
		if lifted := w.apply(c.live); lifted != c.lifted {
			t.Errorf("live %d MB: lifted %v, want %v", c.live>>20, lifted, c.lifted)
		}
		if got := currentMemoryLimit(); got != c.limit {
			t.Errorf("live %d MB: limit %d, want %d", c.live>>20, got, c.limit)
		}
	}
}

// After real collections: a live heap past three quarters of the limit lifts it, and once
// that memory is dropped the limit is back.
func TestSoftMemoryLimitFollowsCollections(t *testing.T) {
	before := currentMemoryLimit()
	checks := make(chan bool, 64)
	stop := softMemoryLimit(64<<20, func(string) string { return "" }, func(_ uint64, lifted bool) {
		select {
		case checks <- lifted:
		default:
		}
	})
	defer stop()
	// wait collects until a check after a collection reports lifted == want.
	wait := func(want bool) {
		t.Helper()
		deadline := time.After(30 * time.Second)
		for {
			runtime.GC()
			select {
			case lifted := <-checks:
				if lifted == want {
					return
				}
			case <-deadline:
				t.Fatalf("no check after a collection reported lifted=%v", want)
			}
		}
	}
	held := make([][]byte, 0, 64)
	for range 64 {
		held = append(held, make([]byte, 1<<20)) // 64 MB live: past three quarters
	}
	wait(true)
	if got := currentMemoryLimit(); got != math.MaxInt64 {
		t.Errorf("limit %d with 64 MB live: want it lifted", got)
	}
	runtime.KeepAlive(held)
	held = nil
	wait(false)
	if got := currentMemoryLimit(); got != 64<<20 {
		t.Errorf("limit %d once the memory was dropped: want %d", got, 64<<20)
	}
	stop()
	if got := currentMemoryLimit(); got != before {
		t.Errorf("limit %d after stop: want %d", got, before)
	}
}
