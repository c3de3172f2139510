package exec

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/healthanchor/healthanchor/connectors"
)

// watermark is the exec connector's watermark: the tap's last STATE and,
// for a planned window, the spool holding the output that produced it.
type watermark struct {
	// State is the value of the tap's last STATE message (what the next
	// run passes with --state).
	State json.RawMessage `json:"state,omitempty"`
	// Spool is the spool file's name in the spool folder.
	Spool string `json:"spool,omitempty"`
	// CRC32C is the spool file's checksum (CRC-32C, hexadecimal), checked
	// when it is replayed.
	CRC32C string `json:"crc32c,omitempty"`
	// SHA256 is the spool file's digest in a window planned before
	// CRC32C was recorded; a replay checks it when CRC32C is empty.
	SHA256 string `json:"sha256,omitempty"`
	// Records is the number of RECORD messages of the stream in the spool.
	Records int64 `json:"records,omitempty"`
}

func parseWatermark(w connectors.Watermark) (watermark, error) {
	var wm watermark
	if len(w) == 0 {
		return wm, nil
	}
	if err := json.Unmarshal(w, &wm); err != nil {
		return wm, fmt.Errorf("exec: watermark: %w", err)
	}
	return wm, nil
}

func (wm watermark) encode() connectors.Watermark {
	b, err := json.Marshal(wm)
	if err != nil {
		panic(err) // RawMessage was validated as JSON when read
	}
	return b
}

// compactJSON returns the compact form of a JSON value, for comparing states.
func compactJSON(b []byte) []byte {
	var out bytes.Buffer
	if err := json.Compact(&out, b); err != nil {
		return b
	}
	return out.Bytes()
}
