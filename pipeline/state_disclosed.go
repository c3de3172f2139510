package pipeline

import (
	"context"
	"fmt"
)

// disclosedSchema is the serving node's own record of which rows each
// disclosure it anchored sent (exchange.Server.Log): the chain holds no
// patient data, so this local table is what lets `disclosures --patient`
// name exactly the disclosures that sent one of that patient's rows. It
// is written before the disclosure entry is anchored and never changed.
const disclosedSchema = `
CREATE TABLE IF NOT EXISTS disclosed_rows (
	batch_id      TEXT NOT NULL,
	row           INTEGER NOT NULL,
	disclosure_id TEXT NOT NULL,
	PRIMARY KEY (batch_id, row, disclosure_id)
) WITHOUT ROWID;
`

// BatchRow is one row of a batch file.
type BatchRow struct {
	BatchID string
	Row     int64
}

// RecordDisclosure records that disclosure entry id sent rows (a Row of
// -1 for every row of the batch, exchange.WholeBatch). Recording
// the same disclosure again is a no-op.
func (s *State) RecordDisclosure(ctx context.Context, id string, rows []BatchRow) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("pipeline: state: disclosure %.16s: %w", id, err)
	}
	defer tx.Rollback()
	ins, err := tx.PrepareContext(ctx, `INSERT OR IGNORE INTO disclosed_rows (batch_id, row, disclosure_id) VALUES (?, ?, ?)`)
	if err != nil {
		return fmt.Errorf("pipeline: state: disclosure %.16s: %w", id, err)
	}
	defer ins.Close()
	for _, r := range rows {
		if _, err := ins.ExecContext(ctx, r.BatchID, r.Row, id); err != nil {
			return fmt.Errorf("pipeline: state: disclosure %.16s: batch %s row %d: %w", id, r.BatchID, r.Row, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("pipeline: state: disclosure %.16s: %w", id, err)
	}
	return nil
}

// DisclosuresOf returns the ids of the disclosures that sent any of rows.
// A recorded row of -1 (exchange.WholeBatch) stands for every row of its
// batch: what a whole-batch fetch sent.
func (s *State) DisclosuresOf(ctx context.Context, rows []BatchRow) (map[string]bool, error) {
	out := map[string]bool{}
	q, err := s.db.PrepareContext(ctx, `SELECT disclosure_id FROM disclosed_rows WHERE batch_id = ? AND row IN (?, -1)`)
	if err != nil {
		return nil, fmt.Errorf("pipeline: state: disclosures: %w", err)
	}
	defer q.Close()
	for _, r := range rows {
		err := func() error {
			res, err := q.QueryContext(ctx, r.BatchID, r.Row)
			if err != nil {
				return err
			}
			defer res.Close()
			for res.Next() {
				var id string
				if err := res.Scan(&id); err != nil {
					return err
				}
				out[id] = true
			}
			return res.Err()
		}()
		if err != nil {
			return nil, fmt.Errorf("pipeline: state: disclosures of batch %s row %d: %w", r.BatchID, r.Row, err)
		}
	}
	return out, nil
}
