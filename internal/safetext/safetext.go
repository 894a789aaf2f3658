// Package safetext makes text from a server safe to put on a terminal. shcr shows what FHIR
// servers it does not control send it; a string with an escape sequence in it could rewrite
// the user's clipboard (OSC 52), retitle the window, move the cursor to hide or overwrite
// text, or ring the bell, and bidirectional overrides or invisible characters could reorder
// or hide what is shown. Every string a server sends passes through Line or Multi before it
// is shown, printed, written to the audit trail or logged.
//
// What is removed:
//
//   - an escape sequence as a whole (CSI "ESC [ … final", OSC "ESC ] … BEL/ST", DCS, SOS,
//     PM, APC "ESC P/X/^/_ … ST", two- and three-byte escapes, a lone ESC), and the same
//     sequences introduced by their 8-bit C1 forms (U+009B CSI, U+009D OSC, …), each shown
//     as one Placeholder;
//   - other C0 controls, DEL and C1 controls (U+0080–U+009F): shown as Placeholder, except
//     for the line breaks and tabs described below;
//   - invalid UTF-8: shown as Placeholder;
//   - format characters (Unicode category Cf): bidirectional embeddings, overrides, isolates
//     and marks (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C), zero-width
//     characters (U+200B–U+200D, U+2060–U+2064, U+FEFF), tag characters (U+E0000–U+E007F),
//     the soft hyphen…: removed without a trace, as they show nothing.
//
// A run of removed characters that would each have been a Placeholder leaves one.
//
// Line (single-line fields) turns every line break (CR, LF, CR LF, NEL, U+2028, U+2029),
// tab, vertical tab and form feed into a space. Multi (notes and other multi-line text)
// keeps LF and tab, turns CR LF, a lone CR, NEL, U+2028, U+2029, VT and FF into LF.
//
// Letters of every script, accents, combining marks, emoji and variation selectors are
// kept. A zero-width joiner inside an emoji sequence is removed, so a family emoji shows as
// its members: a fair price for never letting one hide text.
package safetext

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Placeholder marks where something a terminal would act on was removed.
const Placeholder = "\uFFFD"

// Line returns s made safe for a single-line field: no terminal controls, no line breaks.
// When s is already safe it is returned as is, without allocating.
func Line(s string) string {
	if clean(s, false) {
		return s
	}
	return rewrite(s, false)
}

// Multi returns s made safe for a multi-line field: no terminal controls, LF and tab kept.
// When s is already safe it is returned as is, without allocating.
func Multi(s string) string {
	if clean(s, true) {
		return s
	}
	return rewrite(s, true)
}

// Safe reports whether s would come back from Line (multi false) or Multi (multi true)
// unchanged.
func Safe(s string, multi bool) bool { return clean(s, multi) }

// clean is the fast path: true when nothing in s needs changing. Printable ASCII, most of
// what servers send, is passed over eight bytes at a time.
func clean(s string, multi bool) bool {
	if printableASCII(s) {
		return true
	}
	for i := 0; i < len(s); {
		if len(s)-i >= 8 && printable8(s[i:i+8]) {
			i += 8
			continue
		}
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == 0x7f {
				if !multi || (c != '\n' && c != '\t') {
					return false
				}
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || drop(r) || r == '\u2028' || r == '\u2029' {
			return false
		}
		i += size
	}
	return true
}

// printableASCII reports whether every byte of s is printable ASCII (0x20 to 0x7e).
func printableASCII(s string) bool {
	n := len(s)
	if n < 8 {
		for i := range n {
			if c := s[i]; c < 0x20 || c > 0x7e {
				return false
			}
		}
		return true
	}
	for i := 0; i+8 <= n; i += 8 {
		if !printable8(s[i : i+8]) {
			return false
		}
	}
	return printable8(s[n-8:]) // the last eight, overlapping what was read
}

// printable8 reports whether each of the eight bytes of s is printable ASCII (0x20 to 0x7e):
// byte-wise, x+1 reaches 0x80 from 0x7f up, x−0x20 borrows below 0x20 (a borrow only follows
// an earlier byte that is out of range, so the answer is exact).
func printable8(s string) bool {
	_ = s[7]
	x := uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	return ((x+ones)|x|((x-0x20*ones)&^x))&highs == 0
}

// drop reports whether a non-ASCII rune is a control or an invisible format character.
func drop(r rune) bool {
	if r >= 0x80 && r <= 0x9f {
		return true
	}
	if r < 0xa0 {
		return false
	}
	return unicode.Is(unicode.Cf, r)
}

// C1 introducers of the sequences that take parameters or a string.
const (
	c1DCS = 0x90
	c1SOS = 0x98
	c1CSI = 0x9b
	c1ST  = 0x9c
	c1OSC = 0x9d
	c1PM  = 0x9e
	c1APC = 0x9f
	c1NEL = 0x85
)

func rewrite(s string, multi bool) string {
	var b strings.Builder
	b.Grow(len(s))
	placed := false // the last thing written is a Placeholder
	mark := func() {
		if !placed {
			b.WriteString(Placeholder)
			placed = true
		}
	}
	brk := func() {
		if multi {
			b.WriteByte('\n')
		} else {
			b.WriteByte(' ')
		}
		placed = false
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == 0x1b:
				i = skipEscape(s, i)
				mark()
				continue
			case c == '\r':
				i++
				if i < len(s) && s[i] == '\n' {
					i++
				}
				brk()
				continue
			case c == '\n', c == '\v', c == '\f':
				brk()
			case c == '\t':
				if multi {
					b.WriteByte('\t')
				} else {
					b.WriteByte(' ')
				}
				placed = false
			case c < 0x20 || c == 0x7f:
				mark()
			default:
				b.WriteByte(c)
				placed = false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			mark()
			i++
			continue
		case r == c1NEL, r == '\u2028', r == '\u2029':
			brk()
		case r == c1CSI:
			i = skipCSI(s, i+size)
			mark()
			continue
		case r == c1OSC, r == c1DCS, r == c1SOS, r == c1PM, r == c1APC:
			i = skipString(s, i+size)
			mark()
			continue
		case r >= 0x80 && r <= 0x9f:
			mark()
		case drop(r):
			// invisible: removed without a trace
		default:
			b.WriteString(s[i : i+size])
			placed = false
		}
		i += size
	}
	return b.String()
}

// skipEscape returns the index just after the escape sequence starting with the ESC at s[i].
func skipEscape(s string, i int) int {
	i++ // ESC
	if i >= len(s) {
		return i
	}
	switch c := s[i]; {
	case c == '[':
		return skipCSI(s, i+1)
	case c == ']' || c == 'P' || c == 'X' || c == '^' || c == '_':
		return skipString(s, i+1)
	case c >= 0x20 && c <= 0x2f: // nF: intermediates, then one final byte
		for i < len(s) && s[i] >= 0x20 && s[i] <= 0x2f {
			i++
		}
		if i < len(s) && s[i] >= 0x30 && s[i] <= 0x7e {
			i++
		}
		return i
	case c >= 0x30 && c <= 0x7e: // Fp, Fe, Fs: ESC 7, ESC c, ESC M…
		return i + 1
	}
	return i // a lone ESC
}

// skipCSI skips a control sequence's parameter and intermediate bytes and its final byte.
func skipCSI(s string, i int) int {
	for i < len(s) && s[i] >= 0x20 && s[i] <= 0x3f {
		i++
	}
	if i < len(s) && s[i] >= 0x40 && s[i] <= 0x7e {
		i++
	}
	return i
}

// skipString skips a control string (OSC, DCS, SOS, PM, APC) up to and including its
// terminator: BEL, ESC \ or the C1 ST (U+009C). An unterminated string runs to the end of s,
// as a terminal would swallow it.
func skipString(s string, i int) int {
	for i < len(s) {
		switch {
		case s[i] == 0x07:
			return i + 1
		case s[i] == 0x1b:
			if i+1 < len(s) && s[i+1] == '\\' {
				return i + 2
			}
			return i // ESC cancels the string and starts a sequence of its own
		case s[i] == 0xc2 && i+1 < len(s) && s[i+1] == c1ST:
			return i + 2
		}
		i++
	}
	return i
}
