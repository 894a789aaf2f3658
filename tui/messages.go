package tui

import (
	tea "github.com/charmbracelet/bubbletea"
	"github.com/shcr-project/shcr/client"
	"github.com/shcr-project/shcr/record"
)

// Messages carry the generation of the search or record open that asked for them; a page
// ignores any whose generation is no longer its own (the user moved on).
type (
	// searchDoneMsg is a search as far as it has got: sent each time back ends answer, the
	// last one (final) when every back end has answered or given up.
	searchDoneMsg struct {
		gen      int
		query    record.Query // what was asked (for the audit trail's person-not-found)
		matches  []client.Match
		statuses []record.BackendStatus
		pending  []string // back ends still searching
		final    bool
		next     tea.Cmd // waits for the next update (nil after the last)
	}
	partMsg struct {
		gen  int
		part record.Part
	}
	backendMsg struct {
		gen    int
		status record.BackendStatus
	}
	openDoneMsg struct{ gen int }
	// openMsg asks the root to show a person's record.
	openMsg struct{ match client.Match }
	// backMsg asks the root to go back to the search page.
	backMsg struct{}
	// flashMsg shows a message in the status bar for a while.
	flashMsg struct {
		text string
		err  bool
	}
	clearFlashMsg struct{ id int }
	// copyMsg asks the root to put text on the clipboard (OSC 52 and the system clipboard);
	// what says what it is ("the phone number"), "" to name the text itself (a sign-in address).
	copyMsg struct {
		text string
		what string
	}
	clearCopyMsg struct{ id int }
)

// flash is a command showing text in the status bar. The text is taken now, on the Update
// goroutine: a command runs on another, and must not read the model.
func flash(text string, isErr bool) tea.Cmd {
	return func() tea.Msg { return flashMsg{text: text, err: isErr} }
}
