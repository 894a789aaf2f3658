package tui

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// wrapPlain breaks plain text into lines of at most w cells.
func wrapPlain(s string, w int) []string {
	if s == "" {
		return nil
	}
	w = max(w, 10)
	var out []string
	cur := ""
	for _, word := range strings.Fields(s) {
		switch {
		case cur == "":
			cur = word
		case ansi.StringWidth(cur)+1+ansi.StringWidth(word) <= w:
			cur += " " + word
		default:
			out = append(out, cur)
			cur = word
		}
	}
	if cur != "" {
		out = append(out, cur)
	}
	return out
}

// wrapStyled breaks styled text into lines of at most w cells.
func wrapStyled(s string, w int) []string {
	if s == "" {
		return nil
	}
	return strings.Split(ansi.Wrap(s, max(w, 10), ""), "\n")
}

// clipText truncates to w cells.
func clipText(s string, w int) string { return ansi.Truncate(s, w, "…") }
