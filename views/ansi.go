package views

import (
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
)

type lipglossStyle = lipgloss.Style

// Strip removes ANSI escape sequences: for tests and plain output.
func Strip(s string) string { return ansi.Strip(s) }
