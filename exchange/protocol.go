package exchange

// FetchPath is the peer API path a fetch is posted to.
const FetchPath = "/v1/exchange/fetch"

// BatchPath is the peer API path a whole-batch fetch is posted to: the
// answer's body is the batch file as the source stores it, and its
// AnswerHeader the BatchAnswer.
const BatchPath = "/v1/exchange/batch"

// AnswerHeader is the HTTP header of a whole-batch answer that holds its
// BatchAnswer as JSON.
const AnswerHeader = "Healthanchor-Answer"

// WholeBatch is the row of a Location that stands for every row of its
// batch: what a whole-batch disclosure sent (DisclosureLog).
const WholeBatch = -1

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

// BatchAnswer describes a whole-batch answer (AnswerHeader): who
// disclosed what to whom, and the disclosure entry anchored for it. The
// body that follows is the batch's rows file, byte for byte as stored
// (after any erasure, whose rows keep only their leaf hash).
type BatchAnswer struct {
	Discloser   string `json:"discloser"`
	Recipient   string `json:"recipient"`
	Purpose     string `json:"purpose"`
	BreakGlass  bool   `json:"break_glass"`
	BatchID     string `json:"batch_id"`
	Schema      string `json:"schema"`
	Records     int64  `json:"records"`      // rows with their values (erased rows are not disclosed)
	RecordsRoot string `json:"records_root"` // as in the disclosure entry
	Size        int64  `json:"size"`         // bytes of the file that follows
	Disclosure  string `json:"disclosure"`   // the disclosure entry's id
}

// Refusal is the JSON body of a refused or malformed request.
type Refusal struct {
	Error string `json:"error"`
	Kind  string `json:"kind"` // forbidden, bad_request, unavailable
}
