package storage

import (
	"fmt"
	"net/url"
	"strings"
)

// Config is an object-store output (docs/storage.md):
//
//	output:
//	  url: s3://BUCKET/PREFIX
//	  endpoint: https://s3.example.org
//	  region: us-east-1
//	  access_key_env: HA_S3_ACCESS_KEY
//	  secret_key_env: HA_S3_SECRET_KEY
//	  ca_file: ca.pem
//
// Credentials are never in the config: it names the environment variables
// that hold them.
type Config struct {
	URL          string `yaml:"url"`            // s3://BUCKET/PREFIX or file:///FOLDER
	Endpoint     string `yaml:"endpoint"`       // S3 endpoint URL; the AWS default when empty
	Region       string `yaml:"region"`         // default us-east-1
	AccessKeyEnv string `yaml:"access_key_env"` // environment variable holding the access key id
	SecretKeyEnv string `yaml:"secret_key_env"` // environment variable holding the secret key
	CAFile       string `yaml:"ca_file"`        // PEM bundle trusted for the endpoint's TLS, optional
}

// DefaultRegion is the region used when the config names none.
const DefaultRegion = "us-east-1"

// FieldError is a problem with one field of a Config; Field is its yaml
// key, so that the caller can say on which line it is.
type FieldError struct {
	Field string
	Msg   string
}

func (e *FieldError) Error() string { return fmt.Sprintf("output.%s: %s", e.Field, e.Msg) }

var envNameOK = func(s string) bool {
	for i, r := range s {
		if !(r == '_' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return s != ""
}

// Validate checks the config without contacting the store and returns
// every problem, each naming its field.
func (c Config) Validate() []*FieldError {
	var errs []*FieldError
	add := func(field, format string, args ...any) {
		errs = append(errs, &FieldError{Field: field, Msg: fmt.Sprintf(format, args...)})
	}
	scheme, bucket, prefix, err := splitURL(c.URL)
	switch {
	case c.URL == "":
		add("url", "is missing: s3://BUCKET/PREFIX (or a folder given as output: FOLDER)")
	case err != nil:
		add("url", "%v", err)
	case scheme == "s3":
		if !bucketNameOK(bucket) {
			add("url", "bucket name %q: use 3 to 63 lower-case letters, digits, '.' and '-'", bucket)
		}
		if strings.Contains(prefix, "//") || strings.HasPrefix(prefix, ".") {
			add("url", "prefix %q: no empty path segment, and not starting with '.'", prefix)
		}
		if c.AccessKeyEnv == "" {
			add("access_key_env", "is missing: the name of the environment variable holding the access key id")
		}
		if c.SecretKeyEnv == "" {
			add("secret_key_env", "is missing: the name of the environment variable holding the secret key")
		}
	}
	if c.Endpoint != "" {
		if u, err := url.Parse(c.Endpoint); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			add("endpoint", "%q is not an http:// or https:// URL", c.Endpoint)
		}
	}
	for _, f := range []struct{ name, v string }{{"access_key_env", c.AccessKeyEnv}, {"secret_key_env", c.SecretKeyEnv}} {
		if f.v != "" && !envNameOK(f.v) {
			add(f.name, "%q is not an environment variable name (letters, digits, '_'): name the variable, never put the key itself in the config", f.v)
		}
	}
	return errs
}

// splitURL parses s3://BUCKET/PREFIX or file:///FOLDER.
func splitURL(raw string) (scheme, bucket, prefix string, err error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", "", "", fmt.Errorf("%q is not a URL: %v", raw, err)
	}
	switch u.Scheme {
	case "s3":
		if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
			return "", "", "", fmt.Errorf("%q: only s3://BUCKET/PREFIX, with no user, query or fragment", raw)
		}
		return "s3", u.Host, strings.Trim(u.Path, "/"), nil
	case "file":
		if u.Host != "" || u.Path == "" || u.Path == "/" {
			return "", "", "", fmt.Errorf("%q: a file URL names an absolute folder, file:///FOLDER", raw)
		}
		return "file", "", u.Path, nil
	}
	return "", "", "", fmt.Errorf("%q: the scheme must be s3:// (or file:// for a local folder)", raw)
}

func bucketNameOK(s string) bool {
	if len(s) < 3 || len(s) > 63 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '-') {
			return false
		}
	}
	return true
}
