package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/healthanchor/healthanchor"
	sqlconn "github.com/healthanchor/healthanchor/connectors/sql"
	"github.com/healthanchor/healthanchor/pipeline"
)

func newDemoCmd(g *globalFlags) *cobra.Command {
	var dir string
	var agencies int
	cmd := &cobra.Command{
		Use:   "demo [--agencies 1|3] [--dir DIR]",
		Short: "Set up and run a complete local deployment on embedded sample data",
		Long: `Demo creates DIR with an agency key, a salt key, a single-node chain
genesis, a healthanchor.yaml and an inbox per source kind filled with sample
exports (patients with accents, quotes, embedded newlines, Windows-1252 text
and a few deliberately bad rows). It then runs every job once, verifies the
chain and every batch file, and prints what happened.

Running it again on the same DIR anchors nothing new. Drop another export named
patients-*.csv (the csv job's input pattern) into DIR/inbox/csv/ and run:
  healthanchor --config DIR/healthanchor.yaml run
A file there that no job's pattern takes is not read; run warns about it.

With --agencies 3 it sets up a local consortium of three agencies instead
(DIR/node1, node2, node3 and the CA in DIR/ca, default DIR
healthanchor-consortium), starts each agency's node as a separate serve
process on free loopback ports, and walks through an exchange: node1 anchors
the sample CSV and HL7 data and grants node2 TREAT on patient/1, encounter/1
and observation/1; node2 fetches one patient's records, each checked against
its own replica, and the proof bundles pass verify proof; the disclosure entry
and node2's receipt show on all three replicas; node3, without a grant, is
refused. It prints every command it runs, so each step can be repeated by
hand, then stops the nodes (also on failure and on Ctrl-C). Exit 1 when a
step does not do what it should.`,
		Example: `  healthanchor demo
  healthanchor demo --agencies 3 --dir /tmp/consortium`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			switch agencies {
			case 1:
			case 3:
				if !cmd.Flags().Changed("dir") {
					dir = "healthanchor-consortium"
				}
				return runConsortiumDemo(cmd.Context(), cmd.OutOrStdout(), dir)
			default:
				return usageErr("demo: --agencies %d: use 1 (one agency) or 3 (a consortium)", agencies)
			}
			samples, err := fs.Sub(healthanchor.DemoFS, "testdata/demo")
			if err != nil {
				return err
			}
			cfgPath, created, err := pipeline.SetupDemo(dir, samples, demoExtras)
			if err != nil {
				return usageErr("%v", err)
			}
			w := cmd.OutOrStdout()
			if created {
				fmt.Fprintf(w, "Created a demo deployment in %s\n\n", dir)
			} else {
				fmt.Fprintf(w, "Re-running the demo deployment in %s\n\n", dir)
			}
			g.config = cfgPath
			n, err := g.openNode(g.logger())
			if err != nil {
				return err
			}
			defer n.Close()
			results, runErr := n.Run(cmd.Context(), pipeline.RunOptions{})
			printResults(cmd, results)
			if runErr != nil && !errors.Is(runErr, pipeline.ErrJobFailed) {
				return runErr
			}
			rep, files, verr := n.VerifyAll(cmd.Context())
			if verr != nil {
				return verr
			}
			fmt.Fprintf(w, "\nVerified: chain %s height %d (head %.16s…), %d manifests, %d batch files match their anchors.\n",
				n.Chain.ChainID(), rep.Height, rep.HeadHash, rep.Manifests, files)
			abs, _ := filepath.Abs(cfgPath)
			fmt.Fprintf(w, `
Next:
  healthanchor --config %[1]s batches
  healthanchor --config %[1]s verify chain
  healthanchor --config %[1]s verify batch <BATCH_ID or file>
  healthanchor --config %[1]s runs
  healthanchor --config %[1]s prove <BATCH_ID> --row 0 --out proof.json
  healthanchor verify proof proof.json --genesis %[2]s/genesis.json
  drop a CSV named patients-*.csv into %[2]s/inbox/csv/ and: healthanchor --config %[1]s run
`, abs, filepath.Dir(abs))
			return runErr
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "healthanchor-demo", "folder for the demo deployment (healthanchor-consortium with --agencies 3)")
	cmd.Flags().IntVar(&agencies, "agencies", 1, "1: one agency on a single-node chain; 3: a consortium of three agencies exchanging records")
	return cmd
}

// demoExtras builds the legacy SQLite database from its SQL script.
func demoExtras(dir string) error {
	script, err := healthanchor.DemoFS.Open("testdata/demo/sql/legacy.sql")
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	defer script.Close()
	db := filepath.Join(dir, "sources", "legacy.db")
	if err := sqlconn.LoadScript(context.Background(), db, script); err != nil {
		return err
	}
	return os.Chmod(db, pipeline.DefaultFileMode.Perm()) // the demo's source: patient records

}
