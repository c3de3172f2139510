package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/healthanchor/healthanchor/connectors"
	"github.com/healthanchor/healthanchor/pipeline"
	"github.com/healthanchor/healthanchor/schemas"
)

func newPreviewCmd(g *globalFlags) *cobra.Command {
	var connector, timezone, job string
	var sets []string
	cmd := &cobra.Command{
		Use:   "preview (--job NAME | --connector NAME) [--set key=value]... [INPUT]",
		Short: "Print what a source normalises to, without anchoring anything",
		Long: `Preview reads a source with a connector and prints each canonical row as one
JSON object a line on stdout (with its _schema; _salt is left out, since salts
are only given when a batch is written). Rejects go to stderr with their reason.
Nothing is written, anchored or remembered.

With --job, the job's connector is opened from the config exactly as run opens
it (its options, the config's time zone, paths from the config's folder), and
it reads what the job's next run would read: the window an interrupted run
left, or everything after the job's watermark. INPUT, when given, replaces the
job's input and is read from its beginning. --set overrides the job's options.

With --connector, options come from --set alone, and INPUT sets the "input"
option. Options are the connector's config keys (see docs/); a dotted key sets a
nested option; a value is read as YAML, so lists and maps are written in flow
style: --set 'date_formats=["01/02/2006"]', --set 'mapping={patient_id: MRN}'.

Exit 0 even with rejects; 1 if the input could not be read at all; 2 on usage
errors.`,
		Example: `  healthanchor preview --job registry-legacy-csv
  healthanchor preview --job patients-csv inbox/csv/new-export.csv
  healthanchor preview --connector csv patients.csv
  healthanchor preview --connector csv --set delimiter=';' --set encoding=windows-1252 \
      --set 'date_formats=["02/01/2006"]' --set mapping.patient_id=MRN legacy.csv
  healthanchor preview --connector hl7 adt.hl7`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if (connector == "") == (job == "") {
				return usageErr("preview: give --job NAME (a job of the config) or --connector NAME (one of %v)", connectors.Names())
			}
			opts, err := connectors.ParseSet(sets)
			if err != nil {
				return usageErr("preview: %v", err)
			}
			input := ""
			if len(args) == 1 {
				input = args[0]
			}
			ctx := cmd.Context()
			var conn connectors.Connector
			var from, to []byte
			rule := pipeline.ControlReject
			if job != "" {
				if cmd.Flags().Changed("timezone") {
					return usageErr("preview: --timezone goes with --connector; a job reads times in the config's zone")
				}
				n, err := g.openNode(g.logger())
				if err != nil {
					return err
				}
				defer n.Close()
				p, err := n.PreviewJob(ctx, job, opts, input)
				if err != nil {
					if strings.Contains(err.Error(), "no job named") {
						return usageErr("preview: %v", err)
					}
					return fmt.Errorf("preview: %w", err)
				}
				if p.Pending {
					fmt.Fprintln(os.Stderr, "preview: the window an interrupted run left (the next run reads it)")
				}
				conn, from, to, rule = p.Conn, p.Window.From, p.Window.To, p.ControlChars
			} else {
				if input != "" {
					opts["input"] = input
				}
				loc, err := loadLocation(timezone)
				if err != nil {
					return err
				}
				wd, _ := os.Getwd()
				logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
				if conn, err = connectors.Open(connector, opts, connectors.Env{Logger: logger, Location: loc, BaseDir: wd}); err != nil {
					return usageErr("preview: %v", err)
				}
				if to, err = conn.Plan(ctx, nil); err != nil {
					return fmt.Errorf("preview: %w", err)
				}
			}
			return previewRows(ctx, cmd, conn, from, to, rule)
		},
	}
	cmd.Flags().StringVar(&job, "job", "", "a job of the config: preview what its next run reads")
	cmd.Flags().StringVar(&connector, "connector", "", "connector name (csv, hl7, sql), for a source no job names")
	cmd.Flags().StringArrayVar(&sets, "set", nil, "connector option key=value (repeatable; YAML values)")
	cmd.Flags().StringVar(&timezone, "timezone", "UTC", "with --connector: zone of naive local times in the source")
	return cmd
}

// previewRows reads conn's window (from, to] and prints its rows and rejects.
func previewRows(ctx context.Context, cmd *cobra.Command, conn connectors.Connector, from, to []byte, controlRule string) error {
	out := bufio.NewWriter(cmd.OutOrStdout())
	defer out.Flush()
	if string(from) == string(to) {
		fmt.Fprintln(os.Stderr, "nothing new to read: the next run would anchor nothing")
		return nil
	}
	rows, rejects := 0, 0
	err := conn.Read(ctx, from, to, func(r connectors.Record) error {
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
		if err := pipeline.CheckControlChars(controlRule, r); err != nil {
			rejects++
			fmt.Fprintf(os.Stderr, "reject %s: %s\n", r.SourceRef, strings.TrimPrefix(err.Error(), r.SourceRef+": "))
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
