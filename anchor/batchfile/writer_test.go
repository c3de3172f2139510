package batchfile

import (
	"context"
	"crypto/aes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/healthanchor/healthanchor/anchor/merkle"
	"github.com/healthanchor/healthanchor/schemas"
)

// samplePatients returns n rows covering every kind, nulls and non-ASCII text.
func samplePatients(n int) []schemas.Row {
	s := schemas.Patient
	rows := make([]schemas.Row, n)
	for i := range rows {
		r := s.NewRow()
		r[schemas.IdxSource] = schemas.TextValue("his")
		r[schemas.IdxSourceRef] = schemas.TextValue(fmt.Sprintf("export.csv:%d", i+2))
		r[s.Index("patient_id")] = schemas.TextValue(fmt.Sprintf("P%06d", i))
		r[s.Index("family_name")] = schemas.TextValue([]string{"Dupont", "O\"Brien", "Müller\n", "Łukasz\\", "山田"}[i%5])
		if i%3 != 0 {
			r[s.Index("given_name")] = schemas.TextValue("Zoé\t")
		}
		r[s.Index("birth_date")] = schemas.DateValue(time.Date(1900+i%120, time.Month(1+i%12), 1+i%28, 0, 0, 0, 0, time.UTC))
		r[s.Index("updated_at")] = schemas.TimestampValue(time.Date(2026, 11, 20, 10, 0, i%60, i*1000, time.UTC))
		rows[i] = r
	}
	return rows
}

func writeBatch(t testing.TB, path string, rows []schemas.Row, batchRows int) Result {
	t.Helper()
	w, err := Create(path, schemas.Patient, "batch-1", []byte("0123456789abcdef"), Options{BatchRows: batchRows})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if err := w.Append(append(schemas.Row(nil), r...)); err != nil {
			t.Fatal(err)
		}
	}
	res, err := w.Close()
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestWriteReadRoundTrip writes rows across several record batches, reads
// the file back and checks rows, root, digest and footer.
func TestWriteReadRoundTrip(t *testing.T) {
	// The last case has batches large enough for the writer to recycle
	// their Arrow buffers (internal/arrowmem) many times over.
	for _, c := range []struct{ n, batchRows int }{{0, 8}, {1, 8}, {7, 8}, {100, 8}, {30000, 2000}} {
		n := c.n
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "b.parquet")
			res := writeBatch(t, path, samplePatients(n), c.batchRows)
			var leaves [][]byte
			sc, err := Read(context.Background(), path, func(row int64, canonical []byte, lh [32]byte) error {
				leaves = append(leaves, append([]byte(nil), lh[:]...))
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if sc.Rows != int64(n) || res.Rows != int64(n) {
				t.Errorf("rows: wrote %d, read %d, want %d", res.Rows, sc.Rows, n)
			}
			if hex.EncodeToString(sc.Root) != hex.EncodeToString(res.Root) {
				t.Errorf("root on read %x, on write %x", sc.Root, res.Root)
			}
			if want := merkle.RootOf(leaves); hex.EncodeToString(want) != hex.EncodeToString(res.Root) {
				t.Errorf("root %x, from leaves %x", res.Root, want)
			}
			if hex.EncodeToString(sc.SHA256) != hex.EncodeToString(res.SHA256) || sc.Size != res.Size {
				t.Errorf("digest/size on read %x/%d, on write %x/%d", sc.SHA256, sc.Size, res.SHA256, res.Size)
			}
			if sc.Meta[MetaBatchID] != "batch-1" || sc.Meta[MetaSchema] != "patient/1" || sc.MetaRows() != int64(n) ||
				sc.Meta[MetaMerkleRoot] != hex.EncodeToString(res.Root) || sc.Meta[MetaFingerprint] != schemas.Patient.Fingerprint() {
				t.Errorf("footer metadata %v", sc.Meta)
			}
		})
	}
}

// TestWriteDeterministic checks that the same rows, key and batch id give
// byte-identical files, whatever the record batch size: what lets a re-run
// after a crash reproduce the anchored file.
func TestWriteDeterministic(t *testing.T) {
	dir := t.TempDir()
	rows := samplePatients(50)
	a := writeBatch(t, filepath.Join(dir, "a"), rows, 16)
	b := writeBatch(t, filepath.Join(dir, "b"), rows, 16)
	if hex.EncodeToString(a.SHA256) != hex.EncodeToString(b.SHA256) {
		t.Errorf("two writes of the same rows differ: %x vs %x", a.SHA256, b.SHA256)
	}
	c := writeBatch(t, filepath.Join(dir, "c"), rows, 7)
	if hex.EncodeToString(a.Root) != hex.EncodeToString(c.Root) {
		t.Errorf("root depends on the record batch size: %x vs %x", a.Root, c.Root)
	}
}

func TestSaltsDifferAndRepeat(t *testing.T) {
	s1 := NewSalter([]byte("key-1-0123456789"), "b")
	a := string(s1.Salt(0))
	b := string(s1.Salt(1))
	if a == b || len(a) != SaltLen {
		t.Fatalf("salts of rows 0 and 1: %x %x", a, b)
	}
	if again := string(NewSalter([]byte("key-1-0123456789"), "b").Salt(0)); again != a {
		t.Errorf("salt not reproducible: %x vs %x", again, a)
	}
	if other := string(NewSalter([]byte("key-2-0123456789"), "b").Salt(0)); other == a {
		t.Error("salt does not depend on the key")
	}
	if other := string(NewSalter([]byte("key-1-0123456789"), "c").Salt(0)); other == a {
		t.Error("salt does not depend on the batch id")
	}
}

// TestSaltsFollowTheFormat derives salts as docs/format.md writes them
// down, one AES block at a time, and compares them with the Salter's,
// asked in order, backwards and across its runs.
func TestSaltsFollowTheFormat(t *testing.T) {
	key, batch := []byte("agency-salt-key-0123456789abcdef"), "4f1c2b7a9e0d3c5b6a7f8e9d0c1b2a3f"
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte("healthanchor/salt/v2\x00" + batch))
	block, err := aes.NewCipher(mac.Sum(nil)[:16])
	if err != nil {
		t.Fatal(err)
	}
	want := func(n uint64) string {
		var in, out [16]byte
		binary.BigEndian.PutUint64(in[8:], n)
		block.Encrypt(out[:], in[:])
		return hex.EncodeToString(out[:])
	}
	s := NewSalter(key, batch)
	rows := []uint64{0, 1, 2, saltRun - 1, saltRun, saltRun + 1, 3*saltRun + 17, 5, 1 << 40, 1<<64 - 1}
	for _, n := range rows {
		if got := hex.EncodeToString(s.Salt(n)); got != want(n) {
			t.Errorf("salt of row %d: %s, want %s", n, got, want(n))
		}
	}
	for n := uint64(0); n < 3*saltRun; n++ {
		if got := hex.EncodeToString(s.Salt(n)); got != want(n) {
			t.Fatalf("salt of row %d (in order): %s, want %s", n, got, want(n))
		}
	}
}

func TestReadRejectsGarbage(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.parquet")
	if err := os.WriteFile(path, []byte("PAR1 not really"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(context.Background(), path, nil); err == nil {
		t.Fatal("Read accepted a file that is not Parquet")
	}
}

func removeFile(tb testing.TB, path string) {
	tb.Helper()
	if err := os.Remove(path); err != nil {
		tb.Fatal(err)
	}
}
