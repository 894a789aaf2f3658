// Package tui is shcr's terminal interface: a small root model with two pages — find a
// person, then their record in eight tabs — built on bubbletea v1.
//
// The root (model.go) only routes: global keys, page switches, the window size, the status
// bar (frame.go, helpbar.go) and the overlay stack (overlay.go). The pages (search.go,
// record.go) and the overlays — the sign-in panel and the sign-out question
// (signinpanel.go), the purpose of access (purpose.go), the reveal reason (reveal.go), the
// idle lock (lock.go), the reader (reader.go: an item in full) — are components with their own Update and View; an overlay on top
// of the stack has the keys and tells the root what it decided with a message, which
// governance.go acts on. Who is signed in, the purposes chosen and the idle clock are the
// session (session.go). Time comes from the injected clock and tick (common.go).
//
// To add an overlay: a type embedding overlayBase with Update, View, FullHelp, Place and
// Modal; push it from the root where it opens; handle its result message in governance.go;
// add its screens to TestOverlays.
package tui

import (
	"context"
	"io"
	"log/slog"
	"os"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/shcr-project/shcr/client"
	"github.com/shcr-project/shcr/config"
	"github.com/shcr-project/shcr/internal/audit"
	"github.com/shcr-project/shcr/internal/purpose"
	"github.com/shcr-project/shcr/views/vocab"
)

// Roles, as in config and --role.
const (
	RoleDischarge    = config.RoleDischarge
	RoleSocialWorker = config.RoleSocialWorker
	RoleDispatcher   = config.RoleDispatcher
)

// AuditEvent is one line of the audit trail, built by the TUI with internal/audit's builders
// (record opened, section viewed, restricted item revealed, refused or failed attempt, person
// not found, screen locked / unlocked, signed out), carrying the purpose chosen for the person.
type AuditEvent = audit.Event

// Options is everything the TUI needs, passed in: no package-level state.
type Options struct {
	Federation *client.Federation // the back ends; required
	Config     config.Config      // Demo adds a hint line of demo NHS numbers
	// Vocabulary is the starting vocabulary; the zero value means Config.Vocabulary.
	Vocabulary vocab.Vocabulary
	// Role decides the first tab: discharge, social-worker, dispatcher; "" means Config.Role.
	Role   config.Role
	Plain  bool         // high contrast, no colour (also when NO_COLOR is set)
	Logger *slog.Logger // nil: discard. Never given personal data.
	Clock  func() time.Time
	// DemoNumbers are NHS numbers to suggest on the search screen (the demo); nil: none.
	DemoNumbers []string
	// SignedIn names the signed-in member of staff for the status bar; nil or "": nobody.
	SignedIn func() string
	// Audit appends one event to the audit trail (cmd/shcr: audit.Log.Append). When it fails
	// for a record being opened, the record is not shown. nil: not recorded (tests only).
	Audit func(AuditEvent) error
	// Purpose is the purpose of access preset by --purpose, config, role or the demo
	// (purpose.Resolve); when none is preset, the TUI asks once per person per session.
	Purpose purpose.Resolved
	// SignIn signs in to the back ends that need a person to sign in (*auth.Manager): a back
	// end needing it shows a sign-in line in place of its data, and ctrl+l opens the sign-in
	// panel. nil: nothing to sign in to (the others just show "not queried").
	SignIn SignIn
	// SignOut signs the member of staff out of every back end (shared PCs, the lock panel);
	// nil: nothing to sign out of.
	SignOut func() error
	// Unlock checks that the person at the keyboard may carry on after the idle lock (a
	// fresh sign-in); nil: no check.
	Unlock func(ctx context.Context) error
	// StartupNotice is a warning shown once in the status bar when the interface starts
	// (cmd/shcr: central audit that could not be started, in the vocabulary's words); it
	// must hold no personal data. "": none.
	StartupNotice string
	// Clipboard writes to the system clipboard besides the terminal's (OSC 52); nil: the
	// system's (github.com/atotto/clipboard), which a headless machine does not have.
	Clipboard func(string) error
	// HandoverDir is where `H` writes handover summaries; "": handover under the state
	// directory (config.StateDir).
	HandoverDir string
	// Input and Output default to the terminal (stdin, stdout).
	Input  io.Reader
	Output io.Writer
}

// Run starts the TUI full screen and returns when the user quits or ctx ends.
func Run(ctx context.Context, opts Options) error {
	if os.Getenv("NO_COLOR") != "" {
		opts.Plain = true
	}
	// Ask the terminal for its background now, before the program owns the input: the
	// adaptive colours pick their light or dark variant from the answer.
	_ = lipgloss.HasDarkBackground()
	m, err := New(ctx, opts)
	if err != nil {
		return err
	}
	// The mouse: the wheel scrolls tables and the reader, a click selects a tab or a row
	// (mouse.go). The keyboard does everything the mouse does.
	popts := []tea.ProgramOption{tea.WithAltScreen(), tea.WithMouseCellMotion(), tea.WithContext(ctx)}
	if opts.Input != nil {
		popts = append(popts, tea.WithInput(opts.Input))
	}
	if opts.Output != nil {
		popts = append(popts, tea.WithOutput(opts.Output))
	}
	return runGuarded(ctx, m, popts, nil)
}

// runGuarded runs the model behind the panic guard (guard.go); started, when not nil, is
// called with the program once it exists.
func runGuarded(ctx context.Context, m *Model, popts []tea.ProgramOption, started func(*tea.Program)) error {
	g := &guard{m: m, log: m.c.log}
	prog := tea.NewProgram(g, popts...)
	g.quit = prog.Quit
	if started != nil {
		started(prog)
	}
	_, err := prog.Run()
	m.close()
	if g.panicked.Load() {
		return ErrInternal
	}
	if err == tea.ErrProgramKilled && ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}
