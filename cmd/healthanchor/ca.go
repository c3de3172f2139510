package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/healthanchor/healthanchor/anchor/replication"
	"github.com/healthanchor/healthanchor/internal/fsutil"
)

func newCACmd() *cobra.Command {
	cmd := groupCmd("ca", "Run the consortium certificate authority",
		`The consortium CA signs the TLS certificate of every node allowed in the
cluster; its key stays with whoever admits nodes (docs/deploy.md).`)
	cmd.AddCommand(newCACreateCmd(), newCASignCmd())
	return cmd
}

func newCACreateCmd() *cobra.Command {
	var certFile, keyFile, name string
	cmd := &cobra.Command{
		Use:   "create --cert ca.crt --key ca.key [--name NAME]",
		Short: "Create the consortium CA (self-signed, 5 years)",
		Long: `Create makes a new consortium CA: an ECDSA P-256 key (mode 0600) and a
self-signed certificate valid 5 years, as cluster init does for a trial.
Every node gets ca.crt; ca.key stays with the CA holder. Existing files are
never overwritten (exit 2).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if certFile == "" || keyFile == "" {
				return usageErr("ca create needs --cert and --key")
			}
			for _, d := range []string{filepath.Dir(keyFile), filepath.Dir(certFile)} {
				if err := os.MkdirAll(d, 0o700); err != nil {
					return usageErr("ca create: %v", err)
				}
			}
			ca, err := replication.NewCA(name)
			if err != nil {
				return err
			}
			if err := ca.Write(certFile, keyFile); err != nil {
				return &exitError{code: exitUsage, err: err}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "CA %q: certificate %s, key %s (keep it offline)\n", name, certFile, keyFile)
			return nil
		},
	}
	cmd.Flags().StringVar(&certFile, "cert", "", "CA certificate to write (PEM)")
	cmd.Flags().StringVar(&keyFile, "key", "", "CA private key to write (PEM, mode 0600)")
	cmd.Flags().StringVar(&name, "name", "healthanchor consortium CA", "the CA's common name")
	return cmd
}

func newCASignCmd() *cobra.Command {
	var certFile, keyFile, csrFile, out, expect string
	cmd := &cobra.Command{
		Use:   "sign --ca-cert ca.crt --ca-key ca.key --csr tls.csr --out tls.crt [--id AGENCY]",
		Short: "Sign a node's certificate request (from healthanchor keygen)",
		Long: `Sign issues the node certificate a request asks for: common name = the node
id (a member or observer id), its subject alternative names as hosts, for
server and client use, valid 5 years. It prints what it signed: check the id
and hosts with the agency out of band. With --id the request's common name
must be that id.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if certFile == "" || keyFile == "" || csrFile == "" || out == "" {
				return usageErr("ca sign needs --ca-cert, --ca-key, --csr and --out")
			}
			ca, err := replication.LoadCA(certFile, keyFile)
			if err != nil {
				return &exitError{code: exitUsage, err: err}
			}
			raw, err := os.ReadFile(csrFile)
			if err != nil {
				return usageErr("ca sign: %v", err)
			}
			csr, err := replication.ParseCSR(raw)
			if err != nil {
				return &exitError{code: exitFailed, err: fmt.Errorf("%s: %w", csrFile, err)}
			}
			if expect != "" && csr.Subject.CommonName != expect {
				return &exitError{code: exitFailed, err: fmt.Errorf("%s asks for node id %q, not %q", csrFile, csr.Subject.CommonName, expect)}
			}
			cert, err := ca.SignCSR(csr)
			if err != nil {
				return err
			}
			if err := fsutil.WriteNew(out, cert, 0o644); err != nil {
				return usageErr("ca sign: %v", err)
			}
			hosts := csr.DNSNames
			for _, ip := range csr.IPAddresses {
				hosts = append(hosts, ip.String())
			}
			fmt.Fprintf(cmd.OutOrStdout(), "signed %s for node %s, hosts [%s]\n", out, csr.Subject.CommonName, strings.Join(hosts, ", "))
			return nil
		},
	}
	cmd.Flags().StringVar(&certFile, "ca-cert", "", "CA certificate (PEM)")
	cmd.Flags().StringVar(&keyFile, "ca-key", "", "CA private key (PEM)")
	cmd.Flags().StringVar(&csrFile, "csr", "", "the node's certificate request (tls.csr)")
	cmd.Flags().StringVar(&out, "out", "", "certificate to write (never overwritten)")
	cmd.Flags().StringVar(&expect, "id", "", "refuse unless the request's common name is this id")
	return cmd
}
