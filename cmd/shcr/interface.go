package main

import (
	"context"
)

// runInterface loads and checks the config (and starts the demo back ends with demoMode)
// before opening the terminal interface, so that a config error is one line and exit code 2.
func (a *app) runInterface(ctx context.Context, demoMode bool) error {
	s, err := a.newSession(demoMode)
	if err != nil {
		return err
	}
	defer s.Close()
	// TODO(lead): open the TUI here with tui.Run(ctx, tui.Options{…}) once the tui package
	// (helper E) lands; until then only `shcr get` and `shcr demo --serve` work.
	return exitf(exitFailure, "shcr: the terminal interface is not in this build yet; try shcr get --demo %s", demoExample())
}
