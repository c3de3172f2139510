package hl7

import (
	"fmt"
	"net"
	"path/filepath"
	"time"
)

// ListenTLS are the files of an MLLP listener's TLS (PEM), relative to
// the job's folder.
type ListenTLS struct {
	CertFile string `yaml:"cert_file"`
	KeyFile  string `yaml:"key_file"`
	// ClientCAFile, when set, requires every sender to present a
	// certificate signed by one of these CAs.
	ClientCAFile string `yaml:"client_ca_file"`
}

// Listener defaults.
const (
	DefaultReadTimeout    = 5 * time.Minute
	DefaultMaxConnections = 256
)

// validateListen checks the options of receiving over MLLP.
func (c *Config) validateListen() error {
	if c.Listen == "" {
		for name, set := range map[string]bool{"tls": c.TLS != nil, "receiving_application": c.ReceivingApplication != "",
			"spool": c.Spool != "", "read_timeout": c.ReadTimeout != 0, "max_connections": c.MaxConnections != 0,
			"dedup_window": c.DedupWindow != 0} {
			if set {
				return fmt.Errorf("hl7: %s: only applies with listen", name)
			}
		}
		return nil
	}
	if c.Input != "" {
		return fmt.Errorf("hl7: input: not with listen (a listening job reads its spool; use another job for files)")
	}
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		return fmt.Errorf("hl7: listen: %q is not HOST:PORT: %w", c.Listen, err)
	}
	if c.TLS != nil && (c.TLS.CertFile == "" || c.TLS.KeyFile == "") {
		return fmt.Errorf("hl7: tls: cert_file and key_file are required")
	}
	if c.ReadTimeout == 0 {
		c.ReadTimeout = DefaultReadTimeout
	}
	if c.ReadTimeout < time.Second || c.ReadTimeout > 24*time.Hour {
		return fmt.Errorf("hl7: read_timeout: %v is out of range: 1s to 24h", c.ReadTimeout)
	}
	if c.MaxConnections == 0 {
		c.MaxConnections = DefaultMaxConnections
	}
	if c.MaxConnections < 1 || c.MaxConnections > 100000 {
		return fmt.Errorf("hl7: max_connections: %d is out of range: 1 to 100000", c.MaxConnections)
	}
	if c.DedupWindow != 0 && (c.DedupWindow < time.Minute || c.DedupWindow > 8784*time.Hour) {
		return fmt.Errorf("hl7: dedup_window: %v is out of range: 1m to 8784h (366 days)", c.DedupWindow)
	}
	return nil
}

func (c *Config) dedupWindow() time.Duration {
	if c.DedupWindow > 0 {
		return c.DedupWindow
	}
	return DefaultDedupWindow
}

// spoolDir is the job's spool folder, absolute.
func (c *Connector) spoolDir() string {
	dir := c.cfg.Spool
	if dir == "" {
		dir = filepath.Join("spool", c.env.Job)
	}
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(c.env.BaseDir, dir)
	}
	if abs, err := filepath.Abs(dir); err == nil {
		return abs
	}
	return dir
}
