package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/shcr-project/shcr/client"
	"github.com/shcr-project/shcr/internal/demo"
	"github.com/shcr-project/shcr/tui"
	"github.com/shcr-project/shcr/views/vocab"
)

// runInterface loads and checks the config (and starts the demo back ends with demoMode)
// before opening the terminal interface, so that a config error is one line and exit code 2.
func (a *app) runInterface(ctx context.Context, demoMode bool) error {
	s, err := a.newSession(demoMode)
	if err != nil {
		return err
	}
	defer s.Close()
	v, err := vocab.Parse(s.cfg.Vocabulary)
	if err != nil {
		return exitf(exitUsage, "%v", err)
	}

	// The interface never signs in by itself: a back end without a usable token shows a
	// sign-in line in place of its data and the others go on; ctrl+l opens the sign-in panel
	// (the device code or browser address is shown there), ctrl+o signs out (shared PCs).
	signIn := a.authManagerContext(ctx, s.cfg, false)
	signedIn := func() string {
		if id, ok := signIn.SignedIn(); ok {
			return id.String()
		}
		return ""
	}
	fed, err := client.NewFederation(s.cfg.Backends, client.Options{Logger: a.log, Tokens: signIn.TokenSource, User: signIn.User(), CurrentUser: signIn.User, Organisations: s.cfg.Organisations})
	if err != nil {
		return exitf(exitUsage, "shcr: %v", err)
	}
	defer fed.Close()

	// Every look is accountable: without an audit trail, the interface does not open.
	trail, err := a.openAudit(s.cfg, signedIn)
	if err != nil {
		return exitf(exitFailure, "shcr: %v; shcr does not open without an audit trail", err)
	}
	defer trail.Close()
	// Central audit (audit.forward): sent in the background, flushed briefly on exit.
	// A sink that could not be started is a warning (on stderr, and once in the status bar).
	fw, problems := a.startAuditForwardNoting(ctx, s.cfg, trail.Path())
	defer a.stopAuditForward(fw)
	var notice string
	if len(problems) > 0 {
		notice = fmt.Sprintf(v.AuditNotForwarded, strings.Join(problems, "; "))
	}
	// The TUI builds each event (with the purpose chosen for the person) and stops showing a
	// record whose look the trail did not take.
	record := func(e tui.AuditEvent) error {
		if err := trail.Append(e); err != nil {
			a.log.Error("audit trail append failed", "event", e.Event)
			return err
		}
		if fw != nil {
			fw.Notify()
		}
		return nil
	}

	var demoNumbers []string
	if demoMode {
		for _, p := range demo.People() {
			if p.NHSNumber != "" {
				demoNumbers = append(demoNumbers, p.NHSNumber)
			}
		}
	}
	// The window title is "shcr" while the interface runs, and the previous one after (title.go).
	restoreTitle := setWindowTitle(a.stdout)
	defer restoreTitle()
	err = tui.Run(ctx, tui.Options{
		Federation:  fed,
		Config:      s.cfg,
		Vocabulary:  v,
		Role:        s.cfg.Role,
		Plain:       a.flags.plain,
		Logger:      a.log,
		DemoNumbers: demoNumbers,
		SignedIn:    signedIn,
		SignIn:      signIn,
		SignOut:     signOutAll(signIn),
		Unlock:      unlockBySignIn(signIn, s.cfg),
		Audit:       record,
		Purpose:     s.purpose,

		StartupNotice: notice,
	})
	if err != nil && !errors.Is(err, context.Canceled) {
		return exitf(exitFailure, "shcr: %v", err)
	}
	return nil
}
