package views_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/shcr-project/shcr/views"
	"github.com/shcr-project/shcr/views/vocab"
)

// The sign-in panel says what to do in each state, in the panel's width, and never cuts an
// address short: joined back up, its pieces are the whole address.
func TestSignInPanel(t *testing.T) {
	st := views.DefaultStyles()
	long := "https://auth.example.org/authorize?client_id=shcr&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256&redirect_uri=http%3A%2F%2F127.0.0.1%3A53117%2Fcallback&state=af0ifjsldkj"
	cases := []struct {
		name string
		d    views.SignInPanel
		want []string
	}{
		{"starting", views.SignInPanel{Backend: "council"}, []string{"Sign in to council", "Contacting the sign-in service", "esc cancel"}},
		{"device", views.SignInPanel{Backend: "council", Flow: "device", URL: "https://login.example.gov.uk/device",
			URLComplete: "https://login.example.gov.uk/device?user_code=WDJB-MJHT", UserCode: "WDJB-MJHT", Left: 299600 * time.Millisecond},
			[]string{"1. On any device, open this address:", "https://login.example.gov.uk/device", "2. Enter the code:", "WDJB-MJHT",
				"has the code filled in", "The code expires in 5:00.", "y copy the address"}},
		{"browser", views.SignInPanel{Backend: "region", Flow: "pkce", URL: long, Left: 4 * time.Minute},
			[]string{"A browser window has opened", "open this address:", "(4:00 left)"}},
		{"no browser", views.SignInPanel{Backend: "region", Flow: "pkce", URL: long, BrowserErr: errors.New("no $BROWSER and no opener").Error()},
			[]string{"could not open a browser (no $BROWSER and no opener)", "Open this address yourself"}},
		{"failed", views.SignInPanel{Backend: "council", Err: "council: the sign-in was refused (access_denied)"},
			[]string{"Sign-in did not complete: council: the sign-in was refused (access_denied)", "try again", "close"}},
	}
	for _, v := range []vocab.Vocabulary{vocab.Health(), vocab.SocialCare()} {
		for _, c := range cases {
			c.d.SignInKey, c.d.CancelKey, c.d.CopyKey = "ctrl+l", "esc", "y"
			for _, w := range []int{80, 160} {
				out := views.SignInPanelView(c.d, v, st, w)
				plain := stripANSI(out)
				for _, l := range strings.Split(out, "\n") {
					if lipgloss.Width(l) > w {
						t.Errorf("%s/%s/%d: line wider than the screen: %q", v.Name, c.name, w, l)
					}
				}
				for _, want := range c.want {
					if !strings.Contains(words(plain), want) {
						t.Errorf("%s/%s/%d: lacks %q:\n%s", v.Name, c.name, w, want, plain)
					}
				}
				if c.d.Flow == "pkce" && !strings.Contains(joinedURL(plain), c.d.URL) {
					t.Errorf("%s/%s/%d: the address is not all there:\n%s", v.Name, c.name, w, plain)
				}
			}
		}
	}
	// The lock panel takes the lines without keys.
	lines := views.SignInLines(views.SignInPanel{Backend: "council", Flow: "device", URL: "https://x.example/device", UserCode: "BCDF-GHJK"}, vocab.Health(), st, 60)
	if s := stripANSI(strings.Join(lines, "\n")); strings.Contains(s, "esc") || !strings.Contains(s, "BCDF-GHJK") {
		t.Errorf("lines for the lock panel:\n%s", s)
	}
}

func TestSignOutPanel(t *testing.T) {
	out := stripANSI(views.SignOutPanelView(vocab.SocialCare(), views.DefaultStyles(), "enter", "esc", 80))
	for _, want := range []string{"Sign out", "every back end", "enter sign out", "esc keep working"} {
		if !strings.Contains(words(out), want) {
			t.Errorf("lacks %q:\n%s", want, out)
		}
	}
}

// joinedURL joins the panel's address lines (indented, between the box borders) back up.
func joinedURL(panel string) string {
	var b strings.Builder
	for _, l := range strings.Split(panel, "\n") {
		l = strings.Trim(l, "│ ")
		if strings.HasPrefix(l, "http") || (b.Len() > 0 && !strings.Contains(l, " ") && l != "") {
			b.WriteString(l)
		}
	}
	return b.String()
}

func stripANSI(s string) string { return ansi.Strip(s) }

// words is the panel's text with the box taken away, one space between words.
func words(panel string) string {
	return strings.Join(strings.Fields(strings.NewReplacer("│", " ", "╭", " ", "╮", " ", "╰", " ", "╯", " ", "─", " ").Replace(panel)), " ")
}
