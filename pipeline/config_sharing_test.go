package pipeline

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestConfigSharingNamesTheLine checks that config validation reports
// each bad grant with its line: a recipient that is not a cluster
// member, an unknown schema and an unknown purpose.
func TestConfigSharingNamesTheLine(t *testing.T) {
	yaml := `agency: {id: a, key_file: k, salt_key_file: s}
chain: {path: c}
cluster:
  node_id: a
  raft_addr: 127.0.0.1:7001
  api_addr: 127.0.0.1:7002
  data_dir: raft
  tls: {ca_file: ca.pem, cert_file: a.pem, key_file: a.key}
  peers:
    - {id: a, raft_addr: 127.0.0.1:7001, api_addr: 127.0.0.1:7002}
    - {id: b, raft_addr: 127.0.0.1:7011, api_addr: 127.0.0.1:7012}
sharing:
  grants:
    - to: b
      schemas: [patient/1]
      purposes: [TREAT]
    - to: zz
      schemas: [patient/9]
      purposes: [FUN]
`
	path := filepath.Join(t.TempDir(), "c.yaml")
	os.WriteFile(path, []byte(yaml), 0o644)
	_, err := LoadConfig(path)
	var ce ConfigErrors
	if !errors.As(err, &ce) {
		t.Fatalf("LoadConfig = %v, want ConfigErrors", err)
	}
	for _, w := range []string{`c.yaml:17:11: sharing: grant 2: agency "zz" is not a member`, `c.yaml:18:17: sharing: grant 2: schema "patient/9"`, `c.yaml:19:18: sharing: grant 2: purpose "FUN"`} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("missing %q in:\n%v", w, err)
		}
	}
	if strings.Contains(err.Error(), "grant 1") {
		t.Errorf("the valid grant was reported:\n%v", err)
	}
}
