package client

import (
	"runtime"
	"time"
)

// heapPeak starts sampling the heap in use every interval, above what is live now (after a
// GC): stop ends the sampling and gives the highest it saw. (ReadMemStats stops the world
// briefly: for benchmarks that report a peak, not for timings that must be exact.)
func heapPeak(every time.Duration) (stop func() uint64) {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapInuse
	var peak uint64
	done, sampled := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(sampled)
		t := time.NewTicker(every)
		defer t.Stop()
		var ms runtime.MemStats
		for {
			select {
			case <-done:
				return
			case <-t.C:
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapInuse-min(base, ms.HeapInuse))
			}
		}
	}()
	return func() uint64 {
		close(done)
		<-sampled
		return peak
	}
}
