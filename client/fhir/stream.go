package fhir

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/go-json-experiment/json/jsontext"
)

// ErrTooLarge is wrapped by the error DecodeBundle gives when the body is larger than its
// limit.
var ErrTooLarge = errors.New("response too large")

// TooLargeError says a body was cut off at Limit bytes.
type TooLargeError struct{ Limit int64 }

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("response larger than %d bytes", e.Limit)
}

func (e *TooLargeError) Unwrap() error { return ErrTooLarge }

// DecodeBundle reads a Bundle page from r (a response body) and decodes it in one pass as
// it arrives: no whole-page buffer is read first and then parsed. At most limit bytes are
// read (limit <= 0: no limit); a longer body gives a *TooLargeError (errors.Is ErrTooLarge)
// as soon as the limit is passed. The result, warnings and errors are exactly those of
// ParseBundle on the same bytes; an error reading r is returned as it is (wrapped), so
// io.ErrUnexpectedEOF or a context error can be told apart from a bad body.
//
// Each entry's Raw is a slice of the bytes read (no copy per resource), so the memory a
// page needs is its size plus the decoded values. The caller does not close r.
func DecodeBundle(r io.Reader, limit int64) (*Bundle, error) { return DecodeBundleNext(r, limit, nil) }

// DecodeBundleNext is DecodeBundle telling onNext (when not nil) the page's next link as
// soon as Bundle.link has been read, before the entries that usually follow it, so that the
// caller can ask for the next page while this one is still read. It is a hint: the Bundle
// returned is what counts (a second link member, or a Bundle that is not well-formed and is
// read again, may say otherwise).
func DecodeBundleNext(r io.Reader, limit int64, onNext func(url string)) (*Bundle, error) {
	sp := &spool{r: r, limit: limit}
	dec := jsontext.NewDecoder(sp, decOpts)
	if b, ok := fastBundle(dec, sp.slice, onNext); ok {
		for i, w := range b.Warnings {
			b.Warnings[i] = clean(w)
		}
		return b, nil
	}
	// Not a well-formed Bundle, or a read failed: read what is left (within the limit) and
	// explain it in ParseBundle's words.
	if sp.err == nil {
		_, _ = io.Copy(io.Discard, sp)
	}
	if sp.err != nil && sp.err != io.EOF {
		var tl *TooLargeError
		if errors.As(sp.err, &tl) {
			return nil, tl
		}
		return nil, fmt.Errorf("reading the response: %w", sp.err)
	}
	return ParseBundle(sp.bytes())
}

// spool is the reader DecodeBundle decodes from: it enforces the limit and keeps every
// byte it passes on, in chunks that are never moved, so that a resource's Raw can be a
// slice of them.
type spool struct {
	r      io.Reader
	limit  int64
	n      int64
	chunks [][]byte
	starts []int64 // input offset of each chunk's first byte
	err    error   // sticky: io.EOF, a read error, or *TooLargeError
}

// Chunks grow from firstChunk to maxChunk: a small answer costs little, and a page of a
// megabyte holds at most maxChunk more than its size (doubling to megabytes wasted up to
// half, on every page of every back end in flight). A resource across two chunks is
// copied (one in about forty of a big page's).
const (
	firstChunk = 4 << 10
	maxChunk   = 64 << 10
)

func (s *spool) Read(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	if len(p) == 0 {
		return 0, nil
	}
	if s.limit > 0 && int64(len(p)) > s.limit+1-s.n {
		p = p[:s.limit+1-s.n] // one byte past the limit tells a body that is too long
	}
	n, err := s.r.Read(p)
	if n > 0 {
		if s.limit > 0 && s.n+int64(n) > s.limit {
			s.err = &TooLargeError{Limit: s.limit}
			return 0, s.err
		}
		s.store(p[:n])
		s.n += int64(n)
	}
	if err != nil {
		s.err = err
	}
	return n, err
}

func (s *spool) store(p []byte) {
	for len(p) > 0 {
		last := len(s.chunks) - 1
		if last < 0 || len(s.chunks[last]) == cap(s.chunks[last]) {
			size := firstChunk
			if last >= 0 {
				size = min(2*cap(s.chunks[last]), maxChunk)
			}
			start := int64(0)
			if last >= 0 {
				start = s.starts[last] + int64(len(s.chunks[last]))
			}
			s.chunks = append(s.chunks, make([]byte, 0, size))
			s.starts = append(s.starts, start)
			last++
		}
		c := s.chunks[last]
		k := min(cap(c)-len(c), len(p))
		s.chunks[last] = append(c, p[:k]...)
		p = p[k:]
	}
}

// slice returns input bytes [start, end): a slice of one chunk, or a copy when the range
// spans two.
func (s *spool) slice(start, end int64) []byte {
	for i := len(s.chunks) - 1; i >= 0; i-- {
		if s.starts[i] > start {
			continue
		}
		c := s.chunks[i]
		lo, hi := start-s.starts[i], end-s.starts[i]
		if hi <= int64(len(c)) {
			return c[lo:hi:hi]
		}
		out := make([]byte, 0, end-start)
		out = append(out, c[lo:]...)
		for _, next := range s.chunks[i+1:] {
			out = append(out, next[:min(int64(len(next)), end-start-int64(len(out)))]...)
			if int64(len(out)) == end-start {
				break
			}
		}
		return out
	}
	return nil
}

// bytes is everything read, in one slice (only to explain an error).
func (s *spool) bytes() []byte {
	return bytes.Join(s.chunks, nil)
}
