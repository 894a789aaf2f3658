// Package text lays text out in terminal cells: its width, truncated with "…", padded,
// wrapped. Widths are as a terminal draws them (a wide character counts two cells, an
// escape sequence none), measured by charmbracelet/x/ansi; views and `shcr get` use it, so
// there is one answer to "how wide is this" and one way to cut and wrap.
package text

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

// Ellipsis ends text that was cut.
const Ellipsis = "…"

// Width is the number of cells s takes, styled or not. Plain ASCII counts a cell a byte
// (a line break or tab too: the space OneLine puts in its place).
func Width(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf || s[i] == ansi.ESC {
			return ansi.StringWidth(s)
		}
	}
	return len(s)
}

// Truncate cuts s (styled or not) to at most w cells, ending in "…" when cut.
func Truncate(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if Width(s) <= w {
		return s
	}
	return ansi.Truncate(s, w, Ellipsis)
}

// Pad adds spaces to s up to w cells; s is never cut.
func Pad(s string, w int) string {
	if n := w - Width(s); n > 0 {
		return s + strings.Repeat(" ", n)
	}
	return s
}

// OneLine replaces line breaks and tabs with spaces, so that a table cell or a status line
// never breaks the layout.
func OneLine(s string) string {
	if !strings.ContainsAny(s, "\n\r\t") {
		return s
	}
	return strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ", "\t", " ").Replace(s)
}

// Cell is s on one line, truncated to w cells.
func Cell(s string, w int) string { return Truncate(OneLine(s), w) }

// Fit is s on one line, truncated and padded to exactly w cells.
func Fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	return Pad(Cell(s, w), w)
}

// Wrap breaks plain text at spaces into lines of at most w cells, keeping its paragraph
// breaks (blank lines at the end are dropped). A word longer than w keeps a line of its own.
func Wrap(s string, w int) []string {
	var out []string
	for _, para := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		words := strings.Fields(para)
		if len(words) == 0 {
			out = append(out, "")
			continue
		}
		cur := ""
		for _, word := range words {
			switch {
			case cur == "":
				cur = word
			case Width(cur)+1+Width(word) <= w:
				cur += " " + word
			default:
				out = append(out, cur)
				cur = word
			}
		}
		out = append(out, cur)
	}
	for len(out) > 0 && out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	return out
}

// glue stands for a space that must not break a line while WrapKeep wraps (a private-use
// character, one cell wide, never in shcr's text: server text is sanitised).
const glue = "\uE000"

// WrapKeep is Wrap that never breaks inside a match of keep (a phone number, an NHS
// number): the run moves to the next line whole.
func WrapKeep(s string, w int, keep *regexp.Regexp) []string {
	if keep == nil {
		return Wrap(s, w)
	}
	s = keep.ReplaceAllStringFunc(s, func(m string) string { return strings.ReplaceAll(m, " ", glue) })
	lines := Wrap(s, w)
	for i, l := range lines {
		lines[i] = strings.ReplaceAll(l, glue, " ")
	}
	return lines
}

// WrapHard breaks text (styled or not) at spaces into lines of at most w cells, breaking a
// word longer than w.
func WrapHard(s string, w int) []string { return strings.Split(ansi.Wrap(s, w, ""), "\n") }

// WrapStyled wraps styled text at w cells, breaking at spaces where it can.
func WrapStyled(s string, w int) string { return ansi.Wrap(s, w, " ") }

// Break cuts s into pieces of at most w cells without adding anything (an address, a URL):
// at least one piece, even for "".
func Break(s string, w int) []string {
	var out []string
	cur, curW := "", 0
	for _, r := range s {
		rw := ansi.StringWidth(string(r))
		if curW+rw > w && cur != "" {
			out = append(out, cur)
			cur, curW = "", 0
		}
		cur += string(r)
		curW += rw
	}
	if cur != "" || len(out) == 0 {
		out = append(out, cur)
	}
	return out
}

// Digits reports whether s is one or more ASCII digits and nothing else (a code, a number
// typed as a search).
func Digits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
