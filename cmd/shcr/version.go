package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/shcr-project/shcr/internal/version"
)

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print shcr's version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintf(cmd.OutOrStdout(), "shcr %s\n", version.Long())
			return err
		},
	}
}
