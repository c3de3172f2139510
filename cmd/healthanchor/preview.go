package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/healthanchor/healthanchor/connectors"
	"github.com/healthanchor/healthanchor/schemas"
)

func newPreviewCmd(g *globalFlags) *cobra.Command {
	var connector, timezone string
	var sets []string
	cmd := &cobra.Command{
		Use:   "preview --connector NAME [--set key=value]... [INPUT]",
		Short: "Print what a source normalises to, without anchoring anything",
		Long: `Preview reads a source with a connector and prints each canonical row as one
JSON object a line on stdout (with its _schema; _salt is left out, since salts
are only given when a batch is written). Rejects go to stderr with their reason.
Nothing is written, anchored or remembered.

INPUT, when given, sets the connector's "input" option. Options are the
connector's config keys (see docs/); a dotted key sets a nested option.

Exit 0 even with rejects; 1 if the input could not be read at all; 2 on usage
errors.`,
		Example: `  healthanchor preview --connector csv patients.csv
  healthanchor preview --connector csv --set delimiter=';' --set encoding=windows-1252 \
      --set mapping.patient_id=MRN legacy.csv
  healthanchor preview --connector hl7 adt.hl7`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if connector == "" {
				return usageErr("preview: --connector is required (one of %v)", connectors.Names())
			}
			opts, err := connectors.ParseSet(sets)
			if err != nil {
				return usageErr("preview: %v", err)
			}
			if len(args) == 1 {
				opts["input"] = args[0]
			}
			loc, err := loadLocation(timezone)
			if err != nil {
				return err
			}
			wd, _ := os.Getwd()
			logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
			conn, err := connectors.Open(connector, opts, connectors.Env{Logger: logger, Location: loc, BaseDir: wd})
			if err != nil {
				return usageErr("preview: %v", err)
			}
			out := bufio.NewWriter(cmd.OutOrStdout())
			defer out.Flush()
			ctx := cmd.Context()
			to, err := conn.Plan(ctx, nil)
			if err != nil {
				return fmt.Errorf("preview: %w", err)
			}
			rows, rejects := 0, 0
			err = conn.Read(ctx, nil, to, func(r connectors.Record) error {
				if r.Reject != nil {
					rejects++
					// Reasons usually start with their own FILE:LINE.
					fmt.Fprintf(os.Stderr, "reject %s: %s\n", r.SourceRef, strings.TrimPrefix(r.Reject.Reason, r.SourceRef+": "))
					return nil
				}
				if err := r.Schema.Check(r.Row); err != nil {
					rejects++
					fmt.Fprintf(os.Stderr, "reject %s: %v\n", r.SourceRef, err)
					return nil
				}
				rows++
				return writePreviewRow(out, r.Schema, r.Row)
			})
			if err != nil {
				return fmt.Errorf("preview: %w", err)
			}
			fmt.Fprintf(os.Stderr, "%d rows, %d rejects\n", rows, rejects)
			return nil
		},
	}
	cmd.Flags().StringVar(&connector, "connector", "", "connector name (csv, hl7, sql)")
	cmd.Flags().StringArrayVar(&sets, "set", nil, "connector option key=value (repeatable)")
	cmd.Flags().StringVar(&timezone, "timezone", "UTC", "zone of naive local times in the source")
	return cmd
}

// writePreviewRow writes one row as a JSON object with every column but
// _salt, each value in its canonical text form.
func writePreviewRow(w *bufio.Writer, s *schemas.Schema, row schemas.Row) error {
	b, err := json.Marshal(s.Map(row))
	if err != nil {
		return err
	}
	w.Write(b)
	return w.WriteByte('\n')
}

func loadLocation(name string) (*time.Location, error) {
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, usageErr("--timezone %q: %v", name, err)
	}
	return loc, nil
}
