// Package memlimit keeps shcr's memory near a soft limit (runtime/debug.SetMemoryLimit)
// without collecting garbage without end when a record really needs more.
package memlimit

import (
	"math"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"sync/atomic"
)

// Default is the soft limit shcr asks the Go runtime to keep its memory under
// (Soft): a record from fifty back ends that all report the same 5,200
// encounters needs ~100 MB live, and the collector's default headroom (as much again)
// would take the process past 200 MB; under the limit it collects a little more often
// instead.
const Default = 160 << 20

// BatchDefault is the limit under which a command that runs once and exits (shcr get)
// lets garbage pile up rather than collect it (Batch): its memory is that of one record,
// then the process ends, so collecting while the heap is small is CPU spent for nothing.
// A 50,000-encounter record needs ~55 MB live and ~90 MB with no collection at all, a
// 60,000-encounter one (max_entries' default) ~110 MB: both are read without one (a
// collection there, marking ~60 MB live while the pages are mapped, costs 25-50 ms of CPU,
// a tenth of the run); a bigger one (max_entries raised) collects near 140 MB.
const BatchDefault = 140 << 20

// Soft asks the runtime to keep the process's memory under limit bytes by
// collecting more often as it nears it (runtime/debug.SetMemoryLimit), unless GOMEMLIMIT
// is set: the operator's value stands. The limit is only a target: when what is still in
// use after a collection passes three quarters of it, the limit is lifted (the collector
// paces itself as if there were none, GOGC) rather than collecting without end, and set
// again once the live heap falls back under half of it. getenv is os.Getenv (tests give
// their own). stop lifts the limit and ends the watching.
func Soft(limit int64, getenv func(string) string) (stop func()) {
	return softMemoryLimit(limit, getenv, nil)
}

// softMemoryLimit is Soft; checked, when not nil, is called after each check
// that follows a collection.
func softMemoryLimit(limit int64, getenv func(string) string, checked func(live uint64, lifted bool)) (stop func()) {
	if getenv("GOMEMLIMIT") != "" || limit <= 0 {
		return func() {}
	}
	w := &limitWatch{limit: limit, before: debug.SetMemoryLimit(-1), checked: checked, gogcSet: getenv("GOGC") != ""}
	w.apply(LiveHeap())
	w.arm()
	active.Store(w)
	return w.stop
}

// active is the watch Soft started (nil when GOMEMLIMIT stood): Batch changes it.
var active atomic.Pointer[limitWatch]

// Batch tells the watch Soft started that the process now runs one job and exits: until
// the live heap passes half of limit, the collector runs only as the process's memory
// nears limit (GOGC off under a memory limit of limit), not each time the heap doubles.
// Once a collection finds more than half in use (a record from many back ends: with so
// little room left it would collect again and again), it paces itself as Soft does, for
// good. Nothing changes when Soft was not called or left the operator's GOMEMLIMIT alone,
// or when GOGC is set (the operator's pacing stands). Not for a process that runs on (the
// terminal interface): its heap would sit near limit.
func Batch(limit int64) {
	if w := active.Load(); w != nil {
		w.batch(limit)
	}
}

func (w *limitWatch) batch(limit int64) {
	w.mu.Lock()
	if w.stopped || w.gogcSet || limit <= 0 || w.batchLimit != 0 {
		w.mu.Unlock()
		return
	}
	w.batchLimit = limit
	w.mu.Unlock()
	w.apply(LiveHeap())
}

// limitWatch re-checks the limit after every collection: a finalizer on a fresh object runs
// once the collector has found it unreachable, and arms the next one.
type limitWatch struct {
	limit   int64
	before  int64 // the runtime's limit before: stop puts it back
	mu      sync.Mutex
	lifted  bool
	stopped bool
	checked func(live uint64, lifted bool) // tests: called after each check
	// Batch: batchLimit is its limit (0: not asked); paced is set once the live heap has
	// passed half of it (Soft's pacing from then on); gogcSet: GOGC is the
	// operator's, Batch does nothing; gcPercent is the runtime's GOGC before Batch.
	batchLimit int64
	paced      bool
	gogcSet    bool
	gcPercent  int
}

type gcSentinel struct{ _ [16]byte } // not zero-sized: a finalizer needs its own allocation

func (w *limitWatch) arm() {
	runtime.SetFinalizer(&gcSentinel{}, func(*gcSentinel) {
		w.mu.Lock()
		stopped := w.stopped
		w.mu.Unlock()
		if stopped {
			return
		}
		live := LiveHeap()
		lifted := w.apply(live)
		if w.checked != nil {
			w.checked(live, lifted)
		}
		w.arm()
	})
}

// apply sets the runtime's limit for what is live now, and reports whether it is lifted.
func (w *limitWatch) apply(live uint64) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.stopped {
		return w.lifted
	}
	if w.batchLimit > 0 && !w.paced {
		if live <= uint64(w.batchLimit)/2 {
			if w.gcPercent == 0 {
				w.gcPercent = debug.SetGCPercent(-1)
				if w.gcPercent < 0 {
					w.gcPercent = 100 // off already: Soft's pacing is the default's
				}
			}
			debug.SetMemoryLimit(w.batchLimit)
			return false
		}
		w.paced = true
		if w.gcPercent != 0 {
			debug.SetGCPercent(w.gcPercent)
		}
	}
	switch {
	case !w.lifted && live > uint64(w.limit)/4*3:
		w.lifted = true
		debug.SetMemoryLimit(math.MaxInt64)
	case w.lifted && live < uint64(w.limit)/2, !w.lifted:
		w.lifted = false
		debug.SetMemoryLimit(w.limit)
	}
	return w.lifted
}

func (w *limitWatch) stop() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.stopped {
		w.stopped = true
		debug.SetMemoryLimit(w.before)
		if w.gcPercent != 0 && !w.paced {
			debug.SetGCPercent(w.gcPercent)
		}
		active.CompareAndSwap(w, nil)
	}
}

// LiveHeap is the heap the last collection found in use.
func LiveHeap() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}
