package tui

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/shcr-project/shcr/views"
	"github.com/shcr-project/shcr/views/viewstest"
	"github.com/shcr-project/shcr/views/vocab"
)

// hostileRE reports what must never reach the screen from the search field: terminal control
// bytes, invisible formatting characters, or the payload of a stripped sequence.
var hostileRE = regexp.MustCompile("[\x00-\x08\x0b-\x1f\x7f\u0080-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]|pwned|\\[2J|\\]0;|52;c")

// TestSearchFieldAbsurdInput pastes and types what an attacker or a slip of the hand would:
// the field keeps at most its limit, strips control and invisible characters and whole
// escape sequences, and answers a paste too long for it with one short line that repeats
// none of it.
func TestSearchFieldAbsurdInput(t *testing.T) {
	paste := func(s string) tea.Msg { return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s), Paste: true} }
	for _, tc := range []struct {
		name  string
		msgs  []tea.Msg
		value string // the field afterwards
		line  string // a line the screen must show, "" for none
	}{
		{"10,000 digits pasted", []tea.Msg{paste(strings.Repeat("9", 10000))}, "",
			"Not pasted: 10,000 characters is too long for a search."},
		{"4,000 digits pasted after a few typed", []tea.Msg{paste("943"), paste(strings.Repeat("1", 4000))}, "943",
			"Not pasted: 4,000 characters is too long for a search."},
		{"100 characters pasted", []tea.Msg{paste(strings.Repeat("a", 100))}, "",
			"Not pasted: 100 characters is too long for a search."},
		{"ESC sequences pasted", []tea.Msg{paste("943\x1b[2J476\x1b]0;pwned\x07 5919")}, "943476 5919",
			"NHS number 943 476 5919"},
		{"OSC 52 with ST", []tea.Msg{paste("\x1b]52;c;cHduZWQ=\x1b\\9434765919")}, "9434765919", "NHS number 943 476 5919"},
		{"C1 CSI and OSC", []tea.Msg{paste("943\u009b2J476\u009d0;pwned\u009c5919")}, "9434765919", "NHS number 943 476 5919"},
		{"NUL and BEL", []tea.Msg{paste("943\x00476\x07 5919")}, "943476 5919", "NHS number 943 476 5919"},
		{"RTL override and zero-width", []tea.Msg{paste("\u202e943 476\u200b 5919\u2066")}, "943 476 5919", "NHS number 943 476 5919"},
		{"line breaks become spaces", []tea.Msg{paste("943\r\n476\t5919")}, "943  476 5919", "NHS number 943 476 5919"},
		{"nothing left", []tea.Msg{paste("\x1b[31m\x1b[0m\u202e")}, "", ""},
		{"typed one by one past the limit", typed(strings.Repeat("8", 200)), strings.Repeat("8", searchCharLimit),
			fmt.Sprintf("not an NHS number (%d characters)", searchCharLimit)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, v := range []vocab.Vocabulary{vocab.Health(), vocab.SocialCare()} {
				m := fixtureModel(t, v, "", nil, 80, 24)
				d := &driver{tb: t, m: m}
				for _, msg := range tc.msgs {
					d.send(msg)
				}
				if got := m.search.input.Value(); got != tc.value {
					t.Errorf("%s: field holds %q (%d characters), want %q", v.Name, clip(got), len(got), tc.value)
				}
				raw := m.View()
				if hostileRE.MatchString(views.Strip(raw)) || strings.Contains(raw, "\x1b]") || strings.Contains(raw, "\x07") {
					t.Errorf("%s: the screen holds control characters or a payload:\n%q", v.Name, clip(raw))
				}
				out := views.Strip(raw)
				if regexp.MustCompile(`[0-9a]{90,}`).MatchString(out) {
					t.Errorf("%s: the screen echoes the long input", v.Name)
				}
				if tc.line != "" && !strings.Contains(out, tc.line) {
					t.Errorf("%s: screen lacks %q:\n%s", v.Name, tc.line, out)
				}
				checkScreen(t, v, out, 80, 24)
			}
		})
	}
}

func typed(s string) []tea.Msg {
	var out []tea.Msg
	for _, r := range s {
		out = append(out, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
	return out
}

func clip(s string) string {
	if len(s) > 120 {
		return s[:120] + "…"
	}
	return s
}

// TestCleanTyped checks the stripping rules one by one.
func TestCleanTyped(t *testing.T) {
	for in, want := range map[string]string{
		"plain 943":                  "plain 943",
		"a\x1b[1;31mb":               "ab",
		"a\x1b[?1049hb":              "ab",
		"a\x1b]0;title\x07b":         "ab",
		"a\x1b]8;;http://x\x1b\\b":   "ab",
		"a\x1bPq#0;2;0;0;0\x1b\\b":   "ab",
		"a\x1b_apc\x1b\\b":           "ab",
		"a\x1b^pm\x07b":              "ab",
		"a\x1bcb":                    "ab",
		"a\x1b(Bb":                   "ab",
		"a\x1b":                      "a",
		"a\x1b[":                     "a",
		"a\x1b]unterminated":         "a",
		"a\u009b31mb":                "ab",
		"a\u0085b":                   "ab",
		"a\x7fb\x00c":                "abc",
		"\u202ecba\u202c":            "cba",
		"a\u2067b\u2069":             "ab",
		"a\ufeffb\u200dc":            "abc",
		"Smith\t12/03/1948\nAB1 2CD": "Smith 12/03/1948 AB1 2CD",
		"O'Brien-Smyth Zoë":          "O'Brien-Smyth Zoë",
		"a\xffb":                     "ab",
	} {
		if got := string(cleanTyped([]rune(in))); got != want {
			t.Errorf("cleanTyped(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestTooSmallTerminal: below the smallest usable layout the screen says so, in either
// vocabulary, whatever page is showing; keys typed meanwhile are ignored; resizing back
// shows the record again as it was.
func TestTooSmallTerminal(t *testing.T) {
	for _, v := range []vocab.Vocabulary{vocab.Health(), vocab.SocialCare()} {
		t.Run(v.Name, func(t *testing.T) {
			m := fixtureModel(t, v, "", viewstest.Record(), 80, 24)
			d := &driver{tb: t, m: m}
			d.keys("7", "down")
			before := views.Strip(m.View())
			active, cursor := m.record.active, m.record.pane().cursor

			d.send(tea.WindowSizeMsg{Width: 40, Height: 10})
			out := views.Strip(m.View())
			checkScreen(t, v, out, 40, 10)
			golden.RequireEqual(t, []byte(out))
			if want := fmt.Sprintf("terminal too small: need %d×%d (now 40×10)", MinWidth, MinHeight); !strings.Contains(strings.Join(strings.Fields(out), " "), want) {
				t.Errorf("no size message:\n%s", out)
			}
			if strings.Contains(out, "PEBBLEWORTH") || strings.Contains(out, "999 100 0003") {
				t.Errorf("personal data on the too-small screen:\n%s", out)
			}

			d.keys("1", "j", "esc", "/")
			if m.page != pageRecord || m.record.active != active || m.record.pane().cursor != cursor {
				t.Errorf("keys typed on the too-small screen changed the state: page %v tab %d cursor %d", m.page, m.record.active, m.record.pane().cursor)
			}

			d.send(tea.WindowSizeMsg{Width: 80, Height: 24})
			if after := views.Strip(m.View()); after != before {
				t.Errorf("back at 80×24 the screen differs:\n--- before\n%s\n--- after\n%s", before, after)
			}
		})
	}
}

// TestSmallestUsableLayout: at exactly MinWidth×MinHeight the record is drawn (the banner,
// the tabs) with at least three rows of every table that has them, on every tab, in both
// vocabularies — not the too-small message; one less in either direction is too small.
func TestSmallestUsableLayout(t *testing.T) {
	row := regexp.MustCompile(`^[> ] (NHS|LA|GP)\b`) // a table row starts with its source
	for _, v := range []vocab.Vocabulary{vocab.Health(), vocab.SocialCare()} {
		var m *Model
		for tab := 2; tab <= 8; tab++ {
			m = fixtureModel(t, v, "", viewstest.Record(), MinWidth, MinHeight)
			d := &driver{tb: t, m: m}
			d.keys(fmt.Sprint(tab))
			out := views.Strip(m.View())
			checkScreen(t, v, out, MinWidth, MinHeight)
			for _, want := range []string{"PEBBLEWORTH", "999 100 0003", v.TabNotes, "> "} {
				if !strings.Contains(out, want) {
					t.Errorf("%s tab %d at %d×%d: no %q:\n%s", v.Name, tab, MinWidth, MinHeight, want, out)
				}
			}
			rows := 0
			for _, l := range strings.Split(out, "\n") {
				if row.MatchString(l) {
					rows++
				}
			}
			if want := min(3, len(m.record.pane().order)); rows < want {
				t.Errorf("%s tab %d at %d×%d: %d rows shown, want at least %d:\n%s", v.Name, tab, MinWidth, MinHeight, rows, want, out)
			}
		}
		d := &driver{tb: t, m: m}
		for _, sz := range [][2]int{{MinWidth - 1, MinHeight}, {MinWidth, MinHeight - 1}, {1, 1}, {0, 0}, {200, 3}} {
			d.send(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
			out := views.Strip(m.View())
			if strings.Contains(out, "PEBBLEWORTH") {
				t.Errorf("%s at %d×%d: the record is drawn", v.Name, sz[0], sz[1])
			}
			if n := len(strings.Split(out, "\n")); sz[1] > 0 && n != sz[1] {
				t.Errorf("%s at %d×%d: %d lines", v.Name, sz[0], sz[1], n)
			}
			for _, l := range strings.Split(out, "\n") {
				if sz[0] > 0 && lipgloss.Width(l) > sz[0] {
					t.Errorf("%s at %d×%d: line too wide %q", v.Name, sz[0], sz[1], l)
				}
			}
		}
	}
}

// FuzzCleanTyped: whatever is pasted, what reaches the search field holds no character a
// terminal interprets or that hides or reorders text, and is never longer than the input.
func FuzzCleanTyped(f *testing.F) {
	for _, s := range []string{"943 476 5919", "\x1b[2J", "\x1b]52;c;eA==\x07", "\u009b31m", "\u202eabc", "a\x1bPx\x1b\\b", "\x1b", "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		in := []rune(s)
		out := cleanTyped(in)
		if len(out) > len(in) {
			t.Fatalf("cleanTyped(%q) grew to %q", s, string(out))
		}
		for _, r := range out {
			if r < 0x20 || (r >= 0x7f && r <= 0x9f) || unicode.Is(unicode.Cf, r) || r == utf8.RuneError {
				t.Fatalf("cleanTyped(%q) = %q keeps %U", s, string(out), r)
			}
		}
	})
}
