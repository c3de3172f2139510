package lifecycle

import (
	"fmt"
	"net/url"
	"time"
)

// DefaultTimestampEvery is how often serve asks the TSAs for a token
// when timestamp.every is not set.
const DefaultTimestampEvery = 24 * time.Hour

// TimestampConfig is the timestamp: section of healthanchor.yaml: the
// RFC 3161 timestamp authorities that fix the chain's latest checkpoint
// in time (docs/lifecycle.md, docs/config.md).
type TimestampConfig struct {
	// TSA lists the authorities; each is asked for a token.
	TSA []TSAConfig `yaml:"tsa"`
	// Every is how often serve asks them, a Go duration ("24h"), at
	// least a minute; DefaultTimestampEvery when empty.
	Every string `yaml:"every"`

	every time.Duration
}

// TSAConfig is one timestamp authority.
type TSAConfig struct {
	// URL is where RFC 3161 requests are POSTed (http or https).
	URL string `yaml:"url"`
	// CAFile is the PEM certificate(s) the authority's tokens must chain
	// to; relative to the config file's folder.
	CAFile string `yaml:"ca_file"`
}

// Validate parses every, fills its default, and checks each TSA has an
// http(s) url and a ca_file, naming the key at fault. It reads no file.
func (c *TimestampConfig) Validate() error {
	c.every = DefaultTimestampEvery
	if c.Every != "" {
		d, err := time.ParseDuration(c.Every)
		if err != nil || d < time.Minute {
			return fmt.Errorf("timestamp.every %q: want a duration of at least 1m, e.g. 24h", c.Every)
		}
		c.every = d
	}
	if len(c.TSA) == 0 {
		return fmt.Errorf("timestamp.tsa is empty: list at least one authority as {url: URL, ca_file: FILE}")
	}
	seen := map[string]bool{}
	for i, t := range c.TSA {
		u, err := url.Parse(t.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("timestamp.tsa[%d].url %q: want the authority's http:// or https:// address", i, t.URL)
		}
		if seen[t.URL] {
			return fmt.Errorf("timestamp.tsa[%d].url %q is listed twice", i, t.URL)
		}
		seen[t.URL] = true
		if t.CAFile == "" {
			return fmt.Errorf("timestamp.tsa[%d].ca_file is missing: the PEM certificate(s) %s's tokens must chain to", i, t.URL)
		}
	}
	return nil
}

// Interval is how often serve asks for tokens (after Validate).
func (c *TimestampConfig) Interval() time.Duration {
	if c.every == 0 {
		return DefaultTimestampEvery
	}
	return c.every
}
