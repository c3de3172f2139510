package lifecycle

import (
	"testing"
	"time"
)

// TestTimestampEntryContent pins the entry body's canonical form
// (docs/format.md, "Timestamp entries").
func TestTimestampEntryContent(t *testing.T) {
	at := time.Date(2026, 12, 1, 3, 0, 0, 0, time.UTC)
	tok := StoredToken{TSA: "https://tsa.example/", CheckpointSize: 12, Imprint: "ab", GenTime: at, Token: []byte("token")}
	got, err := TimestampEntryContent([]StoredToken{tok})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"checkpoint_log_size":12,"imprint":"ab","tokens":[{"gen_time":"2026-12-01T03:00:00Z","token_sha256":"3c469e9d6c5875d37a43f353d4f88e61fcf812c66eee3457465a40b0da4153e0","tsa":"https://tsa.example/"}]}`
	if string(got) != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	other := tok
	other.CheckpointSize = 13
	if _, err := TimestampEntryContent([]StoredToken{tok, other}); err == nil {
		t.Error("tokens of two checkpoints make one entry")
	}
	if _, err := TimestampEntryContent(nil); err == nil {
		t.Error("an entry without tokens")
	}
}
