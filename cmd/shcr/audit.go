package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/shcr-project/shcr/internal/audit"
	"github.com/shcr-project/shcr/internal/nhsnumber"
	"github.com/shcr-project/shcr/internal/safetext"
	"github.com/shcr-project/shcr/internal/ukdate"
)

// auditUsageError is bad input to `shcr audit`: the message says what to type instead, and
// the process exits with status 2 (ExitCode).
type auditUsageError struct{ msg string }

func (e *auditUsageError) Error() string { return "shcr audit: " + e.msg }

// ExitCode is the process exit status for this error.
func (e *auditUsageError) ExitCode() int { return 2 }

// newAuditCmd is `shcr audit [--since DATE] [--nhs NUMBER] [--file PATH]`: the audit trail
// as a table, in UK local time.
func newAuditCmd() *cobra.Command {
	var since, nhs, file string
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Show the audit trail: who opened which record, when and why",
		Long: "Show the audit trail of this machine's user as a table: every record opened, section viewed,\n" +
			"restricted item revealed, and every refused or failed attempt, in UK local time.",
		Example: "  shcr audit --since 12-Mar-2026\n  shcr audit --nhs \"943 476 5919\"",
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 0 {
				return &auditUsageError{fmt.Sprintf("takes no arguments (got %.20q); choose a person with --nhs NUMBER", args[0])}
			}
			return nil
		},
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var f audit.Filter
			if strings.TrimSpace(since) != "" {
				t, err := ukdate.ParseUser(since)
				if err != nil {
					return &auditUsageError{fmt.Sprintf("--since %.20q is not a date: type it as 12-Mar-2026, 12/03/2026 or 2026-03-12", since)}
				}
				f.Since = t
			}
			if cmd.Flags().Changed("nhs") {
				n, err := nhsnumber.Parse(nhs)
				if err != nil {
					msg := err.Error()
					var ne *nhsnumber.Error
					if errors.As(err, &ne) {
						msg = ne.Quoted() // repeats the value only when short and plain
					}
					return &auditUsageError{"--nhs " + msg}
				}
				f.NHSNumber = n
			}
			path := file
			if path == "" {
				p, err := audit.DefaultPath()
				if err != nil {
					return err
				}
				path = p
			}
			return runAudit(cmd.OutOrStdout(), cmd.ErrOrStderr(), path, f)
		},
	}
	cmd.Flags().StringVar(&since, "since", "", "only events on or after this date (12-Mar-2026, 12/03/2026 or 2026-03-12)")
	cmd.Flags().StringVar(&nhs, "nhs", "", "only events about this NHS number")
	cmd.Flags().StringVar(&file, "file", "", "audit trail to read (default $XDG_STATE_HOME/shcr/audit.jsonl)")
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return &auditUsageError{err.Error() + "\nRun 'shcr audit --help' for usage."}
	})
	return cmd
}

func runAudit(out, errOut io.Writer, path string, f audit.Filter) error {
	events, bad, err := audit.Read(path, f)
	if errors.Is(err, fs.ErrNotExist) {
		fmt.Fprintf(out, "No audit trail yet: %s does not exist (nothing has been opened as this user).\n", path)
		return nil
	}
	if err != nil {
		return fmt.Errorf("cannot read the audit trail: %w", err)
	}
	for _, b := range bad {
		fmt.Fprintf(errOut, "shcr audit: warning: %s: %v\n", path, b)
	}
	if len(events) == 0 {
		fmt.Fprintf(out, "No audit events%s in %s.\n", describeFilter(f), path)
		return nil
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME (UK)\tEVENT\tNHS NUMBER\tPURPOSE\tUSER\tBACK ENDS\tSECTIONS\tREASON / DETAIL")
	for _, e := range events {
		user := e.SignedInUser
		if user == "" {
			user = e.OSUser
		} else if e.OSUser != "" && e.OSUser != user {
			user += " (" + e.OSUser + ")"
		}
		purpose := e.Purpose
		why := e.Reason
		if e.Detail != "" {
			if why != "" {
				why += "; "
			}
			why += e.Detail
		}
		fmt.Fprintln(tw, strings.Join([]string{
			e.Time.In(ukdate.London).Format("02-Jan-2006 15:04:05"),
			cell(e.Event),
			cell(nhsnumber.Format(e.NHSNumber)),
			cell(purpose),
			cell(user),
			cell(strings.Join(e.Backends, ", ")),
			cell(strings.Join(e.Sections, ", ")),
			cell(why),
		}, "\t"))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(out, "%d event%s%s.\n", len(events), plural(len(events)), describeFilter(f))
	return nil
}

func describeFilter(f audit.Filter) string {
	var s string
	if !f.Since.IsZero() {
		s += " since " + ukdate.Date(f.Since)
	}
	if f.NHSNumber != "" {
		s += " for NHS number " + nhsnumber.Format(f.NHSNumber)
	}
	return s
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// cell makes a value safe for one table cell: a typed reason (or a line written before shcr
// sanitised server text) could hold newlines, tabs, escape sequences or bidi controls; line
// breaks and tabs become spaces, the rest is removed (safetext.Line); empty becomes "-".
func cell(s string) string {
	s = strings.TrimSpace(safetext.Line(s))
	if s == "" {
		return "-"
	}
	return s
}
