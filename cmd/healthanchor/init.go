package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/healthanchor/healthanchor/deploy"
)

func newInitCmd() *cobra.Command {
	var o deploy.InitOptions
	cmd := &cobra.Command{
		Use:   "init --genesis genesis.json --agency ID --key-dir DIR [--out healthanchor.yaml]",
		Short: "Write this agency's commented healthanchor.yaml from the genesis",
		Long: `Init writes a healthanchor.yaml for agency ID, every key explained in a
comment: the agency's key files from --key-dir (checked against the genesis),
the chain from --genesis, one live CSV job over inbox/csv/ and commented
examples of the other connectors. When the genesis names several members it
fills the cluster section from the genesis (this node's and the peers'
addresses, TLS files tls.key, tls.crt and ca.crt in --key-dir) and bootstraps
the node's Raft state, once. The folder of --out holds the node's data. An
existing config is never overwritten (exit 2).`,
		Example: `  healthanchor init --genesis genesis.json --agency city-hospital --key-dir keys --out healthanchor.yaml`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.Genesis == "" || o.Agency == "" || o.KeyDir == "" {
				return usageErr("init needs --genesis, --agency and --key-dir")
			}
			res, err := deploy.Init(o)
			if err != nil {
				return &exitError{code: exitUsage, err: err}
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "wrote %s\n", res.Config)
			if res.Cluster != nil {
				fmt.Fprintf(w, "cluster: node %s, raft %s, api %s, %d voting members; Raft state bootstrapped in %s\n",
					res.Cluster.NodeID, res.Cluster.RaftAddr, res.Cluster.APIAddr, len(res.Cluster.Peers), res.Cluster.DataDir)
			}
			for _, m := range res.Missing {
				fmt.Fprintf(w, "before serve, put in place: %s\n", m)
			}
			fmt.Fprintf(w, "next: healthanchor --config %s config check, then serve\n", res.Config)
			return nil
		},
	}
	cmd.Flags().StringVar(&o.Genesis, "genesis", "", "the consortium's genesis.json")
	cmd.Flags().StringVar(&o.Agency, "agency", "", "this agency's member id")
	cmd.Flags().StringVar(&o.KeyDir, "key-dir", "", "the key folder written by keygen")
	cmd.Flags().StringVar(&o.Out, "out", "healthanchor.yaml", "config file to write")
	cmd.Flags().StringVar(&o.Listen, "listen", "127.0.0.1:9464", "serve's HTTP address (/healthz, /metrics)")
	return cmd
}
