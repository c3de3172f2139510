package pipeline

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTimestampConfigLines checks that config check reports a bad
// timestamp: section with the line and column at fault.
func TestTimestampConfigLines(t *testing.T) {
	base := "agency: {id: a, key_file: k, salt_key_file: s}\nchain: {path: chain.db}\n"
	for _, c := range []struct{ yaml, want string }{
		{"timestamp:\n  every: 10s\n  tsa: [{url: http://t/, ca_file: ca.pem}]\n", ":4:10: timestamp.every"},
		{"timestamp:\n  every: soon\n  tsa: [{url: http://t/, ca_file: ca.pem}]\n", ":4:10: timestamp.every"},
		{"timestamp:\n  tsa:\n    - url: http://t/\n      ca_file: ca.pem\n    - url: ftp://x\n", ":7:12: timestamp.tsa[1].url"},
		{"timestamp:\n  tsa:\n    - url: http://t/\n", ":5:10: timestamp.tsa[0].ca_file"},
		{"timestamp: {}\n", ":3:12: timestamp.tsa is empty"},
	} {
		path := filepath.Join(t.TempDir(), "c.yaml")
		os.WriteFile(path, []byte(base+c.yaml), 0o600)
		_, err := LoadConfig(path)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: got %v, want %q", c.yaml, err, c.want)
		}
	}
	path := filepath.Join(t.TempDir(), "c.yaml")
	os.WriteFile(path, []byte(base+"timestamp:\n  tsa: [{url: https://t/, ca_file: ca.pem}]\n"), 0o600)
	cfg, err := LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Timestamp.Interval().String(); got != "24h0m0s" {
		t.Errorf("default interval %s, want 24h", got)
	}
}
