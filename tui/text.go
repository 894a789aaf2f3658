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
	return strings.Split(ansi.Wordwrap(s, max(w, 10), ""), "\n")
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
