package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestServeMetricsFresh: the chain height on /metrics is read at scrape
// time, so a block appended by a run from another process shows at once.
func TestServeMetricsFresh(t *testing.T) {
	dir, cfg := newDeployment(t)
	raw, _ := os.ReadFile(cfg)
	port := freePort(t)
	conf := strings.Replace(string(raw), "timezone: Europe/Paris", fmt.Sprintf("timezone: Europe/Paris\nlisten: 127.0.0.1:%d", port), 1)
	if err := os.WriteFile(cfg, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	startServe(t, cfg)
	heightRe := regexp.MustCompile(`(?m)^healthanchor_chain_height (\d+)`)
	height := func() string {
		m := heightRe.FindStringSubmatch(get(t, fmt.Sprintf("http://127.0.0.1:%d/metrics", port)))
		if m == nil {
			t.Fatal("/metrics has no healthanchor_chain_height")
		}
		return m[1]
	}
	before := height()
	if err := os.WriteFile(filepath.Join(dir, "inbox/csv/patients-extra.csv"), []byte(extraCSV), 0o600); err != nil {
		t.Fatal(err)
	}
	mustCode(t, ha(t, nil, "--config", cfg, "run", "patients-csv"), 0, "run beside serve")
	if after := height(); after == before {
		t.Errorf("chain height on /metrics stayed %s after a run from another process appended a block", before)
	}
}
