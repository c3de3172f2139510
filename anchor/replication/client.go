package replication

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/healthanchor/healthanchor/anchor"
)

// Client talks to nodes' peer APIs over mutual TLS.
type Client struct {
	http *http.Client
}

// NewClient returns a client presenting the certificate of cfg (relative
// to baseDir), for tools that query a running node (`chain status`).
// It trusts any node whose certificate the consortium CA signed.
func NewClient(cfg Config, baseDir string) (*Client, error) {
	tc, err := LoadTLS(cfg.TLS, baseDir, func(string) bool { return true })
	if err != nil {
		return nil, err
	}
	return newClient(tc), nil
}

func newClient(tc *tls.Config) *Client {
	c := tc.Clone()
	c.ServerName = ""
	return &Client{http: &http.Client{
		Timeout:   15 * time.Second,
		Transport: &http.Transport{TLSClientConfig: c, MaxIdleConnsPerHost: 4, IdleConnTimeout: 30 * time.Second},
	}}
}

// apiError is the JSON body of a failed peer API call.
type apiError struct {
	Error string `json:"error"`
	Kind  string `json:"kind"` // duplicate, rejected, unavailable, other
}

func (c *Client) do(ctx context.Context, method, addr, path string, body, out any, header map[string]string) error {
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("replication: %w", err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, apiURL(addr, path), rd)
	if err != nil {
		return fmt.Errorf("replication: %w", err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("%w: %s: %v", ErrUnavailable, addr, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return fmt.Errorf("%w: %s: %v", ErrUnavailable, addr, err)
	}
	if resp.StatusCode != http.StatusOK {
		var e apiError
		if json.Unmarshal(raw, &e) != nil || e.Error == "" {
			e.Error = fmt.Sprintf("HTTP %d: %s", resp.StatusCode, bytes.TrimSpace(raw))
		}
		switch e.Kind {
		case "duplicate":
			return fmt.Errorf("replication: %s: %s: %w", addr, e.Error, anchor.ErrDuplicateBatch)
		case "rejected":
			return fmt.Errorf("%w: %s: %s", ErrRejected, addr, e.Error)
		case "unavailable":
			return fmt.Errorf("%w: %s: %s", ErrUnavailable, addr, e.Error)
		}
		return fmt.Errorf("replication: %s%s: %s", addr, path, e.Error)
	}
	if s, ok := out.(*string); ok {
		*s = string(raw)
		return nil
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			return fmt.Errorf("replication: %s%s: %w", addr, path, err)
		}
	}
	return nil
}

const forwardedHeader = "X-Healthanchor-Forwarded"

type anchorRequest struct {
	Manifests []anchor.Manifest `json:"manifests"`
	Entries   []anchor.Entry    `json:"entries,omitempty"`
}

func (c *Client) submit(ctx context.Context, addr string, ms []anchor.Manifest, es []anchor.Entry, forwarded bool) (anchor.Block, error) {
	var b anchor.Block
	h := map[string]string{}
	if forwarded {
		h[forwardedHeader] = "1"
	}
	err := c.do(ctx, http.MethodPost, addr, "/v1/anchor", anchorRequest{Manifests: ms, Entries: es}, &b, h)
	return b, err
}

// Anchor submits manifests at the node at addr, which forwards them to
// the leader and answers once they are committed there.
func (c *Client) Anchor(ctx context.Context, addr string, ms []anchor.Manifest) (anchor.Block, error) {
	return c.submit(ctx, addr, ms, nil, false)
}

// AnchorEntries submits signed entries at the node at addr, as Anchor
// does manifests.
func (c *Client) AnchorEntries(ctx context.Context, addr string, es []anchor.Entry) (anchor.Block, error) {
	return c.submit(ctx, addr, nil, es, false)
}

// Status returns the status of the node at addr.
func (c *Client) Status(ctx context.Context, addr string) (Status, error) {
	var s Status
	err := c.do(ctx, http.MethodGet, addr, "/v1/status", nil, &s, nil)
	return s, err
}

// Checkpoint returns the node's latest checkpoint as a signed note with
// every signature and cosignature it collected.
func (c *Client) Checkpoint(ctx context.Context, addr string) (string, error) {
	var s string
	err := c.do(ctx, http.MethodGet, addr, "/v1/checkpoint", nil, &s, nil)
	return s, err
}

// BlockHash is one block's height and hash, as the peer API lists them.
type BlockHash struct {
	Height int64  `json:"height"`
	Hash   string `json:"hash"`
}

// Hashes lists the hash of every block of the node's chain.
func (c *Client) Hashes(ctx context.Context, addr string) ([]BlockHash, error) {
	var hs []BlockHash
	err := c.do(ctx, http.MethodGet, addr, "/v1/hashes", nil, &hs, nil)
	return hs, err
}

func (c *Client) submitMembership(ctx context.Context, addr string, ch anchor.MembershipChange, forwarded bool) (anchor.Block, error) {
	var b anchor.Block
	h := map[string]string{}
	if forwarded {
		h[forwardedHeader] = "1"
	}
	err := c.do(ctx, http.MethodPost, addr, "/v1/membership", ch, &b, h)
	return b, err
}

// SubmitMembership submits a membership change, signed by a majority of
// the current members, at the member node at addr, which forwards it to
// the leader; it answers with the membership block once committed.
func (c *Client) SubmitMembership(ctx context.Context, addr string, ch anchor.MembershipChange) (anchor.Block, error) {
	return c.submitMembership(ctx, addr, ch, false)
}

// Members returns the chain's current members as the node at addr holds
// them, and the membership epoch a new change must name.
func (c *Client) Members(ctx context.Context, addr string) (MembersReply, error) {
	var r MembersReply
	err := c.do(ctx, http.MethodGet, addr, "/v1/members", nil, &r, nil)
	return r, err
}

// MembersReply is the answer of GET /v1/members.
type MembersReply struct {
	ChainID string          `json:"chain_id"`
	Epoch   int64           `json:"epoch"`
	Members []anchor.Member `json:"members"`
}

// AddObserver asks the node at addr (a member) to admit observer id,
// reachable for Raft at raftAddr, as a non-voting replica.
func (c *Client) AddObserver(ctx context.Context, addr, id, raftAddr string) error {
	return c.do(ctx, http.MethodPost, addr, "/v1/observers", observerRequest{ID: id, RaftAddr: raftAddr}, nil, nil)
}

type observerRequest struct {
	ID       string `json:"id"`
	RaftAddr string `json:"raft_addr"`
}

var errNotMember = errors.New("replication: only members may do this")

// HTTP returns the client's mutual-TLS HTTP client, for protocols served
// beside the peer API (HandleExchange).
func (c *Client) HTTP() *http.Client { return c.http }
