package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/healthanchor/healthanchor/anchor"
)

func newVerifyProofCmd() *cobra.Command {
	var genesisPath string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "proof BUNDLE --genesis GENESIS",
		Short: "Check a record's proof bundle offline, with only the chain's genesis",
		Long: `Verify proof checks a bundle written by 'healthanchor prove': the record's
Merkle path to its batch root, the manifest's signature by its agency, the
manifest's path to the chain's log root, and the block's signature by a member
committing to that root. It needs no config, no chain copy and no batch file:
only the genesis block (the members' public keys). Exit 0 when it holds, 1
when it does not, 2 on usage errors.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if genesisPath == "" {
				return usageErr("verify proof: --genesis is required (the chain's genesis.json)")
			}
			var p anchor.Proof
			if err := readJSON(args[0], &p); err != nil {
				return usageErr("verify proof: %v", err)
			}
			var g anchor.Block
			if err := readJSON(genesisPath, &g); err != nil {
				return usageErr("verify proof: %v", err)
			}
			rep, err := anchor.VerifyProof(p, g)
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			if asJSON {
				return json.NewEncoder(w).Encode(rep)
			}
			fmt.Fprintf(w, "OK: row %d of batch %s (%s, agency %s) is anchored; block %d (%.16s…) commits to it in a log of %d manifests\n",
				rep.Row, rep.BatchID, rep.Schema, rep.Agency, rep.BlockHeight, rep.BlockHash, rep.LogSize)
			return nil
		},
	}
	cmd.Flags().StringVar(&genesisPath, "genesis", "", "the chain's genesis block (JSON)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the report as JSON")
	return cmd
}

func readJSON(path string, v any) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}
