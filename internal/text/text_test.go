package text

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestWidthTruncatePad(t *testing.T) {
	for _, tc := range []struct {
		in        string
		w         int
		cell, fit string
	}{
		{"Home care", 4, "Hom…", "Hom…"},
		{"Home care", 12, "Home care", "Home care   "},
		{"a\nb", 5, "a b", "a b  "},
		{"日本語", 4, "日…", "日… "}, // wide characters: two cells each
		{"\x1b[1mbold\x1b[0m", 10, "\x1b[1mbold\x1b[0m", "\x1b[1mbold\x1b[0m      "},
		{"x", 0, "", ""},
	} {
		if got := Cell(tc.in, tc.w); got != tc.cell {
			t.Errorf("Cell(%q, %d) = %q, want %q", tc.in, tc.w, got, tc.cell)
		}
		if got := Fit(tc.in, tc.w); got != tc.fit {
			t.Errorf("Fit(%q, %d) = %q, want %q", tc.in, tc.w, got, tc.fit)
		}
	}
	if Width("日本") != 4 || Width("\x1b[31mred\x1b[0m") != 3 || Width("plain") != 5 {
		t.Error("Width")
	}
}

func TestWrap(t *testing.T) {
	if got := Wrap("one two three\n\nfour   five\n\n", 8); !slices.Equal(got, []string{"one two", "three", "", "four", "five"}) {
		t.Errorf("Wrap = %q", got)
	}
	if got := Wrap("unbreakableword x", 5); !slices.Equal(got, []string{"unbreakableword", "x"}) {
		t.Errorf("Wrap long word = %q", got)
	}
	if got := WrapHard("unbreakable", 5); !slices.Equal(got, []string{"unbre", "akabl", "e"}) {
		t.Errorf("WrapHard = %q", got)
	}
	if got := Break("abcdefg", 3); !slices.Equal(got, []string{"abc", "def", "g"}) {
		t.Errorf("Break = %q", got)
	}
	if got := Break("", 3); !slices.Equal(got, []string{""}) {
		t.Errorf("Break empty = %q", got)
	}
}

func TestDigits(t *testing.T) {
	for in, want := range map[string]bool{"": false, "0": true, "9434765919": true, " 12": false, "12a": false, "١٢": false, "+44": false} {
		if got := Digits(in); got != want {
			t.Errorf("Digits(%q) = %v, want %v", in, got, want)
		}
	}
}

// A phone number is never broken across lines: it moves to the next line whole.
func TestWrapKeep(t *testing.T) {
	keep := regexp.MustCompile(`\+?\d[\d ]*\d(?: ext \d+)?`)
	s := "Mary Pebbleworth (Daughter) +44 7700 900123, 0113 496 0000 ext 1234"
	for w := 24; w <= 70; w++ {
		lines := WrapKeep(s, w, keep)
		joined := strings.Join(lines, "\n")
		for _, num := range []string{"+44 7700 900123", "0113 496 0000 ext 1234"} {
			if !strings.Contains(joined, num) {
				t.Errorf("width %d: %q broken:\n%s", w, num, joined)
			}
		}
		for _, l := range lines {
			if Width(l) > w {
				t.Errorf("width %d: line %q too wide", w, l)
			}
		}
	}
	if got := WrapKeep("a b", 1, nil); len(got) != 2 {
		t.Errorf("nil keep: %q", got)
	}
}
