package main

import (
	"bytes"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/healthanchor/healthanchor/audit"
)

func newAuditCmd(g *globalFlags) *cobra.Command {
	var from, to, format, out string
	cmd := &cobra.Command{
		Use:   "audit --format html|json --out FILE",
		Short: "Write the audit report of a period (HTML or JSON)",
		Long: `Audit writes the report of a period (UTC days, both included; open-ended
without --from or --to): every run with read = written + rejected (flagged
where it does not hold), the reject reasons counted, every batch with its
root, block and checkpoint, the result of re-verifying the chain and every
batch file of the period now, fork evidence, the latest checkpoint's cosigners
and disclosures. HTML is one self-contained printable page; JSON has the same
content (docs/audit.md). Exit 1 when a re-verification fails (the report is
written all the same), 2 on usage or configuration errors.`,
		Example: `  healthanchor audit --from 2026-11-01 --to 2026-11-30 --format html --out audit-2026-11.html
  healthanchor audit --format json --out audit.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := period(from, to)
			if err != nil {
				return err
			}
			if format != "html" && format != "json" {
				return usageErr("--format must be html or json, not %q", format)
			}
			if out == "" {
				return usageErr("--out FILE is required")
			}
			n, err := g.openNode(g.logger())
			if err != nil {
				return err
			}
			defer n.Close()
			rep, err := audit.Build(cmd.Context(), auditSources(n), p)
			if err != nil {
				return err
			}
			var buf bytes.Buffer
			if format == "html" {
				err = rep.WriteHTML(&buf)
			} else {
				err = rep.WriteJSON(&buf)
			}
			if err != nil {
				return err
			}
			if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
				return fmt.Errorf("audit: %w", err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: %d runs (%d not reconciling), %d batches, %d files re-verified\n",
				out, len(rep.Runs), rep.Unreconciled(), len(rep.Batches), rep.Verified.Verified)
			if !rep.Verified.OK {
				return &exitError{code: exitFailed, err: fmt.Errorf("re-verification failed: see %s", out)}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&from, "from", "", "first day of the period, YYYY-MM-DD (UTC)")
	cmd.Flags().StringVar(&to, "to", "", "last day of the period, YYYY-MM-DD (UTC)")
	cmd.Flags().StringVar(&format, "format", "html", "html or json")
	cmd.Flags().StringVar(&out, "out", "", "the file to write")
	return cmd
}

func period(from, to string) (audit.Period, error) {
	for _, d := range []struct{ flag, v string }{{"--from", from}, {"--to", to}} {
		if d.v == "" {
			continue
		}
		if _, err := time.Parse(time.DateOnly, d.v); err != nil {
			return audit.Period{}, usageErr("%s %q: want a date YYYY-MM-DD", d.flag, d.v)
		}
	}
	if from != "" && to != "" && from > to {
		return audit.Period{}, usageErr("--from %s is after --to %s", from, to)
	}
	return audit.Period{From: from, To: to}, nil
}
