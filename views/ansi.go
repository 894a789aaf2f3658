package views

import (
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
)

type lipglossStyle = lipgloss.Style

// visibleWidth is the display width of styled text.
func visibleWidth(s string) int { return ansi.StringWidth(s) }

// clipStyled truncates styled text to w cells.
func clipStyled(s string, w int) string { return ansi.Truncate(s, w, "…") }

// Strip removes ANSI escape sequences: for tests and plain output.
func Strip(s string) string { return ansi.Strip(s) }

// wrapStyled wraps styled text at w cells, breaking at spaces where it can.
func wrapStyled(s string, w int) string { return ansi.Wrap(s, w, " ") }
