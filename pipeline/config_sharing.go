package pipeline

import (
	"os"

	"github.com/healthanchor/healthanchor/anchor"
)

// validateSharing checks the sharing section's grants (exchange.Sharing)
// against the chain's members: those of the genesis file when it can be
// read, and the cluster's peers; with neither, recipients are not
// checked here (fetches are still refused for non-members).
func (c *Config) validateSharing(add func(yamlPath, format string, args ...any)) {
	if c.Sharing == nil {
		return
	}
	var members []string
	if c.Chain.Genesis != "" {
		if _, err := os.Stat(c.Path(c.Chain.Genesis)); err == nil {
			if g, err := anchor.ReadGenesisFile(c.Path(c.Chain.Genesis)); err == nil {
				for _, m := range g.Genesis.Members {
					members = append(members, m.ID)
				}
			}
		}
	}
	if c.Cluster != nil {
		for _, p := range c.Cluster.Peers {
			members = append(members, p.ID)
		}
	}
	for _, p := range c.Sharing.Validate(members) {
		add("$.sharing."+p.Path, "%s", p.Msg)
	}
}
