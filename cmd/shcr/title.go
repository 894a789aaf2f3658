package main

import (
	"io"
	"os"

	"github.com/charmbracelet/x/term"
)

// The terminal window's title while the interface runs is "shcr": never the name of the
// person on screen (a title shows in task bars, window switchers and screen shares).
//
// Restoring the title the terminal had before cannot be done portably (it cannot be read
// back), so shcr uses xterm's title stack: CSI 22;0 t pushes the current title (and icon
// name), OSC 2 sets "shcr", and on exit CSI 23;0 t pops the saved one back. xterm, VTE
// terminals (GNOME Terminal, Tilix), kitty, WezTerm, foot, iTerm2 and tmux support the stack;
// a terminal that does not ignores the push and pop, and its title stays "shcr" after shcr
// exits (still no personal data).
const (
	titlePush = "\x1b[22;0t"
	titleSet  = "\x1b]2;shcr\x07"
	titlePop  = "\x1b[23;0t"
)

// setWindowTitle sets the title to "shcr" when w is a terminal and returns what puts the
// previous one back (a no-op when w is not a terminal: a pipe gets no escape sequences).
func setWindowTitle(w io.Writer) (restore func()) {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(f.Fd()) {
		return func() {}
	}
	return writeWindowTitle(f)
}

// writeWindowTitle writes the push and set now, and the pop when restore is called.
func writeWindowTitle(w io.Writer) (restore func()) {
	_, _ = io.WriteString(w, titlePush+titleSet)
	return func() { _, _ = io.WriteString(w, titlePop) }
}
