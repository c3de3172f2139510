package pipeline

import (
	"path/filepath"
	"strings"
)

// storedPath is how the state DB records a published file's path: relative
// to the batch folder when the file is inside it (job/batch.parquet), as
// given otherwise.
func (s *State) storedPath(p string) string {
	if p == "" || s.batchDir == "" || !filepath.IsAbs(p) {
		return p
	}
	rel, err := filepath.Rel(s.batchDir, p)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return p
	}
	return rel
}

// resolvePath turns a recorded path back into an absolute one in this
// deployment's batch folder. A path recorded absolute by an earlier
// version (DIR/job/batch.parquet) is taken as job/batch.parquet in the
// batch folder too: the folder the deployment sits in now, not the one it
// was created in.
func (s *State) resolvePath(p string) string {
	if p == "" || s.batchDir == "" || isObjectURL(p) {
		return p
	}
	if !filepath.IsAbs(p) {
		return filepath.Join(s.batchDir, p)
	}
	return filepath.Join(s.batchDir, filepath.Base(filepath.Dir(p)), filepath.Base(p))
}
