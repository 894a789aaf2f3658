package fhir

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sync"
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

// DecodeBundle reads a Bundle page from r (a response body) and decodes it. At most limit
// bytes are read (limit <= 0: no limit); a longer body gives a *TooLargeError (errors.Is
// ErrTooLarge) as soon as the limit is passed. The result, warnings and errors are exactly
// those of ParseBundle on the same bytes; an error reading r is returned as it is
// (wrapped), so io.ErrUnexpectedEOF or a context error can be told apart from a bad body.
//
// The body is read whole first (a page arrives in a millisecond or two on a fast network,
// far less than decoding it token by token as it arrived took), then decoded in memory by
// the byte scanner (scanBundle), several times as fast as the token decoder; the token
// decoder and encoding/json read what it gives up on. Each entry's Raw is a slice of the
// bytes read (no copy per resource), so the memory a page needs is its size plus the
// decoded values. The caller does not close r.
func DecodeBundle(r io.Reader, limit int64) (*Bundle, error) { return DecodeBundleNext(r, limit, nil) }

// DecodeBundleNext is DecodeBundle telling onNext (when not nil) the page's next link as
// soon as Bundle.link has been read, before the entries that usually follow it, so that the
// caller can ask for the next page while this one is still read. It is a hint: the Bundle
// returned is what counts (a second link member, or a Bundle that is not well-formed and is
// read again, may say otherwise).
func DecodeBundleNext(r io.Reader, limit int64, onNext func(url string)) (*Bundle, error) {
	return DecodeBundleSize(r, limit, -1, onNext)
}

// DecodeBundleSize is DecodeBundleNext for a body of size bytes, where known (a response's
// Content-Length; -1 when not): the body is then read into one buffer of that size instead
// of being gathered in chunks and joined.
func DecodeBundleSize(r io.Reader, limit, size int64, onNext func(url string)) (*Bundle, error) {
	sp := &spool{r: r, limit: limit, onNext: onNext}
	sp.readAll(size)
	if sp.err != io.EOF {
		var tl *TooLargeError
		if errors.As(sp.err, &tl) {
			return nil, tl
		}
		return nil, fmt.Errorf("reading the response: %w", sp.err)
	}
	b, err := ParseBundle(sp.bytes())
	if err == nil && size > 0 && len(sp.chunks) == 1 {
		b.body = Body{buf: sp.chunks[0], entries: b.Entries}
	}
	return b, err
}

// Body is the buffer a page was read into, and the list of its entries (Bundle.TakeBody).
// Handed back by RecycleBody once nothing read from the page is used any more (its
// entries, their bytes), the next page is read into it and listed in it, instead of a new
// buffer of a megabyte or so and a new list of a few thousand entries.
type Body struct {
	buf     []byte
	entries []Resource
}

// entryLists are lists of entries handed back (*[]Resource, emptied): what a streamed
// section's pages are listed in, page after page.
var entryLists sync.Pool

// takeEntries is an empty list with room for n entries at least: one handed back when
// there is one.
func takeEntries(n int) []Resource {
	if p, ok := entryLists.Get().(*[]Resource); ok && cap(*p) >= n {
		return (*p)[:0]
	}
	return make([]Resource, 0, n)
}

// bodies are buffers handed back (*[]byte, of a page's size): what a streamed section's
// pages are read into, page after page.
var bodies sync.Pool

// minRecycled: smaller bodies are not kept.
const minRecycled = 64 << 10

// takeBody is an empty buffer with room for n bytes: one handed back when it is big enough.
// One big enough to be kept is made bigger by a thirty-second: a section's pages differ in
// size by a per cent or two, and each one a little bigger than the buffer handed back would
// otherwise make its own (fifty back ends' pages in flight at once keep the room small).
func takeBody(n int) []byte {
	if n < minRecycled {
		return make([]byte, 0, n)
	}
	if p, ok := bodies.Get().(*[]byte); ok && cap(*p) >= n {
		return (*p)[:0]
	}
	return make([]byte, 0, n+n/32)
}

// RecycleBody hands a page's buffer back to be read into again (true when it is kept):
// only when nothing holds any of its bytes (the page's Resources, their Raw, are no longer
// used). Its bytes are zeroed at once (a few microseconds a page), so that anything still
// reading them reads nothing like a page, whether or not the buffer is used again.
func RecycleBody(b Body) bool {
	if cap(b.buf) < minRecycled {
		return false
	}
	clear(b.buf) // the page's bytes, all anything could still read (the room past them is never read)
	buf := b.buf[:0]
	bodies.Put(&buf)
	if cap(b.entries) > 0 {
		clear(b.entries) // nothing of the page (its bytes, what was decoded ahead) is held by the list
		entries := b.entries[:0]
		entryLists.Put(&entries)
	}
	return true
}

// TakeBody is the buffer the Bundle was read into (zero when it was gathered in
// chunks, or not read by DecodeBundleSize), for RecycleBody; the Bundle no longer has it.
func (b *Bundle) TakeBody() Body {
	body := b.body
	b.body = Body{}
	return body
}

// spool reads a body whole within a limit, in chunks (never moved: a chunk is not copied
// as the body grows).
type spool struct {
	r      io.Reader
	limit  int64
	n      int64
	chunks [][]byte
	err    error // io.EOF once read, a read error, or *TooLargeError
	// onNext is told the next link as soon as the bytes read so far show it (peekNext),
	// then set to nil.
	onNext func(url string)
}

// Chunks grow from firstChunk to maxChunk: a small answer costs little, and a page of a
// megabyte holds at most maxChunk more than its size while it is read (doubling to
// megabytes wasted up to half, on every page of every back end in flight). A body whose
// size is known is read into one buffer of that size (at most maxSized: a size is what a
// server says, and a page is a megabyte or two; a bigger body goes on in chunks).
const (
	firstChunk = 4 << 10
	maxChunk   = 64 << 10
	maxSized   = 8 << 20
)

// readAll reads r to its end (or its first error, or past the limit) straight into the
// chunks.
func (s *spool) readAll(size int64) {
	if size > 0 {
		if s.limit > 0 {
			size = min(size, s.limit)
		}
		// One byte more: the read that finds the end needs room, or it would take a chunk.
		s.chunks = [][]byte{takeBody(int(min(size, maxSized) + 1))}
	}
	for s.err == nil {
		last := len(s.chunks) - 1
		if last < 0 || len(s.chunks[last]) == cap(s.chunks[last]) {
			next := firstChunk
			if last >= 0 {
				next = min(2*cap(s.chunks[last]), maxChunk)
			}
			s.chunks = append(s.chunks, make([]byte, 0, next))
			last++
		}
		c := s.chunks[last]
		p := c[len(c):cap(c)]
		if s.limit > 0 && int64(len(p)) > s.limit+1-s.n {
			p = p[:s.limit+1-s.n] // one byte past the limit tells a body that is too long
		}
		n, err := s.r.Read(p)
		if n > 0 {
			if s.limit > 0 && s.n+int64(n) > s.limit {
				s.err = &TooLargeError{Limit: s.limit}
				return
			}
			s.chunks[last] = c[:len(c)+n]
			s.n += int64(n)
			if s.onNext != nil {
				s.peekNext()
			}
		}
		if err != nil {
			s.err = err
		}
	}
}

// bytes is everything read, in one slice: the one chunk, or the chunks joined.
func (s *spool) bytes() []byte {
	if len(s.chunks) == 1 {
		return s.chunks[0]
	}
	return bytes.Join(s.chunks, nil)
}

// peekNext tells onNext the next link of the Bundle read so far, once the first chunk shows
// it (Bundle.link comes before the entries, in the first few hundred bytes); onNext is
// dropped when the entries begin first, the first chunk is full or maxPeek long without
// the link, or the head is not of the plain form (a hint is all it is: the Bundle decoded
// says).
func (s *spool) peekNext() {
	head := s.chunks[0]
	next, done := peekNextLink(head)
	switch {
	case next != "":
		onNext := s.onNext
		s.onNext = nil
		onNext(next)
	case done || len(head) == cap(head) || len(head) >= maxPeek:
		s.onNext = nil
	}
}

// maxPeek bounds the head peekNext looks at (it looks again after every read: a server
// sending a byte at a time costs at most this much scanning a byte).
const maxPeek = 8 << 10

// peekNextLink reads the members of a Bundle's head, up to its entries, from the bytes read
// so far: the next link of the first link member that has one; done when there is none to
// find (the entries begin, or the head is not of the plain form), else more bytes may tell.
func peekNextLink(head []byte) (next string, done bool) {
	f := getFastReader(head)
	defer putFastReader(f)
	if !f.eat('{') {
		return "", f.peek() != 0
	}
	for first := true; ; first = false {
		if f.peek() == '}' {
			return "", true
		}
		if !first && !f.eat(',') {
			return "", f.pos < len(f.data)
		}
		name, ok := f.name()
		switch {
		case !ok:
			return "", false // cut short, most likely: a later look decides
		case nameEq(name, "entry"):
			return "", true
		case nameEq(name, "link"):
			if next, ok := scanLinks(f); ok && next != "" {
				return next, true
			} else if !ok {
				return "", false
			}
		default:
			if !f.skip(0) {
				return "", false
			}
		}
	}
}
