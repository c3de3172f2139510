package main

import (
	"crypto/ed25519"
	"fmt"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/healthanchor/healthanchor/anchor"
	"github.com/healthanchor/healthanchor/deploy"
	"github.com/healthanchor/healthanchor/internal/fsutil"
)

func newGenesisCmd() *cobra.Command {
	cmd := groupCmd("genesis", "Write and check the genesis block naming the consortium's members",
		`The genesis is block 0: the chain id and the member agencies with their
public keys and addresses. One member writes and signs it (docs/format.md,
section 8: the genesis carries its proposer's signature); every member checks
it and compares its hash out of band before using it (docs/deploy.md).`)
	cmd.AddCommand(newGenesisCreateCmd(), newGenesisCheckCmd())
	return cmd
}

func newGenesisCreateCmd() *cobra.Command {
	var chainID, keyFile, out string
	var specs []string
	cmd := &cobra.Command{
		Use:   "create --chain-id ID --member id=...,name=...,public-key=...,address=...,raft-addr=... [--member ...] --key agency.key --out genesis.json",
		Short: "Write the genesis from the members' public keys, signed by your agency key",
		Long: `Create writes genesis.json naming each --member in the order given:
  id          the agency's member id (its certificate's common name)
  name        a human-readable name
  public-key  the key keygen printed for it
  address     its peer API host:port        (required with several members)
  raft-addr   its Raft host:port            (required with several members)
The block is signed with --key, which must be the agency key of one of the
members (the proposer of the genesis). Observers are not members: admit them
later with cluster add-observer.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if chainID == "" || keyFile == "" || out == "" || len(specs) == 0 {
				return usageErr("genesis create needs --chain-id, --member (one or more), --key and --out")
			}
			var members []anchor.Member
			for _, s := range specs {
				m, err := deploy.ParseMember(s)
				if err != nil {
					return usageErr("--member: %v", err)
				}
				members = append(members, m)
			}
			key, err := anchor.ReadSigningKey(keyFile)
			if err != nil {
				return usageErr("--key: %v", err)
			}
			g, err := deploy.NewGenesis(chainID, members, key, time.Now())
			if err != nil {
				return &exitError{code: exitUsage, err: err}
			}
			body, err := deploy.EncodeGenesis(g)
			if err != nil {
				return err
			}
			if err := fsutil.WriteNew(out, body, 0o644); err != nil {
				return usageErr("genesis create: %v", err)
			}
			return printGenesis(cmd, out, g)
		},
	}
	cmd.Flags().StringVar(&chainID, "chain-id", "", "the chain's id (unique to this consortium)")
	cmd.Flags().StringArrayVar(&specs, "member", nil, "a member agency as id=...,name=...,public-key=...,address=...,raft-addr=... (repeat)")
	cmd.Flags().StringVar(&keyFile, "key", "", "your agency's signing key (agency.key); you must be a member")
	cmd.Flags().StringVar(&out, "out", "genesis.json", "file to write (never overwritten)")
	return cmd
}

func newGenesisCheckCmd() *cobra.Command {
	var agency, keyDir string
	cmd := &cobra.Command{
		Use:   "check GENESIS [--agency ID --key-dir DIR]",
		Short: "Verify a genesis and print its hash and members",
		Long: `Check verifies the genesis (block 0, members with unique ids and valid keys,
the proposer's signature) and prints its hash, chain id and members. Compare
the hash with the other members out of band: every member must use the same
file. With --agency and --key-dir it also checks that this agency's key is
the one the genesis names. Exit 0 when it holds, 1 otherwise.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			g, err := anchor.ReadGenesisFile(args[0])
			if err != nil {
				return &exitError{code: exitFailed, err: err}
			}
			if agency != "" || keyDir != "" {
				if agency == "" || keyDir == "" {
					return usageErr("give --agency and --key-dir together")
				}
				m, ok := g.Genesis.Member(agency)
				if !ok {
					return &exitError{code: exitFailed, err: fmt.Errorf("%s: agency %s is not a member", args[0], agency)}
				}
				key, err := anchor.ReadSigningKey(filepath.Join(keyDir, anchor.AgencyKeyFile))
				if err != nil {
					return usageErr("%v", err)
				}
				if pub, _ := anchor.DecodePublicKey(m.PublicKey); !pub.Equal(key.Public().(ed25519.PublicKey)) {
					return &exitError{code: exitFailed, err: fmt.Errorf("%s: agency %s's key is not the one in %s", args[0], agency, keyDir)}
				}
			}
			return printGenesis(cmd, args[0], g)
		},
	}
	cmd.Flags().StringVar(&agency, "agency", "", "your agency's member id")
	cmd.Flags().StringVar(&keyDir, "key-dir", "", "your key folder (from keygen)")
	return cmd
}

func printGenesis(cmd *cobra.Command, path string, g anchor.Block) error {
	hash, err := g.Hash()
	if err != nil {
		return err
	}
	w := cmd.OutOrStdout()
	fmt.Fprintf(w, "%s: chain %s, genesis hash %s, signed by %s\n", path, g.ChainID, hash, g.Proposer)
	for _, m := range g.Genesis.Members {
		fmt.Fprintf(w, "  member %s (%s) key %s api %s raft %s\n", m.ID, m.Name, m.PublicKey, orDash(m.Address), orDash(m.RaftAddr))
	}
	return nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
