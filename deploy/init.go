package deploy

import (
	"bytes"
	"crypto/ed25519"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/healthanchor/healthanchor/anchor"
	"github.com/healthanchor/healthanchor/anchor/replication"
	"github.com/healthanchor/healthanchor/pipeline"
)

// InitOptions says where an agency's node is set up.
type InitOptions struct {
	Genesis string // genesis.json, shared by every member
	Agency  string // this agency's member id in the genesis
	KeyDir  string // the folder Keygen wrote (and where tls.crt and ca.crt go)
	Out     string // the healthanchor.yaml to write; its folder holds the node's data
	Listen  string // serve's HTTP address; default 127.0.0.1:9464
}

// Initialized is what Init made.
type Initialized struct {
	Config  string              // the healthanchor.yaml written
	Cluster *replication.Config // nil for a single-member chain
	Missing []string            // TLS files still to be put in place before serve
}

// Init writes the node's commented healthanchor.yaml for agency from the
// genesis and the key folder: it checks the genesis and that the agency's
// signing key is the one the genesis names. When the genesis has several
// members it fills the cluster section (node and peer addresses from the
// genesis, TLS files from the key folder) and bootstraps the node's Raft
// state once, as every member does with the same peers. It refuses an
// existing config file or Raft state. The written file passes config check.
func Init(o InitOptions) (Initialized, error) {
	g, err := anchor.ReadGenesisFile(o.Genesis)
	if err != nil {
		return Initialized{}, err
	}
	self, ok := g.Genesis.Member(o.Agency)
	if !ok {
		return Initialized{}, fmt.Errorf("deploy: init: %s is not a member of chain %s (members: %s)", o.Agency, g.ChainID, memberIDs(g.Genesis.Members))
	}
	key, err := anchor.ReadSigningKey(filepath.Join(o.KeyDir, anchor.AgencyKeyFile))
	if err != nil {
		return Initialized{}, fmt.Errorf("deploy: init: %w", err)
	}
	if pub, _ := anchor.DecodePublicKey(self.PublicKey); !pub.Equal(key.Public().(ed25519.PublicKey)) {
		return Initialized{}, fmt.Errorf("deploy: init: the key in %s is not %s's key in the genesis", o.KeyDir, o.Agency)
	}
	if _, err := anchor.ReadSaltKey(filepath.Join(o.KeyDir, anchor.SaltKeyFile)); err != nil {
		return Initialized{}, fmt.Errorf("deploy: init: %w", err)
	}
	out, err := filepath.Abs(o.Out)
	if err != nil {
		return Initialized{}, fmt.Errorf("deploy: init: %w", err)
	}
	if _, err := os.Lstat(out); err == nil {
		return Initialized{}, fmt.Errorf("deploy: init: %s %w: refusing to overwrite a config", out, ErrExists)
	}
	base := filepath.Dir(out)
	v, err := fillTemplate(o, g, self, base, out)
	if err != nil {
		return Initialized{}, err
	}
	var buf bytes.Buffer
	if err := configTemplate.Execute(&buf, v); err != nil {
		return Initialized{}, fmt.Errorf("deploy: init: %w", err)
	}
	if err := os.MkdirAll(filepath.Join(base, "inbox", "csv"), 0o755); err != nil {
		return Initialized{}, fmt.Errorf("deploy: init: %w", err)
	}
	if err := os.WriteFile(out, alignComments(buf.Bytes()), 0o644); err != nil {
		return Initialized{}, fmt.Errorf("deploy: init: %w", err)
	}
	cfg, err := pipeline.LoadConfig(out)
	if err != nil {
		os.Remove(out)
		return Initialized{}, fmt.Errorf("deploy: init: the written config does not load (a bug): %w", err)
	}
	res := Initialized{Config: out, Cluster: cfg.Cluster}
	if cfg.Cluster == nil {
		return res, nil
	}
	for _, f := range []string{cfg.Cluster.TLS.CAFile, cfg.Cluster.TLS.CertFile} {
		if _, err := os.Stat(cfg.Path(f)); err != nil {
			res.Missing = append(res.Missing, cfg.Path(f))
		}
	}
	if err := replication.Bootstrap(*cfg.Cluster, base); err != nil {
		os.Remove(out)
		return Initialized{}, fmt.Errorf("deploy: init: %w", err)
	}
	return res, nil
}

type templateValues struct {
	Agency, Name, ChainID, File, Listen             string
	KeyFile, SaltKeyFile, Genesis                   string
	Cluster                                         bool
	RaftAddr, APIAddr, CAFile, CertFile, TLSKeyFile string
	Peers                                           []replication.Peer
}

func fillTemplate(o InitOptions, g anchor.Block, self anchor.Member, base, out string) (templateValues, error) {
	rel := func(p string) (string, error) {
		abs, err := filepath.Abs(p)
		if err != nil {
			return "", fmt.Errorf("deploy: init: %w", err)
		}
		r, err := filepath.Rel(base, abs)
		if err != nil {
			return abs, nil
		}
		return r, nil
	}
	v := templateValues{Agency: o.Agency, Name: self.Name, ChainID: g.ChainID, File: filepath.Base(out), Listen: o.Listen}
	if v.Listen == "" {
		v.Listen = "127.0.0.1:9464"
	}
	if v.Name == "" {
		v.Name = o.Agency
	}
	paths := []struct {
		dst *string
		src string
	}{
		{&v.KeyFile, filepath.Join(o.KeyDir, anchor.AgencyKeyFile)}, {&v.SaltKeyFile, filepath.Join(o.KeyDir, anchor.SaltKeyFile)},
		{&v.Genesis, o.Genesis}, {&v.CAFile, filepath.Join(o.KeyDir, CACertFile)},
		{&v.CertFile, filepath.Join(o.KeyDir, TLSCertFile)}, {&v.TLSKeyFile, filepath.Join(o.KeyDir, TLSKeyFile)},
	}
	for _, p := range paths {
		r, err := rel(p.src)
		if err != nil {
			return v, err
		}
		*p.dst = r
	}
	if len(g.Genesis.Members) < 2 {
		return v, nil
	}
	v.Cluster, v.RaftAddr, v.APIAddr = true, self.RaftAddr, self.Address
	for _, m := range g.Genesis.Members {
		if m.RaftAddr == "" || m.Address == "" {
			return v, fmt.Errorf("deploy: init: genesis member %s has no raft_addr or address: write the genesis with healthanchor genesis create", m.ID)
		}
		v.Peers = append(v.Peers, replication.Peer{ID: m.ID, RaftAddr: m.RaftAddr, APIAddr: m.Address})
	}
	return v, nil
}

// alignComments puts the end-of-line comments (marked by a tab) of the
// template in one column, with spaces: YAML takes no tab there.
func alignComments(b []byte) []byte {
	const col = 36
	lines := strings.Split(string(b), "\n")
	for i, l := range lines {
		code, comment, ok := strings.Cut(l, "\t")
		if !ok {
			continue
		}
		pad := col - len(code)
		if pad < 2 {
			pad = 2
		}
		lines[i] = code + strings.Repeat(" ", pad) + comment
	}
	return []byte(strings.Join(lines, "\n"))
}

func memberIDs(ms []anchor.Member) string {
	var ids []string
	for _, m := range ms {
		ids = append(ids, m.ID)
	}
	return strings.Join(ids, ", ")
}
