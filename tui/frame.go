package tui

import (
	"fmt"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/shcr-project/shcr/config"
	"github.com/shcr-project/shcr/internal/text"
	"github.com/shcr-project/shcr/views/vocab"
)

// MinWidth and MinHeight are the smallest terminal shcr draws into: the banner, the tabs,
// the verdict or details lines and at least three rows of every table (measured with the
// demo record on every tab in both vocabularies: at 60×16 most tabs show one row, at 60×20
// the care packages tab one of two; at 64×20 every demo table shows all its rows, up to
// four; 80×24 has room to spare). Below it the screen says so instead of showing a garbled or empty page;
// the state is kept, and resizing back shows it.
const (
	MinWidth  = 64
	MinHeight = 20
)

func (m *Model) tooSmall() bool { return m.c.width < MinWidth || m.c.height < MinHeight }

// tooSmallView is the whole screen when the terminal is smaller than MinWidth×MinHeight:
// what is needed, wrapped to the width, centred where there is room, cut to the height. It
// shows no personal data (a small window is no reason to show less care than a large one).
func (m *Model) tooSmallView() string {
	w, h := max(m.c.width, 1), max(m.c.height, 1)
	v := m.c.v
	msg := fmt.Sprintf(v.TooSmall, MinWidth, MinHeight, m.c.width, m.c.height)
	var lines []string
	if head, tail, ok := strings.Cut(msg, ": "); ok && lipgloss.Width(msg) > w {
		// "terminal too small:" above "need 60×16 (now 40×10)" rather than a break anywhere.
		lines = append(text.Wrap(head+":", max(w, 10)), text.Wrap(tail, max(w, 10))...)
	} else {
		lines = text.Wrap(msg, max(w, 10))
	}
	if h > len(lines)+1 {
		lines = append(lines, "")
		lines = append(lines, text.Wrap(v.TooSmallHint, max(w, 10))...)
	}
	for i, l := range lines {
		l = text.Truncate(l, w)
		if pad := (w - lipgloss.Width(l)) / 2; pad > 0 && l != "" {
			l = strings.Repeat(" ", pad) + l
		}
		lines[i] = m.c.st.Text.Render(l)
	}
	top := max((h-len(lines))/2, 0)
	return fitHeight(strings.Repeat("\n", top)+strings.Join(lines, "\n"), h)
}

// footer is one line: a timed message or the short help on the left, the signed-in user and
// the vocabulary on the right; or the full help when `?` is on.
func (m *Model) footer(w int) string {
	st := m.c.st
	label := m.c.v.Label
	if r := roleWord(m.c.opts.Role, m.c.v); r != "" {
		label = r + " · " + label
	}
	right := st.Faint.Render("[" + label + "]")
	if who := m.signedInText(); who != "" {
		right = who + " " + right
	}
	rw := lipgloss.Width(right)
	if m.help.full {
		return m.help.View() + "\n" + strings.Repeat(" ", max(w-rw, 0)) + right
	}
	leftW := max(w-rw-1, 10)
	if m.flash != "" && text.Width(m.flash) > leftW {
		// A message (what was copied, what failed) is read whole: the user and vocabulary
		// on the right give way to it for the few seconds it shows.
		leftW, right, rw = w, "", 0
	}
	var left string
	switch {
	case m.flash != "" && m.flashErr:
		left = st.Error.Render(text.Truncate(m.flash, leftW))
	case m.flash != "":
		left = st.Success.Render(text.Truncate(m.flash, leftW))
	default:
		left = m.help.line(leftW)
	}
	gapW := w - lipgloss.Width(left) - rw
	if gapW < 1 {
		return text.Truncate(left, w)
	}
	return left + strings.Repeat(" ", gapW) + right
}

// fitHeight pads or cuts s to exactly h lines.
func fitHeight(s string, h int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

// roleWord is the role as the vocabulary says it.
func roleWord(role config.Role, v vocab.Vocabulary) string {
	switch role {
	case RoleDischarge:
		return v.RoleDischarge
	case RoleSocialWorker:
		return v.RoleSocialWorker
	case RoleDispatcher:
		return v.RoleDispatcher
	}
	return ""
}

// textFocused reports whether a text field has the keys.
func (m *Model) textFocused() bool {
	if m.page == pageRecord {
		return m.record.filtering
	}
	return !m.search.focusList
}

func (m *Model) switchVocabulary() {
	m.c.v = m.c.v.Other()
	m.c.keys.SetVocabulary(m.c.v)
	m.record.invalidate()
	m.search.vocabularyChanged()
}

func (m *Model) flashCmd(text string, isErr bool) tea.Cmd {
	m.flashID++
	id := m.flashID
	m.flash, m.flashErr = text, isErr
	return m.c.tick(4*time.Second, func(time.Time) tea.Msg { return clearFlashMsg{id} })
}

// startupNoticeFor is how long the start-up warning stays in the status bar (longer than a
// flash: it is read once, at start).
const startupNoticeFor = 15 * time.Second

// startupNotice shows Options.StartupNotice, if any, in the status bar as a warning.
func (m *Model) startupNotice() tea.Cmd {
	text := flatLine(m.c.opts.StartupNotice)
	if text == "" {
		return nil
	}
	m.flashID++
	id := m.flashID
	m.flash, m.flashErr = text, true
	return m.c.tick(startupNoticeFor, func(time.Time) tea.Msg { return clearFlashMsg{id} })
}
