package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/healthanchor/healthanchor/anchor"
	"github.com/healthanchor/healthanchor/pipeline"
)

func newVerifyProofCmd(g *globalFlags) *cobra.Command {
	var genesisPath string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "proof BUNDLE|DIR [--genesis GENESIS]",
		Short: "Check a record's proof bundle offline, with only the chain's genesis",
		Long: `Verify proof checks a bundle written by 'healthanchor prove': the genesis
itself; the record's Merkle path to its batch root; the manifest's signature by
its agency; the block's shape and signature and the manifest's path to its log
root; the membership blocks since the genesis (each approved by a majority);
the consistency proof from the block's log to the checkpoint's; and that the
checkpoint is signed by at least a quorum of distinct current members (a
majority, or the genesis's "quorum"). It needs no config, no chain copy and no
batch file: only the genesis block. Exit 0 when it holds, 1 when it does not
or when the bundle or genesis is malformed (with what is wrong), 2 on usage
errors (a missing file).

Given a folder (what 'prove --patient ID --out DIR' writes), it checks every
*.json bundle in it and prints one summary line; any failure is exit 1, with
one line per failing file. A folder with no bundle but a proofs/ folder (what
'fetch --out DIR' writes) is checked as DIR/proofs.

A batch bundle ("scope": "batch", what 'fetch --batch' writes) proves a whole
batch file: it is checked together with BATCH.parquet, found beside the
bundle or in the folder above it, whose Merkle root is recomputed from its
rows and compared, with its row count, batch id and schema (and, without
erased rows, its SHA-256 and size), to the bundle's manifest.

Without --genesis, the genesis named by the config (chain.genesis of --config
or ./healthanchor.yaml) is used, when there is one.`,
		Example: `  healthanchor verify proof proof.json --genesis genesis.json
  healthanchor verify proof proofs/P001 --genesis genesis.json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if genesisPath == "" {
				genesisPath = configGenesis(g.config)
			}
			if genesisPath == "" {
				return usageErr("verify proof: --genesis is required (the chain's genesis.json) when no config names one")
			}
			raw, err := readLimited(genesisPath, anchor.MaxGenesisSize)
			if err != nil {
				return err
			}
			g, err := anchor.ParseGenesis(raw)
			if err != nil {
				return &exitError{code: exitFailed, err: fmt.Errorf("verify proof: %s: %w", genesisPath, err)}
			}
			if st, err := os.Stat(args[0]); err == nil && st.IsDir() {
				return verifyProofDir(cmd, args[0], g, asJSON)
			}
			rep, err := verifyProofFile(cmd.Context(), args[0], g)
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			if asJSON {
				return json.NewEncoder(w).Encode(rep)
			}
			if rep.Scope == anchor.ScopeBatch {
				fmt.Fprintf(w, "OK: batch %s (%s, agency %s): its file's %d rows (%d erased) give the anchored Merkle root; block %d (%.16s…) commits to it in a log of %d manifests; "+
					"the checkpoint of %d manifests is signed by quorum %d of %d (%s; %d needed)\n",
					rep.BatchID, rep.Schema, rep.Agency, rep.Rows, rep.Erased, rep.BlockHeight, rep.BlockHash, rep.LogSize,
					rep.CheckpointSize, len(rep.Signers), rep.Members, strings.Join(rep.Signers, ", "), rep.Quorum)
				return nil
			}
			fmt.Fprintf(w, "OK: row %d of batch %s (%s, agency %s) is anchored; block %d (%.16s…) commits to it in a log of %d manifests; "+
				"the checkpoint of %d manifests is signed by quorum %d of %d (%s; %d needed)\n",
				rep.Row, rep.BatchID, rep.Schema, rep.Agency, rep.BlockHeight, rep.BlockHash, rep.LogSize,
				rep.CheckpointSize, len(rep.Signers), rep.Members, strings.Join(rep.Signers, ", "), rep.Quorum)
			return nil
		},
	}
	cmd.Flags().StringVar(&genesisPath, "genesis", "", "the chain's genesis block (JSON)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the report as JSON")
	return cmd
}

// verifyProofFile reads, parses and verifies one bundle; a batch bundle
// together with its batch file (batchBundleFile).
func verifyProofFile(ctx context.Context, path string, g anchor.Block) (anchor.ProofReport, error) {
	raw, err := readLimited(path, anchor.MaxProofSize)
	if err != nil {
		return anchor.ProofReport{}, err
	}
	p, err := anchor.ParseProof(raw)
	if err != nil {
		return anchor.ProofReport{}, &exitError{code: exitFailed, err: fmt.Errorf("verify proof: %s: %w", path, err)}
	}
	if p.Scope != anchor.ScopeBatch {
		return anchor.VerifyProof(p, g)
	}
	file, ok := batchBundleFile(path, p.Manifest.BatchID)
	if !ok {
		return anchor.ProofReport{}, &exitError{code: exitFailed, err: fmt.Errorf(
			"verify proof: %s is a batch bundle, checked with its batch file: no %s.parquet beside it or in the folder above", path, p.Manifest.BatchID)}
	}
	return anchor.VerifyBatchBundle(ctx, p, g, file)
}

// batchBundleFile finds the batch file a batch bundle at path is checked
// with: BATCH.parquet in the bundle's folder, else in the folder above
// it (a fetch's DIR/BATCH.parquet beside DIR/proofs/BATCH.json).
func batchBundleFile(path, batchID string) (string, bool) {
	dir := filepath.Dir(path)
	for _, d := range []string{dir, filepath.Dir(dir)} {
		f := filepath.Join(d, batchID+".parquet")
		if st, err := os.Stat(f); err == nil && st.Mode().IsRegular() {
			return f, true
		}
	}
	return "", false
}

// readLimited reads a file of at most limit bytes. A file that cannot be
// opened is a usage error (exit 2); a larger one is a failed check.
func readLimited(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, usageErr("verify proof: %v", err)
	}
	defer f.Close()
	raw, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, usageErr("verify proof: %s: %v", path, err)
	}
	if int64(len(raw)) > limit {
		return nil, &exitError{code: exitFailed, err: fmt.Errorf("verify proof: %s is larger than %d bytes, the most this tool reads: not a proof bundle or genesis", path, limit)}
	}
	return raw, nil
}

// configGenesis is the genesis file the config at path names, "" when the
// config cannot be read or names none: an auditor's machine has no config.
func configGenesis(path string) string {
	if _, err := os.Stat(path); err != nil {
		return ""
	}
	cfg, err := pipeline.LoadConfig(path)
	if err != nil || cfg.Chain.Genesis == "" {
		return ""
	}
	return cfg.Path(cfg.Chain.Genesis)
}
