package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"sort"

	"github.com/spf13/cobra"

	"github.com/healthanchor/healthanchor/anchor"
)

// proofDirReport is what verify proof DIR --json prints.
type proofDirReport struct {
	Verified int                  `json:"verified"`
	Failed   map[string]string    `json:"failed"` // file name -> what fails
	Reports  []anchor.ProofReport `json:"reports"`
}

// verifyProofDir verifies every *.json bundle of dir against g and
// prints one summary line (and a line per failing file).
func verifyProofDir(cmd *cobra.Command, dir string, g anchor.Block, asJSON bool) error {
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return usageErr("verify proof: %v", err)
	}
	if len(files) == 0 {
		// A fetch's folder: its bundles are under proofs/.
		if nested, err := filepath.Glob(filepath.Join(dir, "proofs", "*.json")); err == nil && len(nested) > 0 {
			files, dir = nested, filepath.Join(dir, "proofs")
		}
	}
	sort.Strings(files)
	if len(files) == 0 {
		return &exitError{code: exitFailed, err: fmt.Errorf("verify proof: %s holds no *.json proof bundle", dir)}
	}
	out := proofDirReport{Failed: map[string]string{}, Reports: []anchor.ProofReport{}}
	counts := map[string]int{}
	minSigned, members := -1, 0
	for _, f := range files {
		rep, err := verifyProofFile(cmd.Context(), f, g)
		if err != nil {
			var ee *exitError
			if errors.As(err, &ee) && ee.code == exitUsage {
				return err
			}
			out.Failed[filepath.Base(f)] = err.Error()
			continue
		}
		out.Verified++
		out.Reports = append(out.Reports, rep)
		if rep.Scope == anchor.ScopeBatch {
			counts[rep.Schema+" (batch files)"]++
		} else {
			counts[rep.Schema]++
		}
		if minSigned < 0 || len(rep.Signers) < minSigned {
			minSigned, members = len(rep.Signers), rep.Members
		}
	}
	w := cmd.OutOrStdout()
	if asJSON {
		enc := json.NewEncoder(w)
		if err := enc.Encode(out); err != nil {
			return err
		}
	} else {
		for _, f := range files {
			if msg, ok := out.Failed[filepath.Base(f)]; ok {
				fmt.Fprintf(w, "FAIL %s: %s\n", filepath.Base(f), msg)
			}
		}
	}
	if len(out.Failed) > 0 {
		return &exitError{code: exitFailed, err: fmt.Errorf("verify proof: %d of %d bundles in %s do not verify", len(out.Failed), len(files), dir)}
	}
	if !asJSON {
		fmt.Fprintf(w, "OK: %d proofs in %s verified (%s); every checkpoint is signed by a quorum (at least %d of %d)\n",
			out.Verified, dir, schemaCounts(counts), minSigned, members)
	}
	return nil
}
