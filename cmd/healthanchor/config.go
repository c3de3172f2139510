package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/healthanchor/healthanchor/pipeline"
)

func newConfigCmd(g *globalFlags) *cobra.Command {
	cmd := groupCmd("config", "Work with the config file", "")
	cmd.AddCommand(&cobra.Command{
		Use:   "check",
		Short: "Validate the config file and report every error with its line",
		Long: `Check decodes the config (unknown keys are errors, so a typo cannot silently
disable a job), validates every job's connector options and schedule, and lists
every problem as FILE:LINE: message. Exit 0 when valid, 2 otherwise.
Warnings (valid but probably wrong, such as date formats that mix
day-first and month-first layouts) go to stderr and do not change the exit.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := pipeline.LoadConfig(g.config)
			if err != nil {
				return err
			}
			for _, w := range cfg.Warnings() {
				fmt.Fprintln(cmd.ErrOrStderr(), w.Error())
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: OK, %d jobs\n", g.config, len(cfg.Jobs))
			return nil
		},
	})
	return cmd
}
