package exchange

import (
	"encoding/hex"

	"github.com/healthanchor/healthanchor/anchor/merkle"
)

// Disclosure is the body of a disclosure entry (anchor.KindDisclosure),
// signed and anchored by the discloser for every answered request. It
// holds no patient data and no patient id: the records are committed to
// by RecordsRoot, the RFC 9162 root over the disclosed records' (salted)
// leaf hashes in answer order.
type Disclosure struct {
	Recipient   string   `json:"recipient"`
	Purpose     string   `json:"purpose"`
	BreakGlass  bool     `json:"break_glass"`
	Records     int64    `json:"records"`
	RecordsRoot string   `json:"records_root"`
	Batches     []string `json:"batches"` // the batch ids the records come from
	Request     string   `json:"request"` // hex SHA-256 of the request body, so a replay is visible
}

// Receipt is the body of a receipt entry (anchor.KindReceipt), signed and
// anchored by the recipient once every record it received verified
// against its own replica.
type Receipt struct {
	Disclosure  string `json:"disclosure"` // the disclosure entry's id
	Discloser   string `json:"discloser"`
	Records     int64  `json:"records"`
	RecordsRoot string `json:"records_root"` // recomputed by the recipient; equal to the disclosure's
}

// recordsRoot is the root over leaf hashes, hex.
func recordsRoot(leaves [][]byte) string {
	return hex.EncodeToString(merkle.RootOf(leaves))
}
