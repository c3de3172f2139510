package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/healthanchor/healthanchor/anchor"
	"github.com/healthanchor/healthanchor/anchor/replication"
)

func newClusterMemberCmd(g *globalFlags) *cobra.Command {
	cmd := groupCmd("member", "Add, remove or re-key a member agency (membership blocks)",
		`Member commands change the chain's member set. A change is written to a file
by propose, signed by each member agency with sign (its agency key), and
submitted once a strict majority of the current members signed it. It then
becomes a membership block: from the next block on, manifests and blocks are
checked against the new member set, and the Raft configuration and TLS
allow-list follow it (docs/replication.md).`)
	cmd.AddCommand(newMemberProposeCmd(g), newMemberSignCmd(g), newMemberSubmitCmd(g))
	return cmd
}

func newMemberProposeCmd(g *globalFlags) *cobra.Command {
	var add anchor.Member
	var remove []string
	var out string
	cmd := &cobra.Command{
		Use:   "propose (--add ID --name N --public-key B64 --raft-addr A --api-addr A | --remove ID)... --out FILE",
		Short: "Write a membership change for the members to sign",
		Long: `Propose writes a membership change at the chain's current membership epoch
(asked of the running node of --config, else read from the local chain). To
replace a member's key or addresses, give --remove ID and --add ID together.`,
		Example: `  healthanchor cluster member propose --add node4 --name "Agency 4" --public-key "$(cat node4.pub)" \
      --raft-addr 10.0.0.4:7401 --api-addr 10.0.0.4:7402 --out add-node4.json
  healthanchor cluster member propose --remove node2 --out remove-node2.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" || (add.ID == "" && len(remove) == 0) {
				return usageErr("member propose needs --out FILE and --add ID or --remove ID")
			}
			var adds []anchor.Member
			if add.ID != "" {
				if _, err := anchor.DecodePublicKey(add.PublicKey); err != nil {
					return usageErr("--public-key: %v", err)
				}
				if add.RaftAddr == "" || add.Address == "" {
					return usageErr("--add needs --raft-addr and --api-addr: the new member's node addresses")
				}
				adds = []anchor.Member{add}
			}
			chainID, epoch, err := g.membershipEpoch(cmd.Context())
			if err != nil {
				return err
			}
			if remove == nil {
				remove = []string{}
			}
			ch := anchor.MembershipChange{Version: anchor.MembershipVersion, ChainID: chainID, Epoch: epoch, Remove: remove, Add: adds}
			if err := writeChange(out, ch, true); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %s (epoch %d); have a majority of the members run `cluster member sign %s`\n", out, epoch, out)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&add.ID, "add", "", "id of the member to add")
	f.StringVar(&add.Name, "name", "", "name of the member to add")
	f.StringVar(&add.PublicKey, "public-key", "", "base64 Ed25519 public key of the member to add")
	f.StringVar(&add.RaftAddr, "raft-addr", "", "Raft address of the member's node")
	f.StringVar(&add.Address, "api-addr", "", "peer API address of the member's node")
	f.StringSliceVar(&remove, "remove", nil, "id of a member to remove (repeatable)")
	f.StringVar(&out, "out", "", "file to write the change to")
	return cmd
}

// membershipEpoch asks the running node for the chain id and membership
// epoch, or reads them from the local chain when it does not answer.
func (g *globalFlags) membershipEpoch(ctx context.Context) (string, int64, error) {
	pcfg, ccfg, err := g.clusterConfigs()
	if err != nil {
		return "", 0, err
	}
	c, err := replication.NewClient(*ccfg, pcfg.Dir())
	if err != nil {
		return "", 0, &exitError{code: exitUsage, err: err}
	}
	qctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	r, err := c.Members(qctx, ccfg.APIAddr)
	cancel()
	if err == nil {
		return r.ChainID, r.Epoch, nil
	}
	if !errors.Is(err, replication.ErrUnavailable) {
		return "", 0, err
	}
	chain, err := anchor.OpenChain(pcfg.Path(pcfg.Chain.Path))
	if err != nil {
		return "", 0, err
	}
	defer chain.Close()
	_, epoch, err := chain.Membership(ctx)
	return chain.ChainID(), epoch, err
}

func newMemberSignCmd(g *globalFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "sign FILE",
		Short: "Sign a membership change with this agency's key",
		Long: `Sign adds this agency's signature (agency.key_file of --config) to the change in
FILE, over "healthanchor/membership/v1" LF and the change's canonical JSON
without its signatures, and rewrites FILE.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			pcfg, _, err := g.clusterConfigs()
			if err != nil {
				return err
			}
			ch, err := readChange(args[0])
			if err != nil {
				return err
			}
			key, err := anchor.ReadSigningKey(pcfg.Path(pcfg.Agency.KeyFile))
			if err != nil {
				return &exitError{code: exitUsage, err: err}
			}
			if err := ch.Sign(pcfg.Agency.ID, key); err != nil {
				return err
			}
			if err := writeChange(args[0], ch, false); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s signed by %s (%d signatures)\n", args[0], pcfg.Agency.ID, len(ch.Signatures))
			return nil
		},
	}
}

func newMemberSubmitCmd(g *globalFlags) *cobra.Command {
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "submit FILE",
		Short: "Submit a membership change signed by a majority of the members",
		Long: `Submit sends the change in FILE to the running node of --config, which forwards
it to the leader. It is committed as a membership block once it carries the
signatures of a strict majority of the current members; otherwise it is
refused and nothing changes.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			pcfg, ccfg, err := g.clusterConfigs()
			if err != nil {
				return err
			}
			ch, err := readChange(args[0])
			if err != nil {
				return err
			}
			c, err := replication.NewClient(*ccfg, pcfg.Dir())
			if err != nil {
				return &exitError{code: exitUsage, err: err}
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
			defer cancel()
			b, err := c.SubmitMembership(ctx, ccfg.APIAddr, ch)
			if errors.Is(err, replication.ErrRejected) {
				return &exitError{code: exitFailed, err: err}
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "membership block %d committed\n", b.Height)
			return nil
		},
	}
	cmd.Flags().DurationVar(&timeout, "timeout", 30*time.Second, "how long the submission may take")
	return cmd
}

// readChange reads a membership change file strictly.
func readChange(path string) (anchor.MembershipChange, error) {
	var ch anchor.MembershipChange
	raw, err := os.ReadFile(path)
	if err != nil {
		return ch, &exitError{code: exitUsage, err: err}
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&ch); err != nil {
		return ch, &exitError{code: exitUsage, err: fmt.Errorf("%s: not a membership change: %w", path, err)}
	}
	return ch, nil
}

// writeChange writes ch to path atomically (a temporary file renamed);
// fresh refuses an existing path.
func writeChange(path string, ch anchor.MembershipChange, fresh bool) error {
	if _, err := os.Stat(path); fresh && err == nil {
		return usageErr("%s already exists", path)
	}
	raw, err := json.MarshalIndent(ch, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".membership-*.json")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(raw, '\n')); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
