package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/shcr-project/shcr/client/auth"
	"github.com/shcr-project/shcr/config"
	"github.com/shcr-project/shcr/internal/ukdate"
)

// newAuthCmds returns shcr login, shcr logout and shcr auth (status).
func newAuthCmds(a *app) []*cobra.Command {
	return []*cobra.Command{newLoginCmd(a), newLogoutCmd(a), newAuthCmd(a)}
}

// authManager is the sign-in manager for cfg: tokens in the OS keyring (in memory only for
// the demo, or where no keyring is available), prompts on stderr. interactive lets a token
// source run a sign-in itself (shcr get without --no-login). Prefer authManagerContext,
// whose ctx lets Ctrl-C stop a sign-in that a token source started.
func (a *app) authManager(cfg config.Config, interactive bool) *auth.Manager {
	return a.authManagerContext(context.Background(), cfg, interactive)
}

// authManagerContext is authManager with the command's context bounding the sign-ins,
// refreshes and token requests that token sources start by themselves.
func (a *app) authManagerContext(ctx context.Context, cfg config.Config, interactive bool) *auth.Manager {
	kr := config.NewKeyring(0)
	if cfg.Demo {
		kr = config.NewMemoryKeyring()
	}
	return auth.NewManager(cfg, kr, auth.Options{
		Logger:      a.log,
		Out:         a.stderr,
		Interactive: interactive,
		Getenv:      a.getenv,
		Context:     ctx,
		After:       a.after,
	})
}

// authConfig loads the config for the sign-in commands (no demo: its back ends need none).
func (a *app) authConfig() (config.Config, bool, error) {
	if a.flags.demo {
		fmt.Fprintf(a.stdout, "The demo back ends need no sign-in.\n")
		return config.Config{}, false, nil
	}
	cfg, err := a.loadConfig()
	if err != nil {
		return cfg, false, err
	}
	if len(cfg.Backends) == 0 {
		return cfg, false, exitf(exitUsage, "%s", a.noBackendsHint(cfg))
	}
	return cfg, true, nil
}

func backendNames(cfg config.Config) string {
	var names []string
	for _, b := range cfg.Backends {
		names = append(names, b.Name)
	}
	return strings.Join(names, ", ")
}

func hasBackend(cfg config.Config, name string) bool {
	for _, b := range cfg.Backends {
		if b.Name == name {
			return true
		}
	}
	return false
}

func newLoginCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "login [BACKEND]",
		Short: "Sign in to one back end, or to every back end that needs it",
		Long: `shcr login runs each back end's configured sign-in: for pkce it opens your browser (and
prints the address); for device it prints an address and a code to enter on any device;
client-credentials fetches a token with the system's key; bearer checks its environment
variable. Tokens are kept in the system keyring, never in a file.

Exit codes: 0 signed in; 2 bad config or an unknown back end; 4 a sign-in did not complete.`,
		Example: "  shcr login\n  shcr login council",
		Args:    cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.login(cmd.Context(), args)
		},
	}
}

func (a *app) login(ctx context.Context, args []string) error {
	cfg, ok, err := a.authConfig()
	if err != nil || !ok {
		return err
	}
	m := a.authManagerContext(ctx, cfg, true)
	names := m.Backends()
	if len(args) == 1 {
		if !hasBackend(cfg, args[0]) {
			return exitf(exitUsage, "shcr login: no back end named %q (configured: %s)", args[0], backendNames(cfg))
		}
		names = []string{args[0]}
	}
	if len(names) == 0 {
		fmt.Fprintln(a.stdout, "No configured back end needs a sign-in.")
		return nil
	}
	var failed []string
	usage := false
	for _, name := range names {
		id, err := m.Login(ctx, name)
		if notice := m.Notice(); notice != "" {
			fmt.Fprintln(a.stderr, notice)
		}
		if err != nil {
			failed = append(failed, name)
			fmt.Fprintf(a.stderr, "shcr login: %s\n", errText(err))
			if errors.Is(err, auth.ErrConfig) {
				usage = true
			}
			if ctx.Err() != nil {
				break
			}
			continue
		}
		switch {
		case id.System:
			fmt.Fprintf(a.stdout, "%s: token fetched for system %s.\n", name, id.ID)
		case id.IsZero():
			fmt.Fprintf(a.stdout, "%s: ready.\n", name)
		default:
			fmt.Fprintf(a.stdout, "Signed in to %s as %s.\n", name, id)
			a.recordSignIn(cfg, name, id.String())
		}
	}
	switch {
	case len(failed) == 0:
		return nil
	case usage:
		return &exitError{code: exitUsage}
	default:
		return &exitError{code: exitPartial}
	}
}

func newLogoutCmd(a *app) *cobra.Command {
	var all bool
	cmd := &cobra.Command{
		Use:   "logout [BACKEND | --all]",
		Short: "Sign out: forget the tokens of one back end, or of all (end of shift)",
		Long: `shcr logout removes the stored tokens of a back end (or, with no back end named, of every
configured back end) from the system keyring, so the next member of staff signs in as
themselves. --all also removes anything else shcr ever stored there.`,
		Example: "  shcr logout --all\n  shcr logout council",
		Args:    cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if all && len(args) > 0 {
				return exitf(exitUsage, "shcr logout: give a back end or --all, not both")
			}
			return a.logout(cmd.Context(), args, all)
		},
	}
	cmd.Flags().BoolVar(&all, "all", false, "sign out of every back end and clear everything shcr keeps in the keyring")
	return cmd
}

func (a *app) logout(ctx context.Context, args []string, all bool) error {
	cfg, ok, err := a.authConfig()
	if err != nil || !ok {
		return err
	}
	m := a.authManagerContext(ctx, cfg, false)
	if all {
		if err := m.LogoutAll(); err != nil {
			return exitf(exitFailure, "shcr logout: %v", err)
		}
		fmt.Fprintln(a.stdout, "Signed out of every back end.")
		return nil
	}
	names := m.Backends()
	if len(args) == 1 {
		if !hasBackend(cfg, args[0]) {
			return exitf(exitUsage, "shcr logout: no back end named %q (configured: %s)", args[0], backendNames(cfg))
		}
		names = args
	}
	for _, name := range names {
		if err := m.Logout(name); err != nil {
			return exitf(exitFailure, "shcr logout: %v", err)
		}
		fmt.Fprintf(a.stdout, "Signed out of %s.\n", name)
	}
	return nil
}

func newAuthCmd(a *app) *cobra.Command {
	authCmd := &cobra.Command{
		Use:   "auth",
		Short: "Sign-in status (shcr auth status)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return cmd.Help()
		},
	}
	authCmd.AddCommand(&cobra.Command{
		Use:   "status",
		Short: "Who is signed in to which back end, and until when (never a token)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, ok, err := a.authConfig()
			if err != nil || !ok {
				return err
			}
			m := a.authManagerContext(cmd.Context(), cfg, false)
			writeAuthStatus(a.stdout, m.Status(), time.Now())
			if n := m.Notice(); n != "" {
				fmt.Fprintln(a.stderr, n)
			}
			return nil
		},
	})
	return authCmd
}

// stateWords are the status column's words.
var stateWords = map[auth.State]string{
	auth.StateNotNeeded:   "no sign-in needed",
	auth.StateSignedIn:    "signed in",
	auth.StateRefreshable: "signed in (renews when used)",
	auth.StateSignedOut:   "signed out",
	auth.StateEnvSet:      "token set",
	auth.StateEnvMissing:  "token not set",
	auth.StateSystem:      "system",
}

// writeAuthStatus prints one line per back end: its sign-in type, state, who and expiry.
// It never prints a token (BackendAuthStatus holds none).
func writeAuthStatus(w io.Writer, sts []auth.BackendAuthStatus, now time.Time) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "BACK END\tSIGN-IN\tSTATE\tWHO\tEXPIRES")
	var signedOut []string
	inMemory := false
	for _, s := range sts {
		who := "—"
		switch {
		case s.Identity.System:
			who = s.Identity.String()
		case !s.Identity.IsZero():
			who = s.Identity.String()
		case s.Detail != "" && s.State != auth.StateSignedOut:
			who = s.Detail
		}
		expires := "—"
		if !s.Expiry.IsZero() && (s.State == auth.StateSignedIn || s.State == auth.StateRefreshable) {
			expires = ukdate.DateTime(s.Expiry)
			if left := s.Expiry.Sub(now); left > 0 {
				expires += " (in " + roughDuration(left) + ")"
			} else {
				expires += " (expired)"
			}
		}
		state := stateWords[s.State]
		if state == "" {
			state = string(s.State)
		}
		if s.State == auth.StateSignedOut && s.Detail != "" {
			state += ": " + s.Detail
		}
		if s.State == auth.StateSignedOut {
			signedOut = append(signedOut, s.Backend)
		}
		if s.InMemory && (s.State == auth.StateSignedIn || s.State == auth.StateRefreshable) {
			inMemory = true
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", s.Backend, s.Type, state, who, expires)
	}
	_ = tw.Flush()
	for _, name := range signedOut {
		fmt.Fprintf(w, "Sign in with: shcr login %s\n", name)
	}
	if inMemory {
		fmt.Fprintln(w, "Tokens are held in memory only (no system keyring) and end when shcr exits.")
	}
}

func roughDuration(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "less than a minute"
	case d < 2*time.Hour:
		return fmt.Sprintf("%d min", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h", int(d.Hours()))
	default:
		return fmt.Sprintf("%d days", int(d.Hours()/24))
	}
}
