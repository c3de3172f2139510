package pipeline

import (
	"context"
	"fmt"
	"path"
)

// removeRetainedObjects deletes lb's objects from the bucket, its rows
// and rejects files then its sidecar (one already gone is fine: an earlier
// apply deleted it).
func (n *Node) removeRetainedObjects(ctx context.Context, lb LocalBatch) error {
	var sidecar string
	for _, p := range []string{lb.ParquetPath, lb.RejectsPath} {
		if p == "" {
			continue
		}
		bk, rel, err := n.objectOf(ctx, p)
		if err != nil {
			return fmt.Errorf("retention: batch %s: %w", lb.BatchID, err)
		}
		if p == lb.ParquetPath {
			sidecar = path.Dir(rel) + "/_" + lb.BatchID + ".anchor.json"
		}
		if err := bk.Delete(ctx, rel); err != nil {
			return fmt.Errorf("retention: batch %s: %w", lb.BatchID, err)
		}
	}
	if sidecar == "" {
		return nil
	}
	bk, err := n.Bucket(ctx)
	if err != nil {
		return fmt.Errorf("retention: batch %s: %w", lb.BatchID, err)
	}
	if err := bk.Delete(ctx, sidecar); err != nil {
		return fmt.Errorf("retention: batch %s: %w", lb.BatchID, err)
	}
	return nil
}
