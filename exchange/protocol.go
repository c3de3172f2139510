package exchange

// FetchPath is the peer API path a fetch is posted to.
const FetchPath = "/v1/exchange/fetch"

// Limits the server applies to a request and its answer.
const (
	MaxRequestBytes = 16 << 10 // a request body
	DefaultLimit    = 1000     // records per answer when the request sets none
	MaxLimit        = 10000    // records per answer at most
)

// Request asks the source agency for one patient's records across every
// batch and schema the grant allows, or for one whole batch: exactly one
// of PatientID and BatchID is set. Offset and Limit page through the
// answer (Answer.NextOffset).
type Request struct {
	PatientID string `json:"patient_id,omitempty"`
	BatchID   string `json:"batch_id,omitempty"`
	Purpose   string `json:"purpose"`
	Offset    int    `json:"offset,omitempty"`
	Limit     int    `json:"limit,omitempty"`
}

// Answer is the source's reply: the records, grouped by batch, each with
// its inclusion path to the batch's Merkle root, and the id of the
// disclosure entry the source anchored for this answer ("" when it
// holds no record).
type Answer struct {
	Discloser  string        `json:"discloser"`
	Recipient  string        `json:"recipient"`
	Purpose    string        `json:"purpose"`
	BreakGlass bool          `json:"break_glass"`
	Batches    []AnswerBatch `json:"batches"`
	Records    int           `json:"records"`
	NextOffset int           `json:"next_offset"` // 0 when this is the last page
	Disclosure string        `json:"disclosure"`
}

// AnswerBatch is the records of one batch in an answer.
type AnswerBatch struct {
	BatchID string         `json:"batch_id"`
	Schema  string         `json:"schema"`
	Records []AnswerRecord `json:"records"`
}

// AnswerRecord is one record: its canonical form (docs/format.md,
// section 1), its row in the batch file and its RFC 9162 audit path to
// the batch's merkle_root.
type AnswerRecord struct {
	Row       int64    `json:"row"`
	Canonical string   `json:"canonical"`
	Inclusion []string `json:"inclusion"`
}

// Refusal is the JSON body of a refused or malformed request.
type Refusal struct {
	Error string `json:"error"`
	Kind  string `json:"kind"` // forbidden, bad_request, unavailable
}
