package tui

import (
	"context"
	"regexp"
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/shcr-project/shcr/config"
	"github.com/shcr-project/shcr/internal/demo"
	"github.com/shcr-project/shcr/internal/nhsnumber"
	"github.com/shcr-project/shcr/record"
	"github.com/shcr-project/shcr/views"
)

// enterUntil types nhs into a fresh program over fed, then times Enter until drawn(screen)
// holds for a frame the program draws (View after each Update, as Bubble Tea does). The
// record is then closed; what is still in flight is not waited for.
func enterUntil(b *testing.B, opts Options, nhs string, drawn func(m *Model, screen string) bool) time.Duration {
	b.Helper()
	m, err := New(context.Background(), opts)
	if err != nil {
		b.Fatal(err)
	}
	noTimers(m)
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	m.Init()
	for _, r := range nhsnumber.Format(nhs) {
		m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
	start := time.Now()
	_, cmd := m.Update(tea.KeyMsg{Type: tea.KeyEnter})
	// The program's loop: each command's message to Update, then a frame.
	msgs := make(chan tea.Msg, 64)
	var run func(tea.Cmd)
	run = func(c tea.Cmd) {
		if c == nil {
			return
		}
		go func() {
			select {
			case msgs <- c():
			case <-time.After(20 * time.Second):
			}
		}()
	}
	run(cmd)
	deadline := time.After(20 * time.Second)
	defer m.close()
	for {
		select {
		case msg := <-msgs:
			switch msg := msg.(type) {
			case nil, spinner.TickMsg:
				continue
			case tea.BatchMsg:
				for _, c := range msg {
					run(c)
				}
				continue
			}
			_, next := m.Update(msg)
			if drawn(m, views.Strip(m.View())) {
				return time.Since(start)
			}
			run(next)
		case <-deadline:
			b.Fatalf("not drawn within 20 s; the screen:\n%s", views.Strip(m.View()))
		}
	}
}

func benchDemoOptions(b *testing.B, role config.Role) Options {
	b.Helper()
	fed, cfg := startDemo(b)
	return withDemoNumbers(Options{Federation: fed, Config: cfg, Role: role, Purpose: demoPurpose,
		Clock: func() time.Time { return demo.ReferenceDate }})
}

// BenchmarkEnterToFirstSection is Enter on an NHS number search → the first frame with a
// section's data drawn (a tab with a count), against the demo back ends on loopback.
func BenchmarkEnterToFirstSection(b *testing.B) {
	opts := benchDemoOptions(b, "")
	counted := regexp.MustCompile(`\b[1-8] [A-Z][a-z]+( [a-z]+)? \(\d+\)`)
	first := func(m *Model, screen string) bool {
		if m.page != pageRecord || m.record.rec == nil {
			return false
		}
		for _, st := range m.record.rec.SectionStatus {
			if st.State == record.StateReturned && counted.MatchString(screen) {
				return true
			}
		}
		return false
	}
	var total time.Duration
	for b.Loop() {
		total += enterUntil(b, opts, nhsMarchbank, first)
	}
	b.ReportMetric(float64(total.Microseconds())/float64(b.N)/1000, "ms/enter")
}

// phoneOnScreen: the record is shown with a phone number on the selected row.
func phoneOnScreen(m *Model, screen string) bool {
	return m.page == pageRecord && selectedPhone.MatchString(screen)
}

var selectedPhone = regexp.MustCompile(`(?m)^> .*\b0\d{4} \d{6}\b`)

// BenchmarkEnterToPhone is the dispatcher's Enter → the call-first contact's phone number on
// screen (the Next of kin tab, selected row), against the demo back ends on loopback.
func BenchmarkEnterToPhone(b *testing.B) {
	opts := benchDemoOptions(b, RoleDispatcher)
	var total time.Duration
	for b.Loop() {
		total += enterUntil(b, opts, nhsBrackenbury, phoneOnScreen)
	}
	b.ReportMetric(float64(total.Microseconds())/float64(b.N)/1000, "ms/enter")
}

// BenchmarkEnterToPhoneCouncilHeld is BenchmarkEnterToPhone with the council held for the
// whole benchmark (behind a gate that opens only at the end), as when one back end takes
// its whole timeout: the phone from the NHS back ends is on screen as soon as they answer.
// (Before the search streamed, every iteration took the council's timeout, 15 s.)
func BenchmarkEnterToPhoneCouncilHeld(b *testing.B) {
	gd := startGatedDemo(b, demo.Options{}) // the gate opens when the benchmark's cleanup closes it
	opts := withDemoNumbers(Options{Federation: gd.fed, Config: gd.cfg, Role: RoleDispatcher, Purpose: demoPurpose,
		Clock: gd.clock.Now})
	var total time.Duration
	for b.Loop() {
		total += enterUntil(b, opts, nhsBrackenbury, phoneOnScreen)
	}
	b.ReportMetric(float64(total.Microseconds())/float64(b.N)/1000, "ms/enter")
}
