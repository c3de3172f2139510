package pipeline

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestConfigUI checks the ui: section: the loopback default for ui: {},
// a remote address refused (with its line) unless allow_remote is set.
func TestConfigUI(t *testing.T) {
	base := "agency: {id: a, key_file: k, salt_key_file: s}\nchain: {path: c.db}\n"
	load := func(ui string) (*Config, error) {
		path := filepath.Join(t.TempDir(), "c.yaml")
		os.WriteFile(path, []byte(base+ui), 0o644)
		return LoadConfig(path)
	}
	cfg, err := load("")
	if err != nil || cfg.UI != nil {
		t.Fatalf("no ui: section: UI %+v, err %v", cfg.UI, err)
	}
	cfg, err = load("ui: {}\n")
	if err != nil || cfg.UI == nil || cfg.UI.Listen != "127.0.0.1:8787" || cfg.UI.ShowValues {
		t.Fatalf("ui: {}: %+v, err %v", cfg.UI, err)
	}
	_, err = load("ui:\n  listen: 0.0.0.0:8787\n")
	if err == nil || !strings.Contains(err.Error(), "c.yaml:4") || !strings.Contains(err.Error(), "allow_remote") {
		t.Errorf("a remote address without allow_remote: %v", err)
	}
	cfg, err = load("ui: {listen: 0.0.0.0:8787, allow_remote: true, show_values: true}\n")
	if err != nil || !cfg.UI.ShowValues {
		t.Errorf("allow_remote: %+v, err %v", cfg.UI, err)
	}
	if _, err = load("ui: {listne: 127.0.0.1:1}\n"); err == nil {
		t.Error("an unknown ui key is accepted")
	}
}
