package storage

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/healthanchor/healthanchor/internal/s3test"
)

// openS3 opens a prefix of a real SeaweedFS bucket (internal/s3test).
func openS3(t *testing.T) *Bucket {
	t.Helper()
	srv := s3test.Run(t)
	env := map[string]string{"AK": srv.AccessKey, "SK": srv.SecretKey}
	b, err := Open(context.Background(), Config{URL: "s3://" + srv.Bucket + "/lake", Endpoint: srv.Endpoint, AccessKeyEnv: "AK", SecretKeyEnv: "SK"},
		func(k string) (string, bool) { v, ok := env[k]; return v, ok }, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

// testCopyNeverOverwrites: Copy makes a free key, and refuses a taken one
// with ErrExists, naming it and leaving its bytes as they were.
func testCopyNeverOverwrites(t *testing.T, b *Bucket) {
	ctx := context.Background()
	local := filepath.Join(t.TempDir(), "f")
	staged := bytes.Repeat([]byte("staged "), 50000)
	if err := os.WriteFile(local, staged, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := b.Upload(ctx, StagingKey("b2", "rows"), local); err != nil {
		t.Fatal(err)
	}
	free := RowsKey("patient/1", "2026-12-02", "b2")
	if err := b.Copy(ctx, free, StagingKey("b2", "rows")); err != nil {
		t.Fatalf("copy to a free key: %v", err)
	}
	if got, err := b.ReadAll(ctx, free); err != nil || !bytes.Equal(got, staged) {
		t.Fatalf("the copy holds %d bytes (err %v), want the %d staged", len(got), err, len(staged))
	}
	taken := RowsKey("patient/1", "2026-12-02", "b3")
	other := []byte("another object")
	if err := b.WriteAll(ctx, taken, other); err != nil {
		t.Fatal(err)
	}
	err := b.Copy(ctx, taken, StagingKey("b2", "rows"))
	if !errors.Is(err, ErrExists) || !strings.Contains(err.Error(), b.URL(taken)) {
		t.Fatalf("copy onto an object: %v, want ErrExists naming %s", err, b.URL(taken))
	}
	if got, err := b.ReadAll(ctx, taken); err != nil || !bytes.Equal(got, other) {
		t.Errorf("the refused copy changed the object: %q (err %v)", got, err)
	}
}

func TestCopyNeverOverwritesFolder(t *testing.T) { testCopyNeverOverwrites(t, openFolder(t)) }

// TestCopyNeverOverwritesS3 checks that the pinned SeaweedFS honours the
// conditional copy (If-None-Match: *).
func TestCopyNeverOverwritesS3(t *testing.T) { testCopyNeverOverwrites(t, openS3(t)) }
