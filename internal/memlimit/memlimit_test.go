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

func currentGCPercent() int {
	p := debug.SetGCPercent(100)
	debug.SetGCPercent(p)
	return p
}

// Batch: while what is in use stays under half its limit, the collector is off under that
// limit; past half, Soft's pacing (GOGC as it was, Soft's limit) for good; stop puts GOGC
// back too.
func TestBatchPacesLikeSoftOncePastHalf(t *testing.T) {
	beforeLimit, beforeGC := currentMemoryLimit(), currentGCPercent()
	t.Cleanup(func() { debug.SetMemoryLimit(beforeLimit); debug.SetGCPercent(beforeGC) })
	w := &limitWatch{limit: 100 << 20, before: beforeLimit}
	w.batchLimit = 60 << 20
	for _, c := range []struct {
		live  uint64
		gc    int
		limit int64
	}{
		{10 << 20, -1, 60 << 20},
		{30 << 20, -1, 60 << 20}, // half: not past it
		{31 << 20, beforeGC, 100 << 20},
		{10 << 20, beforeGC, 100 << 20}, // paced for good
		{76 << 20, beforeGC, math.MaxInt64},
	} {
		w.apply(c.live)
		if got := currentGCPercent(); got != c.gc {
			t.Errorf("live %d MB: GOGC %d, want %d", c.live>>20, got, c.gc)
		}
		if got := currentMemoryLimit(); got != c.limit {
			t.Errorf("live %d MB: limit %d, want %d", c.live>>20, got, c.limit)
		}
	}
	// Stopped while still under half: GOGC as it was.
	w2 := &limitWatch{limit: 100 << 20, before: beforeLimit, batchLimit: 60 << 20}
	w2.apply(1 << 20)
	if got := currentGCPercent(); got != -1 {
		t.Fatalf("GOGC %d under half the batch limit: want off", got)
	}
	w2.stop()
	if got := currentGCPercent(); got != beforeGC {
		t.Errorf("GOGC %d after stop: want %d", got, beforeGC)
	}
	if got := currentMemoryLimit(); got != beforeLimit {
		t.Errorf("limit %d after stop: want %d", got, beforeLimit)
	}
}

// Batch changes nothing without Soft's watch (GOMEMLIMIT stood), nor when GOGC is the
// operator's.
func TestBatchLeavesTheOperatorsSettings(t *testing.T) {
	beforeLimit, beforeGC := currentMemoryLimit(), currentGCPercent()
	t.Cleanup(func() { debug.SetMemoryLimit(beforeLimit); debug.SetGCPercent(beforeGC) })
	for _, env := range []map[string]string{{"GOMEMLIMIT": "1GiB"}, {"GOGC": "150"}} {
		stop := Soft(1<<40, func(k string) string { return env[k] })
		limit := currentMemoryLimit()
		Batch(64 << 20)
		if got := currentGCPercent(); got != beforeGC {
			t.Errorf("%v: GOGC %d after Batch, want %d", env, got, beforeGC)
		}
		if got := currentMemoryLimit(); got != limit {
			t.Errorf("%v: limit %d after Batch, want %d", env, got, limit)
		}
		stop()
	}
	Batch(64 << 20) // no watch at all
	if got := currentGCPercent(); got != beforeGC {
		t.Errorf("no watch: GOGC %d after Batch, want %d", got, beforeGC)
	}
}

// After real collections: under Soft, Batch turns the collector off under its limit; a
// live heap past half of it brings back Soft's pacing, and it stays.
func TestBatchFollowsCollections(t *testing.T) {
	beforeLimit, beforeGC := currentMemoryLimit(), currentGCPercent()
	t.Cleanup(func() { debug.SetMemoryLimit(beforeLimit); debug.SetGCPercent(beforeGC) })
	checks := make(chan uint64, 64)
	stop := softMemoryLimit(256<<20, func(string) string { return "" }, func(live uint64, _ bool) {
		select {
		case checks <- live:
		default:
		}
	})
	defer stop()
	Batch(64 << 20)
	if got := currentGCPercent(); got != -1 {
		t.Fatalf("GOGC %d after Batch with little in use: want off", got)
	}
	if got := currentMemoryLimit(); got != 64<<20 {
		t.Fatalf("limit %d after Batch: want %d", got, 64<<20)
	}
	held := make([][]byte, 0, 40)
	for range 40 {
		held = append(held, make([]byte, 1<<20)) // 40 MB live: past half
	}
	deadline := time.After(30 * time.Second)
	for currentGCPercent() == -1 {
		runtime.GC()
		select {
		case <-checks:
		case <-deadline:
			t.Fatal("no check after a collection brought GOGC back")
		}
	}
	runtime.KeepAlive(held)
	if got := currentGCPercent(); got != beforeGC {
		t.Errorf("GOGC %d with 40 MB live: want %d", got, beforeGC)
	}
	if got := currentMemoryLimit(); got != 256<<20 {
		t.Errorf("limit %d with 40 MB live: want Soft's %d", got, 256<<20)
	}
	held = nil
	runtime.GC()
	<-checks
	if got := currentGCPercent(); got != beforeGC {
		t.Errorf("GOGC %d once the memory was dropped: want %d (paced for good)", got, beforeGC)
	}
}
