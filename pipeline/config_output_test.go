package pipeline

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const outputHead = "agency: {id: a, key_file: k, salt_key_file: s}\nchain: {path: c.db}\n"

func TestOutputConfig(t *testing.T) {
	cases := []struct {
		name, yaml string
		want       []string // substrings of the error; none: valid
		folder     string   // OutputDir when valid
		store      string   // the store's URL when valid
	}{
		{"a folder", "output: lake\n", nil, "lake", ""},
		{"output_dir alone", "output_dir: old\n", nil, "old", ""},
		{"a bucket", "output:\n  url: s3://lake/health\n  endpoint: https://s3.example.org\n  access_key_env: AK\n  secret_key_env: SK\n", nil, "batches", "s3://lake/health"},
		{"both folders", "output_dir: a\noutput: b\n", []string{"c.yaml:4:9", `output ("b") and output_dir ("a")`}, "", ""},
		{"unknown key", "output:\n  url: s3://lake/p\n  access_key_env: AK\n  secret_key_env: SK\n  secret_key: wJalr\n",
			[]string{"c.yaml:7:3", `unknown field "secret_key"`, "secret_key_env"}, "", ""},
		{"bad scheme", "output:\n  url: https://lake/p\n", []string{"c.yaml:4:8", "output.url", "s3://"}, "", ""},
		{"no credential variables", "output:\n  url: s3://lake/p\n", []string{"c.yaml:4", "output.access_key_env: is missing", "output.secret_key_env: is missing"}, "", ""},
		{"a key instead of a variable", "output:\n  url: s3://lake/p\n  access_key_env: AK\n  secret_key_env: wJalr/K7MDENG+bPxRfi\n",
			[]string{"c.yaml:6:19", "not an environment variable name"}, "", ""},
		{"bad endpoint", "output:\n  url: s3://lake/p\n  endpoint: 127.0.0.1:8333\n  access_key_env: AK\n  secret_key_env: SK\n",
			[]string{"c.yaml:5:13", "output.endpoint", "http://"}, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "c.yaml")
			if err := os.WriteFile(path, []byte(outputHead+c.yaml), 0o644); err != nil {
				t.Fatal(err)
			}
			cfg, err := LoadConfig(path)
			if c.want == nil {
				if err != nil {
					t.Fatalf("LoadConfig: %v", err)
				}
				if cfg.OutputDir != c.folder {
					t.Errorf("OutputDir = %q, want %q", cfg.OutputDir, c.folder)
				}
				if s := cfg.Store(); (s == nil) != (c.store == "") || s != nil && s.URL != c.store {
					t.Errorf("Store() = %+v, want url %q", s, c.store)
				}
				return
			}
			var ce ConfigErrors
			if !errors.As(err, &ce) {
				t.Fatalf("LoadConfig = %v, want ConfigErrors", err)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not contain %q:\n%v", w, err)
				}
			}
		})
	}
}
