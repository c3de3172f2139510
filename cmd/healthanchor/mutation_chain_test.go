package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	_ "modernc.org/sqlite"

	"github.com/healthanchor/healthanchor/anchor"
	"github.com/healthanchor/healthanchor/pipeline"
)

// chainArea damages rows of the chain store (chain.db: blocks, manifests,
// checkpoints) with SQL, as someone with write access to the file could;
// verify chain must reject each change. The store and the state DB are
// restored from copies after each mutation.
type chainArea struct {
	cfg, chainPath, statePath string
	chainOrig, stateOrig      []byte
	digest, logDigest         string           // of every table; of every table but checkpoints
	checkpoints               map[int64]string // the pristine store's, by size
	agency                    string
	key                       ed25519.PrivateKey
}

func (fx *mutationFixture) chainStore(t *testing.T) area {
	t.Helper()
	a := &chainArea{cfg: fx.cfg, chainPath: filepath.Join(fx.dir, "chain.db"), statePath: filepath.Join(fx.dir, "state.db")}
	for _, p := range []string{a.chainPath, a.statePath} {
		db := openRaw(t, p)
		if _, err := db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
			t.Fatal(err)
		}
		if p == a.chainPath {
			a.digest, a.logDigest = tablesDigest(t, db, ""), tablesDigest(t, db, "checkpoints")
			a.checkpoints = checkpointRows(t, db)
		}
		db.Close()
	}
	cfg, err := pipeline.LoadConfig(fx.cfg)
	if err != nil {
		t.Fatal(err)
	}
	if a.key, err = anchor.ReadSigningKey(cfg.Path(cfg.Agency.KeyFile)); err != nil {
		t.Fatal(err)
	}
	a.agency = cfg.Agency.ID
	if len(a.checkpoints) < 2 {
		t.Fatalf("fixture: the chain store holds %d checkpoints, want several", len(a.checkpoints))
	}
	if a.chainOrig, err = os.ReadFile(a.chainPath); err != nil {
		t.Fatal(err)
	}
	if a.stateOrig, err = os.ReadFile(a.statePath); err != nil {
		t.Fatal(err)
	}
	return a
}

func (a *chainArea) name() string { return areaChain }

func (a *chainArea) control() [][]string { return [][]string{{"--config", a.cfg, "verify", "chain"}} }

// restore puts back the pristine chain store and state DB.
func (a *chainArea) restore(t *testing.T) {
	for _, f := range []struct {
		path string
		data []byte
	}{{a.chainPath, a.chainOrig}, {a.statePath, a.stateOrig}} {
		os.Remove(f.path + "-wal")
		os.Remove(f.path + "-shm")
		if err := os.WriteFile(f.path, f.data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// openRaw opens a SQLite file as an intruder would: no foreign keys, no
// busy handling, nothing of the chain's own code.
func openRaw(t *testing.T, path string) *sql.DB {
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	return db
}

type sqlTable struct {
	name string
	cols []sqlColumn
}

type sqlColumn struct {
	name, typ string
	pk        bool
}

func loadTables(db *sql.DB) ([]sqlTable, error) {
	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
	if err != nil {
		return nil, err
	}
	var names []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		names = append(names, n)
	}
	rows.Close()
	var out []sqlTable
	for _, n := range names {
		t := sqlTable{name: n}
		cols, err := db.Query(`SELECT name, type, pk FROM pragma_table_info(?)`, n)
		if err != nil {
			return nil, err
		}
		for cols.Next() {
			var c sqlColumn
			var pk int
			cols.Scan(&c.name, &c.typ, &pk)
			c.pk = pk > 0
			t.cols = append(t.cols, c)
		}
		cols.Close()
		out = append(out, t)
	}
	return out, nil
}

// tablesDigest hashes the content of every table but except, rows in a
// canonical order: two stores with the same digest answer every query
// on those tables the same.
func tablesDigest(t *testing.T, db *sql.DB, except string) string {
	tables, err := loadTables(db)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	for _, tb := range tables {
		if tb.name == except {
			continue
		}
		var names []string
		for _, c := range tb.cols {
			names = append(names, c.name)
		}
		rows, err := db.Query(fmt.Sprintf(`SELECT %s FROM %s ORDER BY %s`, strings.Join(names, ", "), tb.name, strings.Join(names, ", ")))
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(h, "table %s\n", tb.name)
		vals := make([]any, len(names))
		ptrs := make([]any, len(names))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			rows.Scan(ptrs...)
			for _, v := range vals {
				fmt.Fprintf(h, "%T:%x|", v, fmt.Sprint(v))
			}
			h.Write([]byte("\n"))
		}
		rows.Close()
	}
	return hex.EncodeToString(h.Sum(nil))
}

func rowIDs(db *sql.DB, table string) []int64 {
	rows, err := db.Query(`SELECT rowid FROM ` + table + ` ORDER BY rowid`)
	if err != nil {
		return nil
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		ids = append(ids, id)
	}
	return ids
}

func cell(db *sql.DB, table, col string, rowid int64) (any, error) {
	var v any
	err := db.QueryRow(fmt.Sprintf(`SELECT %s FROM %s WHERE rowid = ?`, col, table), rowid).Scan(&v)
	return v, err
}

func setCell(db *sql.DB, table, col string, rowid int64, v any) error {
	_, err := db.Exec(fmt.Sprintf(`UPDATE %s SET %s = ? WHERE rowid = ?`, table, col), v, rowid)
	return err
}

// chainMutator applies one change to the open store, or says it does not
// apply (ok false) or failed (a constraint refused it).
type chainMutator func(rng *rand.Rand, db *sql.DB, tables []sqlTable) (desc string, ok bool, err error)

var chainMutators = map[string]chainMutator{
	"update: text column, one character": func(rng *rand.Rand, db *sql.DB, tables []sqlTable) (string, bool, error) {
		tb, id, col, ok := pickCell(rng, db, tables, func(c sqlColumn) bool { return c.typ == "TEXT" || c.typ == "BLOB" })
		if !ok {
			return "", false, nil
		}
		v, err := cell(db, tb.name, col.name, id)
		if err != nil {
			return "", false, err
		}
		s, blob := asText(v)
		ns, d := changeChar(rng, s)
		return fmt.Sprintf("%s rowid %d .%s: %s", tb.name, id, col.name, d), true, setCell(db, tb.name, col.name, id, fromText(ns, blob))
	},
	"update: integer column": func(rng *rand.Rand, db *sql.DB, tables []sqlTable) (string, bool, error) {
		tb, id, col, ok := pickCell(rng, db, tables, func(c sqlColumn) bool { return c.typ == "INTEGER" })
		if !ok {
			return "", false, nil
		}
		v, err := cell(db, tb.name, col.name, id)
		if err != nil {
			return "", false, err
		}
		n, _ := v.(int64)
		d := pick(rng, []int64{-1, 1, 2, -n - 1, 1000})
		return fmt.Sprintf("%s rowid %d .%s: %d -> %d", tb.name, id, col.name, n, n+d), true, setCell(db, tb.name, col.name, id, n+d)
	},
	"update: block body, one JSON field": func(rng *rand.Rand, db *sql.DB, _ []sqlTable) (string, bool, error) {
		return editBody(rng, db, func(tree any) (string, bool) {
			_, d, ok := editWhere(rng, tree, func(_ jpath, v any) bool { return true })
			return d, ok
		})
	},
	"update: block body, list entry dropped or duplicated": func(rng *rand.Rand, db *sql.DB, _ []sqlTable) (string, bool, error) {
		return editBody(rng, db, func(tree any) (string, bool) {
			_, d, ok := arrayEdit(rng, tree, rng.IntN(2) == 0)
			return d, ok
		})
	},
	"update: block body re-indented (same JSON)": func(rng *rand.Rand, db *sql.DB, _ []sqlTable) (string, bool, error) {
		ids := rowIDs(db, "blocks")
		id := pick(rng, ids)
		v, err := cell(db, "blocks", "body", id)
		if err != nil {
			return "", false, err
		}
		tree, err := decodeTree(v.([]byte))
		if err != nil {
			return "", false, err
		}
		return fmt.Sprintf("blocks height %d: body indented", id), true, setCell(db, "blocks", "body", id, encodeTree(tree, true))
	},
	"update: checkpoint note lines": func(rng *rand.Rand, db *sql.DB, _ []sqlTable) (string, bool, error) {
		ids := rowIDs(db, "checkpoints")
		if len(ids) == 0 {
			return "", false, nil
		}
		id := pick(rng, ids)
		v, err := cell(db, "checkpoints", "note", id)
		if err != nil {
			return "", false, err
		}
		note, _ := asText(v)
		lines := strings.Split(note, "\n")
		var d string
		switch rng.IntN(4) {
		case 0:
			i, j := rng.IntN(len(lines)-1), rng.IntN(len(lines)-1)
			if lines[i] == lines[j] {
				return "", false, nil
			}
			lines[i], lines[j] = lines[j], lines[i]
			d = fmt.Sprintf("lines %d and %d swapped", i, j)
		case 1:
			i := signatureLine(rng, lines)
			lines = append(lines[:i+1], append([]string{lines[i]}, lines[i+1:]...)...)
			d = fmt.Sprintf("signature line %d duplicated", i)
		case 2:
			i := signatureLine(rng, lines)
			lines = append(lines[:i], lines[i+1:]...)
			d = fmt.Sprintf("signature line %d dropped", i)
		default:
			i := signatureLine(rng, lines)
			alt, ok := respellBase64(lines[i])
			if !ok {
				return "", false, nil
			}
			lines[i] = alt
			d = fmt.Sprintf("signature line %d re-spelled in base64", i)
		}
		return fmt.Sprintf("checkpoints size %d: %s", id, d), true, setCell(db, "checkpoints", "note", id, strings.Join(lines, "\n"))
	},
	"delete: one row": func(rng *rand.Rand, db *sql.DB, tables []sqlTable) (string, bool, error) {
		tb := pick(rng, tables)
		ids := rowIDs(db, tb.name)
		if len(ids) == 0 {
			return "", false, nil
		}
		id := pick(rng, ids)
		_, err := db.Exec(`DELETE FROM `+tb.name+` WHERE rowid = ?`, id)
		return fmt.Sprintf("%s rowid %d deleted", tb.name, id), true, err
	},
	"swap: one column of two rows": func(rng *rand.Rand, db *sql.DB, tables []sqlTable) (string, bool, error) {
		tb := pick(rng, tables)
		col := pick(rng, tb.cols)
		if col.pk {
			return "", false, nil
		}
		return swapRows(rng, db, tb, []sqlColumn{col})
	},
	"swap: two whole rows (all but the key)": func(rng *rand.Rand, db *sql.DB, tables []sqlTable) (string, bool, error) {
		tb := pick(rng, tables)
		var cols []sqlColumn
		for _, c := range tb.cols {
			if !c.pk {
				cols = append(cols, c)
			}
		}
		return swapRows(rng, db, tb, cols)
	},
	"insert: a row copied under a new key": func(rng *rand.Rand, db *sql.DB, tables []sqlTable) (string, bool, error) {
		tb := pick(rng, tables)
		ids := rowIDs(db, tb.name)
		if len(ids) == 0 {
			return "", false, nil
		}
		id := pick(rng, ids)
		var names []string
		for _, c := range tb.cols {
			names = append(names, c.name)
		}
		if _, err := db.Exec(fmt.Sprintf(`CREATE TEMP TABLE copy AS SELECT %s FROM %s WHERE rowid = ?`, strings.Join(names, ", "), tb.name), id); err != nil {
			return "", false, err
		}
		defer db.Exec(`DROP TABLE temp.copy`)
		// Keys and unique columns get new values: the next integer, or the
		// text with one character changed.
		for _, c := range tb.cols {
			if !uniqueColumn(tb.name, c) {
				continue
			}
			var err error
			if c.typ == "INTEGER" {
				_, err = db.Exec(fmt.Sprintf(`UPDATE temp.copy SET %s = (SELECT MAX(%s) + 1 FROM %s)`, c.name, c.name, tb.name))
			} else {
				v, _ := cell(db, tb.name, c.name, id)
				s, blob := asText(v)
				ns, _ := changeChar(rng, s)
				_, err = db.Exec(fmt.Sprintf(`UPDATE temp.copy SET %s = ?`, c.name), fromText(ns, blob))
			}
			if err != nil {
				return "", false, err
			}
		}
		_, err := db.Exec(fmt.Sprintf(`INSERT INTO %s (%s) SELECT %s FROM temp.copy`, tb.name, strings.Join(names, ", "), strings.Join(names, ", ")))
		return fmt.Sprintf("%s rowid %d copied under new keys", tb.name, id), true, err
	},
}

// uniqueColumn says which columns the chain's schema keeps unique.
func uniqueColumn(table string, c sqlColumn) bool {
	if c.pk {
		return true
	}
	switch table + "." + c.name {
	case "blocks.hash", "manifests.log_index", "manifests.producer_seq":
		return true
	}
	return false
}

// pickCell picks a row and a column the filter accepts.
func pickCell(rng *rand.Rand, db *sql.DB, tables []sqlTable, keep func(sqlColumn) bool) (sqlTable, int64, sqlColumn, bool) {
	tb := pick(rng, tables)
	var cols []sqlColumn
	for _, c := range tb.cols {
		if keep(c) {
			cols = append(cols, c)
		}
	}
	ids := rowIDs(db, tb.name)
	if len(cols) == 0 || len(ids) == 0 {
		return tb, 0, sqlColumn{}, false
	}
	return tb, pick(rng, ids), pick(rng, cols), true
}

// editBody edits a random block's body as JSON, written back compact
// with sorted keys (the stored form's shape).
func editBody(rng *rand.Rand, db *sql.DB, edit func(tree any) (string, bool)) (string, bool, error) {
	id := pick(rng, rowIDs(db, "blocks"))
	v, err := cell(db, "blocks", "body", id)
	if err != nil {
		return "", false, err
	}
	tree, err := decodeTree(v.([]byte))
	if err != nil {
		return "", false, err
	}
	d, ok := edit(tree)
	if !ok {
		return "", false, nil
	}
	return fmt.Sprintf("blocks height %d body %s", id, d), true, setCell(db, "blocks", "body", id, encodeTree(tree, false))
}

// swapRows swaps the values of cols (never a key: swapping keys is
// swapping the other columns) between two rows, through a placeholder so
// that unique columns never hold a value twice.
func swapRows(rng *rand.Rand, db *sql.DB, tb sqlTable, cols []sqlColumn) (string, bool, error) {
	ids := rowIDs(db, tb.name)
	if len(ids) < 2 || len(cols) == 0 {
		return "", false, nil
	}
	i, j := pick(rng, ids), pick(rng, ids)
	if i == j {
		return "", false, nil
	}
	var names []string
	for _, c := range cols {
		vi, err := cell(db, tb.name, c.name, i)
		if err != nil {
			return "", false, err
		}
		vj, err := cell(db, tb.name, c.name, j)
		if err != nil {
			return "", false, err
		}
		var tmp any = "swap-placeholder"
		if c.typ == "INTEGER" {
			tmp = int64(-1 << 40)
		}
		for _, st := range []struct {
			id int64
			v  any
		}{{i, tmp}, {j, vi}, {i, vj}} {
			if err := setCell(db, tb.name, c.name, st.id, st.v); err != nil {
				return "", false, err
			}
		}
		names = append(names, c.name)
	}
	return fmt.Sprintf("%s rows %d and %d: %s swapped", tb.name, i, j, strings.Join(names, ", ")), true, nil
}

func checkpointRows(t *testing.T, db *sql.DB) map[int64]string {
	out := map[int64]string{}
	rows, err := db.Query(`SELECT size, note FROM checkpoints`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var size int64
		var note string
		rows.Scan(&size, &note)
		out[size] = note
	}
	return out
}

// rederivable proves a damage harmless when it only removed checkpoints
// that the node re-creates byte for byte: every other table holds the
// same rows, the checkpoints left are unchanged, and each removed one is
// exactly the node's signature of its own text (Ed25519 is
// deterministic; prove signs the head's checkpoint again when missing).
func (a *chainArea) rederivable(t *testing.T, db *sql.DB) string {
	if tablesDigest(t, db, "checkpoints") != a.logDigest {
		return ""
	}
	now := checkpointRows(t, db)
	var removed []string
	for size, note := range a.checkpoints {
		if got, ok := now[size]; ok {
			if got != note {
				return ""
			}
			continue
		}
		body, _, _ := strings.Cut(note, "\n\n")
		again, err := anchor.SignCheckpointNote(body+"\n", a.agency, a.key)
		if err != nil || again != note {
			return ""
		}
		removed = append(removed, fmt.Sprint(size))
	}
	if len(now) > len(a.checkpoints)-len(removed) || len(removed) == 0 {
		return ""
	}
	return "removed checkpoints " + strings.Join(removed, ", ") + " are re-signed identically"
}

// asText returns a TEXT or BLOB cell as a string, and whether it was a BLOB.
func asText(v any) (string, bool) {
	switch v := v.(type) {
	case []byte:
		return string(v), true
	case string:
		return v, false
	}
	return fmt.Sprint(v), false
}

func fromText(s string, blob bool) any {
	if blob {
		return []byte(s)
	}
	return s
}

func (a *chainArea) mutate(t *testing.T, rng *rand.Rand) trial {
	kinds := make([]string, 0, len(chainMutators))
	for k := range chainMutators {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for {
		kind := pick(rng, kinds)
		db := openRaw(t, a.chainPath)
		tables, err := loadTables(db)
		if err != nil {
			t.Fatal(err)
		}
		desc, ok, err := chainMutators[kind](rng, db, tables)
		if !ok || err != nil {
			db.Close()
			a.restore(t)
			continue
		}
		same, rederived := "", false
		if tablesDigest(t, db, "") == a.digest {
			same = "every table holds the same rows"
		} else if why := a.rederivable(t, db); why != "" {
			same, rederived = why, true
		}
		if _, err := db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
			t.Fatal(err)
		}
		db.Close()
		if data, err := os.ReadFile(a.chainPath); err == nil && bytes.Equal(data, a.chainOrig) && same == "" {
			t.Fatalf("%s: %s: the file is unchanged but its digest is not", kind, desc)
		}
		return trial{
			kind: kind, desc: desc,
			runs: [][]string{{"--config", a.cfg, "verify", "chain"}},
			same: same, rederived: rederived,
			undo: func() { a.restore(t) },
		}
	}
}
