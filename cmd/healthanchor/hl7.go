package main

import (
	"os"

	"github.com/spf13/cobra"

	"github.com/healthanchor/healthanchor/connectors/hl7"
)

func newHL7Cmd() *cobra.Command {
	cmd := groupCmd("hl7", "Tools for HL7 v2 feeds", "")
	var asJSON bool
	var fallback string
	get := &cobra.Command{
		Use:   "get [--json] FILE PATH...",
		Short: "Print the decoded values at the given paths, for each message of a file",
		Long: `Get prints, for each message in FILE in order, the decoded values at the
given paths, written as HAPI's Terser does: SEG[@k]-F[[r]][.c[.s]], 1-based;
@k picks the k-th segment of that name (default 1), [r] the repetition
(default 1); an omitted component or subcomponent means the first.

With --json: one object per message, {"index": i, "control_id": MSH-10,
"values": {PATH: value}}, where an explicit null ("") is JSON null and a value
not present is ""; a rejected message is {"index": i, "reject": "reason"}.

Exit 0 when the file could be read, 1 when it could not, 2 for a bad path.`,
		Example: `  healthanchor hl7 get adt.hl7 PID-5.1 PID-7 PV1-19
  healthanchor hl7 get --json oru.hl7 'PID-3[2].4.2' OBX@2-5`,
		Args: cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			for _, p := range args[1:] {
				if _, err := hl7.ParsePath(p); err != nil {
					return usageErr("hl7 get: %v", err)
				}
			}
			if _, err := os.Stat(args[0]); err != nil {
				return err
			}
			return hl7.Inspect(cmd.OutOrStdout(), args[0], args[1:], asJSON, fallback)
		},
	}
	get.Flags().BoolVar(&asJSON, "json", false, "one JSON object per message")
	get.Flags().StringVar(&fallback, "fallback-charset", "windows-1252", "charset of messages without MSH-18 that are not UTF-8")
	cmd.AddCommand(get)
	return cmd
}
