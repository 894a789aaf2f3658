package main

import (
	"io"
	"runtime"
	"sync"
	"sync/atomic"
)

// A long list (a 50,000-encounter record) is written by several goroutines at once: its
// items are cut into chunks of consecutive items, each chunk appended to its own buffer by
// a worker with the same writer, indentation and separators as one after the other, and
// the buffers handed to the output in order as they are done. The bytes do not depend on
// where the cuts fall (TestChunkedWriterIsTheSequentialOne), and at most a few chunks are
// held at once: the output is never held whole.

// chunking says how writeItems cuts a long list. The zero value writes every list one
// item after the other, on the caller's goroutine.
type chunking struct {
	workers  int // goroutines encoding chunks; below 2, no chunks
	minItems int // a list shorter than this is written one item after the other
	first    int // items in a chunk until the bytes an item takes are known
	target   int // bytes a chunk aims at, from the bytes per item so far (0: every chunk has first items)
	maxItems int // items in a chunk, at most
	inflight int // chunks being encoded or waiting to be written, at most
}

// getChunking is what get uses: one worker per processor the runtime may use, up to
// maxWorkers, chunks of about 256 KB, two per worker at most (about 1.3 MB held on two
// processors, 2.6 MB on four or more, whatever the record's size).
func getChunking() chunking {
	n := min(runtime.GOMAXPROCS(0), maxWorkers)
	return chunking{workers: n, minItems: 2000, first: 128, target: 256 << 10, maxItems: 8192, inflight: 2 * n}
}

// maxWorkers: one goroutine writes what the workers encode, at several times the rate one
// worker encodes; more workers than this would only hold more chunks.
const maxWorkers = 4

// chunked reports whether a list of n items is written in chunks.
func (c chunking) chunked(n int) bool { return c.workers > 1 && n >= c.minItems }

// next is the number of items in the next chunk, knowing that items took bytes so far.
func (c chunking) next(items, bytes int) int {
	if c.target <= 0 || items == 0 || bytes == 0 {
		return max(1, c.first)
	}
	n := int(int64(c.target) * int64(items) / int64(bytes))
	return min(max(1, n), max(1, c.maxItems))
}

// chunk is a range of consecutive items and, once done is closed, their bytes: b[0] is a
// byte that only tells the writer whether an element came before (see elem), the rest
// goes to the output.
type chunk struct {
	lo, hi  int
	b       []byte
	generic int
	err     error
	done    chan struct{}
}

// writeItemsChunked is writeItems for a long list: what the buffer held and the '[' go to
// out, then each chunk's bytes in order; the buffer then holds the list's end. An error
// (an item the generic marshal refuses, or out's) is the first in the list's order; the
// workers have stopped when it returns, and chunks not begun by then are not encoded.
func writeItemsChunked[T any](w *itemWriter, out io.Writer, d int, items []T, fields func(*itemWriter, []byte, int, *T) []byte) error {
	c := w.chunks
	w.b = w.open(w.b, '[')
	if _, err := out.Write(w.b); err != nil {
		return err
	}
	jobs := make(chan *chunk, max(1, c.inflight))
	var (
		wg      sync.WaitGroup
		stopped atomic.Bool // an error: the chunks still queued are dropped
	)
	for range c.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var cw itemWriter
			for ch := range jobs {
				cw.b, cw.generic = ch.b, 0
				for i := ch.lo; i < ch.hi && ch.err == nil && !stopped.Load(); i++ {
					cw.b, ch.err = writeItem(&cw, cw.b, d, &items[i], fields)
				}
				ch.b, ch.generic = cw.b, cw.generic
				close(ch.done)
			}
		}()
	}
	var (
		pending     []*chunk // dispatched, in order
		next        int      // the first item not yet dispatched
		doneItems   int
		doneBytes   int
		last        = byte('[') // the last byte written: '[' until an item is
		stopWorkers = func() {
			stopped.Store(true)
			close(jobs)
			wg.Wait()
		}
	)
	defer func() {
		if stopWorkers != nil {
			stopWorkers()
		}
	}()
	for next < len(items) || len(pending) > 0 {
		for len(pending) < max(1, c.inflight) && next < len(items) {
			n := min(c.next(doneItems, doneBytes), len(items)-next)
			var b []byte
			if k := len(w.spare); k > 0 {
				b, w.spare = w.spare[k-1][:0], w.spare[:k-1]
			} else {
				b = make([]byte, 0, c.target+c.target/4)
			}
			seed := byte('}') // an element came before: the chunk's first is preceded by ','
			if next == 0 {
				seed = last
			}
			ch := &chunk{lo: next, hi: next + n, b: append(b, seed), done: make(chan struct{})}
			next += n
			pending = append(pending, ch)
			jobs <- ch
		}
		ch := pending[0]
		<-ch.done
		pending[0] = nil
		pending = pending[1:]
		w.generic += ch.generic
		if ch.err != nil {
			return ch.err
		}
		if len(ch.b) > 1 {
			if _, err := out.Write(ch.b[1:]); err != nil {
				return err
			}
			last = ch.b[len(ch.b)-1]
		}
		doneItems += ch.hi - ch.lo
		doneBytes += len(ch.b) - 1
		if c.target <= 0 || cap(ch.b) <= 2*c.target {
			w.spare = append(w.spare, ch.b)
		}
	}
	close(jobs)
	wg.Wait()
	stopWorkers = nil
	// The list is closed after the last byte written, which is not written again.
	t := w.close(append(w.b[:0], last), d+1, ']')
	w.b = append(w.b[:0], t[1:]...)
	return nil
}
