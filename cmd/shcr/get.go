package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/shcr-project/shcr/client"
	"github.com/shcr-project/shcr/config"
	"github.com/shcr-project/shcr/internal/audit"
	"github.com/shcr-project/shcr/internal/memlimit"
	"github.com/shcr-project/shcr/internal/nhsnumber"
	"github.com/shcr-project/shcr/internal/purpose"
	"github.com/shcr-project/shcr/record"
	"github.com/shcr-project/shcr/views"
	"github.com/shcr-project/shcr/views/vocab"
)

type getOptions struct {
	sections []string
	output   string
	reveal   string // --reveal-restricted REASON
	revealed bool   // the flag was given
	noLogin  bool   // --no-login: a back end needing sign-in is not queried (exit 4)
	width    int    // --width: text output width; 0: the terminal's, or full lines when piped
	// Find by name: --family with --birth-date (or --postcode), as the interface's search.
	family, given, birthDate, postcode string
	flags                              flagsOptions // --unscheduled-access, --break-glass (get_flags.go)
}

// byName reports whether any of the find-by-name flags was given.
func (o getOptions) byName() bool {
	return o.family != "" || o.given != "" || o.birthDate != "" || o.postcode != ""
}

func newGetCmd(a *app) *cobra.Command {
	var o getOptions
	cmd := &cobra.Command{
		Use:   "get NHSNUMBER",
		Short: "Print a person's record (or some sections) without the interface, as text or JSON",
		Long: `shcr get asks every configured back end (or, with --demo, the embedded demo back ends) about
the person with this NHS number and prints the merged record: the person banner, then each
section as a table; or, with --output json, the documented JSON described in README.md; or,
with --output md, a one-page handover summary in Markdown (alerts, care package verdict,
current medications and allergies, next of kin, the last encounters, each with its source).

Exit codes: 0 found, and every back end that knows the person answered every section in
full (not being known to some is fine, and so is a back end that does not serve a kind of
record); 2 bad input or config; 3 no back end knows the person; 4 partial: a back end or
a section failed, timed out, was cut short (truncated) or was not asked (when the person
was found, the record is still printed and each gap is named); 5 ambiguous: a search by
name (--family with --birth-date or --postcode) matched several people, who are listed.

Text is laid out in the terminal's width; piped, lines are whole; --width N sets it.`,
		Example: "  shcr get --demo " + nhsnumber.Format(demoExample()) + "\n" +
			"  shcr get " + demoExample() + " --demo --sections care-packages,next-of-kin --output json\n" +
			"  shcr get --demo --family Hargreaves --given Brian --birth-date 30-Jun-1950",
		Args: func(cmd *cobra.Command, args []string) error {
			byName := false
			for _, f := range []string{"family", "given", "birth-date", "postcode"} {
				byName = byName || cmd.Flags().Changed(f)
			}
			switch {
			case len(args) == 0 && !byName:
				return exitf(exitUsage, "shcr get: give an NHS number, e.g. shcr get --demo %s, or --family NAME --birth-date DATE", demoExample())
			case len(args) > 0 && byName:
				return exitf(exitUsage, "shcr get: give an NHS number or --family/--given/--birth-date/--postcode, not both")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			o.revealed = cmd.Flags().Changed("reveal-restricted")
			o.flags.breakGlassSet = cmd.Flags().Changed("break-glass")
			return a.get(cmd.Context(), strings.Join(args, " "), o)
		},
	}
	cmd.Flags().StringSliceVarP(&o.sections, "sections", "s", []string{"all"},
		"`SECTIONS` to fetch and print, comma-separated: "+strings.Join(sectionNames(), "|")+"|all (--section is the same)")
	// --section, the older spelling, is the same flag.
	cmd.Flags().SetNormalizeFunc(func(_ *pflag.FlagSet, name string) pflag.NormalizedName {
		if name == "section" {
			name = "sections"
		}
		return pflag.NormalizedName(name)
	})
	cmd.Flags().StringVar(&o.family, "family", "", "find by `NAME`: the family name, with --birth-date (or --postcode)")
	cmd.Flags().StringVar(&o.given, "given", "", "and the given `NAMES`")
	cmd.Flags().StringVar(&o.birthDate, "birth-date", "", "and the `DATE` of birth: 12-Mar-1948, 12/03/1948 or 1948-03-12")
	cmd.Flags().StringVar(&o.postcode, "postcode", "", "and the `POSTCODE`, where the date of birth is not known")
	cmd.Flags().StringVarP(&o.output, "output", "o", "text", "`FORMAT`: text (for people) | json (for scripts) | md (a one-page handover summary in Markdown)")
	cmd.Flags().IntVar(&o.width, "width", 0, "lay text out in `N` columns (default: the terminal's width; full lines when piped)")
	cmd.Flags().BoolVar(&o.noLogin, "no-login", false, "never sign in interactively: a back end that needs it is not queried (exit 4)")
	cmd.Flags().StringVar(&o.reveal, "reveal-restricted", "", "show restricted items' content; the `REASON` is recorded in the audit trail")
	addFlagsOptions(cmd, &o.flags)
	return cmd
}

func sectionNames() []string {
	var out []string
	for _, s := range record.Sections() {
		out = append(out, string(s))
	}
	return out
}

// parseSections reads --section values: names, comma-separated or repeated, or "all".
func parseSections(in []string) ([]record.Section, error) {
	var out []record.Section
	for _, v := range in {
		for _, name := range strings.Split(v, ",") {
			name = strings.ToLower(strings.TrimSpace(name))
			if name == "all" {
				return record.Sections(), nil
			}
			sec, ok := record.ParseSection(name)
			if !ok {
				return nil, fmt.Errorf("--section %q is not a section (%s | all)", name, strings.Join(sectionNames(), " | "))
			}
			if !slices.Contains(out, sec) {
				out = append(out, sec)
			}
		}
	}
	if len(out) == 0 {
		return record.Sections(), nil
	}
	// Always in display order, whatever order they were typed in.
	slices.SortFunc(out, func(a, b record.Section) int {
		return slices.Index(record.Sections(), a) - slices.Index(record.Sections(), b)
	})
	return out, nil
}

func (a *app) get(ctx context.Context, typed string, o getOptions) error {
	// One record, then the process ends: the collector need not run while the heap is
	// small (main's soft limit, internal/memlimit).
	memlimit.Batch(memlimit.BatchDefault)
	var (
		nhs string
		q   record.Query
		err error
	)
	if o.byName() {
		if q, err = nameQuery(o); err != nil {
			return exitf(exitUsage, "shcr get: %v", err)
		}
	} else if nhs, err = nhsnumber.Parse(typed); err != nil {
		// Quoted repeats the argument only when it is short and plain: a pasted megabyte or
		// an escape sequence gets one short line and is neither echoed nor logged.
		var ne *nhsnumber.Error
		if errors.As(err, &ne) {
			return exitf(exitUsage, "shcr get: %s", ne.Quoted())
		}
		return exitf(exitUsage, "shcr get: %v", err)
	}
	sections, err := parseSections(o.sections)
	if err != nil {
		return exitf(exitUsage, "shcr get: %v", err)
	}
	switch o.output {
	case "text", "json":
	case "md", "markdown":
		o.output = "md"
	default:
		return exitf(exitUsage, "shcr get: --output %q: use text, json or md", o.output)
	}
	o.reveal = strings.Join(strings.Fields(o.reveal), " ")
	if o.revealed && o.reveal == "" {
		return exitf(exitUsage, `shcr get: --reveal-restricted needs a reason, e.g. --reveal-restricted "safeguarding strategy meeting"`)
	}
	s, err := a.newSession(a.flags.demo)
	if err != nil {
		return err
	}
	defer s.Close()

	choice, notice := purpose.ForGet(s.purpose)
	if err := o.flags.check(choice); err != nil {
		return err
	}
	if notice != "" {
		fmt.Fprintln(a.stderr, notice)
	}
	ctx = o.flags.childProtectionContext(ctx, s.cfg.Role)
	// Sign-in: tokens from the keyring; a back end without one signs in here (prompting on
	// stderr; Ctrl-C stops it), unless --no-login. Signing in before the federation is built
	// lets GP Connect and the audit trail name the member of staff who signed in.
	signIn := a.authManagerContext(ctx, s.cfg, !o.noLogin)
	tokens, err := a.signInForGet(ctx, signIn, o.noLogin)
	if err != nil {
		return err
	}
	fed, err := client.NewFederation(s.cfg.Backends, client.Options{Logger: a.log, Tokens: tokens, User: signIn.User(), CurrentUser: signIn.User, Organisations: s.cfg.Organisations, Now: a.now})
	if err != nil {
		return exitf(exitUsage, "shcr get: %v", err)
	}
	defer fed.Close()
	a.log.Debug("get", "backends", len(s.cfg.Backends), "sections", len(sections), "purpose", string(choice.Purpose))
	started := time.Now()
	// Every look is accountable: without an audit trail, no record is shown.
	trail, err := a.openAudit(s.cfg, func() string {
		if id, ok := signIn.SignedIn(); ok {
			return id.String()
		}
		return ""
	})
	if err != nil {
		return exitf(exitFailure, "shcr get: %v; no record is shown without an audit trail", err)
	}
	defer trail.Close()
	// Central audit (audit.forward): sent in the background, flushed briefly on exit.
	defer a.stopAuditForward(a.startAuditForward(ctx, s.cfg, trail.Path()))

	var (
		rec   *record.Record
		found bool
	)
	if o.byName() {
		matches, statuses := fed.Search(ctx, q)
		switch {
		case ctx.Err() != nil:
			return exitf(exitFailure, "shcr get: interrupted")
		case len(matches) > 1:
			// Several people: list them (no record is opened, so nothing is fetched or audited
			// beyond what the interface's search list shows) and let the caller choose.
			return a.listMatches(matches, s.cfg, o.width, o.output)
		case len(matches) == 1 && matches[0].Person.NHSNumber != "":
			// One person with an NHS number: fetched by it, so that back ends that search by
			// NHS number only (GP Connect) are asked too.
			nhs = matches[0].Person.NHSNumber
			rec, found = fed.Fetch(ctx, nhs, withConsent(sections))
		case len(matches) == 1:
			rec, found = fed.OpenRecord(ctx, matches[0], withConsent(sections)), true
		default:
			rec = &record.Record{Backends: statuses}
		}
	} else {
		rec, found = fed.Fetch(ctx, nhs, withConsent(sections))
	}
	if ctx.Err() != nil {
		return exitf(exitFailure, "shcr get: interrupted")
	}
	if notice := signIn.Notice(); notice != "" {
		fmt.Fprintln(a.stderr, notice)
	}
	a.log.Debug("get done", "found", found, "elapsed_ms", time.Since(started).Milliseconds())
	if rec == nil {
		rec = &record.Record{}
	}
	failures := recordFailures(rec, sections)
	partial := len(failures) > 0 || incomplete(rec, sections)

	if !o.byName() {
		q = record.Query{NHSNumber: nhs}
	}
	events := audit.NotFound(q, choice, rec.Backends)
	var revealKeys []string
	if found {
		events = audit.Opened(rec, choice, sections)
		if o.reveal != "" {
			revealKeys = rec.RestrictedKeys()
			if rec.Person.Restricted {
				revealKeys = append(revealKeys, record.RevealPersonKey)
			}
			if len(revealKeys) > 0 {
				events = append(events, audit.Revealed(rec, choice, o.reveal, revealKeys...))
			}
		}
		events = append(events, o.flags.events(rec, choice, &revealKeys)...)
	}
	if err := trail.AppendAll(events); err != nil {
		return exitf(exitFailure, "shcr get: cannot write the audit trail %s: %v; no record is shown", trail.Path(), err)
	}

	if !found {
		if o.output == "json" {
			if err := writeJSON(a.stdout, rec, false, sections); err != nil {
				return err
			}
		}
		// "Not known" is only certain when every back end answered.
		for _, f := range failures {
			fmt.Fprintln(a.stderr, "shcr: "+f)
		}
		who := "NHS number " + nhsnumber.Format(nhs)
		if o.byName() {
			who = "the person searched for (" + nameQueryText(q) + ")"
		}
		if len(failures) > 0 {
			return exitf(exitPartial, "shcr: %s was not found, but not every back end could be asked", who)
		}
		return exitf(exitNotFound, "shcr: no back end knows %s", who)
	}

	// Restricted items are listed with their content withheld, unless revealed with a reason.
	var reveals record.Reveals
	reveals.Add(revealKeys...)
	shown := rec.Masked(reveals.Has)
	switch o.output {
	case "json":
		err = writeJSON(a.stdout, shown, true, sections)
	case "md":
		err = a.writeHandover(shown, s.cfg, reveals.Has) // get_md.go
	default:
		v, verr := vocab.Parse(s.cfg.Vocabulary)
		if verr != nil {
			return exitf(exitUsage, "%v", verr)
		}
		_, err = io.WriteString(a.stdout, recordText(shown, v, sections, o.width, a.stdout))
	}
	if err != nil {
		return err
	}
	for _, f := range failures {
		fmt.Fprintln(a.stderr, "shcr: "+f)
	}
	if partial {
		return &exitError{code: exitPartial}
	}
	return nil
}

// incomplete reports whether any asked section could not be checked in full at some back
// end that knows the person: failed, timed-out, truncated, not-queried, or no answer at
// all (record.Coverage's Unchecked). That makes the result partial (exit 4).
//
// not-supported is a definitive answer (the back end does not hold that kind of record, or
// refused to be asked for it) and does not by itself make the result partial; nor does
// not-known (the back end does not know the person).
func incomplete(rec *record.Record, sections []record.Section) bool {
	for _, sec := range sections {
		if len(rec.Coverage(sec).Unchecked) > 0 {
			return true
		}
	}
	return false
}

// openAudit opens the audit trail at config audit.file, else its default place
// ($XDG_STATE_HOME/shcr/audit.jsonl). signedIn names the member of staff signed in, "" when
// nobody is.
func (a *app) openAudit(cfg config.Config, signedIn func() string) (*audit.Log, error) {
	path, err := a.auditTrailPath(cfg)
	if err != nil {
		return nil, err
	}
	return audit.Open(path, audit.Options{SignedInUser: signedIn})
}

// recordFailures names every back end that failed or was not queried, and every section of
// a back end that otherwise answered that failed, timed out, was not asked or was cut short
// (truncated), as one line each.
func recordFailures(rec *record.Record, sections []record.Section) []string {
	var out []string
	whole := map[string]bool{}
	for _, b := range rec.Backends {
		switch b.Status {
		case record.BackendFailed, record.BackendNotQueried:
			whole[b.Name] = true
			out = append(out, fmt.Sprintf("%s: %s: %s", b.Name, b.Status, orUnknown(b.Error)))
		}
	}
	for _, st := range rec.SectionStatus {
		if whole[st.Backend] || !slices.Contains(sections, st.Section) {
			continue
		}
		switch st.State {
		case record.StateFailed, record.StateTimedOut, record.StateNotQueried:
			out = append(out, fmt.Sprintf("%s: %s %s: %s", st.Backend, st.Section, st.State, orUnknown(st.Error)))
		case record.StateTruncated:
			why := st.Error
			if why == "" && st.Total > st.Count {
				why = fmt.Sprintf("showing %d of %d", st.Count, st.Total)
			}
			out = append(out, fmt.Sprintf("%s: %s %s: %s", st.Backend, st.Section, st.State, orUnknown(why)))
		}
	}
	// A back end marked partial with no failed section listed still counts as a failure.
	for _, b := range rec.Backends {
		if b.Status != record.BackendPartial {
			continue
		}
		named := slices.ContainsFunc(rec.SectionStatus, func(st record.SectionStatus) bool {
			return st.Backend == b.Name && (st.State == record.StateFailed || st.State == record.StateTimedOut || st.State == record.StateNotQueried)
		})
		if !named {
			out = append(out, fmt.Sprintf("%s: %s: %s", b.Name, b.Status, orUnknown(b.Error)))
		}
	}
	return out
}

func orUnknown(s string) string {
	if s == "" {
		return "no reason given"
	}
	return s
}

// outputWidth is the terminal's width, or pipedWidth when the output is not a terminal.
func outputWidth(w io.Writer) int {
	if f, ok := w.(*os.File); ok && term.IsTerminal(f.Fd()) {
		if cols, _, err := term.GetSize(f.Fd()); err == nil && cols >= 40 {
			return cols
		}
		return 80
	}
	return pipedWidth
}

// recordText lays the record out at --width, else the terminal's width, else (piped) in
// full lines, and trims the padding at the ends of lines.
func recordText(rec *record.Record, v vocab.Vocabulary, sections []record.Section, width int, w io.Writer) string {
	if width <= 0 {
		width = outputWidth(w)
	}
	lines := strings.Split(views.RecordText(rec, v, sections, width), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n") + "\n"
}
