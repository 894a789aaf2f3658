package safetext

import (
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestLine(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"plain", "Mrs Jane Smith", "Mrs Jane Smith"},
		{"welsh", "Llŷr ap Gwilym, Ynys Môn", "Llŷr ap Gwilym, Ynys Môn"},
		{"polish", "Łucja Żółkiewska-Wójcik", "Łucja Żółkiewska-Wójcik"},
		{"cjk and emoji", "王秀英 🙂 👍🏽", "王秀英 🙂 👍🏽"},
		{"combining accents", "Zoe\u0308", "Zoe\u0308"},
		{"CSI colour", "Jane\x1b[31mRED\x1b[0m", "Jane" + Placeholder + "RED" + Placeholder},
		{"CSI cursor and erase", "a\x1b[2J\x1b[1;1Hb", "a" + Placeholder + "b"},
		{"OSC 52 clipboard BEL", "x\x1b]52;c;cm0gLXJmIH4=\x07y", "x" + Placeholder + "y"},
		{"OSC title ST", "x\x1b]0;pwned\x1b\\y", "x" + Placeholder + "y"},
		{"OSC 8 hyperlink", "\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\", Placeholder + "click" + Placeholder},
		{"OSC unterminated", "x\x1b]2;title runs on", "x" + Placeholder},
		{"OSC cut by ESC", "x\x1b]2;t\x1b[1my", "x" + Placeholder + "y"},
		{"DCS", "a\x1bPq#0;2;0;0;0\x1b\\b", "a" + Placeholder + "b"},
		{"APC PM SOS", "a\x1b_k\x1b\\b\x1b^m\x1b\\c\x1bXs\x1b\\d", "a" + Placeholder + "b" + Placeholder + "c" + Placeholder + "d"},
		{"charset nF", "a\x1b(0lqk\x1b(Bb", "a" + Placeholder + "lqk" + Placeholder + "b"},
		{"reset Fs", "a\x1bcb", "a" + Placeholder + "b"},
		{"lone ESC at end", "ab\x1b", "ab" + Placeholder},
		{"C1 CSI", "a\u009b31mb", "a" + Placeholder + "b"},
		{"C1 OSC to C1 ST", "a\u009d52;c;eA==\u009cb", "a" + Placeholder + "b"},
		{"C1 other", "a\u0084b", "a" + Placeholder + "b"},
		{"raw 8-bit CSI is invalid UTF-8", "a\x9b31mb", "a" + Placeholder + "31mb"},
		{"bell backspace DEL", "a\x07\x08\x7fb", "a" + Placeholder + "b"},
		{"NUL", "a\x00b", "a" + Placeholder + "b"},
		{"newlines", "line one\nline two\r\nthree\rfour", "line one line two three four"},
		{"tab", "a\tb", "a b"},
		{"unicode separators", "a\u2028b\u2029c\u0085d", "a b c d"},
		{"bidi override", "07700 \u202e900123\u202c", "07700 900123"},
		{"bidi isolates and marks", "\u2066a\u2067b\u2068c\u2069\u200e\u200f\u061c", "abc"},
		{"zero width", "Jo\u200bhn\u200c\u200d\u2060\u2061\u2064\ufeff", "John"},
		{"tags", "a\U000E0041\U000E007Fb", "ab"},
		{"soft hyphen", "ab\u00adc", "abc"},
		{"invalid UTF-8", "a\xffb\xc3", "a" + Placeholder + "b" + Placeholder},
		{"run of controls leaves one mark", "a\x01\x02\x1b[1m\x03b", "a" + Placeholder + "b"},
		{"placeholder kept", "a\ufffdb", "a\ufffdb"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Line(tc.in); got != tc.want {
				t.Errorf("Line(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestMulti(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Seen at home.\n\tWell.\n", "Seen at home.\n\tWell.\n"},
		{"a\r\nb\rc\u2028d\ve\ff\u0085g", "a\nb\nc\nd\ne\nf\ng"},
		{"note\x1b]52;c;ZXZpbA==\x07 ends\n\x1b[2K", "note" + Placeholder + " ends\n" + Placeholder},
		{"a\x00\nb", "a" + Placeholder + "\nb"},
		{"\u202eevil\u202c\ntext", "evil\ntext"},
	} {
		if got := Multi(tc.in); got != tc.want {
			t.Errorf("Multi(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestCleanUnchangedWithoutAllocating(t *testing.T) {
	for _, s := range []string{"", "Mrs Jane Smith", "Llŷr ap Gwilym", "王秀英 🙂", "a\ufffdb"} {
		if got := Line(s); got != s {
			t.Errorf("Line(%q) = %q", s, got)
		}
		if n := testing.AllocsPerRun(100, func() { _ = Line(s); _ = Multi(s) }); n != 0 {
			t.Errorf("Line/Multi(%q) allocated %v times", s, n)
		}
	}
	if n := testing.AllocsPerRun(100, func() { _ = Multi("a\nb\tc") }); n != 0 {
		t.Errorf("Multi with LF and tab allocated %v times", n)
	}
}

// interpreted returns the first rune or byte of out that a terminal could act on, or "".
func interpreted(out string, multi bool) string {
	if !utf8.ValidString(out) {
		return "invalid UTF-8"
	}
	for _, r := range out {
		switch {
		case r == '\n' || r == '\t':
			if !multi {
				return "line break or tab"
			}
		case r < 0x20 || r == 0x7f:
			return "C0 or DEL"
		case r >= 0x80 && r <= 0x9f:
			return "C1"
		case unicode.Is(unicode.Cf, r):
			return "format character"
		case r == '\u2028' || r == '\u2029':
			return "line separator"
		}
	}
	return ""
}

func TestEveryControlRemoved(t *testing.T) {
	var all strings.Builder
	for r := rune(0); r < 0x110000; r++ {
		if r >= 0xd800 && r <= 0xdfff {
			continue
		}
		if r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029' {
			all.WriteString("x")
			all.WriteRune(r)
		}
	}
	for _, multi := range []bool{false, true} {
		out := Line(all.String())
		if multi {
			out = Multi(all.String())
		}
		if what := interpreted(out, multi); what != "" {
			t.Errorf("multi=%v: output still holds a %s", multi, what)
		}
	}
}

func FuzzLine(f *testing.F) {
	for _, s := range []string{
		"", "plain", "Llŷr", "a\x1b[31mb", "\x1b]52;c;eA==\x07", "\x1b]0;t\x1b\\", "\u202e123\u202c",
		"\u009b1m", "\u009d0;x\u009c", "\xff\xfe", "a\r\nb", "\x1bP\x1b", "\x1b(", "\U000E0001",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, multi := range []bool{false, true} {
			out := Line(s)
			if multi {
				out = Multi(s)
			}
			if what := interpreted(out, multi); what != "" {
				t.Fatalf("multi=%v: %q → %q holds a %s", multi, s, out, what)
			}
			if strings.Contains(out, "\x1b") {
				t.Fatalf("multi=%v: %q → %q holds ESC", multi, s, out)
			}
			again := Line(out)
			if multi {
				again = Multi(out)
			}
			if again != out {
				t.Fatalf("multi=%v: not stable: %q → %q → %q", multi, s, out, again)
			}
			if Safe(s, multi) != (out == s) {
				t.Fatalf("multi=%v: Safe(%q) = %v but the output is %q", multi, s, Safe(s, multi), out)
			}
		}
	})
}

func BenchmarkLineClean(b *testing.B) {
	s := "Mrs Jane Elizabeth Smith, 12 Acacia Avenue, Leeds LS1 4AP — Llŷr Żółkiewska 王秀英"
	b.ReportAllocs()
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		_ = Line(s)
	}
}

func BenchmarkLineHostile(b *testing.B) {
	s := "Jane\x1b]52;c;cm0gLXJmIH4=\x07 Smith\x1b[31m \u202e07700 900123\u202c\x1b]0;pwned\x1b\\ \u200bnote"
	b.ReportAllocs()
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		_ = Line(s)
	}
}

func BenchmarkMultiNote(b *testing.B) {
	s := strings.Repeat("Seen at home with daughter present. Mobility improving;\n\tno falls reported since discharge.\n", 40)
	b.ReportAllocs()
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		_ = Multi(s)
	}
}

// cleanByBytes is clean without its eight-byte step: what clean must agree with.
func cleanByBytes(s string, multi bool) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if (c < 0x20 || c == 0x7f) && (!multi || c != '\n' && c != '\t') {
				return false
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

// TestPrintable8: every byte value in every place of eight bytes, the others printable
// ASCII at both ends of the range, and two bytes out of range at once.
func TestPrintable8(t *testing.T) {
	for _, fill := range []byte{0x20, 0x7e, 'a'} {
		for pos := range 8 {
			for b := range 256 {
				w := []byte(strings.Repeat(string(fill), 8))
				w[pos] = byte(b)
				if got, want := printable8(string(w)), b >= 0x20 && b <= 0x7e; got != want {
					t.Errorf("printable8(%q) = %v, want %v", w, got, want)
				}
				for pos2 := pos + 1; pos2 < 8; pos2++ {
					w2 := slices.Clone(w)
					w2[pos2] = 0x1f
					if printable8(string(w2)) {
						t.Errorf("printable8(%q) = true", w2)
					}
				}
			}
		}
	}
	for _, s := range []string{"Leeds Teaching Hospitals", "Ward 5 \x1b[2J", "0123456\x7f89", "Llŷr ap Gwilym, Caerdydd", "a\nb\tc d e f g h i"} {
		for _, multi := range []bool{false, true} {
			if clean(s, multi) != cleanByBytes(s, multi) {
				t.Errorf("clean(%q, %v) = %v", s, multi, clean(s, multi))
			}
		}
	}
}

// TestPrintableASCII: every byte value in every place of strings of 0 to 20 bytes.
func TestPrintableASCII(t *testing.T) {
	for n := range 21 {
		if !printableASCII(strings.Repeat("~", n)) {
			t.Errorf("printableASCII of %d tildes = false", n)
		}
		for pos := range n {
			for b := range 256 {
				w := []byte(strings.Repeat(" ", n))
				w[pos] = byte(b)
				if got, want := printableASCII(string(w)), b >= 0x20 && b <= 0x7e; got != want {
					t.Errorf("printableASCII(%q) = %v, want %v", w, got, want)
				}
			}
		}
	}
}

// FuzzClean: the eight-byte step never changes clean's answer.
func FuzzClean(f *testing.F) {
	for _, s := range []string{"", "Leeds Teaching Hospitals NHS Trust", "Ward 5\x1b[2J and more text", "0123456\x7f", "abcdefg\u0085hijklmn",
		"Llŷr ap Gwilym", "\xff\xfeabcdefgh", "note line one\nline two\tend", "abcdefgh\u202eijklmnop"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, multi := range []bool{false, true} {
			if got, want := clean(s, multi), cleanByBytes(s, multi); got != want {
				t.Fatalf("clean(%q, %v) = %v, want %v", s, multi, got, want)
			}
		}
	})
}

func BenchmarkSafeASCII(b *testing.B) {
	s := "Leeds Teaching Hospitals NHS Foundation Trust"
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		_ = Safe(s, false)
	}
}
