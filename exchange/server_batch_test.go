package exchange

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestBatchRequestShape checks that the whole-batch endpoint answers a
// request that is not a whole-batch one with 400 and its reason, before
// any grant or file is looked at, and that a refusal reads back as
// ErrRefused with the source's reason.
func TestBatchRequestShape(t *testing.T) {
	s := &Server{Agency: "node1", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	for name, body := range map[string]string{
		"patient too": `{"batch_id": "b1", "patient_id": "P1", "purpose": "TREAT"}`,
		"paged":       `{"batch_id": "b1", "purpose": "TREAT", "offset": 10}`,
		"no batch":    `{"purpose": "TREAT"}`,
		"unknown":     `{"batch_id": "b1", "purpose": "TREAT", "rows": [1]}`,
	} {
		w := httptest.NewRecorder()
		s.ServeHTTP(w, httptest.NewRequest(http.MethodPost, BatchPath, strings.NewReader(body)))
		var ref Refusal
		if err := json.Unmarshal(w.Body.Bytes(), &ref); err != nil || w.Code != http.StatusBadRequest || ref.Kind != "bad_request" {
			t.Errorf("%s: HTTP %d %s", name, w.Code, w.Body)
			continue
		}
		err := refusal("src", w.Code, w.Body.Bytes())
		if !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), ref.Error) {
			t.Errorf("%s: refusal %v", name, err)
		}
	}
	w := httptest.NewRecorder()
	s.ServeHTTP(w, httptest.NewRequest(http.MethodGet, BatchPath, nil))
	if w.Code != http.StatusNotFound {
		t.Errorf("GET %s: HTTP %d", BatchPath, w.Code)
	}
	if err := refusal("src", http.StatusServiceUnavailable, []byte("not json")); errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "HTTP 503") {
		t.Errorf("a 503 reads as %v", err)
	}
}
