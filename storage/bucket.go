package storage

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"gocloud.dev/blob"
	"gocloud.dev/blob/fileblob"
	"gocloud.dev/blob/s3blob"
)

// Bucket is an opened object-store output: a bucket and the key prefix
// under which this deployment's objects live. Its methods are safe for
// concurrent use.
type Bucket struct {
	b      *blob.Bucket
	scheme string // s3 or file
	name   string // the bucket's name (the folder for file://)
	prefix string // without leading or trailing '/'; may be ""
}

// LookupEnv is how Open reads the environment variables a Config names
// (os.LookupEnv in the CLI).
type LookupEnv func(name string) (string, bool)

// Open opens the store cfg names and checks that it answers and that the
// bucket exists, so that a wrong endpoint, wrong credentials or a missing
// bucket are reported before any work is done. baseDir resolves a relative
// ca_file. Errors name the bucket and the environment variables, never
// their values.
func Open(ctx context.Context, cfg Config, env LookupEnv, baseDir string) (*Bucket, error) {
	scheme, name, prefix, err := splitURL(cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("storage: output.url %w", err)
	}
	var b *blob.Bucket
	switch scheme {
	case "file":
		b, err = fileblob.OpenBucket(prefix, &fileblob.Options{CreateDir: true, NoTempDir: true, Metadata: fileblob.MetadataDontWrite})
		if err != nil {
			return nil, fmt.Errorf("storage: %s: %w", cfg.URL, err)
		}
		return &Bucket{b: b, scheme: scheme, name: prefix}, nil
	case "s3":
		client, err := s3Client(cfg, env, baseDir)
		if err != nil {
			return nil, err
		}
		if b, err = s3blob.OpenBucket(ctx, client, name, nil); err != nil {
			return nil, fmt.Errorf("storage: bucket %s: %w", name, err)
		}
	}
	bk := &Bucket{b: b, scheme: scheme, name: name, prefix: prefix}
	if err := bk.check(ctx, cfg); err != nil {
		b.Close()
		return nil, err
	}
	return bk, nil
}

// s3Client builds the AWS SDK client: static credentials from the named
// variables, path-style addressing (what S3-compatible servers expect),
// and the configured CA bundle.
func s3Client(cfg Config, env LookupEnv, baseDir string) (*s3.Client, error) {
	ak, ok := env(cfg.AccessKeyEnv)
	if !ok || ak == "" {
		return nil, fmt.Errorf("storage: the environment variable %s (output.access_key_env) is not set: export the access key id in it", cfg.AccessKeyEnv)
	}
	sk, ok := env(cfg.SecretKeyEnv)
	if !ok || sk == "" {
		return nil, fmt.Errorf("storage: the environment variable %s (output.secret_key_env) is not set: export the secret key in it", cfg.SecretKeyEnv)
	}
	region := cfg.Region
	if region == "" {
		region = DefaultRegion
	}
	awsCfg := aws.Config{
		Region:      region,
		Credentials: credentials.NewStaticCredentialsProvider(ak, sk, ""),
		// Checksums only when the operation needs one: S3-compatible
		// servers do not all take the newer trailing checksums.
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
	}
	if cfg.CAFile != "" {
		p := cfg.CAFile
		if !path.IsAbs(p) {
			p = path.Join(baseDir, p)
		}
		pem, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("storage: output.ca_file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("storage: output.ca_file %s holds no PEM certificate", p)
		}
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
		awsCfg.HTTPClient = &http.Client{Transport: tr}
	}
	return s3.NewFromConfig(awsCfg, func(o *s3.Options) {
		o.UsePathStyle = true
		if cfg.Endpoint != "" {
			o.BaseEndpoint = aws.String(cfg.Endpoint)
		}
	}), nil
}

// check asks the store whether the bucket exists and the credentials may
// list it.
func (b *Bucket) check(ctx context.Context, cfg Config) error {
	ctx, cancel := context.WithTimeout(ctx, checkTimeout)
	defer cancel()
	it := b.b.List(&blob.ListOptions{Prefix: b.key("")})
	_, err := it.Next(ctx)
	if err == nil || errors.Is(err, io.EOF) {
		return nil
	}
	return b.explain("open", cfg.URL, err, cfg)
}

// checkTimeout bounds how long Open waits for the store to answer.
const checkTimeout = 30 * time.Second

// Close releases the bucket's connections.
func (b *Bucket) Close() error { return b.b.Close() }

// Name is the bucket's name (for file:// URLs, the folder).
func (b *Bucket) Name() string { return b.name }

// key is the full object key of rel under the prefix.
func (b *Bucket) key(rel string) string {
	if b.prefix == "" {
		return rel
	}
	if rel == "" {
		return b.prefix + "/"
	}
	return b.prefix + "/" + rel
}

// URL is the address of the object at rel, as the state DB records it
// and as messages show it: s3://BUCKET/PREFIX/rel (file:///FOLDER/rel).
func (b *Bucket) URL(rel string) string {
	if b.scheme == "file" {
		return "file://" + path.Join(b.name, rel)
	}
	return "s3://" + b.name + "/" + b.key(rel)
}

// Rel is the key, relative to the prefix, of an object URL this bucket
// made (URL); ok is false for a URL of another bucket or prefix.
func (b *Bucket) Rel(u string) (string, bool) {
	base := b.URL("")
	if !strings.HasSuffix(base, "/") {
		base += "/"
	}
	if !strings.HasPrefix(u, base) {
		return "", false
	}
	return strings.TrimPrefix(u, base), true
}
