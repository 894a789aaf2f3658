package views

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/shcr-project/shcr/internal/text"
	"github.com/shcr-project/shcr/views/vocab"
)

// SignInPanel is what the sign-in panel shows: the back end, then — once the sign-in
// service has answered — the device code and its address, or the browser address; or why
// the sign-in did not complete. It never holds a token.
type SignInPanel struct {
	Backend string
	Flow    string // "device" | "pkce" | "" (not answered yet)
	// URL is the verification address (device) or the browser address (pkce).
	URL         string
	URLComplete string // device: the address with the code filled in ("" when none)
	UserCode    string // device
	Left        time.Duration
	BrowserErr  string // pkce: why no browser opened ("" when one did)
	Err         string // the one-line reason a sign-in failed ("" while it runs)
	// Keys as shown: sign in (again), cancel or close, copy the address.
	SignInKey, CancelKey, CopyKey string
}

// SignInPanelView draws the sign-in panel in a box at most w cells wide. Addresses are
// broken at the box edge, never shortened: the user must be able to type them.
func SignInPanelView(d SignInPanel, v vocab.Vocabulary, st Styles, w int) string {
	inner := panelInner(w)
	return panelBox(fmt.Sprintf(v.SignInTitle, d.Backend), SignInLines(d, v, st, inner), st, inner)
}

// SignInLines are the panel's lines at most inner cells wide, without the box (the idle lock
// shows them in its own panel). Without keys (CancelKey ""), no key line is shown.
func SignInLines(d SignInPanel, v vocab.Vocabulary, st Styles, inner int) []string {
	var lines []string
	add := func(sty lipgloss.Style, s string) {
		for _, l := range text.WrapHard(s, max(inner, 10)) {
			lines = append(lines, sty.Render(l))
		}
	}
	addURL := func(u string) {
		for _, l := range text.Break(u, max(inner-2, 10)) {
			lines = append(lines, "  "+st.Accent.Render(l))
		}
	}
	keys := func(s string) {
		if d.CancelKey != "" {
			add(st.Faint, s)
		}
	}
	switch {
	case d.Err != "":
		add(st.Error, fmt.Sprintf(v.SignInFailed, d.Err))
		lines = append(lines, "")
		keys(fmt.Sprintf(v.SignInRetryKeys, d.SignInKey, d.CancelKey))
	case d.Flow == "device":
		add(st.Text, v.SignInDeviceOpen)
		addURL(d.URL)
		add(st.Text, v.SignInDeviceCode)
		lines = append(lines, "  "+st.BannerName.Render(d.UserCode))
		if d.URLComplete != "" && d.URLComplete != d.URL {
			add(st.Faint, v.SignInDeviceComplete)
			addURL(d.URLComplete)
		}
		lines = append(lines, "")
		add(st.Warning, fmt.Sprintf(v.SignInExpires, LeftText(d.Left)))
		keys(fmt.Sprintf(v.SignInCopyKey, d.CopyKey) + " · " + fmt.Sprintf(v.SignInKeys, d.CancelKey))
	case d.Flow == "pkce":
		if d.BrowserErr != "" {
			add(st.Text, fmt.Sprintf(v.SignInNoBrowser, d.BrowserErr))
		} else {
			add(st.Text, v.SignInBrowser)
		}
		addURL(d.URL)
		lines = append(lines, "")
		add(st.Warning, fmt.Sprintf(v.SignInWaiting, LeftText(d.Left)))
		keys(fmt.Sprintf(v.SignInCopyKey, d.CopyKey) + " · " + fmt.Sprintf(v.SignInKeys, d.CancelKey))
	default:
		add(st.Faint, v.SignInStarting)
		keys(fmt.Sprintf(v.SignInKeys, d.CancelKey))
	}
	return lines
}

// SignOutPanelView asks to confirm signing out of every back end.
func SignOutPanelView(v vocab.Vocabulary, st Styles, confirmKey, cancelKey string, w int) string {
	inner := panelInner(w)
	var lines []string
	for _, l := range text.WrapHard(v.SignOutConfirm, max(inner, 10)) {
		lines = append(lines, st.Text.Render(l))
	}
	lines = append(lines, "")
	for _, l := range text.WrapHard(fmt.Sprintf(v.SignOutKeys, confirmKey, cancelKey), max(inner, 10)) {
		lines = append(lines, st.Faint.Render(l))
	}
	return panelBox(v.SignOutTitle, lines, st, inner)
}

// LeftText is a countdown: "4:59".
func LeftText(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	s := int(d.Round(time.Second).Seconds())
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// panelInner is the text width inside a panel for a screen w cells wide.
func panelInner(w int) int { return max(min(w-6, 72), 20) }

// panelBox draws lines in a rounded box with the title on its first line.
func panelBox(title string, lines []string, st Styles, inner int) string {
	body := append([]string{st.Title.Render(text.Cell(title, inner)), ""}, lines...)
	return Panel(strings.Join(body, "\n"), st, inner)
}

// Panel draws content in a rounded box inner cells wide, the border in the rule colour (a
// box, so not colour alone): every panel drawn over the screen (sign-in, sign-out, purpose
// of access, reveal, idle lock) is this box.
func Panel(content string, st Styles, inner int) string {
	box := lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).Padding(0, 1).Width(inner + 2)
	if fg := st.Rule.GetForeground(); fg != nil {
		box = box.BorderForeground(fg)
	}
	return box.Render(content)
}
