// Command screens renders shcr's screens from the embedded demo data as SVG images: it
// drives the real TUI model with key presses, takes frames from its own View() at a fixed
// size with colour, and turns the ANSI text into SVG. screenshots/make.sh converts them to
// PNG with rsvg-convert.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
	"github.com/shcr-project/shcr/client"
	"github.com/shcr-project/shcr/config"
	"github.com/shcr-project/shcr/internal/demo"
	"github.com/shcr-project/shcr/internal/purpose"
	"github.com/shcr-project/shcr/tui"
	"github.com/shcr-project/shcr/views/vocab"
)

func main() {
	out := flag.String("out", "screenshots", "directory for the .svg files")
	width := flag.Int("width", 120, "terminal width")
	height := flag.Int("height", 36, "terminal height")
	only := flag.String("only", "", "render only the screens whose name contains this")
	flag.Parse()
	if err := run(*out, *width, *height, *only); err != nil {
		fmt.Fprintln(os.Stderr, "screens:", err)
		os.Exit(1)
	}
}

// shot is one screenshot: a starting vocabulary and role, then what to type.
type shot struct {
	name  string
	vocab string
	role  config.Role
	steps []step
	ask   bool // no preset purpose of access: the TUI asks (otherwise "demo", as shcr demo)
}

// step is text to type, a key to press, or time passing (then the idle lock is checked).
type step struct {
	text    string
	key     tea.KeyMsg
	advance time.Duration
}

func typed(s string) step { return step{text: s} }
func key(k tea.KeyType) step {
	return step{key: tea.KeyMsg{Type: k}}
}
func runes(s string) step { return step{key: tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)}} }

const (
	marchbank   = "999 123 0009" // active home care package
	brackenbury = "999 234 0002" // dispatcher case
	oakes       = "999 678 0007" // restricted case note, safeguarding flag
	replaced    = "999 000 0026" // an NHS number the demographics service replaced
	cpChild     = "999 301 0006" // a child with a protection plan
	objected    = "999 303 0007" // objected to sharing from the regional record
)

func shots() []shot {
	openM := []step{typed(marchbank), key(tea.KeyEnter)}
	var out []shot
	out = append(out,
		shot{name: "search", vocab: vocab.NameHealth, steps: []step{typed("999 123 000")}},
		shot{name: "search-valid", vocab: vocab.NameHealth, steps: []step{typed(marchbank)}},
		shot{name: "search-results", vocab: vocab.NameSocialCare, steps: []step{typed("Hargreaves 30-Jun-1950"), key(tea.KeyEnter)}},
	)
	names := []string{"summary", "care-packages", "care-team", "medications", "allergies", "next-of-kin", "encounters", "notes"}
	for _, v := range []string{vocab.NameHealth, vocab.NameSocialCare} {
		for i, n := range names {
			steps := append(append([]step{}, openM...), runes(fmt.Sprint(i+1)))
			out = append(out, shot{name: fmt.Sprintf("%s-%d-%s", v, i+1, n), vocab: v, steps: steps})
		}
	}
	out = append(out,
		shot{name: "role-discharge", vocab: vocab.NameHealth, role: tui.RoleDischarge, steps: openM},
		shot{name: "role-dispatcher", vocab: vocab.NameHealth, role: tui.RoleDispatcher, steps: []step{typed(brackenbury), key(tea.KeyEnter)}},
		shot{name: "role-social-worker-restricted", vocab: vocab.NameSocialCare, role: tui.RoleSocialWorker, steps: []step{typed(oakes), key(tea.KeyEnter)}},
		shot{name: "help", vocab: vocab.NameHealth, steps: append(append([]step{}, openM...), runes("7"), runes("?"))},
		shot{name: "purpose-prompt", vocab: vocab.NameHealth, ask: true, steps: []step{typed(oakes), key(tea.KeyEnter), key(tea.KeyDown)}},
		shot{name: "reveal-prompt", vocab: vocab.NameSocialCare, role: tui.RoleSocialWorker,
			steps: []step{typed(oakes), key(tea.KeyEnter), runes("x"), typed("Strategy meeting follow-up")}},
		shot{name: "lock", vocab: vocab.NameHealth, steps: append(append([]step{}, openM...), step{advance: 6 * time.Minute})},
		shot{name: "copy-chooser", vocab: vocab.NameHealth, role: tui.RoleDispatcher, steps: []step{typed(brackenbury), key(tea.KeyEnter), runes("Y")}},
		shot{name: "timeline", vocab: vocab.NameSocialCare, steps: append(append([]step{}, openM...), runes("t"))},
		// National services: a replaced NHS number followed, a child protection plan, an objection.
		shot{name: "national-replaced", vocab: vocab.NameHealth, steps: []step{typed(replaced), key(tea.KeyEnter)}},
		shot{name: "child-protection", vocab: vocab.NameSocialCare, role: tui.RoleSocialWorker, steps: []step{typed(cpChild), key(tea.KeyEnter), runes("1")}},
		shot{name: "objection-withheld", vocab: vocab.NameHealth, steps: []step{typed(objected), key(tea.KeyEnter), runes("7")}},
	)
	// The reader: the oldest note (a discharge summary) in full, a find active.
	for _, v := range []string{vocab.NameHealth, vocab.NameSocialCare} {
		steps := append(append([]step{}, openM...), runes("8"), runes("G"), key(tea.KeyEnter), runes("/"), typed("home"), key(tea.KeyEnter))
		out = append(out, shot{name: v + "-reader", vocab: v, steps: steps})
	}
	return out
}

func run(dir string, w, h int, only string) error {
	lipgloss.SetColorProfile(termenv.TrueColor)
	lipgloss.SetHasDarkBackground(true)
	srv, err := demo.Start(demo.Full(nil)) // as shcr demo: with the national services
	if err != nil {
		return err
	}
	defer srv.Close()
	user := config.User{Name: "Dr Demo User", ID: "999999999999", Role: "R8000", Organisation: demo.DemoUserOrganisation}
	cfg := config.Config{Demo: true, User: user, Backends: srv.Config()}
	fed, err := client.NewFederation(cfg.Backends, client.Options{User: user, Now: func() time.Time { return demo.ReferenceDate }})
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, s := range shots() {
		if !strings.Contains(s.name, only) {
			continue
		}
		v, err := vocab.Parse(s.vocab)
		if err != nil {
			return err
		}
		now := demo.ReferenceDate
		pur := purpose.Resolved{Choice: purpose.Choice{Purpose: purpose.Demo}, Source: purpose.FromDemo}
		if s.ask {
			pur = purpose.Resolved{}
		}
		m, err := tui.New(context.Background(), tui.Options{Federation: fed, Config: cfg, Vocabulary: v, Role: s.role,
			Clock: func() time.Time { return now }, SignedIn: func() string { return user.Name }, Purpose: pur})
		if err != nil {
			return err
		}
		d := driver{m: m}
		d.send(tea.WindowSizeMsg{Width: w, Height: h})
		d.run(m.Init())
		for _, st := range s.steps {
			if st.advance > 0 {
				now = now.Add(st.advance)
				d.send(tui.IdleTickMsg{})
				continue
			}
			if st.text != "" {
				for _, r := range st.text {
					d.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
				}
				continue
			}
			d.send(st.key)
		}
		svg := toSVG(m.View(), w, h)
		path := filepath.Join(dir, s.name+".svg")
		if err := os.WriteFile(path, []byte(svg), 0o644); err != nil {
			return err
		}
		fmt.Println(path)
		d.send(tea.KeyMsg{Type: tea.KeyCtrlC})
	}
	if !strings.Contains("login", only) {
		return nil
	}
	return loginShot(dir, w, h, srv, user)
}

// driver runs the model synchronously: Update, then the commands it returns, feeding their
// messages back. Timers (spinner, status-bar messages) are dropped.
type driver struct{ m tea.Model }

func (d *driver) send(msg tea.Msg) {
	var cmd tea.Cmd
	d.m, cmd = d.m.Update(msg)
	d.run(cmd)
}

func (d *driver) run(cmd tea.Cmd) {
	queue := []tea.Cmd{cmd}
	for len(queue) > 0 {
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		ch := make(chan tea.Msg, 1)
		go func() { ch <- c() }()
		var msg tea.Msg
		select {
		case msg = <-ch:
		case <-time.After(2 * time.Second): // a timer: not waited for
			continue
		}
		switch msg := msg.(type) {
		case nil, spinner.TickMsg, tui.IdleTickMsg:
		case tea.BatchMsg:
			queue = append(queue, msg...)
		case tea.QuitMsg:
			return
		default:
			var next tea.Cmd
			d.m, next = d.m.Update(msg)
			queue = append(queue, next)
		}
	}
}
