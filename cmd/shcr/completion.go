package main

import (
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"

	"github.com/shcr-project/shcr/config"
	"github.com/shcr-project/shcr/internal/purpose"
)

// Shell completion. cobra's default `shcr completion bash|zsh|fish|powershell` writes the
// script; the functions here make it complete values, not just flag names: roles,
// vocabularies, purposes, sections, output formats, and back end names from the config.
// Each is testable through cobra's hidden `shcr __complete ARGS… ''` command.

// addCompletions registers value completion on every command of the tree under root.
func addCompletions(a *app, root *cobra.Command) {
	fixed := func(values ...string) cobra.CompletionFunc {
		return cobra.FixedCompletions(values, cobra.ShellCompDirectiveNoFileComp)
	}
	var roles, vocabularies, purposes []string
	for _, r := range config.Roles() {
		roles = append(roles, string(r))
	}
	for _, v := range config.Vocabularies() {
		vocabularies = append(vocabularies, string(v))
	}
	for _, p := range purpose.Choosable() {
		if p == purpose.Other {
			purposes = append(purposes, "other:")
			continue
		}
		purposes = append(purposes, string(p))
	}
	_ = root.RegisterFlagCompletionFunc("role", fixed(roles...))
	_ = root.RegisterFlagCompletionFunc("vocabulary", fixed(vocabularies...))
	_ = root.RegisterFlagCompletionFunc("purpose", fixed(purposes...))
	_ = root.RegisterFlagCompletionFunc("tab", fixed(config.StartTabs()...))
	_ = root.MarkPersistentFlagFilename("config", "yaml", "yml")

	for _, c := range root.Commands() {
		switch c.Name() {
		case "get":
			_ = c.RegisterFlagCompletionFunc("section", completeSections)
			if c.Flags().Lookup("sections") != nil {
				_ = c.RegisterFlagCompletionFunc("sections", completeSections)
			}
			_ = c.RegisterFlagCompletionFunc("output", fixed("text", "json", "md"))
			c.ValidArgsFunction = cobra.NoFileCompletions
		case "audit":
			if c.Flags().Lookup("output") != nil {
				_ = c.RegisterFlagCompletionFunc("output", fixed("table", "json"))
			}
		case "login", "logout":
			c.ValidArgsFunction = a.completeBackends
		}
	}
}

// completeSections completes one name in a comma-separated list: "care-packages,ne" offers
// "care-packages,next-of-kin".
func completeSections(_ *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	done, typed := cutLast(toComplete, ",")
	seen := map[string]bool{}
	for _, d := range strings.Split(done, ",") {
		seen[d] = true
	}
	prefix := ""
	if done != "" {
		prefix = done + ","
	}
	var out []string
	for _, name := range append(sectionNames(), "all") {
		if !seen[name] && strings.HasPrefix(name, typed) {
			out = append(out, prefix+name)
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
}

func cutLast(s, sep string) (before, after string) {
	if i := strings.LastIndex(s, sep); i >= 0 {
		return s[:i], s[i+len(sep):]
	}
	return "", s
}

// completeBackends offers the names of the configured back ends (one argument at most).
func (a *app) completeBackends(_ *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	cfg, err := config.Load(config.Options{File: a.flags.config, Getenv: a.getenv, Warn: func(string) {}})
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var names []string
	for _, b := range cfg.Backends {
		names = append(names, b.Name)
	}
	return names, cobra.ShellCompDirectiveNoFileComp
}

// newManCmd writes the man pages: to stdout, shcr(1) alone; with a directory, one page per
// command (shcr.1, shcr-get.1, …), as goreleaser's before hook does for the archives.
func newManCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "man [DIRECTORY]",
		Short: "Write shcr's man page (roff) to stdout, or every command's page into a directory",
		Long: `shcr man writes the shcr(1) man page to stdout, to read with: shcr man | man -l -
With a directory, it writes one page per command there (shcr.1, shcr-get.1, shcr-audit.1, …).`,
		Example: "  shcr man | man -l -\n  shcr man /usr/local/share/man/man1",
		Args:    cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			root := cmd.Root()
			root.DisableAutoGenTag = true // pages do not change with the day they were made
			header := &doc.GenManHeader{Title: "SHCR", Section: "1", Source: "shcr", Manual: "shcr manual"}
			if len(args) == 1 {
				if err := os.MkdirAll(args[0], 0o755); err != nil {
					return exitf(exitUsage, "shcr man: %v", err)
				}
				if err := doc.GenManTree(root, header, args[0]); err != nil {
					return exitf(exitFailure, "shcr man: %v", err)
				}
				return nil
			}
			return doc.GenMan(root, header, cmd.OutOrStdout())
		},
	}
}
