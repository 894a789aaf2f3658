package fhir

import (
	"math/bits"
	"unsafe"
)

// The hand-written readers' strings (decode_fast.go): scanning a string, and making it
// from its bytes without allocating the ones read lately again.

// scanString reads the string that starts at f.pos ('"' there) and returns it with its
// quotes; plain is false when it has escapes or non-ASCII bytes.
func (f *fastReader) scanString() (quoted []byte, plain, ok bool) {
	end, plain, ok := stringEnd(f.data, f.pos)
	if !ok {
		return nil, false, false
	}
	quoted, f.pos = f.data[f.pos:end], end
	return quoted, plain, true
}

// stringEnd is where the string whose quote is at d[i] ends (just past its closing
// quote); plain is false when it has escapes or non-ASCII bytes, ok false when it is not
// a well-formed string (a control byte, a bad escape, no closing quote).
func stringEnd(d []byte, i int) (end int, plain, ok bool) {
	i++
	plain = true
	for i < len(d) {
		// The run of plain bytes first: eight at a time, the first byte of the eight
		// that is not plain found at once (specialMask), then one table look-up each
		// for the last few bytes of the buffer.
		for i+8 <= len(d) {
			if m := specialMask(le64(d, i)); m != 0 {
				i += bits.TrailingZeros64(m) >> 3
				goto special
			}
			i += 8
		}
		for i < len(d) && plainStringByte[d[i]] {
			i++
		}
		if i >= len(d) {
			break
		}
	special:
		switch c := d[i]; {
		case c == '"':
			return i + 1, plain, true
		case c < 0x20:
			return 0, false, false
		case c == '\\':
			plain = false
			if i+1 >= len(d) {
				return 0, false, false
			}
			switch d[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(d) || !isHex4(d[i+2:i+6]) {
					return 0, false, false
				}
				i += 6
			default:
				return 0, false, false
			}
			continue
		default: // c >= 0x80
			plain = false
		}
		i++
	}
	return 0, false, false
}

// specialMask has the high bit of each of the eight bytes of v (little-endian) set that
// may not be a plain string byte (a control byte, the quote, the backslash or a byte past
// ASCII). The lowest bit set is exact: every byte below it is plain (a borrow only makes
// bits above a byte that is not plain), so the first byte that is not plain is never
// skipped; zero when all eight are plain.
func specialMask(v uint64) uint64 {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	q := v ^ ('"' * ones)
	b := v ^ ('\\' * ones)
	// (v - 0x20) | v: a byte below 0x20 or past 0x7f; (x - 1) &^ x: a zero byte of x.
	return ((v - 0x20*ones) | v | ((q - ones) &^ q) | ((b - ones) &^ b)) & highs
}

// plainStringByte marks the bytes a string may hold as they are: printable ASCII but the
// quote and the backslash.
var plainStringByte = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

func isHex4(b []byte) bool {
	for _, c := range b {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// makeString is string(b), from the cache when b was read lately (the hash is that of
// the generic decode's cache: fixed-width prefix and suffix, so constant time).
func (f *fastReader) makeString(b []byte) string {
	if len(b) < 2 || len(b) > 256 {
		return string(b)
	}
	i := strSlot(b)
	if s := f.strs[i]; s == string(b) {
		return s
	}
	s := f.slabString(b)
	f.strs[i] = s
	return s
}

// textSlab is the size of the slabs strings are copied into, textMax the longest string
// copied into one (a longer one has memory of its own).
const (
	textSlab = 4 << 10
	textMax  = 96
)

// slabString is string(b), its bytes copied into the reader's slab: many strings, one
// allocation. A slab's bytes are never written again once a string holds them.
func (f *fastReader) slabString(b []byte) string { return slabString(&f.text, b) }

// slabString is string(b), its bytes copied into slab (a new one when it is full).
func slabString(slab *[]byte, b []byte) string {
	if len(b) > textMax || len(b) == 0 {
		return string(b)
	}
	if cap(*slab)-len(*slab) < len(b) {
		*slab = make([]byte, 0, textSlab)
	}
	n := len(*slab)
	*slab = append(*slab, b...)
	return unsafe.String(&(*slab)[n], len(b))
}

// remember puts s in the cache of strings read lately: a string the caller knows the
// resource holds (its id) is then not allocated again when read.
func (f *fastReader) remember(s string) {
	if len(s) >= 2 && len(s) <= 256 {
		f.strs[strSlot(s)] = s
	}
}

// strSlot is where makeString caches b (2 to 256 bytes): a hash of its length and of its
// first and last eight bytes (constant time), with one multiplication.
func strSlot[S ~string | ~[]byte](b S) uint32 {
	var x uint64
	switch n := len(b); {
	case n >= 8:
		x = le64(b, 0) ^ bits.RotateLeft64(le64(b, n-8), 29)
	case n >= 4:
		x = uint64(le32(b, 0)) | uint64(le32(b, n-4))<<32
	default:
		x = uint64(b[0]) | uint64(b[1])<<8 | uint64(b[n-1])<<16
	}
	x ^= uint64(len(b)) << 48
	return uint32((x * 0x9e3779b97f4a7c15) >> 56)
}

// le64 and le32 are the little-endian numbers in the eight and four bytes of b from i.
func le64[S ~string | ~[]byte](b S, i int) uint64 {
	b = b[i : i+8]
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
}

func le32[S ~string | ~[]byte](b S, i int) uint32 {
	b = b[i : i+4]
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
}
