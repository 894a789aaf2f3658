package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"
)

func newDemoCmd(a *app) *cobra.Command {
	var serve bool
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Open shcr against embedded demo back ends (synthetic people, no network, no config)",
		Long: `shcr demo starts demo back ends on this machine (a regional shared care record, a county
council's social care record and a GP practice, all synthetic) and opens shcr against them.
It is the same as shcr --demo. README.md lists the demo people and their NHS numbers.

With --serve it only runs the demo back ends and prints each one's name, kind and base URL,
until ctrl+c: point another shcr (or curl) at them.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if serve {
				return a.serveDemo(cmd)
			}
			return a.runInterface(cmd.Context(), true)
		},
	}
	cmd.Flags().BoolVar(&serve, "serve", false, "only run the demo back ends and print their base URLs")
	return cmd
}

// serveDemo runs the demo back ends until the context ends (ctrl+c), after printing one line
// per back end: name, kind and base URL.
func (a *app) serveDemo(cmd *cobra.Command) error {
	s, err := a.newSession(true)
	if err != nil {
		return err
	}
	defer s.Close()
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	for _, b := range s.demo.Backends {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", b.Name, b.Kind, b.URL)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(a.stderr, "shcr: demo back ends running; press ctrl+c to stop")
	<-cmd.Context().Done()
	a.log.Debug("demo back ends stopping")
	return nil
}
