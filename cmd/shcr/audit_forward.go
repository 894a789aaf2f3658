package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/oauth2"

	"github.com/shcr-project/shcr/client/auth"
	"github.com/shcr-project/shcr/config"
	"github.com/shcr-project/shcr/internal/audit"
	"github.com/shcr-project/shcr/internal/audit/forward"
	"github.com/shcr-project/shcr/internal/ukdate"
)

// This file forwards the audit trail to the organisation's central audit services
// (config audit.forward): in the background of the interface and of `shcr get`, and on demand
// with `shcr audit forward`; `shcr audit status` shows each sink's backlog and last error.

// exitFlushTimeout bounds how long shcr waits on exit for queued events to go.
const exitFlushTimeout = 2 * time.Second

// auditTrailPath is config audit.file, else the default place: $XDG_STATE_HOME/shcr/audit.jsonl,
// else ~/.local/state/shcr/audit.jsonl, read from the command's environment. With the demo
// (cfg.Demo), it is the demo trail beside it (audit-demo.jsonl): synthetic people's events
// never go into the real trail.
func (a *app) auditTrailPath(cfg config.Config) (string, error) {
	path, err := a.realTrailPath(cfg)
	if err != nil || !cfg.Demo && !a.flags.demo { // shcr audit --demo reads the demo trail
		return path, err
	}
	return demoTrailPath(path), nil
}

// demoTrailPath is the demo trail beside the real one: audit.jsonl → audit-demo.jsonl.
func demoTrailPath(real string) string {
	ext := filepath.Ext(real)
	return strings.TrimSuffix(real, ext) + "-demo" + ext
}

// realTrailPath is config audit.file, else audit.jsonl in config.StateDir (the command's
// environment: $XDG_STATE_HOME/shcr, else ~/.local/state/shcr on Linux).
func (a *app) realTrailPath(cfg config.Config) (string, error) {
	if cfg.Audit.File != "" {
		return cfg.Audit.File, nil
	}
	dir, err := config.StateDir(a.getenv)
	if err != nil {
		return "", audit.ErrNoPath
	}
	return filepath.Join(dir, "audit.jsonl"), nil
}

// auditSite names the member of staff, their organisation (the first GP Connect back end's
// ODS code) and this machine in every AuditEvent.
func auditSite(cfg config.Config) audit.Site {
	s := audit.Site{UserID: cfg.User.ID, UserName: cfg.User.Name, UserRole: cfg.User.Role}
	for _, b := range cfg.Backends {
		if b.GPConnect.FromODS != "" {
			s.OrgODS, s.OrgName = b.GPConnect.FromODS, b.GPConnect.OrgName
			break
		}
	}
	if h, err := os.Hostname(); err == nil {
		s.Host = h
	}
	return s
}

// auditSinks builds the configured sinks, leaving out (with the reason) those that cannot be
// built, such as a syslog sink whose certificate file is missing. A FHIR sink's token comes from
// the same machinery as a back end's (client-credentials, bearer), never interactively: the
// sink is fed in the background.
func (a *app) auditSinks(ctx context.Context, cfg config.Config) ([]forward.Sink, []error) {
	var sinks []forward.Sink
	var errs []error
	for i, s := range cfg.Audit.Forward {
		var ts oauth2.TokenSource
		if s.Kind == config.SinkFHIR && s.Auth.Type != "" && s.Auth.Type != config.AuthNone {
			name := fmt.Sprintf("audit.forward[%d]", i)
			m := auth.NewManager(config.Config{Backends: []config.Backend{{
				Name: name, Kind: config.KindFHIRR4, URL: s.URL, Domain: config.DomainHealth, Auth: s.Auth,
			}}}, config.NewMemoryKeyring(), auth.Options{
				Logger: a.log, Out: io.Discard, Interactive: false, Getenv: a.getenv, Context: ctx,
			})
			ts = m.TokenSource(name)
		}
		sink, err := forward.NewSink(s, ts)
		if err != nil {
			errs = append(errs, fmt.Errorf("audit.forward[%d]: %w", i, err))
			continue
		}
		sinks = append(sinks, sink)
	}
	return sinks, errs
}

// startAuditForward starts delivering the trail at path to the configured sinks; nil when
// there are none. A sink that cannot be built (a missing certificate file) is a warning on
// stderr, not a reason to stop: its events wait in the trail.
func (a *app) startAuditForward(ctx context.Context, cfg config.Config, path string) *forward.Group {
	g, _ := a.startAuditForwardNoting(ctx, cfg, path)
	return g
}

// startAuditForwardNoting is startAuditForward that also returns what it warned about, one
// line each (sink names and why, never event content), for the interface to show at start.
func (a *app) startAuditForwardNoting(ctx context.Context, cfg config.Config, path string) (*forward.Group, []string) {
	if len(cfg.Audit.Forward) == 0 {
		return nil, nil
	}
	var problems []string
	sinks, errs := a.auditSinks(ctx, cfg)
	for _, err := range errs {
		problems = append(problems, oneLineErr(err))
		fmt.Fprintf(a.stderr, "shcr: warning: audit events are not being forwarded to %s; they stay in the audit trail and are sent later\n", oneLineErr(err))
	}
	if len(sinks) == 0 {
		return nil, problems
	}
	g, err := forward.Start(ctx, path, sinks, forward.Options{Site: auditSite(cfg), Logger: a.log})
	if err != nil {
		problems = append(problems, oneLineErr(err))
		fmt.Fprintf(a.stderr, "shcr: warning: audit events are not being forwarded: %s; they stay in the audit trail and are sent later\n", oneLineErr(err))
		return nil, problems
	}
	a.log.Debug("audit forwarding started", "sinks", len(sinks))
	return g, problems
}

// stopAuditForward waits a short, bounded time for queued events to go, then says on one
// line how many are still queued (they stay in the trail and go next time).
func (a *app) stopAuditForward(g *forward.Group) {
	if g == nil {
		return
	}
	res := g.Close(exitFlushTimeout)
	n := forward.Queued(res)
	a.log.Debug("audit forwarding stopped", "queued", n)
	if n == 0 {
		return
	}
	var per []string
	for _, r := range res {
		if r.Queued == 0 || r.Busy {
			continue
		}
		w := fmt.Sprintf("%s: %d queued", r.Sink, r.Queued)
		if r.LastError != "" {
			w += " (" + r.LastError + ")"
		}
		per = append(per, w)
	}
	fmt.Fprintf(a.stderr, "shcr: warning: audit events not yet sent to the central audit service, kept in the audit trail and sent next time (shcr audit status): %s\n",
		oneLineErr(errors.New(strings.Join(per, "; "))))
}

func oneLineErr(err error) string {
	if err == nil {
		return ""
	}
	return strings.Join(strings.Fields(err.Error()), " ")
}

// withAuditForward adds `shcr audit status` and `shcr audit forward` to the audit command,
// and makes `shcr audit` read config audit.file when --file is not given.
func withAuditForward(a *app, cmd *cobra.Command) *cobra.Command {
	show := cmd.RunE
	cmd.RunE = func(c *cobra.Command, args []string) error {
		if f := c.Flags().Lookup("file"); f != nil && !f.Changed {
			_, path, err := a.configAndTrail()
			if err != nil {
				return err
			}
			_ = f.Value.Set(path)
		}
		return show(c, args)
	}
	cmd.AddCommand(newAuditStatusCmd(a), newAuditForwardCmd(a))
	return cmd
}

// configAndTrail loads the config and says where its audit trail is.
func (a *app) configAndTrail() (config.Config, string, error) {
	cfg, err := a.loadConfig()
	if err != nil {
		return cfg, "", err
	}
	path, err := a.auditTrailPath(cfg)
	return cfg, path, err
}

func newAuditStatusCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "status",
		Short: "Show each central audit sink's backlog and last error",
		Long: "Show, for each sink in config audit.forward, how many audit events wait to be sent, how many\n" +
			"were sent, when, and why the last attempt failed.",
		Args:         cobra.NoArgs,
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, path, err := a.configAndTrail()
			if err != nil {
				return err
			}
			return writeForwardStatus(cmd.OutOrStdout(), cfg, path)
		},
	}
}

func writeForwardStatus(w io.Writer, cfg config.Config, path string) error {
	fmt.Fprintf(w, "Audit trail: %s\n", path)
	if len(cfg.Audit.Forward) == 0 {
		fmt.Fprintln(w, "No central audit sinks configured (audit.forward); events are kept in the trail only.")
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SINK\tQUEUED\tSENT\tLAST SENT (UK)\tLAST ERROR")
	var sending []string
	for _, s := range cfg.Audit.Forward {
		if forward.Sending(path, s.Name()) {
			sending = append(sending, s.Name())
		}
		st, err := forward.ReadState(path, s.Name())
		if err != nil {
			return err
		}
		queued, err := forward.Backlog(path, st.Offset)
		if err != nil {
			return fmt.Errorf("cannot read the audit trail: %w", err)
		}
		last := "-"
		if !st.LastDelivered.IsZero() {
			last = st.LastDelivered.In(ukdate.London).Format("02-Jan-2006 15:04:05")
		}
		lastErr := "-"
		if st.LastError != "" {
			lastErr = st.LastError
			if !st.LastErrorAt.IsZero() {
				lastErr += " (" + st.LastErrorAt.In(ukdate.London).Format("02-Jan-2006 15:04:05") + ")"
			}
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\n", cell(s.Name()), queued, st.Delivered, last, cell(lastErr))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, s := range sending {
		fmt.Fprintf(w, "%s: a running shcr is sending to it now.\n", s)
	}
	return nil
}

func newAuditForwardCmd(a *app) *cobra.Command {
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "forward",
		Short: "Send queued audit events to the central audit sinks now",
		Long: "Send every audit event not yet delivered to each sink in config audit.forward, waiting at most\n" +
			"--timeout, then show each sink's state. Exit status 1 when events are still queued.",
		Args:         cobra.NoArgs,
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, path, err := a.configAndTrail()
			if err != nil {
				return err
			}
			if len(cfg.Audit.Forward) == 0 {
				fmt.Fprintln(cmd.OutOrStdout(), "No central audit sinks configured (audit.forward); nothing to send.")
				return nil
			}
			sinks, errs := a.auditSinks(cmd.Context(), cfg)
			if len(errs) > 0 {
				return exitf(exitUsage, "shcr audit forward: %v", errs[0])
			}
			g, err := forward.Start(cmd.Context(), path, sinks, forward.Options{Site: auditSite(cfg), Logger: a.log})
			if err != nil {
				return exitf(exitFailure, "shcr audit forward: %v", err)
			}
			res := g.Close(timeout)
			for _, r := range res {
				switch {
				case r.Busy:
					fmt.Fprintf(cmd.OutOrStdout(), "%s: %d queued, being sent by another shcr\n", r.Sink, r.Queued)
				case r.Queued == 0:
					fmt.Fprintf(cmd.OutOrStdout(), "%s: all sent\n", r.Sink)
				case r.LastError != "":
					fmt.Fprintf(cmd.OutOrStdout(), "%s: %d queued: %s\n", r.Sink, r.Queued, r.LastError)
				default:
					fmt.Fprintf(cmd.OutOrStdout(), "%s: %d queued (not all sent within %s)\n", r.Sink, r.Queued, timeout)
				}
			}
			if n := forward.Queued(res); n > 0 {
				return exitf(exitFailure, "shcr audit forward: %d event%s still queued", n, plural(n))
			}
			return nil
		},
	}
	cmd.Flags().DurationVar(&timeout, "timeout", 30*time.Second, "how long to keep trying")
	return cmd
}

// recordSignIn puts a member of staff's sign-in (`shcr login`) in the audit trail, so that the
// central audit service sees sign-ins as their own events. The sign-in stands if the trail
// cannot be written: the failure is said on stderr.
func (a *app) recordSignIn(cfg config.Config, backend, who string) {
	path, err := a.auditTrailPath(cfg)
	if err == nil {
		var l *audit.Log
		if l, err = audit.Open(path, audit.Options{}); err == nil {
			err = l.Append(audit.Event{Event: audit.SignedIn, SignedInUser: who, Backends: []string{backend}})
			if cerr := l.Close(); err == nil {
				err = cerr
			}
		}
	}
	if err != nil {
		fmt.Fprintf(a.stderr, "shcr login: warning: the sign-in was not recorded in the audit trail: %s\n", oneLineErr(err))
	}
}
