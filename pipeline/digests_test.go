package pipeline

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"
)

// TestDigestsKeptPerJob round-trips file digests through the state DB,
// per job, across a reopen.
func TestDigestsKeptPerJob(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "state.db")
	st, err := OpenState(path, "")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := st.Digests(ctx, "a"); err != nil || got != nil {
		t.Fatalf("digests before any run: %v, %v", got, err)
	}
	want := map[string]string{"inbox/x.csv": "1 2 3 4 5 ab"}
	if err := st.SetDigests(ctx, "a", want); err != nil {
		t.Fatal(err)
	}
	if err := st.SetDigests(ctx, "b", map[string]string{}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	st, err = OpenState(path, "")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if got, err := st.Digests(ctx, "a"); err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("digests of a after reopening: %v, %v; want %v", got, err, want)
	}
	if got, err := st.Digests(ctx, "b"); err != nil || len(got) != 0 {
		t.Errorf("digests of b: %v, %v; want none", got, err)
	}
}
