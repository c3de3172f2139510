package pipeline

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestConfigModes reads file_mode and dir_mode as octal however they are
// written, and refuses modes that open data to others or close it to
// its owner, saying what is allowed and on which line.
func TestConfigModes(t *testing.T) {
	const head = "agency: {id: a, key_file: k, salt_key_file: s}\nchain: {path: c}\n"
	cases := []struct {
		modes      string
		file, dir  Mode
		wantErrors []string // substrings of the error; none when valid
	}{
		{"", 0o600, 0o700, nil},
		{"file_mode: 0640\ndir_mode: 0750\n", 0o640, 0o750, nil},
		{"file_mode: \"0640\"\ndir_mode: 0o750\n", 0o640, 0o750, nil},
		{"file_mode: 660\ndir_mode: 770\n", 0o660, 0o770, nil},
		{"file_mode: 0644\n", 0, 0, []string{"c.yaml:3", "file_mode 0644", "allowed are 0600 to 0770", "others none"}},
		{"file_mode: 0400\n", 0, 0, []string{"c.yaml:3", "file_mode 0400", "read and write"}},
		{"dir_mode: 0755\n", 0, 0, []string{"c.yaml:3", "dir_mode 0755", "0700 to 0770"}},
		{"dir_mode: 0600\n", 0, 0, []string{"c.yaml:3", "dir_mode 0600", "search"}},
		{"file_mode: 04600\n", 0, 0, []string{"c.yaml:3", "file_mode 4600"}},
		{"file_mode: rw-r-----\n", 0, 0, []string{"c.yaml", "rw-r-----", "octal"}},
	}
	for _, c := range cases {
		path := filepath.Join(t.TempDir(), "c.yaml")
		if err := os.WriteFile(path, []byte(head+c.modes), 0o600); err != nil {
			t.Fatal(err)
		}
		cfg, err := LoadConfig(path)
		if c.wantErrors == nil {
			if err != nil {
				t.Errorf("%q: %v", c.modes, err)
				continue
			}
			if cfg.FilePerm() != c.file.Perm() || cfg.DirPerm() != c.dir.Perm() {
				t.Errorf("%q: modes %04o %04o, want %s %s", c.modes, cfg.FilePerm(), cfg.DirPerm(), c.file, c.dir)
			}
			continue
		}
		if err == nil {
			t.Errorf("%q: accepted, want an error", c.modes)
			continue
		}
		for _, w := range c.wantErrors {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%q: error %q does not say %q", c.modes, err, w)
			}
		}
	}
}
