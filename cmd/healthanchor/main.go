// Command healthanchor extracts health records from legacy sources,
// writes them as Parquet batches, and anchors each batch's Merkle root on
// a permissioned hash-linked chain. Run `healthanchor demo` first.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/healthanchor/healthanchor/anchor"
	"github.com/healthanchor/healthanchor/pipeline"

	_ "github.com/healthanchor/healthanchor/connectors/csv"
	_ "github.com/healthanchor/healthanchor/connectors/exec"
	_ "github.com/healthanchor/healthanchor/connectors/fhirndjson"
	_ "github.com/healthanchor/healthanchor/connectors/hl7"
	_ "github.com/healthanchor/healthanchor/connectors/sql"
)

// Exit codes, documented in --help and the README.
const (
	exitOK     = 0
	exitFailed = 1 // a check failed (tampering, mismatch, a damaged store) or a job failed
	exitUsage  = 2 // usage or configuration error (flags, config file, keys and genesis it names)
	exitLocked = 3 // another process holds a job's lock
)

// exitError carries a specific exit code up to main.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func usageErr(format string, args ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, args...)}
}

// Garbage collector defaults for a streaming batch job: collect half as
// often as Go's default (the heap is mostly short-lived record batches),
// under a soft memory limit that keeps peak RSS well below 256 MiB. The
// GOGC and GOMEMLIMIT environment variables override both.
const (
	defaultGCPercent   = 200
	defaultMemoryLimit = 200 << 20
)

func main() {
	restrictUmask()
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(defaultGCPercent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(defaultMemoryLimit)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	root := newRootCmd()
	err := root.ExecuteContext(ctx)
	os.Exit(exitCode(err))
}

func exitCode(err error) int {
	if err == nil {
		return exitOK
	}
	fmt.Fprintln(os.Stderr, "healthanchor:", err)
	var ee *exitError
	var ce pipeline.ConfigErrors
	var mm *anchor.Mismatch
	switch {
	case errors.As(err, &ee):
		return ee.code
	case errors.As(err, &ce):
		return exitUsage
	case errors.As(err, &mm):
		return exitFailed
	case errors.Is(err, pipeline.ErrLocked):
		return exitLocked
	case isUsage(err):
		return exitUsage
	}
	return exitFailed
}

type globalFlags struct {
	config     string
	verbose    bool
	cpuProfile string
	stopProf   func()
	// progressEvery is how often a running job logs its progress where no
	// terminal shows a bar (cron, serve, --json).
	progressEvery time.Duration
}

func newRootCmd() *cobra.Command {
	g := &globalFlags{}
	root := &cobra.Command{
		Use:   "healthanchor",
		Short: "Anchor nightly health-record extracts on a permissioned chain",
		Long: `healthanchor pulls legacy health sources (CSV exports, HL7 v2 feeds, SQL
tables) incrementally, normalises them into canonical schemas, writes each
batch as Parquet, and anchors the batch's Merkle root, signed by your agency,
on a hash-linked chain. The chain holds commitments only, never patient data.

Start with:
  healthanchor demo                 set up and run a complete local deployment
  healthanchor --config DIR/healthanchor.yaml run
  healthanchor --config DIR/healthanchor.yaml verify chain

Exit codes: 0 success; 1 a check or job failed (a mismatch, a damaged or
replaced chain or state store, a failed job); 2 a usage or configuration error
only (flags, the config file, the keys and genesis it names); 3 another process
holds a job's lock.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentFlags().StringVar(&g.config, "config", pipeline.DefaultConfigPath, "config file")
	root.PersistentFlags().BoolVarP(&g.verbose, "verbose", "v", false, "log debug details")
	root.PersistentFlags().DurationVar(&g.progressEvery, "progress-every", 10*time.Second, "without a terminal, log each running job's progress this often (rows, rows/s, bytes, ETA)")
	root.PersistentFlags().StringVar(&g.cpuProfile, "cpuprofile", "", "write a CPU profile to this file (for performance work)")
	root.PersistentPreRunE = func(cmd *cobra.Command, args []string) error {
		if g.cpuProfile == "" {
			return nil
		}
		f, err := os.Create(g.cpuProfile)
		if err != nil {
			return usageErr("--cpuprofile: %v", err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			return usageErr("--cpuprofile: %v", err)
		}
		g.stopProf = func() { pprof.StopCPUProfile(); f.Close() }
		return nil
	}
	root.PersistentPostRun = func(cmd *cobra.Command, args []string) {
		if g.stopProf != nil {
			g.stopProf()
		}
	}
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usageErr("%v (see %s --help)", err, c.CommandPath())
	})
	root.AddCommand(
		newDemoCmd(g), newRunCmd(g), newPreviewCmd(g), newBatchesCmd(g), newVerifyCmd(g),
		newRunsCmd(g), newRejectsCmd(g), newConfigCmd(g), newGenCmd(), newServeCmd(g), newHL7Cmd(), newClusterCmd(g), newChainCmd(g), newProveCmd(g), newConnectorsCmd(), newAuditCmd(g),
		newKeygenCmd(), newCACmd(), newGenesisCmd(), newInitCmd(), newBackupCmd(g), newRestoreCmd(g), newIndexCmd(g), newFetchCmd(g), newDisclosuresCmd(g),
		newExportCmd(g), newEraseCmd(g), newRetentionCmd(g), newSchemasCmd(),
	)
	return root
}

func isUsage(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "accepts ", "requires at least", "unknown flag", "invalid argument"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}

// logger returns the CLI's logger: text on a terminal, JSON otherwise.
func (g *globalFlags) logger() *slog.Logger {
	level := slog.LevelInfo
	if g.verbose {
		level = slog.LevelDebug
	}
	opts := &slog.HandlerOptions{Level: level}
	if term.IsTerminal(int(os.Stderr.Fd())) {
		return slog.New(slog.NewTextHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewJSONHandler(os.Stderr, opts))
}

// openNode loads the config and opens the node, mapping config problems
// to exit code 2 (see openErr).
func (g *globalFlags) openNode(logger *slog.Logger) (*pipeline.Node, error) {
	cfg, err := pipeline.LoadConfig(g.config)
	if err != nil {
		return nil, err
	}
	for _, w := range cfg.Warnings() {
		logger.Warn(w.Error())
	}
	n, err := pipeline.Open(cfg, logger)
	if err != nil {
		return nil, openErr(err)
	}
	if err := setTestClock(n); err != nil {
		n.Close()
		return nil, err
	}
	return n, nil
}

// openErr maps an error opening the node or its chain: the config's fault
// (pipeline.ErrConfig) exits 2; a damaged, replaced or unreadable store is
// a failed check and exits 1.
func openErr(err error) error {
	if errors.Is(err, pipeline.ErrConfig) {
		return &exitError{code: exitUsage, err: err}
	}
	return err
}

// groupCmd is a command that only holds subcommands: run bare it prints
// its help and exits 2; with an unknown subcommand it says so and exits 2.
func groupCmd(use, short, long string) *cobra.Command {
	return &cobra.Command{
		Use: use, Short: short, Long: long,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageErr("unknown command %q for %q (see %s --help)", args[0], cmd.CommandPath(), cmd.CommandPath())
			}
			cmd.Help()
			return usageErr("%s needs a subcommand", cmd.CommandPath())
		},
	}
}

// writeJSON writes v as indented JSON, for the --json outputs.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
