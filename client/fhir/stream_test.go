package fhir

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
)

// bundleInputs are the inputs of the bundle tests: every example and case file, the fuzz
// seeds, and the error cases of TestParseBundleErrors.
func bundleInputs(tb testing.TB) map[string][]byte {
	in := map[string][]byte{
		"empty":             nil,
		"html":              []byte("<!DOCTYPE html><html><body>Bad gateway</body></html>"),
		"array":             []byte(`[1,2]`),
		"truncated":         []byte(`{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Pat`),
		"syntax":            []byte("{\"resourceType\":\"Bundle\",\n\"type\": searchset}"),
		"no resourceType":   []byte(`{"type":"searchset"}`),
		"a patient":         []byte(`{"resourceType":"Patient","id":"p1"}`),
		"operation outcome": []byte(`{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"not-found","diagnostics":"Patient/123 is not known"}]}`),
		"wrong type":        []byte(`{"resourceType":"Bundle","total":"many"}`),
		"entries not array": []byte(`{"resourceType":"Bundle","entry":{"resource":{}}}`),
		"trailing":          []byte(`{"resourceType":"Bundle"} x`),
		"case":              []byte(`{"ResourceType":"Bundle","Entry":[{"Resource":{"ID":"1","RESOURCETYPE":"Flag"},"FullURL":"u"}]}`),
		"dup":               []byte(`{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Flag","id":"1","id":"2"},"resource":{"resourceType":"Flag","id":"3"}}]}`),
		"odd entries":       []byte(`{"resourceType":"Bundle","total":null,"type":null,"entry":[null,{},{"resource":null},{"resource":[]},{"resource":{"id":1,"resourceType":"Flag"}},{"resource":{"resourceType":"Fl\u0061g","id":"a\"b"},"search":null}]}`),
		"huge":              largeEncounterBundle(3000),
	}
	for _, pat := range []string{"testdata/fuzz/*", "testdata/cases/*.json", "testdata/examples/*/*.json"} {
		files, _ := filepath.Glob(pat)
		for _, f := range files {
			if fi, err := os.Stat(f); err != nil || fi.IsDir() {
				continue
			}
			in[f] = readFileF(tb, f)
		}
	}
	return in
}

// sameResult fails unless the two decodes gave the same bundle or the same error text.
func sameResult(t *testing.T, name string, b1 *Bundle, err1 error, b2 *Bundle, err2 error) {
	t.Helper()
	if (err1 == nil) != (err2 == nil) || (err1 != nil && err1.Error() != err2.Error()) {
		t.Fatalf("%s: errors differ:\n%v\n%v", name, err1, err2)
	}
	if err1 != nil {
		if errors.Is(err1, ErrNotFHIR) != errors.Is(err2, ErrNotFHIR) {
			t.Fatalf("%s: only one error wraps ErrNotFHIR", name)
		}
		return
	}
	if b1.Type != b2.Type || b1.Total != b2.Total || b1.Next != b2.Next || !reflect.DeepEqual(b1.Warnings, b2.Warnings) || len(b1.Entries) != len(b2.Entries) {
		t.Fatalf("%s: bundles differ:\n%+v\n%+v", name, *b1, *b2)
	}
	for i := range b1.Entries {
		e1, e2 := b1.Entries[i], b2.Entries[i]
		if e1.Type != e2.Type || e1.ID != e2.ID || e1.FullURL != e2.FullURL || e1.Mode != e2.Mode || !bytes.Equal(e1.Raw, e2.Raw) {
			t.Fatalf("%s: entry %d differs:\n%+v\n%+v", name, i, e1, e2)
		}
	}
}

// slowBundle is ParseBundle as it was: encoding/json only.
func slowBundle(data []byte) (*Bundle, error) {
	b, err := parseBundleSlow(data)
	if err != nil {
		return nil, tidy(err)
	}
	for i, w := range b.Warnings {
		b.Warnings[i] = clean(w)
	}
	return b, nil
}

func TestOnePassDecodeAgreesWithEncodingJSON(t *testing.T) {
	for name, data := range bundleInputs(t) {
		b1, err1 := ParseBundle(data)
		b2, err2 := slowBundle(data)
		sameResult(t, name, b1, err1, b2, err2)
	}
}

// chunkReader reads at most n bytes at a time, as a response body arrives in packets.
type chunkReader struct {
	r io.Reader
	n int
}

func (c chunkReader) Read(p []byte) (int, error) { return c.r.Read(p[:min(len(p), c.n)]) }

func TestDecodeBundleStreamsLikeParseBundle(t *testing.T) {
	for name, data := range bundleInputs(t) {
		want, wantErr := ParseBundle(data)
		readers := []io.Reader{bytes.NewReader(data), iotest.OneByteReader(bytes.NewReader(data)), iotest.HalfReader(bytes.NewReader(data))}
		for _, n := range []int{7, 100, 1000, 4096} {
			readers = append(readers, chunkReader{bytes.NewReader(data), n})
		}
		for _, r := range readers {
			got, err := DecodeBundle(r, 0)
			sameResult(t, name, got, err, want, wantErr)
			// The members set aside for an item's own facts too: the decoder's buffer moves
			// under the values it has read when it refills from a body read piecemeal.
			if err == nil {
				for i := range got.Entries {
					if g, w := got.Entries[i].own, want.Entries[i].own; !bytes.Equal(g, w) {
						t.Fatalf("%s: entry %d own facts %s, want %s", name, i, g, w)
					}
				}
				sameOwnFacts(t, got)
			}
		}
		if len(data) > 0 {
			got, err := DecodeBundle(bytes.NewReader(data), int64(len(data)))
			sameResult(t, name+" at its limit", got, err, want, wantErr)
		}
	}
}

// sameOwnFacts fails unless each entry's own facts read from the members the bundle decode
// set aside are those read from the whole resource by encoding/json.
func sameOwnFacts(t *testing.T, b *Bundle) {
	t.Helper()
	for _, e := range b.Entries {
		if e.own == nil {
			continue // read by the slow path: item() reads the whole resource
		}
		var fromOwn, fromRaw ownFacts
		err1 := unmarshal(e.own, &fromOwn)
		err2 := json.Unmarshal(e.Raw, &fromRaw)
		if !reflect.DeepEqual(fromOwn, fromRaw) || (err1 == nil) != (err2 == nil) {
			t.Fatalf("%s: own facts %+v (%v) from %s, want %+v (%v)", e.Ref(), fromOwn, err1, e.own, fromRaw, err2)
		}
	}
}

func TestOwnFactsFromTheBundlePass(t *testing.T) {
	for name, data := range bundleInputs(t) {
		if b, err := ParseBundle(data); err == nil {
			t.Run(name, func(t *testing.T) { sameOwnFacts(t, b) })
		}
	}
	b, err := ParseBundle([]byte(`{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Flag","id":"1","DATE":"2020","author":[{"reference":5}],"recorder":{"reference":"Practitioner/1"},"issued":3,"Issued":"2021","period":{"start":"2019"},"period":"x"}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if b.Entries[0].own == nil {
		t.Fatal("no own-facts members set aside")
	}
	sameOwnFacts(t, b)
}

func TestDecodeBundleLimit(t *testing.T) {
	data := largeEncounterBundle(2000)
	for _, limit := range []int64{1, 1000, int64(len(data)) - 1} {
		_, err := DecodeBundle(bytes.NewReader(data), limit)
		var tl *TooLargeError
		if !errors.Is(err, ErrTooLarge) || !errors.As(err, &tl) || tl.Limit != limit {
			t.Errorf("limit %d: err = %v, want too large", limit, err)
		}
	}
}

func TestDecodeBundleReadError(t *testing.T) {
	data := largeEncounterBundle(200)
	r := io.MultiReader(bytes.NewReader(data[:len(data)/2]), iotest.ErrReader(io.ErrUnexpectedEOF))
	_, err := DecodeBundle(r, 0)
	if !errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, ErrNotFHIR) || !strings.Contains(err.Error(), "reading") {
		t.Errorf("err = %v, want the read error", err)
	}
}

// FuzzOnePassDecode checks that the one-pass decoder and the stream decoder read any
// input exactly as encoding/json does: the same bundle or the same error.
func FuzzOnePassDecode(f *testing.F) {
	for _, data := range bundleInputs(f) {
		if len(data) < 64<<10 {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		b1, err1 := ParseBundle(data)
		b2, err2 := slowBundle(data)
		sameResult(t, "ParseBundle", b1, err1, b2, err2)
		b3, err3 := DecodeBundle(iotest.HalfReader(bytes.NewReader(data)), 0)
		sameResult(t, "DecodeBundle", b3, err3, b2, err2)
		if err1 == nil {
			sameOwnFacts(t, b1)
		}
		r1, err1 := ParseResource(data)
		h, err2 := parseHead(data)
		if (err1 == nil) != (err2 == nil) || (err1 == nil && (r1.Type != h.ResourceType || r1.ID != h.ID)) {
			t.Fatalf("ParseResource %+v %v, head %+v %v", r1, err1, h, err2)
		}
	})
}

// TestUnusualNamesReadLikeEncodingJSON: encoding/json folds Unicode case in member names
// ("reſourceType" is resourceType); the one-pass decoder leaves such names to it.
func TestUnusualNamesReadLikeEncodingJSON(t *testing.T) {
	for _, in := range []string{
		`{"reſourceType":"Bundle","entry":[{"resource":{"resourceType":"Flag","id":"1"}}]}`,
		`{"resourceType":"Bundle","entry":[{"reſource":{"resourceType":"Flag","id":"1"},"fullUrl":"u"}]}`,
		`{"resourceType":"Bundle","entry":[{"resource":{"reſourceType":"Flag","id":"1"}}]}`,
		`{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Flag","\u0069d":"1"}}]}`,
	} {
		b1, err1 := ParseBundle([]byte(in))
		b2, err2 := slowBundle([]byte(in))
		sameResult(t, in, b1, err1, b2, err2)
	}
}

// TestBadUTF8ReadLikeEncodingJSON: bytes that are not UTF-8 read as U+FFFD, as encoding/json
// reads them, in ids, types and fullUrls.
func TestBadUTF8ReadLikeEncodingJSON(t *testing.T) {
	in := "{\"resourceType\":\"Bundle\",\"entry\":[{\"fullUrl\":\"u\xff\",\"resource\":{\"resourceType\":\"Flag\",\"id\":\"a\xc3\"}}]}"
	b1, err1 := ParseBundle([]byte(in))
	b2, err2 := slowBundle([]byte(in))
	sameResult(t, "bad UTF-8", b1, err1, b2, err2)
	if b1.Entries[0].ID != "a\uFFFD" {
		t.Errorf("id = %q", b1.Entries[0].ID)
	}
}

// A body of known size is read into one buffer of that size (not gathered in chunks and
// joined), and reads the same as a body of unknown size; a size that is wrong (a server
// may say anything) changes nothing but the buffers.
func TestDecodeBundleSize(t *testing.T) {
	data := largeEncounterBundle(500)
	want, err := DecodeBundle(bytes.NewReader(data), 0)
	if err != nil {
		t.Fatal(err)
	}
	n := int64(len(data))
	for _, size := range []int64{n, -1, 0, 1, n - 1, n + 1, 10 * n, 1 << 40} {
		for _, limit := range []int64{0, n, 100 * n} {
			got, err := DecodeBundleSize(iotest.HalfReader(bytes.NewReader(data)), limit, size, nil)
			sameResult(t, fmt.Sprintf("size %d, limit %d", size, limit), got, err, want, nil)
		}
		_, err := DecodeBundleSize(bytes.NewReader(data), n-1, size, nil)
		if !errors.Is(err, ErrTooLarge) {
			t.Errorf("size %d over the limit: err = %v", size, err)
		}
	}
	allocs := testing.AllocsPerRun(20, func() {
		sp := &spool{r: bytes.NewReader(data), limit: 0}
		sp.readAll(n)
		if sp.err != io.EOF || len(sp.chunks) != 1 || len(sp.bytes()) != len(data) {
			t.Fatalf("read %d chunks, err %v", len(sp.chunks), sp.err)
		}
	})
	if allocs > 3 {
		t.Errorf("reading a body of known size: %.0f allocations, want the spool and its one buffer", allocs)
	}
}

// The next link is told from the bytes read so far, once they show it: as each byte of a
// page arrives, no sooner than the link member is whole, never once the entries have
// begun, and at most once; DecodeBundleNext's bundle is the same with or without it.
func TestDecodeBundleNextTellsTheLinkEarly(t *testing.T) {
	head := `{"resourceType":"Bundle","type":"searchset","total":3,"link":[{"relation":"self","url":"s"},{"relation":"next","url":"n\u0026x"}],`
	page := head + `"entry":[{"resource":{"resourceType":"Flag","id":"1"}}]}`
	for _, size := range []int64{-1, int64(len(page))} {
		var told []string
		at := -1
		r := &countingBytes{data: []byte(page)}
		b, err := DecodeBundleSize(iotest.OneByteReader(r), 0, size, func(u string) { told, at = append(told, u), r.n })
		if err != nil || b.Next != "n&x" || len(b.Entries) != 1 {
			t.Fatalf("size %d: %v %+v", size, err, b)
		}
		if len(told) != 1 || told[0] != "n&x" || at != len(head)-1 {
			t.Errorf("size %d: told %q after %d bytes, want once after the link member (%d bytes)", size, told, at, len(head)-1)
		}
	}
	for _, page := range []string{
		`{"resourceType":"Bundle","entry":[],"link":[{"relation":"next","url":"late"}]}`,
		`{"resourceType":"Bundle","link":[{"relation":"self","url":"s"}],"entry":[]}`,
		`{"resourceType":"Bundle","link":[{"relation":"next","url":"\ud800"}],"entry":[]}`,
		`[{"resourceType":"Bundle"}]`,
	} {
		told := 0
		if _, err := DecodeBundleNext(iotest.OneByteReader(strings.NewReader(page)), 0, func(string) { told++ }); told != 0 {
			t.Errorf("%s: told %d times (err %v)", page, told, err)
		}
	}
}

// countingBytes is a reader of data that counts the bytes it has given.
type countingBytes struct {
	data []byte
	n    int
}

func (c *countingBytes) Read(p []byte) (int, error) {
	if c.n == len(c.data) {
		return 0, io.EOF
	}
	k := copy(p, c.data[c.n:])
	c.n += k
	return k, nil
}

// FuzzDecodeBundleNext: whatever a body holds (read a byte at a time, so that the head is
// looked at after every byte), telling the next link early never changes the bundle (or the
// error), never panics, and tells a link (not an empty one) at most once.
func FuzzDecodeBundleNext(f *testing.F) {
	for _, data := range bundleInputs(f) {
		if len(data) < 16<<10 {
			f.Add(data)
		}
	}
	for _, data := range scanCorners {
		f.Add([]byte(data))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		want, wantErr := DecodeBundle(bytes.NewReader(data), 0)
		told := 0
		got, err := DecodeBundleNext(iotest.OneByteReader(bytes.NewReader(data)), 0, func(u string) {
			told++
			if u == "" {
				t.Error("told an empty link")
			}
		})
		sameResult(t, "told", got, err, want, wantErr)
		if told > 1 {
			t.Fatalf("told %d times", told)
		}
	})
}

// A head that does not show the next link in its first maxPeek bytes is not looked at any
// more: a server sending a byte at a time costs at most maxPeek bytes scanned a byte.
func TestPeekNextGivesUpAfterMaxPeek(t *testing.T) {
	pad := `"meta":{"tag":[` + strings.TrimSuffix(strings.Repeat(`{"code":"x"},`, maxPeek/12+1), ",") + `]},`
	page := `{"resourceType":"Bundle",` + pad + `"link":[{"relation":"next","url":"n"}],"entry":[]}`
	told := 0
	b, err := DecodeBundleSize(iotest.OneByteReader(strings.NewReader(page)), 0, int64(len(page)), func(string) { told++ })
	if err != nil || b.Next != "n" || told != 0 {
		t.Fatalf("told %d, bundle %+v, err %v", told, b, err)
	}
}

// A page's buffer has room for a page a thirty-second bigger: the pages of one section differ in
// size by a few per cent, and the buffer handed back (RecycleBody) is read into again only
// when the next page fits. Small bodies are not kept, and get no more room than they need.
func TestPageBufferFitsABiggerNextPage(t *testing.T) {
	for _, n := range []int{minRecycled, 1 << 20, 1<<20 + 12345} {
		if b := takeBody(n); cap(b) < n+n/32 || len(b) != 0 {
			t.Errorf("a %d-byte page's buffer: len %d, room for %d, want room for %d", n, len(b), cap(b), n+n/32)
		}
	}
	if b := takeBody(minRecycled - 1); cap(b) != minRecycled-1 {
		t.Errorf("a small body's buffer: room for %d, want %d", cap(b), minRecycled-1)
	}
}

// A page's buffer handed back is zeroed at once, and so is the list of its entries: a
// Resource wrongly kept past its page reads nothing like a page (least of all another
// person's), whether or not the buffer is used again; the list holds nothing of the page.
func TestRecycledPageReadsAsZeros(t *testing.T) {
	page := bytes.Repeat([]byte(`{"resourceType":"Encounter","id":"e1"},`), minRecycled/8)
	buf := append(takeBody(len(page)), page...)
	kept := buf[100:200] // what a Resource's Raw would hold
	entries := append(takeEntries(2), Resource{Type: "Encounter", ID: "e1", Raw: kept}, Resource{Type: "Encounter", ID: "e2", Raw: buf[200:300]})
	if !RecycleBody(Body{buf: buf, entries: entries}) {
		t.Fatal("a page-sized buffer was not kept")
	}
	if i := slices.IndexFunc(buf, func(c byte) bool { return c != 0 }); i >= 0 || !bytes.Equal(kept, make([]byte, len(kept))) {
		t.Fatalf("byte %d of the page handed back is %q, want zero", i, buf[i])
	}
	for i, r := range entries {
		if r.Raw != nil || r.ID != "" || r.Type != "" {
			t.Fatalf("entry %d of the list handed back still holds %+v", i, r)
		}
	}
}
