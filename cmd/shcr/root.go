package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/shcr-project/shcr/config"
	"github.com/shcr-project/shcr/internal/demo"
	"github.com/shcr-project/shcr/internal/logscrub"
	"github.com/shcr-project/shcr/internal/purpose"
	"github.com/shcr-project/shcr/internal/version"
)

// Exit codes (also in README.md).
const (
	exitOK        = 0
	exitFailure   = 1 // unexpected: the terminal failed, the demo could not start
	exitUsage     = 2 // bad input or config
	exitNotFound  = 3 // no back end knows the person
	exitPartial   = 4 // found, but a back end or a section failed
	exitAmbiguous = 5 // shcr get by name: several people match (they are listed)
)

// exitError ends the command with an exit code; msg (one line, may be "") goes to stderr.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

// ExitCode is the process exit status. Any error with this method (auth.go's, audit.go's)
// sets the exit status; its message is printed as it is.
func (e *exitError) ExitCode() int { return e.code }

func exitf(code int, format string, args ...any) error {
	return &exitError{code: code, msg: fmt.Sprintf(format, args...)}
}

// globalFlags are the persistent flags every command has.
type globalFlags struct {
	config     string
	demo       bool
	vocabulary string
	role       string
	tab        string
	logFile    string
	plain      bool
	purpose    string
}

// app is what every command shares: standard streams, the environment, the global flags
// and the logger. Commands in other files (auth.go, audit.go) take it too.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	flags          globalFlags

	log     *slog.Logger // never nil once a command runs; discards without --log
	logFile *os.File

	// after is the timer sign-ins wait on (auth.Options.After); nil = time.After. Tests
	// set one that fires at once.
	after func(time.Duration) <-chan time.Time
	// now is the clock the handover summary is dated and judged by (get_md.go); nil =
	// time.Now. Tests set one.
	now func() time.Time
}

// run builds the command tree, runs it and returns the process exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	return (&app{stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv}).run(ctx, args)
}

// run runs the command line args with a's streams, environment and timer; it returns the
// exit code.
func (a *app) run(ctx context.Context, args []string) int {
	stdin, stdout, stderr := a.stdin, a.stdout, a.stderr
	a.log = slog.New(slog.DiscardHandler)
	defer a.closeLog()
	root := newRootCmd(a)
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	var ec interface{ ExitCode() int }
	if errors.As(err, &ec) {
		if msg := errText(err); msg != "" {
			fmt.Fprintln(stderr, msg)
		}
		return ec.ExitCode()
	}
	if usageError(err) {
		fmt.Fprintf(stderr, "shcr: %s\nRun 'shcr --help' for usage.\n", errText(err))
		return exitUsage
	}
	fmt.Fprintf(stderr, "shcr: %s\n", errText(err))
	return exitFailure
}

// usageError recognises cobra's own errors: an unknown command, a wrong number of arguments.
// (Flag errors are turned into exit code 2 by the root's flag error function.)
func usageError(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "accepts ", "requires at least", "requires at most", "unknown flag", "unknown shorthand flag", "invalid argument", "flag needs an argument"} {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}

func newRootCmd(a *app) *cobra.Command {
	root := &cobra.Command{
		Use:   "shcr",
		Short: "A terminal viewer of the shared care record, across NHS and social care back ends",
		Long: `shcr asks several shared care record back ends (a regional shared care record, a council's
social care record, GP Connect) about a person at once, merges what they say into one record
and shows who said what.

Without a config file, try the demo: shcr demo`,
		Version:       version.Long(),
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.NoArgs,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			return a.openLog(cmd.Name())
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.runInterface(cmd.Context(), a.flags.demo)
		},
	}
	root.SetVersionTemplate("shcr {{.Version}}\n")
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return exitf(exitUsage, "shcr %s: %v\nRun '%s --help' for usage.", cmd.Name(), err, cmd.CommandPath())
	})

	pf := root.PersistentFlags()
	pf.StringVar(&a.flags.config, "config", "", "config `FILE` (default $SHCR_CONFIG, else $XDG_CONFIG_HOME/shcr/config.yaml)")
	pf.BoolVar(&a.flags.demo, "demo", false, "use the embedded demo back ends (synthetic people; ignores configured back ends)")
	pf.StringVar(&a.flags.vocabulary, "vocabulary", "", "the words to use, by `NAME`: health | social-care (default from config, else health)")
	pf.StringVar(&a.flags.role, "role", "", "your `ROLE`: discharge | social-worker | dispatcher")
	pf.StringVar(&a.flags.tab, "tab", "", "the `TAB` a record opens on: "+strings.Join(config.StartTabs(), " | ")+" (default from config, else your role's)")
	pf.StringVar(&a.flags.logFile, "log", "", "write a debug log (JSON lines, no personal data) to `FILE`; nothing is logged otherwise")
	pf.BoolVar(&a.flags.plain, "plain", false, "high contrast, no colour")
	pf.StringVar(&a.flags.purpose, "purpose", "", "`PURPOSE` of access: direct-care | safeguarding | emergency | \"other: REASON\"")

	root.AddCommand(newGetCmd(a), newDemoCmd(a), newVersionCmd())

	// Commands from other parts of shcr are added here, each built from the shared app:
	//   auth.go  — shcr login | logout | auth status
	//   audit.go — shcr audit
	root.AddCommand(extraCommands(a)...)
	root.AddCommand(newManCmd())
	addCompletions(a, root) // completion.go: values for flags and arguments
	return root
}

// extraCommands lists the commands defined in other files of this package.
func extraCommands(a *app) []*cobra.Command {
	var cmds []*cobra.Command
	cmds = append(cmds, newAuthCmds(a)...) // auth.go (sign-in)
	// audit.go (audit trail); audit_forward.go (audit status, audit forward)
	cmds = append(cmds, withAuditForward(a, newAuditCmd()))
	return cmds
}

// openLog sets up the debug log: JSON lines to --log FILE, else nowhere. Nothing is ever
// logged to the terminal: the standard library's log package is sent to the same place.
func (a *app) openLog(command string) error {
	if a.flags.logFile == "" {
		a.log = slog.New(slog.DiscardHandler)
	} else {
		f, err := os.OpenFile(a.flags.logFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			return exitf(exitUsage, "--log %s: cannot open: %v", a.flags.logFile, pathReason(err))
		}
		a.logFile = f
		// logscrub removes anything that looks like an NHS number, phone number or token.
		a.log = slog.New(logscrub.New(slog.NewJSONHandler(f, &slog.HandlerOptions{Level: slog.LevelDebug})))
	}
	// Libraries that write through the log package (net/http servers among them) must not
	// reach the terminal under the TUI.
	slog.SetDefault(a.log)
	a.log.Debug("start", "command", command, "version", version.String(), "demo_flag", a.flags.demo)
	return nil
}

func (a *app) closeLog() {
	if a.logFile != nil {
		_ = a.logFile.Close()
		a.logFile = nil
	}
}

func pathReason(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// warn writes a one-line warning (a config file others can read that names secrets).
func (a *app) warn(msg string) { fmt.Fprintln(a.stderr, msg) }

// loadConfig reads and validates the config file (with SHCR_ environment overrides), then
// applies the --vocabulary, --role and --purpose flags. Errors are one line, exit code 2.
// It does not start the demo: see session.
func (a *app) loadConfig() (config.Config, error) {
	cfg, err := config.Load(config.Options{File: a.flags.config, Getenv: a.getenv, Warn: a.warn})
	if err != nil {
		return config.Config{}, exitf(exitUsage, "%s", err.Error())
	}
	if err := a.applyFlags(&cfg); err != nil {
		return config.Config{}, err
	}
	return cfg, nil
}

// applyFlags overrides the config with the global flags that were given.
func (a *app) applyFlags(cfg *config.Config) error {
	if a.flags.vocabulary != "" {
		if err := config.CheckVocabulary(a.flags.vocabulary); err != nil {
			return exitf(exitUsage, "--vocabulary: %v", err)
		}
		cfg.Vocabulary, cfg.VocabularyDefaulted = config.Vocabulary(a.flags.vocabulary), false
	}
	if a.flags.role != "" {
		if err := config.CheckRole(a.flags.role); err != nil {
			return exitf(exitUsage, "--role: %v", err)
		}
		cfg.Role = config.Role(a.flags.role)
	}
	if a.flags.tab != "" {
		if err := config.CheckStartTab(a.flags.tab); err != nil {
			return exitf(exitUsage, "--tab: %v", err)
		}
		cfg.StartTab = a.flags.tab
	}
	if a.flags.purpose != "" {
		if err := config.CheckPurpose(a.flags.purpose, cfg.Demo); err != nil {
			return exitf(exitUsage, "--purpose: %v", err)
		}
		cfg.Purpose = a.flags.purpose
	}
	cfg.ApplyRole() // a --role given here may choose the vocabulary nobody chose
	return nil
}

// session is a loaded config with its back ends ready to query.
type session struct {
	cfg     config.Config
	purpose purpose.Resolved
	demo    *demo.Servers // running demo back ends, or nil
}

func (s *session) Close() {
	if s.demo != nil {
		s.demo.Close()
	}
}

// newSession loads the config and, with demoMode, starts the demo back ends and uses them
// instead of any configured ones (real and demo data are never mixed). Without the demo and
// without configured back ends it says how to make a config, exit code 2.
func (a *app) newSession(demoMode bool) (*session, error) {
	cfg, err := config.Load(config.Options{File: a.flags.config, Getenv: a.getenv, Warn: a.warn})
	if err != nil {
		return nil, exitf(exitUsage, "%s", err.Error())
	}
	s := &session{}
	if demoMode {
		cfg.Demo = true
		cfg.Backends = nil
		// Synthetic people's events stay in the demo trail: never sent to the organisation's
		// central audit service, which must not be filled with demo records opened.
		cfg.Audit.Forward = nil
		cfg.Purpose = "" // the demo presets "demo" unless --purpose says otherwise
	}
	if err := a.applyFlags(&cfg); err != nil {
		return nil, err
	}
	in := purpose.Inputs{Flag: a.flags.purpose, Config: cfg.Purpose, Role: string(cfg.Role), Demo: demoMode}
	if demoMode {
		in.Role = ""
	}
	if s.purpose, err = purpose.Resolve(in); err != nil {
		return nil, exitf(exitUsage, "%v", err)
	}
	if demoMode {
		servers, err := demo.Start(demoOptions(a.log))
		if err != nil {
			return nil, exitf(exitFailure, "shcr: the demo back ends could not start: %v", err)
		}
		s.demo = servers
		cfg.Backends = servers.Config()
		if cfg.User.Name == "" {
			// GP Connect names the member of staff; the demo has an obviously invented one.
			cfg.User = config.User{Name: "Demo User", ID: "DEMO-USER-1", Role: "R8000"}
		}
		if cfg.User.Organisation == "" {
			cfg.User.Organisation = demo.DemoUserOrganisation // the record locator requires it
		}
		config.ApplyDefaults(&cfg)
		a.log.Debug("demo back ends started", "count", len(cfg.Backends))
	}
	if len(cfg.Backends) == 0 {
		return nil, exitf(exitUsage, "%s", a.noBackendsHint(cfg))
	}
	s.cfg = cfg
	return s, nil
}

// noBackendsHint says how to make a config or try the demo.
func (a *app) noBackendsHint(cfg config.Config) string {
	if cfg.File != "" {
		return fmt.Sprintf("config %s: backends: none configured; add one (see README.md, \"Configuration\"), or try the demo: shcr demo", cfg.File)
	}
	path, _, err := config.Path(a.flags.config, a.getenv)
	if err != nil {
		path = filepath.Join("~", ".config", "shcr", "config.yaml")
	}
	return strings.Join([]string{
		"shcr: no back ends configured: create " + path + " (see README.md, \"Configuration\"),",
		"or try the demo: shcr demo, shcr get --demo " + demoExample(),
	}, " ")
}

// demoExample is a demo person's NHS number, for hints.
func demoExample() string {
	for _, p := range demo.People() {
		if p.NHSNumber != "" {
			return p.NHSNumber
		}
	}
	return "9990000018"
}

// demoOptions are the demo back ends shcr demo and --demo start: the regional records and
// the national services (demographics, record locator, flags).
func demoOptions(log *slog.Logger) demo.Options {
	return demo.Full(log)
}
