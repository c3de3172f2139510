package deploy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/healthanchor/healthanchor/internal/fsutil"
	"github.com/healthanchor/healthanchor/pipeline"
)

// ErrBackupDamaged means a backup folder does not match its backup.json
// (a file missing, of another size or digest): use another backup.
var ErrBackupDamaged = errors.New("backup does not match its manifest")

// ReadBackup reads a backup folder's manifest and checks every file it
// names against its size and SHA-256.
func ReadBackup(from string) (BackupManifest, error) {
	raw, err := os.ReadFile(filepath.Join(from, BackupManifestFile))
	if err != nil {
		return BackupManifest{}, fmt.Errorf("deploy: restore: %w", err)
	}
	var m BackupManifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return BackupManifest{}, fmt.Errorf("deploy: restore: %s: %w", BackupManifestFile, err)
	}
	if m.Version != BackupVersion {
		return BackupManifest{}, fmt.Errorf("deploy: restore: %s version %d, want %d", BackupManifestFile, m.Version, BackupVersion)
	}
	for _, f := range m.Files {
		if !filepath.IsLocal(filepath.FromSlash(f.Path)) {
			return BackupManifest{}, fmt.Errorf("deploy: restore: %s names %q, outside the folder: %w", BackupManifestFile, f.Path, ErrBackupDamaged)
		}
		got, err := describe(from, f.Path)
		if err != nil {
			return BackupManifest{}, fmt.Errorf("deploy: restore: %s: %w", f.Path, ErrBackupDamaged)
		}
		if got != f {
			return BackupManifest{}, fmt.Errorf("deploy: restore: %s: %d bytes, SHA-256 %s; the manifest says %d bytes, %s: %w", f.Path, got.Size, got.SHA256, f.Size, f.SHA256, ErrBackupDamaged)
		}
	}
	return m, nil
}

// Restore puts a backup made by Backup back in place for the node of cfg,
// which must be stopped: it checks the backup, refuses when any store it
// would write (or its write-ahead log) is present (move the node's old
// data away first), copies each file, fsyncs it and its folder, and
// checks the restored chain from genesis against the manifest's head.
func Restore(ctx context.Context, cfg *pipeline.Config, from string) (BackupManifest, error) {
	m, err := ReadBackup(from)
	if err != nil {
		return BackupManifest{}, err
	}
	if m.Agency != cfg.Agency.ID {
		return BackupManifest{}, fmt.Errorf("deploy: restore: the backup is agency %s's, this config is %s's", m.Agency, cfg.Agency.ID)
	}
	var chainPath string
	for _, f := range m.Files {
		dst := filepath.Join(cfg.Dir(), filepath.FromSlash(f.Path))
		for _, p := range []string{dst, dst + "-wal", dst + "-shm"} {
			if _, err := os.Lstat(p); err == nil {
				return BackupManifest{}, fmt.Errorf("deploy: restore: %s %w: stop the node and move its data away first", p, ErrExists)
			}
		}
		if dst == cfg.Path(cfg.Chain.Path) {
			chainPath = dst
		}
	}
	if chainPath == "" {
		return BackupManifest{}, fmt.Errorf("deploy: restore: the backup holds no %s: %w", cfg.Chain.Path, ErrBackupDamaged)
	}
	dirs := map[string]bool{}
	for _, f := range m.Files {
		dst := filepath.Join(cfg.Dir(), filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
			return BackupManifest{}, fmt.Errorf("deploy: restore: %w", err)
		}
		if err := copyFile(filepath.Join(from, filepath.FromSlash(f.Path)), dst); err != nil {
			return BackupManifest{}, err
		}
		dirs[filepath.Dir(dst)] = true
	}
	for d := range dirs {
		if err := fsutil.SyncDir(d); err != nil {
			return BackupManifest{}, fmt.Errorf("deploy: restore: %w", err)
		}
	}
	id, height, head, err := chainHead(ctx, chainPath)
	if err != nil {
		return BackupManifest{}, fmt.Errorf("deploy: restore: the restored chain: %w", err)
	}
	if id != m.ChainID || height != m.ChainHeight || !strings.EqualFold(head, m.ChainHead) {
		return BackupManifest{}, fmt.Errorf("deploy: restore: the restored chain is %s at %d (%s), the manifest says %s at %d (%s): %w", id, height, head, m.ChainID, m.ChainHeight, m.ChainHead, ErrBackupDamaged)
	}
	return m, nil
}
