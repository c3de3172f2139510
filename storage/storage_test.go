package storage

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func openFolder(t *testing.T) *Bucket {
	t.Helper()
	b, err := Open(context.Background(), Config{URL: "file://" + t.TempDir()}, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

func TestUploadCopyHash(t *testing.T) {
	ctx := context.Background()
	b := openFolder(t)
	data := bytes.Repeat([]byte("healthanchor "), 10000)
	local := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(local, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := b.Upload(ctx, StagingKey("b1", "rows"), local); err != nil {
		t.Fatal(err)
	}
	final := RowsKey("patient/1", "2026-12-02", "b1")
	if _, ok, err := b.Stat(ctx, final); err != nil || ok {
		t.Fatalf("final key before the copy: ok %v, err %v", ok, err)
	}
	if err := b.Copy(ctx, final, StagingKey("b1", "rows")); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	got, n, err := b.SHA256(ctx, final)
	if err != nil || got != hex.EncodeToString(sum[:]) || n != int64(len(data)) {
		t.Fatalf("SHA256 = %s, %d, %v; want %x, %d", got, n, err, sum, len(data))
	}
	var keys []string
	if err := b.List(ctx, "", func(rel string, a Attrs) error { keys = append(keys, rel); return nil }); err != nil {
		t.Fatal(err)
	}
	want := []string{"_staging/b1.parquet.part", "schema=patient_1/date=2026-12-02/b1.parquet"}
	if strings.Join(keys, ",") != strings.Join(want, ",") {
		t.Errorf("keys %v, want %v", keys, want)
	}
	if err := b.Delete(ctx, StagingKey("b1", "rows")); err != nil {
		t.Fatal(err)
	}
	if err := b.Delete(ctx, StagingKey("b1", "rows")); err != nil {
		t.Errorf("deleting a deleted object: %v", err)
	}
}

func TestObjectRanges(t *testing.T) {
	ctx := context.Background()
	b := openFolder(t)
	data := make([]byte, 100000)
	for i := range data {
		data[i] = byte(i * 7)
	}
	if err := b.WriteAll(ctx, "x.parquet", data); err != nil {
		t.Fatal(err)
	}
	o, err := b.Open(ctx, "x.parquet")
	if err != nil {
		t.Fatal(err)
	}
	if o.Size() != int64(len(data)) {
		t.Fatalf("size %d, want %d", o.Size(), len(data))
	}
	p := make([]byte, 8)
	if n, err := o.ReadAt(p, int64(len(data))-8); n != 8 || err != nil || !bytes.Equal(p, data[len(data)-8:]) {
		t.Fatalf("ReadAt the last 8 bytes: %d, %v, %x", n, err, p)
	}
	if o.Fetched() != 8 {
		t.Errorf("fetched %d bytes for an 8-byte range", o.Fetched())
	}
	if n, err := o.ReadAt(p, int64(len(data))-3); n != 3 || !errors.Is(err, io.EOF) {
		t.Errorf("ReadAt across the end: %d, %v; want 3, EOF", n, err)
	}
	var all bytes.Buffer
	if _, err := o.Seek(0, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(&all, o); err != nil || !bytes.Equal(all.Bytes(), data) {
		t.Fatalf("streaming the object: %v (%d bytes)", err, all.Len())
	}
	if _, err := b.Open(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("opening a missing object: %v, want ErrNotFound", err)
	}
}

func TestRel(t *testing.T) {
	b := &Bucket{scheme: "s3", name: "lake", prefix: "health/batches"}
	u := b.URL(RowsKey("patient/1", "2026-12-02", "ab"))
	if u != "s3://lake/health/batches/schema=patient_1/date=2026-12-02/ab.parquet" {
		t.Fatalf("URL = %s", u)
	}
	if rel, ok := b.Rel(u); !ok || rel != "schema=patient_1/date=2026-12-02/ab.parquet" {
		t.Errorf("Rel(%s) = %q, %v", u, rel, ok)
	}
	if _, ok := b.Rel("s3://other/health/batches/x.parquet"); ok {
		t.Error("Rel took another bucket's URL")
	}
}

func TestValidate(t *testing.T) {
	for _, c := range []struct {
		cfg    Config
		fields string
	}{
		{Config{URL: "s3://lake/p", AccessKeyEnv: "AK", SecretKeyEnv: "SK"}, ""},
		{Config{URL: "file:///srv/lake"}, ""},
		{Config{}, "url"},
		{Config{URL: "http://lake/p"}, "url"},
		{Config{URL: "s3://Lake_1/p", AccessKeyEnv: "AK", SecretKeyEnv: "SK"}, "url"},
		{Config{URL: "s3://lake/p"}, "access_key_env,secret_key_env"},
		{Config{URL: "s3://lake/p", AccessKeyEnv: "AK", SecretKeyEnv: "wJalrXUtnFEMI/K7MDENG+bPxRfiCY"}, "secret_key_env"},
		{Config{URL: "s3://lake/p", AccessKeyEnv: "AK", SecretKeyEnv: "SK", Endpoint: "127.0.0.1:8333"}, "endpoint"},
	} {
		var fields []string
		for _, e := range c.cfg.Validate() {
			fields = append(fields, e.Field)
		}
		if got := strings.Join(fields, ","); got != c.fields {
			t.Errorf("%+v: fields in error %q, want %q", c.cfg, got, c.fields)
		}
	}
}

// TestMissingCredentials: the error names the variable, and Open fails
// before contacting anything.
func TestMissingCredentials(t *testing.T) {
	env := func(name string) (string, bool) {
		if name == "AK" {
			return "someid", true
		}
		return "", false
	}
	_, err := Open(context.Background(), Config{URL: "s3://lake/p", Endpoint: "http://127.0.0.1:1", AccessKeyEnv: "AK", SecretKeyEnv: "SK"}, env, "")
	if err == nil || !strings.Contains(err.Error(), "SK (output.secret_key_env) is not set") {
		t.Fatalf("err = %v", err)
	}
}

// TestUnreachable: a store that does not answer is reported as such,
// naming the bucket and the address, not as the SDK's retry summary.
func TestUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	env := func(string) (string, bool) { return "key", true }
	_, err = Open(context.Background(), Config{URL: "s3://lake/p", Endpoint: "http://" + addr, AccessKeyEnv: "AK", SecretKeyEnv: "SK"}, env, "")
	if !errors.Is(err, ErrUnreachable) || !strings.Contains(err.Error(), `bucket "lake"`) || !strings.Contains(err.Error(), addr) {
		t.Fatalf("err = %v, want ErrUnreachable naming the bucket and %s", err, addr)
	}
}
