package views

import "github.com/charmbracelet/lipgloss"

// Theme is the handful of semantic colour tokens every style is built from.
type Theme struct {
	Text, Faint, Accent, Error, Warning, Success, Border, Selected, SelectedText lipgloss.TerminalColor
}

// DefaultTheme adapts to light and dark terminals.
func DefaultTheme() Theme {
	return Theme{
		Text:         lipgloss.AdaptiveColor{Light: "#1B1B1B", Dark: "#E8E8E8"},
		Faint:        lipgloss.AdaptiveColor{Light: "#5C5C5C", Dark: "#9A9A9A"},
		Accent:       lipgloss.AdaptiveColor{Light: "#005EB8", Dark: "#41B6E6"}, // NHS blue / light blue
		Error:        lipgloss.AdaptiveColor{Light: "#B00020", Dark: "#FF6B6B"},
		Warning:      lipgloss.AdaptiveColor{Light: "#8A5A00", Dark: "#FFB81C"},
		Success:      lipgloss.AdaptiveColor{Light: "#006747", Dark: "#78BE20"},
		Border:       lipgloss.AdaptiveColor{Light: "#AEB7BD", Dark: "#4C6272"},
		Selected:     lipgloss.AdaptiveColor{Light: "#D9E8F6", Dark: "#1D3A55"},
		SelectedText: lipgloss.AdaptiveColor{Light: "#000000", Dark: "#FFFFFF"},
	}
}

// Styles is every style the views use, built in one place from a Theme.
type Styles struct {
	Plain bool // high contrast, no colour: selection by reverse video, emphasis by bold

	Text, Faint, Accent, Bold, Error, Warning, Success lipgloss.Style
	BannerName, Banner, Chip, ChipAlert, ChipWarn      lipgloss.Style
	TabActive, TabInactive, TabBar                     lipgloss.Style
	Header, Row, RowSelected, Domain, Restricted       lipgloss.Style
	Label, Title, Pane, Rule, Status, Key, KeyDesc     lipgloss.Style
	Match, MatchCurrent                                lipgloss.Style // found text in the reader; the match shown
}

// NewStyles builds the styles from a theme; plain gives the high-contrast, colourless set
// used for --plain and NO_COLOR.
func NewStyles(t Theme, plain bool) Styles {
	s := lipgloss.NewStyle
	if plain {
		b := s().Bold(true)
		return Styles{
			Plain: true,
			Text:  s(), Faint: s(), Accent: b, Bold: b, Error: b, Warning: b, Success: s(),
			BannerName: b, Banner: s(), Chip: s(), ChipAlert: b, ChipWarn: b,
			TabActive: s().Bold(true).Underline(true), TabInactive: s(), TabBar: s(),
			Header: b, Row: s(), RowSelected: s().Reverse(true), Domain: b, Restricted: b,
			Label: b, Title: b, Pane: s(), Rule: s(), Status: s(), Key: b, KeyDesc: s(),
			Match: s().Underline(true), MatchCurrent: s().Reverse(true),
		}
	}
	return Styles{
		Text:         s().Foreground(t.Text),
		Faint:        s().Foreground(t.Faint),
		Accent:       s().Foreground(t.Accent),
		Bold:         s().Foreground(t.Text).Bold(true),
		Error:        s().Foreground(t.Error).Bold(true),
		Warning:      s().Foreground(t.Warning).Bold(true),
		Success:      s().Foreground(t.Success),
		BannerName:   s().Foreground(t.Text).Bold(true),
		Banner:       s().Foreground(t.Text),
		Chip:         s().Foreground(t.Accent).Bold(true),
		ChipAlert:    s().Foreground(t.Error).Bold(true),
		ChipWarn:     s().Foreground(t.Warning).Bold(true),
		TabActive:    s().Foreground(t.Accent).Bold(true).Underline(true),
		TabInactive:  s().Foreground(t.Faint),
		TabBar:       s(),
		Header:       s().Foreground(t.Accent).Bold(true),
		Row:          s().Foreground(t.Text),
		RowSelected:  s().Foreground(t.SelectedText).Background(t.Selected).Bold(true),
		Domain:       s().Foreground(t.Accent).Bold(true),
		Restricted:   s().Foreground(t.Warning).Italic(true),
		Label:        s().Foreground(t.Faint),
		Title:        s().Foreground(t.Accent).Bold(true),
		Pane:         s(),
		Rule:         s().Foreground(t.Border),
		Status:       s().Foreground(t.Faint),
		Key:          s().Foreground(t.Accent),
		KeyDesc:      s().Foreground(t.Faint),
		Match:        s().Background(t.Selected).Foreground(t.SelectedText),
		MatchCurrent: s().Reverse(true).Bold(true),
	}
}

// DefaultStyles is NewStyles(DefaultTheme(), false).
func DefaultStyles() Styles { return NewStyles(DefaultTheme(), false) }
