package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/spf13/cobra"

	"github.com/healthanchor/healthanchor/anchor"
	"github.com/healthanchor/healthanchor/anchor/replication"
	"github.com/healthanchor/healthanchor/lifecycle"
	"github.com/healthanchor/healthanchor/pipeline"
)

func newChainTimestampCmd(g *globalFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "timestamp",
		Short: "Ask the config's RFC 3161 timestamp authorities to stamp the latest checkpoint now",
		Long: `Timestamp asks each authority of the config's timestamp: section for an RFC 3161
token over the SHA-256 of the latest checkpoint's body, checks the token (its
CMS signature and certificate chain against that authority's ca_file, its
imprint) and stores it in the state DB; serve does the same every
timestamp.every. A token that does not verify is refused with the reason and
never stored. The tokens stored are then named by a timestamp entry the
agency signs and anchors on the chain (one per checkpoint; that block makes a
newer checkpoint, which the next round stamps). Exit 0 when every authority's
token for the checkpoint is stored and anchored, 1 when some authority gave
none (or the chain has no checkpoint yet), 2 without a timestamp: section.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			n, err := g.openNode(g.logger())
			if err != nil {
				return err
			}
			defer n.Close()
			if n.Config.Timestamp == nil {
				return usageErr("the config has no timestamp: section (docs/lifecycle.md)")
			}
			leave, err := joinCluster(cmd.Context(), n, "chain timestamp")
			if err != nil {
				return err
			}
			defer leave()
			s, err := newStamper(n, g.logger())
			if err != nil {
				return err
			}
			defer s.Store.Close()
			results, err := s.StampOnce(cmd.Context())
			if errors.Is(err, lifecycle.ErrNoCheckpoint) {
				return &exitError{code: exitFailed, err: err}
			}
			if err != nil {
				return err
			}
			failed := printStamps(cmd.OutOrStdout(), results)
			// The tokens stored are anchored even when some TSA gave
			// none.
			stamps, err := s.AnchorStored(cmd.Context())
			for _, a := range stamps {
				fmt.Fprintf(cmd.OutOrStdout(), "ANCHORED: timestamp entry naming %d token(s) for log size %d in block %d\n", a.Tokens, a.CheckpointSize, a.Height)
			}
			if err != nil {
				return err
			}
			return failed
		},
	}
}

func printStamps(w io.Writer, results []lifecycle.StampResult) error {
	failed := 0
	for _, r := range results {
		switch {
		case r.Err != nil:
			failed++
			fmt.Fprintf(w, "NO TOKEN: %s: log size %d: %v\n", r.TSA, r.CheckpointSize, r.Err)
		case r.Already:
			fmt.Fprintf(w, "OK: %s: log size %d was stamped already\n", r.TSA, r.CheckpointSize)
		default:
			fmt.Fprintf(w, "OK: %s: log size %d stamped at %s\n", r.TSA, r.CheckpointSize, r.Time.Format(time.RFC3339))
		}
	}
	if failed > 0 {
		return &exitError{code: exitFailed, err: fmt.Errorf("%d of %d timestamp authorities gave no valid token", failed, len(results))}
	}
	return nil
}

// newStamper wires the node's latest checkpoint and state DB into a
// stamper of its config's timestamp: section.
func newStamper(n *pipeline.Node, logger *slog.Logger) (*lifecycle.Stamper, error) {
	store, err := lifecycle.OpenTokenStore(n.Config.Path(n.Config.State))
	if err != nil {
		return nil, err
	}
	return &lifecycle.Stamper{Config: n.Config.Timestamp, Dir: n.Config.Dir(), Checkpoint: latestCheckpoint(n), Store: store,
		Logger: logger.With("component", "timestamp"), Entries: entryAnchor(n)}, nil
}

// entryAnchor anchors the stamper's timestamp entries through the node.
func entryAnchor(n *pipeline.Node) *lifecycle.EntryAnchor {
	return &lifecycle.EntryAnchor{Agency: n.Config.Agency.ID, Entries: n.Chain.Entries, Anchor: n.AnchorEntryExclusive}
}

// latestCheckpoint reads the node's latest signed checkpoint: the
// replication store's cosigned one in a cluster, the chain store's own
// on a single node.
func latestCheckpoint(n *pipeline.Node) func(context.Context) (string, error) {
	if c := n.Config.Cluster; c != nil {
		return func(context.Context) (string, error) { return replication.StoredCheckpoint(*c, n.Config.Dir()) }
	}
	return n.Chain.LatestCheckpoint
}

// verifyTimestamps re-checks the node's stored tokens (none stored and
// no timestamp: section: nil). A token that fails is a Mismatch.
func verifyTimestamps(ctx context.Context, n *pipeline.Node) (*lifecycle.TimestampReport, error) {
	store, err := lifecycle.OpenTokenStore(n.Config.Path(n.Config.State))
	if err != nil {
		return nil, err
	}
	defer store.Close()
	rep, err := lifecycle.VerifyTokens(ctx, store, n.Chain, n.Config.Timestamp, n.Config.Dir(), entryAnchor(n))
	if err != nil {
		return nil, err
	}
	if len(rep.Tokens) == 0 && len(rep.EntryProblems) == 0 && n.Config.Timestamp == nil {
		return nil, nil
	}
	if p := rep.Problems(); len(p) > 0 {
		return &rep, &anchor.Mismatch{Problems: p}
	}
	return &rep, nil
}

// printTimestamps says what the tokens prove, after verify chain's line.
func printTimestamps(w io.Writer, rep *lifecycle.TimestampReport) {
	if rep == nil {
		return
	}
	for _, t := range rep.Tokens {
		if t.Skipped {
			fmt.Fprintf(w, "  timestamp of %s for log size %d not checked: %s\n", t.TSA, t.CheckpointSize, t.Problem)
		}
	}
	if rep.Latest == nil {
		fmt.Fprintln(w, "no timestamp token yet: run `healthanchor chain timestamp`, or serve with a timestamp: section")
		return
	}
	l := rep.Latest
	fmt.Fprintf(w, "OK: %d timestamp token(s) verified, %d named by timestamp entries on the chain; the chain up to block %d (log size %d) existed by %s (%s)\n",
		verified(rep), named(rep), l.Height, l.CheckpointSize, l.Time.Format(time.RFC3339), l.TSA)
}

// named counts the verified tokens a timestamp entry names.
func named(rep *lifecycle.TimestampReport) int {
	n := 0
	for _, t := range rep.Tokens {
		if t.OK && t.EntryHeight > 0 {
			n++
		}
	}
	return n
}

func verified(rep *lifecycle.TimestampReport) int {
	n := 0
	for _, t := range rep.Tokens {
		if t.OK {
			n++
		}
	}
	return n
}

// startStamper runs the node's stamper beside the jobs until ctx is done
// or stop is called, its metrics on serve's /metrics. A TSA that is down
// only delays its token: the stamper retries with back-off and warns.
func startStamper(ctx context.Context, n *pipeline.Node, logger *slog.Logger, opts *pipeline.ServeOptions) (stop func(), err error) {
	s, err := newStamper(n, logger)
	if err != nil {
		return nil, err
	}
	s.Metrics = lifecycle.NewTimestampMetrics()
	opts.Collectors = append(opts.Collectors, s.Metrics.Collectors()...)
	stopRun := runBeside(ctx, s.Run)
	return func() {
		stopRun()
		s.Store.Close()
	}, nil
}
