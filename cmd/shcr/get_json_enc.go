package main

import (
	"io"
	"math"
	"math/bits"
	"strconv"
	"time"
	"unicode/utf8"
)

// itemWriter writes the items of get's "sections" by hand, appending to one buffer, with
// exactly the bytes the generic marshal writes with getJSONOptions and sectionJSONOptions
// (encoding/json's rules: field order as declared, omitempty and omitzero, HTML characters,
// U+2028 and U+2029 escaped, each invalid UTF-8 byte as \ufffd, times RFC 3339 with
// nanoseconds, floats as encoding/json writes them, two spaces of indentation). A value it
// cannot write as the generic marshal would (a year outside 0-9999, a zone offset of a day
// or more, a NaN or infinite float) sets bad: the caller then drops what the item wrote and
// hands the item to the generic marshal (get_json_items.go). TestHandWriterFieldsMatchGeneric
// and TestWriteJSONOnePassMatchesOldWriter hold the two to the same bytes.
type itemWriter struct {
	b   []byte
	bad bool
	// generic counts the items handed to the generic marshal (for the tests).
	generic int
	// chunks: how a long list is cut between goroutines (get_json_chunks.go); zero: not.
	chunks chunking
	// spare: chunk buffers written and free again, for the next chunk of any list.
	spare [][]byte
	// provHeads, provTails: the parts of the provenances written last, copied when the
	// next one's are the same (get_json_prov.go).
	provHeads provParts[provHead, *provHead]
	provTails provParts[provTail, *provTail]
}

// indents is a newline and enough spaces for any depth the sections reach.
const indents = "\n                                                                "

// The helpers append to b and return it (b stays in a register or on the stack: no write
// barrier for each append); w only carries bad. Whether a member or element is the first
// is read from the byte before it: only an opening bracket just written ends in '{' or
// '[', no value does.

// indent16 is a newline and 15 spaces: copied whole into the buffer's room (a copy of a
// fixed size, without a call), then the buffer cut to the depth's length.
var indent16 = [16]byte{'\n', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' '}

// newline starts a line at depth d (two spaces a level).
func (w *itemWriter) newline(b []byte, d int) []byte {
	n := 1 + 2*d
	if l := len(b); n <= len(indent16) && cap(b)-l >= len(indent16) {
		*(*[16]byte)(b[l : l+16]) = indent16
		return b[:l+n]
	}
	if n <= len(indents) {
		return append(b, indents[:n]...)
	}
	b = append(b, '\n')
	for range d {
		b = append(b, ' ', ' ')
	}
	return b
}

func (w *itemWriter) open(b []byte, c byte) []byte { return append(b, c) }

// close ends an object or array whose members are at depth d: "{}" or "[]" when empty.
func (w *itemWriter) close(b []byte, d int, c byte) []byte {
	if last := b[len(b)-1]; last != '{' && last != '[' {
		b = w.newline(b, d-1)
	}
	return append(b, c)
}

// elem starts an array element at depth d.
func (w *itemWriter) elem(b []byte, d int) []byte {
	if b[len(b)-1] != '[' {
		b = append(b, ',')
	}
	return w.newline(b, d)
}

// key starts an object member at depth d: `"name": `.
func (w *itemWriter) key(b []byte, d int, name string) []byte {
	if b[len(b)-1] != '{' {
		b = append(b, ',')
	}
	// The line's start and the opening quote in one fixed copy when there is room.
	if n, l := 1+2*d, len(b); n < len(indent16) && cap(b)-l >= len(indent16) {
		*(*[16]byte)(b[l : l+16]) = indent16
		b = b[:l+n+1]
		b[l+n] = '"'
	} else {
		b = w.newline(b, d)
		b = append(b, '"')
	}
	b = append(b, name...)
	return append(b, '"', ':', ' ')
}

func (w *itemWriter) str(b []byte, d int, name, v string) []byte {
	return appendJSONString(w.key(b, d, name), v)
}

func (w *itemWriter) strOmit(b []byte, d int, name, v string) []byte {
	if v == "" {
		return b
	}
	return appendJSONString(w.key(b, d, name), v)
}

func (w *itemWriter) boolean(b []byte, d int, name string, v bool) []byte {
	b = w.key(b, d, name)
	if v {
		return append(b, "true"...)
	}
	return append(b, "false"...)
}

func (w *itemWriter) boolOmit(b []byte, d int, name string, v bool) []byte {
	if !v {
		return b
	}
	return append(w.key(b, d, name), "true"...)
}

func (w *itemWriter) intOmit(b []byte, d int, name string, v int64) []byte {
	if v == 0 {
		return b
	}
	return strconv.AppendInt(w.key(b, d, name), v, 10)
}

// floatOmit writes a float64 as encoding/json does (as if by ES6: 'f' unless very small or
// large, then 'e' with the exponent unpadded).
func (w *itemWriter) floatOmit(b []byte, d int, name string, f float64) []byte {
	if f == 0 {
		return b
	}
	if math.IsInf(f, 0) || math.IsNaN(f) {
		w.bad = true
		return b
	}
	b = w.key(b, d, name)
	format := byte('f')
	if abs := math.Abs(f); abs < 1e-6 || abs >= 1e21 {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if n := len(b); format == 'e' && n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
		b[n-2] = b[n-1]
		b = b[:n-1]
	}
	return b
}

// timeOmitZero writes a time as time.Time's MarshalJSON does, unless it IsZero.
func (w *itemWriter) timeOmitZero(b []byte, d int, name string, t time.Time) []byte {
	if t.IsZero() {
		return b
	}
	b = append(w.key(b, d, name), '"')
	if tb, ok := appendRFC3339Nano(b, t); ok {
		return append(tb, '"')
	}
	tb, err := t.AppendText(b)
	if err != nil { // what b holds is dropped with the item
		w.bad = true
		return b
	}
	return append(tb, '"')
}

// strings writes a list of strings: null when nil (unless omitted as empty).
func (w *itemWriter) strings(b []byte, d int, name string, v []string, omitEmpty bool) []byte {
	if omitEmpty && len(v) == 0 {
		return b
	}
	b = w.key(b, d, name)
	if v == nil {
		return append(b, "null"...)
	}
	return list(w, b, d, v, stringElem)
}

// list writes v as an array (its elements at depth d+1, "[]" when empty), each element's
// value by elem at that depth: every list of the hand writer.
func list[T any](w *itemWriter, b []byte, d int, v []T, elem func(b []byte, d int, x *T) []byte) []byte {
	b = w.open(b, '[')
	for i := range v {
		b = elem(w.elem(b, d+1), d+1, &v[i])
	}
	return w.close(b, d+1, ']')
}

// stringElem writes a string element (list's elem).
func stringElem(b []byte, _ int, s *string) []byte { return appendJSONString(b, *s) }

// flush writes the buffer to out but for its last byte, which stays (the next member or
// element reads it).
func (w *itemWriter) flush(out io.Writer) error {
	last := len(w.b) - 1
	_, err := out.Write(w.b[:last])
	w.b[0] = w.b[last]
	w.b = w.b[:1]
	return err
}

// jsonSafe: the ASCII bytes written as they are (encoding/json's htmlSafeSet: not a
// control character, '"', '\\', '<', '>' or '&').
var jsonSafe = func() (t [utf8.RuneSelf]bool) {
	for c := ' '; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()

const hexDigits = "0123456789abcdef"

// appendJSONString is encoding/json's appendString with escapeHTML. Eight bytes at a time
// are passed over while none of them needs a look (plainWord).
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start, tail := 0, false
	for i := 0; i < len(s); {
		if i+8 <= len(s) {
			m := notPlain(word(s, i))
			if m == 0 {
				i += 8
				continue
			}
			i += bits.TrailingZeros64(m) / 8 // the first byte flagged is the first needing a look
		} else if len(s) >= 8 && !tail {
			// The last bytes, once: the string's last eight, those before i replaced with
			// plain ones; past the first flagged, one at a time.
			tail = true
			k := uint(i-(len(s)-8)) * 8
			m := notPlain(word(s, len(s)-8)>>k | 'a'*lows<<(64-k))
			if m == 0 {
				break
			}
			i += bits.TrailingZeros64(m) / 8
		}
		if c := s[i]; c < utf8.RuneSelf {
			if jsonSafe[c] {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// word is the eight bytes of s from i, the first lowest.
func word(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// The bytes of a word each holding one value: lows 0x01, highs 0x80.
const (
	lows  = 0x0101010101010101
	highs = 0x8080808080808080
)

// notPlain flags (0x80) the bytes of w (eight bytes of a string, the first lowest) that
// jsonSafe does not pass: a control character, '"', '\\', '<', '>', '&', or not ASCII. A
// byte is flagged wrongly only above one rightly flagged (a borrow runs up from it), so
// the lowest flag is exact and zero means none.
func notPlain(w uint64) uint64 {
	q := w ^ ('\\' * lows)              // zero where '\\'
	a := (w | 0x04*lows) ^ ('&' * lows) // zero where '"' (0x22) or '&' (0x26)
	g := (w | 0x02*lows) ^ ('>' * lows) // zero where '<' (0x3c) or '>' (0x3e)
	// A byte below 0x20, or zero in q, a or g (x-1 borrows into the high bit only there),
	// or not ASCII.
	return ((w-0x20*lows)&^w | (q-lows)&^q | (a-lows)&^a | (g-lows)&^g | w) & highs
}
