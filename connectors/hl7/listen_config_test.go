package hl7

import (
	"strings"
	"testing"
	"time"

	"github.com/healthanchor/healthanchor/connectors"
)

func TestListenConfig(t *testing.T) {
	var cfg Config
	if err := connectors.Decode(connectors.Options{"listen": ":2575", "read_timeout": "30s", "dedup_window": "48h"}, &cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.ReadTimeout != 30*time.Second || cfg.dedupWindow() != 48*time.Hour || cfg.MaxConnections != DefaultMaxConnections {
		t.Errorf("config = %+v", cfg)
	}
	for _, tt := range []struct {
		opts connectors.Options
		want string
	}{
		{connectors.Options{}, "input: required"},
		{connectors.Options{"listen": ":2575", "input": "x/*.hl7"}, "input: not with listen"},
		{connectors.Options{"listen": "2575"}, "listen: \"2575\" is not HOST:PORT"},
		{connectors.Options{"listen": ":2575", "tls": map[string]any{"cert_file": "c.pem"}}, "tls: cert_file and key_file"},
		{connectors.Options{"input": "x", "receiving_application": "HA"}, "receiving_application: only applies with listen"},
		{connectors.Options{"listen": ":1", "max_connections": -1}, "max_connections: -1 is out of range: 1 to 100000"},
		{connectors.Options{"listen": ":1", "max_connections": 1 << 30}, "max_connections"},
		{connectors.Options{"listen": ":1", "read_timeout": "1ns"}, "read_timeout: 1ns is out of range: 1s to 24h"},
		{connectors.Options{"listen": ":1", "read_timeout": "-5s"}, "read_timeout"},
		{connectors.Options{"listen": ":1", "dedup_window": "1s"}, "dedup_window: 1s is out of range"},
		{connectors.Options{"listen": ":1", "dedup_window": "100000h"}, "dedup_window"},
	} {
		var cfg Config
		err := connectors.Decode(tt.opts, &cfg)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: err = %v, want %q", tt.opts, err, tt.want)
		}
	}
	if _, err := New(Config{Listen: ":2575"}, connectors.Env{}); err == nil || !strings.Contains(err.Error(), "spool") {
		t.Errorf("New without a job name or spool: %v", err)
	}
}
