package deploy

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/healthanchor/healthanchor/anchor"
	"github.com/healthanchor/healthanchor/internal/fsutil"
	"github.com/healthanchor/healthanchor/pipeline"
)

// BackupManifestFile names the manifest in a backup folder.
const BackupManifestFile = "backup.json"

// BackupVersion is the version of backup.json this code writes and reads.
const BackupVersion = 1

// BackupManifest describes a backup folder: what was copied, and the
// chain's head in the copy.
type BackupManifest struct {
	Version     int          `json:"v"`
	CreatedAt   string       `json:"created_at"` // RFC 3339 UTC
	Agency      string       `json:"agency"`
	ChainID     string       `json:"chain_id"`
	ChainHeight int64        `json:"chain_height"`
	ChainHead   string       `json:"chain_head"` // hex block hash
	Files       []BackupFile `json:"files"`
}

// BackupFile is one copied file, by its path relative to the backup
// folder (slash-separated), which is also its path relative to the node's
// folder when restored.
type BackupFile struct {
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// backupItem is one store to copy: its place in the node and the backup.
type backupItem struct {
	rel, src string
	sqlite   bool
}

// items lists the node's stores: the state DB, the chain store, and with
// a cluster the Raft store then its snapshots. Store paths in the backup
// are relative to the config's folder; stores configured outside it keep
// their base name.
func items(cfg *pipeline.Config) ([]backupItem, error) {
	rel := func(p string) string {
		abs := cfg.Path(p)
		r, err := filepath.Rel(cfg.Dir(), abs)
		if err != nil || strings.HasPrefix(r, "..") {
			return filepath.Base(abs)
		}
		return filepath.ToSlash(r)
	}
	out := []backupItem{
		{rel: rel(cfg.State), src: cfg.Path(cfg.State), sqlite: true},
		{rel: rel(cfg.Chain.Path), src: cfg.Path(cfg.Chain.Path), sqlite: true},
	}
	if cfg.Cluster == nil {
		return out, nil
	}
	raftDir := cfg.Path(cfg.Cluster.DataDir)
	out = append(out, backupItem{rel: rel(filepath.Join(cfg.Cluster.DataDir, "raft.db")), src: filepath.Join(raftDir, "raft.db"), sqlite: true})
	snaps, err := os.ReadDir(filepath.Join(raftDir, "snapshots"))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("deploy: backup: %w", err)
	}
	for _, s := range snaps {
		if !s.IsDir() || strings.HasSuffix(s.Name(), ".tmp") {
			continue // a snapshot being written
		}
		for _, f := range []string{"meta.json", "state.bin"} {
			p := filepath.Join(cfg.Cluster.DataDir, "snapshots", s.Name(), f)
			out = append(out, backupItem{rel: rel(p), src: cfg.Path(p)})
		}
	}
	return out, nil
}

// Backup copies a node's stores into out (absent or empty, made mode
// 0700) while the node may be running: each SQLite store (state, chain,
// Raft) with VACUUM INTO, a consistent copy of its committed content,
// write-ahead log included; then the Raft snapshots, which are never
// changed once written (one removed meanwhile is skipped). It checks the
// chain copy from genesis and writes backup.json naming every file with
// its size and SHA-256. Keys are not copied: keep them apart, offline.
func Backup(ctx context.Context, cfg *pipeline.Config, out string, now time.Time) (BackupManifest, error) {
	if entries, err := os.ReadDir(out); err == nil && len(entries) > 0 {
		return BackupManifest{}, fmt.Errorf("deploy: backup: %s is not empty: choose a new folder", out)
	}
	its, err := items(cfg)
	if err != nil {
		return BackupManifest{}, err
	}
	m := BackupManifest{Version: BackupVersion, CreatedAt: now.UTC().Format(time.RFC3339), Agency: cfg.Agency.ID}
	var copied []string
	for _, it := range its {
		dst := filepath.Join(out, filepath.FromSlash(it.rel))
		if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
			return BackupManifest{}, fmt.Errorf("deploy: backup: %w", err)
		}
		if it.sqlite {
			err = vacuumInto(ctx, it.src, dst)
		} else {
			err = copyFile(it.src, dst)
			if errors.Is(err, fs.ErrNotExist) {
				continue // the snapshot was reaped after a newer one: the newer one is copied
			}
		}
		if err != nil {
			return BackupManifest{}, err
		}
		copied = append(copied, it.rel)
	}
	// Opening the chain copy may set its journal mode: describe the
	// files after.
	if m.ChainID, m.ChainHeight, m.ChainHead, err = chainHead(ctx, filepath.Join(out, filepath.FromSlash(its[1].rel))); err != nil {
		return BackupManifest{}, fmt.Errorf("deploy: backup: the chain copy: %w", err)
	}
	for _, rel := range copied {
		f, err := describe(out, rel)
		if err != nil {
			return BackupManifest{}, err
		}
		m.Files = append(m.Files, f)
	}
	body, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return BackupManifest{}, fmt.Errorf("deploy: backup: %w", err)
	}
	if err := fsutil.WriteNew(filepath.Join(out, BackupManifestFile), append(body, '\n'), 0o600); err != nil {
		return BackupManifest{}, fmt.Errorf("deploy: backup: %w", err)
	}
	return m, fsutil.SyncDir(out)
}

// vacuumInto writes a consistent copy of the SQLite database src to dst
// with VACUUM INTO: it reads in one transaction, so the copy holds every
// committed transaction, those still in the write-ahead log included.
func vacuumInto(ctx context.Context, src, dst string) error {
	if _, err := os.Stat(src); err != nil {
		return fmt.Errorf("deploy: backup: %w", err)
	}
	db, err := sql.Open("sqlite", "file:"+src+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return fmt.Errorf("deploy: backup: %s: %w", src, err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `VACUUM INTO ?`, dst); err != nil {
		return fmt.Errorf("deploy: backup: %s: %w", src, err)
	}
	if err := os.Chmod(dst, 0o600); err != nil {
		return fmt.Errorf("deploy: backup: %w", err)
	}
	return syncFile(dst)
}

// chainHead opens a chain store copy, verifies it from genesis and
// returns its chain id, head height and head hash.
func chainHead(ctx context.Context, path string) (string, int64, string, error) {
	c, err := anchor.OpenChain(path)
	if err != nil {
		return "", 0, "", err
	}
	defer c.Close()
	if _, err := c.Verify(ctx); err != nil {
		return "", 0, "", err
	}
	head, err := c.Head(ctx)
	if err != nil {
		return "", 0, "", err
	}
	h, err := head.Hash()
	return c.ChainID(), head.Height, h, err
}

func describe(dir, rel string) (BackupFile, error) {
	p := filepath.Join(dir, filepath.FromSlash(rel))
	st, err := os.Stat(p)
	if err != nil {
		return BackupFile{}, fmt.Errorf("deploy: backup: %w", err)
	}
	sum, err := fsutil.HashFile(p)
	if err != nil {
		return BackupFile{}, fmt.Errorf("deploy: backup: %w", err)
	}
	return BackupFile{Path: rel, Size: st.Size(), SHA256: sum}, nil
}

// copyFile copies src to a new file dst (mode 0600) and fsyncs it.
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("deploy: copy: %w", err)
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("deploy: copy %s: %w", src, err)
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return fmt.Errorf("deploy: copy %s: %w", src, err)
	}
	return out.Close()
}

func syncFile(path string) error {
	if err := fsutil.SyncFile(path); err != nil {
		return fmt.Errorf("deploy: fsync %s: %w", path, err)
	}
	return nil
}
