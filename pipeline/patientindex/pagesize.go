package patientindex

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"

	"github.com/healthanchor/healthanchor/anchor"
)

// PageSize is the SQLite page size of an index file this program
// creates. A bucket row holds about a kilobyte of pairs, near the most a
// 4 KiB page keeps in place in a WITHOUT ROWID table (the rest goes to
// overflow pages), and a batch of a million rows writes 16,384 of them:
// on 64 KiB pages Add writes a sixteenth of the pages, no row overflows,
// and it runs about 2.5 times as fast (BenchmarkAdd).
const PageSize = 65536

// createFile makes an index file that does not exist yet, or is still
// empty, with PageSize pages. SQLite fixes the page size when it first
// writes a database, and a database in WAL mode cannot change it, so it
// is chosen here, before OpenDB puts the file in WAL mode.
func createFile(path string) error {
	if st, err := os.Stat(path); err == nil && st.Size() > 0 {
		return nil
	}
	if err := anchor.CreateDBFile(path, anchor.DefaultDBMode); err != nil {
		return err
	}
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	defer db.Close()
	// As statements, in this order: the driver runs _pragma parameters
	// in alphabetical order, journal_mode before page_size.
	if _, err := db.Exec(fmt.Sprintf(`PRAGMA page_size = %d; PRAGMA journal_mode = WAL`, PageSize)); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return db.Close()
}

// PageSize returns the page size of the index file: PageSize, or a
// smaller one for a file an older version created, until a rebuild
// (Reset) changes it.
func (x *Index) PageSize(ctx context.Context) (int, error) {
	var n int
	if err := x.db.QueryRowContext(ctx, `PRAGMA page_size`).Scan(&n); err != nil {
		return 0, fmt.Errorf("patientindex: %w", err)
	}
	return n, nil
}

// resize rewrites an empty index with PageSize pages. The VACUUM that
// changes the page size needs the file out of WAL mode, and so no other
// connection to it: when another process has the index open, resize
// fails and the file keeps its pages. Either way it is left in WAL mode.
func (x *Index) resize(ctx context.Context) (err error) {
	n, err := x.PageSize(ctx)
	if err != nil || n == PageSize {
		return err
	}
	conn, err := x.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	defer func() {
		var mode string
		if werr := conn.QueryRowContext(ctx, `PRAGMA journal_mode = WAL`).Scan(&mode); werr != nil || mode != "wal" {
			err = errors.Join(err, fmt.Errorf("back to WAL mode: %q %v", mode, werr))
		}
	}()
	var mode string
	if err := conn.QueryRowContext(ctx, `PRAGMA journal_mode = DELETE`).Scan(&mode); err != nil {
		return err
	}
	if mode != "delete" {
		return fmt.Errorf("the index is open in another process")
	}
	_, err = conn.ExecContext(ctx, fmt.Sprintf(`PRAGMA page_size = %d; VACUUM`, PageSize))
	return err
}
