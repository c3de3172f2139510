package lifecycle

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"fmt"
	"io"
	"math/big"
	"net/http"

	"github.com/digitorus/timestamp"
)

// maxTSAReply bounds how much of a TSA's answer is read.
const maxTSAReply = 1 << 20

// RequestToken asks the TSA at url for a timestamp token over digest
// (SHA-256 of the checkpoint), with a random nonce and its certificate
// requested, and returns the token (the CMS SignedData, DER) once the
// answer is granted and carries that imprint and nonce. It does not
// check the signature: VerifyToken does, against the TSA's ca_file.
// A TSA that cannot be reached or answers an HTTP error is a plain
// error (retry later); an answer that is not a grant is ErrTokenRefused.
func RequestToken(ctx context.Context, client *http.Client, url string, digest []byte) ([]byte, error) {
	nonce, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 64))
	if err != nil {
		return nil, fmt.Errorf("lifecycle: tsa request: %w", err)
	}
	req := timestamp.Request{HashAlgorithm: crypto.SHA256, HashedMessage: digest, Certificates: true, Nonce: nonce}
	body, err := req.Marshal()
	if err != nil {
		return nil, fmt.Errorf("lifecycle: tsa request: %w", err)
	}
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("lifecycle: tsa %s: %w", url, err)
	}
	hreq.Header.Set("Content-Type", "application/timestamp-query")
	resp, err := client.Do(hreq)
	if err != nil {
		return nil, fmt.Errorf("lifecycle: tsa %s: %w", url, err)
	}
	defer resp.Body.Close()
	reply, err := io.ReadAll(io.LimitReader(resp.Body, maxTSAReply))
	if err != nil {
		return nil, fmt.Errorf("lifecycle: tsa %s: read answer: %w", url, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("lifecycle: tsa %s: HTTP %s", url, resp.Status)
	}
	ts, err := timestamp.ParseResponse(reply)
	if err != nil {
		return nil, refused("%s answered no valid timestamp response: %v", url, err)
	}
	if !bytes.Equal(ts.HashedMessage, digest) {
		return nil, refused("%s stamped imprint %x, not the checkpoint's hash %x", url, ts.HashedMessage, digest)
	}
	if ts.Nonce == nil || ts.Nonce.Cmp(nonce) != 0 {
		return nil, refused("%s answered with another nonce than the request's", url)
	}
	return ts.RawToken, nil
}
