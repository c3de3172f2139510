package audit

import (
	"fmt"
	"net"
)

// DefaultUIListen is where the explorer listens when ui: gives no address.
const DefaultUIListen = "127.0.0.1:8787"

// UIConfig is the ui: section of healthanchor.yaml: the read-only web
// explorer that `serve` runs beside the jobs (docs/config.md, docs/audit.md).
type UIConfig struct {
	// Listen is the explorer's address; DefaultUIListen when empty. It
	// must be a loopback address unless AllowRemote is set.
	Listen string `yaml:"listen"`
	// AllowRemote permits a non-loopback Listen address (put the
	// explorer behind an authenticating proxy then: it has no login).
	AllowRemote bool `yaml:"allow_remote"`
	// ShowValues shows each reject's full reason and raw input, which
	// are patient data; off by default.
	ShowValues bool `yaml:"show_values"`
}

// Validate fills the default address and refuses a non-loopback one
// without allow_remote, naming the key at fault.
func (c *UIConfig) Validate() error {
	if c.Listen == "" {
		c.Listen = DefaultUIListen
	}
	host, _, err := net.SplitHostPort(c.Listen)
	if err != nil {
		return fmt.Errorf("ui.listen %q: want HOST:PORT, e.g. %s", c.Listen, DefaultUIListen)
	}
	if c.AllowRemote || isLoopback(host) {
		return nil
	}
	return fmt.Errorf("ui.listen %q is not a loopback address: the explorer has no login; use 127.0.0.1 or [::1], or set ui.allow_remote: true behind an authenticating proxy", c.Listen)
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
