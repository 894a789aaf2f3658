package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"reflect"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/shcr-project/shcr/internal/hostile"
	"github.com/shcr-project/shcr/record"
)

// hostileStrings are what a server may send that must be escaped, never act: terminal
// escapes (OSC 52, CSI, C1, DCS, APC), bidi and zero-width characters, controls, HTML,
// U+2028, invalid UTF-8.
var hostileStrings = []string{hostile.OSC52, hostile.TitleBEL, hostile.CSIClear, hostile.C1CSI, hostile.DCS, hostile.APC,
	hostile.BidiRLO + hostile.BidiIsolate + hostile.ZeroWidth, hostile.Bell, "<script>&amp;</script>", "\u2028\u2029", "bad \xff\xfe utf8", "\x00nul"}

// hostileFill sets, now and then, a string field under v (not a named string type: those
// are enumerations) to a hostile string.
func hostileFill(r *rand.Rand, v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		if v.Type() == reflect.TypeFor[string]() && r.IntN(3) == 0 {
			v.SetString(hostileStrings[r.IntN(len(hostileStrings))])
		}
	case reflect.Pointer:
		if !v.IsNil() {
			hostileFill(r, v.Elem())
		}
	case reflect.Slice:
		for i := range v.Len() {
			hostileFill(r, v.Index(i))
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				hostileFill(r, v.Field(i))
			}
		}
	}
}

// chunkTestRecord is a record whose every list holds n items: random (fill), some strings
// hostile, every fourth item restricted and every eighth withheld by an objection; the
// record returned is the masked one (as get writes it), so the restricted ones' content is
// withheld.
func chunkTestRecord(t *testing.T, n int, seed uint64) *record.Record {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, uint64(n)))
	var rec record.Record
	all := reflect.ValueOf(&rec.Sections).Elem()
	for i := range all.NumField() {
		list := reflect.MakeSlice(all.Field(i).Type(), n, n)
		for j := range n {
			it := list.Index(j)
			fill(r, it, 1)
			hostileFill(r, it)
			item := it.FieldByName("Item")
			item.FieldByName("Key").SetString(fmt.Sprintf("item-%d", j))
			item.FieldByName("Restricted").SetBool(j%4 == 1)
			withheld := ""
			if j%8 == 2 {
				withheld = "an objection to sharing " + hostile.OSC52
			}
			item.FieldByName("Withheld").SetString(withheld)
		}
		all.Field(i).Set(list)
	}
	masked := rec.Masked(nil)
	withheld := 0
	for j, e := range masked.Sections.Encounters {
		if reflect.DeepEqual(e, record.Encounter{Item: e.Item}) && e.Restricted {
			withheld++
		} else if e.Restricted || !reflect.DeepEqual(e, rec.Sections.Encounters[j]) {
			t.Fatalf("encounter %d (restricted %v) changed by Masked: %+v", j, e.Restricted, e)
		}
	}
	if want := (n + 2) / 4; withheld != want {
		t.Fatalf("%d encounters of %d withheld by Masked, want %d", withheld, n, want)
	}
	return masked
}

// writeList writes list (a section's slice) as the member "list" of an object at depth 2
// with chunking c: every byte handed to the output, then what the writer still holds.
func writeList(t *testing.T, list reflect.Value, c chunking) (out []byte, generic int, err error) {
	t.Helper()
	var sink countingWriter
	w := itemWriter{b: []byte(`{"list": `), chunks: c}
	ok, err := w.handSection(&sink, 2, list)
	if !ok {
		t.Fatalf("%s is not written by hand", list.Type())
	}
	return append(sink.buf.Bytes(), w.b...), w.generic, err
}

// TestChunkedWriterIsTheSequentialOne: every list type of the record, written in chunks by
// several goroutines, gives the bytes the writer gives one item after the other, for every
// length around the chunk boundaries (0, 1, a chunk less one, a chunk, one more, many
// chunks), items with hostile strings, restricted items withheld, whatever the number of
// workers and chunks in flight, and with chunk sizes that change as the bytes per item
// become known.
func TestChunkedWriterIsTheSequentialOne(t *testing.T) {
	const k = 7
	sizes := []int{0, 1, k - 1, k, k + 1, 2*k - 1, 2 * k, 2*k + 1, 9*k + 3}
	plans := []chunking{
		{workers: 2, first: k, inflight: 2},
		{workers: 3, first: k, inflight: 1},
		{workers: 2, first: k, inflight: 5},
		{workers: 4, first: k, inflight: 8},
	}
	for _, n := range sizes {
		rec := chunkTestRecord(t, n, 5)
		all := reflect.ValueOf(&rec.Sections).Elem()
		for i := range all.NumField() {
			want, wantGeneric, err := writeList(t, all.Field(i), chunking{})
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range plans {
				got, generic, err := writeList(t, all.Field(i), c)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want) || generic != wantGeneric {
					t.Fatalf("%s, %d items, %+v: the chunked writer differs at byte %d (generic %d, want %d):\ngot  …%s\nwant …%s",
						all.Type().Field(i).Name, n, c, firstDiff(got, want), generic, wantGeneric, excerpt(string(got), firstDiff(got, want)), excerpt(string(want), firstDiff(got, want)))
				}
			}
		}
	}
	// Chunk sizes from the bytes per item so far: each chunk ~3 KB, whatever the items.
	rec := chunkTestRecord(t, 600, 6)
	all := reflect.ValueOf(&rec.Sections).Elem()
	for i := range all.NumField() {
		want, _, err := writeList(t, all.Field(i), chunking{})
		if err != nil {
			t.Fatal(err)
		}
		got, _, err := writeList(t, all.Field(i), chunking{workers: 2, first: 3, target: 3000, maxItems: 40, inflight: 3})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("%s, chunks of ~3 KB: the chunked writer differs at byte %d", all.Type().Field(i).Name, firstDiff(got, want))
		}
	}
}

func firstDiff(a, b []byte) int {
	at := 0
	for at < len(a) && at < len(b) && a[at] == b[at] {
		at++
	}
	return at
}

// TestWriteJSONChunkedMatchesOldWriter: whole documents written with get's chunking (and
// two workers even on one processor) around the length from which lists are cut, and
// with many chunks, are the old writer's bytes.
func TestWriteJSONChunkedMatchesOldWriter(t *testing.T) {
	c := getChunking()
	c.workers = max(2, c.workers)
	for _, n := range []int{c.minItems - 1, c.minItems, c.minItems + 1, 9000} {
		rec := largeRecord(n)
		want := writeJSONOld(t, rec, true, record.Sections())
		var got bytes.Buffer
		if err := writeJSONChunked(&got, rec, true, record.Sections(), c); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want) {
			at := firstDiff(got.Bytes(), want)
			t.Fatalf("%d encounters: output differs at byte %d:\ngot  …%s\nwant …%s", n, at, excerpt(got.String(), at), excerpt(string(want), at))
		}
	}
}

// TestChunkedWriterReportsTheFirstBadItem: an item the generic marshal refuses (a year
// past 9999, hours not a number) is reported as one after the other reports it: the first
// in the list's order, wherever the chunks fall, and the workers' other chunks are dropped.
func TestChunkedWriterReportsTheFirstBadItem(t *testing.T) {
	const n = 40
	c := chunking{workers: 3, first: 4, inflight: 3}
	for _, bad := range [][]int{{0}, {3}, {4}, {21}, {39}, {22, 5}, {5, 22}, {38, 37}} {
		rec := chunkTestRecord(t, n, 7)
		encs := rec.Sections.Encounters
		for i, at := range bad {
			encs[at].Withheld = ""
			encs[at].Period.Start = time.Date(10000+i, 1, 1, 0, 0, 0, 0, time.UTC)
		}
		cps := rec.Sections.CarePackages
		for i, at := range bad {
			cps[at].Withheld = ""
			cps[at].HoursPerWeek = []float64{math.NaN(), math.Inf(1)}[i%2]
		}
		for _, list := range []reflect.Value{reflect.ValueOf(encs), reflect.ValueOf(cps)} {
			_, _, want := writeList(t, list, chunking{})
			_, _, got := writeList(t, list, c)
			if want == nil || got == nil || got.Error() != want.Error() {
				t.Fatalf("%s, bad items at %v: error %v, want %v", list.Type(), bad, got, want)
			}
		}
	}
}

// failingWriter takes the first limit bytes, then fails every write; writes after the
// first failure are counted.
type failingWriter struct {
	buf          bytes.Buffer
	limit        int
	failed       bool
	writesFailed int
}

var errWriterFull = errors.New("writer full")

func (f *failingWriter) Write(p []byte) (int, error) {
	if f.failed {
		f.writesFailed++
		return 0, errWriterFull
	}
	if f.buf.Len()+len(p) > f.limit {
		f.failed = true
		n, _ := f.buf.Write(p[:f.limit-f.buf.Len()])
		return n, errWriterFull
	}
	return f.buf.Write(p)
}

// TestChunkedWriterReportsAWriteError: when the output fails part way (before, during and
// after the long list), writeJSON reports its error as before, writes nothing more to it,
// and what reached it is the start of the document; a closed pipe is reported too.
func TestChunkedWriterReportsAWriteError(t *testing.T) {
	rec := largeRecord(3000)
	c := chunking{workers: 2, first: 100, target: 64 << 10, maxItems: 500, inflight: 4}
	var whole bytes.Buffer
	if err := writeJSONChunked(&whole, rec, true, record.Sections(), c); err != nil {
		t.Fatal(err)
	}
	for _, limit := range []int{0, 100, whole.Len() / 3, whole.Len() - 100, whole.Len() - 1} {
		for _, c := range []chunking{{}, c} {
			f := &failingWriter{limit: limit}
			err := writeJSONChunked(f, rec, true, record.Sections(), c)
			if !errors.Is(err, errWriterFull) || f.writesFailed > 0 || !bytes.HasPrefix(whole.Bytes(), f.buf.Bytes()) {
				t.Fatalf("output failing after %d bytes, %d workers: error %v, %d writes after it failed, the start of the document %v",
					limit, c.workers, err, f.writesFailed, bytes.HasPrefix(whole.Bytes(), f.buf.Bytes()))
			}
		}
	}
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pw.Close()
	pr.Close()
	if err := writeJSONChunked(pw, rec, true, record.Sections(), c); !errors.Is(err, syscall.EPIPE) {
		t.Fatalf("a closed pipe: error %v, want EPIPE", err)
	}
}

// TestChunkedWriterHoldsAFewChunks: a long list written in chunks allocates about a few
// chunks' worth whatever its length (the output is never held whole): twice the items,
// not twice the bytes.
func TestChunkedWriterHoldsAFewChunks(t *testing.T) {
	c := chunking{workers: 2, minItems: 1, first: 64, target: 64 << 10, maxItems: 8192, inflight: 4}
	allocated := func(n int) (uint64, int) {
		rec := largeRecord(n)
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		w := itemWriter{b: make([]byte, 0, flushAt+flushAt/4), chunks: c}
		w.b = append(w.b, '{')
		if err := writeItems(&w, io.Discard, 2, rec.Sections.Encounters, (*itemWriter).encounter); err != nil {
			t.Fatal(err)
		}
		runtime.ReadMemStats(&after)
		var sink countingWriter
		w2 := itemWriter{b: []byte{'{'}}
		if err := writeItems(&w2, &sink, 2, rec.Sections.Encounters, (*itemWriter).encounter); err != nil {
			t.Fatal(err)
		}
		return after.TotalAlloc - before.TotalAlloc, sink.buf.Len() + len(w2.b)
	}
	small, smallSize := allocated(4000)
	large, largeSize := allocated(16000)
	t.Logf("%d bytes of output: %d allocated; %d bytes: %d allocated", smallSize, small, largeSize, large)
	if limit := uint64(32 * c.target); large > limit || large > small+small/2 {
		t.Fatalf("writing %d bytes allocated %d (writing %d allocated %d): want at most %d, not growing with the output",
			largeSize, large, smallSize, small, limit)
	}
}

// TestGetChunkingIsBoundedOnAnyMachine: however many processors, get's chunking holds a
// few MB of chunks at most, and one processor writes one item after the other.
func TestGetChunkingIsBoundedOnAnyMachine(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, procs := range []int{1, 2, 3, 64} {
		runtime.GOMAXPROCS(procs)
		c := getChunking()
		held := c.inflight * (c.target + c.target/4)
		if c.workers > maxWorkers || held > 3<<20 || c.chunked(1<<20) != (procs > 1) {
			t.Fatalf("%d processors: %+v holds %d bytes; chunked %v", procs, c, held, c.chunked(1<<20))
		}
	}
}
