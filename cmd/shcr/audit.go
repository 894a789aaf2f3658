package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/shcr-project/shcr/config"
	"github.com/shcr-project/shcr/internal/audit"
	"github.com/shcr-project/shcr/internal/nhsnumber"
	"github.com/shcr-project/shcr/internal/safetext"
	"github.com/shcr-project/shcr/internal/text"
	"github.com/shcr-project/shcr/internal/ukdate"
)

// auditUsageError is bad input to `shcr audit`: the message says what to type instead, and
// the process exits with status 2 (ExitCode).
type auditUsageError struct{ msg string }

func (e *auditUsageError) Error() string { return "shcr audit: " + e.msg }

// ExitCode is the process exit status for this error.
func (e *auditUsageError) ExitCode() int { return 2 }

// auditView is how `shcr audit` prints: --output table (for people, wrapped to --width
// columns) or json (JSON lines, the events as written, for scripts); --until's end.
type auditView struct {
	output string
	width  int
	until  time.Time // events before this instant (the day after --until, 00:00 UK); zero: all
}

// newAuditCmd is `shcr audit [--since DATE] [--until DATE] [--nhs NUMBER] [--file PATH]
// [--output table|json] [--width N]`: the audit trail, in UK local time.
func newAuditCmd() *cobra.Command {
	var since, until, nhs, file string
	var view auditView
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Show the audit trail: who opened which record, when and why",
		Long: "Show the audit trail of this machine's user: every record opened, section viewed,\n" +
			"restricted item revealed, and every refused or failed attempt, in UK local time, one event\n" +
			"a line with its back ends, sections and reason wrapped below it in 80 columns (--width N).\n" +
			"--output json writes the events as JSON lines, as they are in the trail, for scripts.\n" +
			"With --demo, the demo's own trail (audit-demo.jsonl beside the real one).",
		Example: "  shcr audit --since 12-Mar-2026 --until 31-Mar-2026\n  shcr audit --nhs \"943 476 5919\"\n  shcr audit --output json | jq .event",
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
			if strings.TrimSpace(until) != "" {
				t, err := ukdate.ParseUser(until)
				if err != nil {
					return &auditUsageError{fmt.Sprintf("--until %.20q is not a date: type it as 12-Mar-2026, 12/03/2026 or 2026-03-12", until)}
				}
				view.until = t.AddDate(0, 0, 1) // the whole day
			}
			switch view.output {
			case "table", "json":
			default:
				return &auditUsageError{fmt.Sprintf("--output %.20q: use table or json", view.output)}
			}
			if view.width < 40 {
				return &auditUsageError{fmt.Sprintf("--width %d: give at least 40 columns", view.width)}
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
				dir, err := config.StateDir(nil)
				if err != nil {
					return audit.ErrNoPath
				}
				path = filepath.Join(dir, "audit.jsonl")
			}
			return runAudit(cmd.OutOrStdout(), cmd.ErrOrStderr(), path, f, view)
		},
	}
	cmd.Flags().StringVar(&since, "since", "", "only events on or after this date (12-Mar-2026, 12/03/2026 or 2026-03-12)")
	cmd.Flags().StringVar(&until, "until", "", "only events on or before this date")
	cmd.Flags().StringVarP(&view.output, "output", "o", "table", "`FORMAT`: table (for people) | json (JSON lines, for scripts)")
	cmd.Flags().IntVar(&view.width, "width", 80, "wrap the table to `N` columns")
	cmd.Flags().StringVar(&nhs, "nhs", "", "only events about this NHS number")
	cmd.Flags().StringVar(&file, "file", "", "audit trail to read (default $XDG_STATE_HOME/shcr/audit.jsonl)")
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return &auditUsageError{err.Error() + "\nRun 'shcr audit --help' for usage."}
	})
	return cmd
}

func runAudit(out, errOut io.Writer, path string, f audit.Filter, view auditView) error {
	events, bad, err := audit.Read(path, f)
	if errors.Is(err, fs.ErrNotExist) {
		if view.output == "json" {
			return nil // no events: no lines
		}
		fmt.Fprintf(out, "No audit trail yet: %s does not exist (nothing has been opened as this user).\n", path)
		return nil
	}
	if err != nil {
		return fmt.Errorf("cannot read the audit trail: %w", err)
	}
	for _, b := range bad {
		fmt.Fprintf(errOut, "shcr audit: warning: %s: %v\n", path, b)
	}
	if !view.until.IsZero() {
		events = slices.DeleteFunc(events, func(e audit.Event) bool { return !e.Time.Before(view.until) })
	}
	if view.output == "json" {
		return auditJSONLines(out, events)
	}
	if len(events) == 0 {
		fmt.Fprintf(out, "No audit events%s in %s.\n", describeFilter(f, view), path)
		return nil
	}
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME (UK)\tEVENT\tNHS NUMBER\tPURPOSE")
	for _, e := range events {
		fmt.Fprintln(tw, strings.Join([]string{
			e.Time.In(ukdate.London).Format("02-Jan-2006 15:04:05"),
			cell(e.Event),
			cell(nhsnumber.Format(e.NHSNumber)),
			cell(e.Purpose),
		}, "\t"))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	// Each event's first line, then what else it says, wrapped and indented beneath it.
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	var w strings.Builder
	w.WriteString(text.Truncate(strings.TrimRight(lines[0], " "), view.width) + "\n")
	for i, e := range events {
		w.WriteString(text.Truncate(strings.TrimRight(lines[i+1], " "), view.width) + "\n")
		for _, l := range text.Wrap(auditDetails(e), view.width-4) {
			w.WriteString("    " + l + "\n")
		}
	}
	fmt.Fprintf(&w, "%d event%s%s.\n", len(events), plural(len(events)), describeFilter(f, view))
	_, err = io.WriteString(out, w.String())
	return err
}

// auditDetails is what an event says beyond its first line: who, where, what and why.
func auditDetails(e audit.Event) string {
	user := e.SignedInUser
	if user == "" {
		user = e.OSUser
	} else if e.OSUser != "" && e.OSUser != user {
		user += " (" + e.OSUser + ")"
	}
	parts := []string{"by " + cell(user)}
	add := func(label string, values []string) {
		if len(values) > 0 {
			parts = append(parts, label+": "+cell(strings.Join(values, ", ")))
		}
	}
	if e.NHSNumber == "" {
		add("ids", e.SourceIDs)
	}
	add("back ends", e.Backends)
	add("sections", e.Sections)
	add("items", e.Items)
	if e.Reason != "" {
		parts = append(parts, "reason: "+cell(e.Reason))
	}
	if e.Detail != "" {
		parts = append(parts, cell(e.Detail))
	}
	return strings.Join(parts, "; ")
}

// auditJSONLines writes each event as one JSON object a line, with the trail's field names.
func auditJSONLines(out io.Writer, events []audit.Event) error {
	bw := bufio.NewWriter(out)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	for _, e := range events {
		if err := enc.Encode(e); err != nil {
			return err
		}
	}
	return bw.Flush()
}

func describeFilter(f audit.Filter, view auditView) string {
	var s string
	if !f.Since.IsZero() {
		s += " since " + ukdate.Date(f.Since)
	}
	if !view.until.IsZero() {
		s += " until " + ukdate.Date(view.until.AddDate(0, 0, -1))
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
