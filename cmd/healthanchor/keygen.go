package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/healthanchor/healthanchor/deploy"
)

func newKeygenCmd() *cobra.Command {
	var agency, dir string
	var hosts []string
	cmd := &cobra.Command{
		Use:   "keygen --agency ID --dir DIR [--tls-host HOST]...",
		Short: "Create an agency's signing key, salt key, TLS key and certificate request",
		Long: `Keygen creates, in DIR (mode 0700), this agency's secrets, each mode 0600:
  agency.key  Ed25519 signing key: signs manifests, blocks and checkpoints
  salt.key    secret from which row salts are derived
  tls.key     the node's TLS private key
  tls.csr     a PKCS#10 request (common name = agency id, subject alternative
              names = the --tls-host values) for the consortium CA to sign
It prints the public key, in the form the genesis names it: send it, with
the node's addresses, to whoever writes the genesis, and send tls.csr to the
consortium CA holder (healthanchor ca sign). Put the returned tls.crt and
ca.crt in DIR. Keygen never overwrites a key: it exits 2 naming the file.`,
		Example: `  healthanchor keygen --agency city-hospital --dir /etc/healthanchor/keys --tls-host node.city-hospital.example`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if agency == "" || dir == "" {
				return usageErr("keygen needs --agency and --dir")
			}
			k, err := deploy.Keygen(dir, agency, hosts)
			if err != nil {
				return &exitError{code: exitUsage, err: err}
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "agency %s public key: %s\n", agency, k.PublicKey)
			fmt.Fprintf(w, "signing key:         %s\nsalt key:            %s\nTLS key:             %s\ncertificate request: %s (send to the consortium CA)\n",
				k.AgencyKey, k.SaltKey, k.TLSKey, k.CSR)
			if len(hosts) == 0 {
				fmt.Fprintln(cmd.ErrOrStderr(), "note: no --tls-host: peers check the host they dial against the certificate, so this request only suits a single-node chain")
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&agency, "agency", "", "this agency's member id (the certificate's common name)")
	cmd.Flags().StringVar(&dir, "dir", "", "key folder to create or fill (made mode 0700)")
	cmd.Flags().StringArrayVar(&hosts, "tls-host", nil, "host name or IP address peers dial this node at (repeat)")
	return cmd
}
