package replication

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/hashicorp/raft"

	"github.com/healthanchor/healthanchor/anchor"
)

// peerHandler serves the peer API on the mutual-TLS listener.
func (n *Node) peerHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/status", n.handleStatus)
	mux.HandleFunc("GET /v1/checkpoint", n.handleCheckpoint)
	mux.HandleFunc("GET /v1/hashes", n.handleHashes)
	mux.HandleFunc("POST /v1/anchor", n.handleAnchor)
	mux.HandleFunc("POST /v1/observers", n.handleAddObserver)
	mux.HandleFunc("POST /v1/membership", n.handleMembership)
	mux.HandleFunc("GET /v1/members", n.handleMembers)
	mux.HandleFunc("/v1/exchange/", n.serveExchange)
	return mux
}

// Handler serves read-only views for the daemon's own HTTP listener:
// GET /status (Status as JSON) and GET /checkpoint (the latest checkpoint
// note with its cosignatures). Mount it under a prefix with
// http.StripPrefix.
func (n *Node) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /status", n.handleStatus)
	mux.HandleFunc("GET /checkpoint", n.handleCheckpoint)
	return mux
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

func writeErr(w http.ResponseWriter, err error) {
	code, kind := http.StatusInternalServerError, "other"
	switch {
	case errors.Is(err, anchor.ErrDuplicateBatch), errors.Is(err, anchor.ErrDuplicateEntry):
		code, kind = http.StatusConflict, "duplicate"
	case errors.Is(err, ErrRejected):
		code, kind = http.StatusUnprocessableEntity, "rejected"
	case errors.Is(err, ErrUnavailable), errors.Is(err, context.DeadlineExceeded):
		code, kind = http.StatusServiceUnavailable, "unavailable"
	case errors.Is(err, errNotMember):
		code, kind = http.StatusForbidden, "rejected"
	}
	writeJSON(w, code, apiError{Error: err.Error(), Kind: kind})
}

// callerIsMember checks the client certificate's node id is a member.
func (n *Node) callerIsMember(r *http.Request) error {
	if r.TLS == nil || len(r.TLS.PeerCertificates) == 0 || !n.isMember(r.TLS.PeerCertificates[0].Subject.CommonName) {
		return errNotMember
	}
	return nil
}

// handleStatus serves Status; a follower completes it with the leader's
// view of the peers, unless the query says view=local (how a follower
// asks the leader, so that two nodes never ask each other in turn).
func (n *Node) handleStatus(w http.ResponseWriter, r *http.Request) {
	st := n.Status()
	if r.URL.Query().Get("view") != "local" {
		n.withLeaderView(r.Context(), &st)
	}
	writeJSON(w, http.StatusOK, st)
}

// handleCheckpoint serves the latest checkpoint with every signature
// collected, or with ?quorum=1 the latest one a quorum signed.
func (n *Node) handleCheckpoint(w http.ResponseWriter, r *http.Request) {
	var text string
	var err error
	if r.URL.Query().Get("quorum") == "1" {
		text, err = n.ckpt.latestQuorumNote(r.Context(), n.chain)
	} else {
		text, err = n.ckpt.latestNote(r.Context())
	}
	if err != nil {
		writeErr(w, err)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte(text))
}

func (n *Node) handleHashes(w http.ResponseWriter, r *http.Request) {
	hs, err := chainHashes(r.Context(), n.chain, n.fsm.state().Head.Height)
	if err != nil {
		writeErr(w, err)
		return
	}
	writeJSON(w, http.StatusOK, hs)
}

func (n *Node) handleAnchor(w http.ResponseWriter, r *http.Request) {
	if err := n.callerIsMember(r); err != nil {
		writeErr(w, err)
		return
	}
	var req anchorRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 32<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		writeErr(w, fmt.Errorf("%w: request: %v", ErrRejected, err))
		return
	}
	var b anchor.Block
	var err error
	if r.Header.Get(forwardedHeader) != "" {
		// Forwarded by a follower: propose here or say so; never forward twice.
		if !n.isLeader() {
			writeErr(w, fmt.Errorf("%w: not the leader", ErrUnavailable))
			return
		}
		b, err = n.submitLocal(r.Context(), req.Manifests, req.Entries)
	} else if len(req.Manifests) == 0 && len(req.Entries) == 0 {
		err = fmt.Errorf("%w: request holds no manifests and no entries", ErrRejected)
	} else {
		b, err = n.anchor(r.Context(), req.Manifests, req.Entries)
	}
	if err != nil {
		writeErr(w, err)
		return
	}
	writeJSON(w, http.StatusOK, b)
}

func (n *Node) handleMembership(w http.ResponseWriter, r *http.Request) {
	if err := n.callerIsMember(r); err != nil {
		writeErr(w, err)
		return
	}
	var ch anchor.MembershipChange
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&ch); err != nil {
		writeErr(w, fmt.Errorf("%w: membership change: %v", ErrRejected, err))
		return
	}
	if r.Header.Get(forwardedHeader) != "" && !n.isLeader() {
		writeErr(w, fmt.Errorf("%w: not the leader", ErrUnavailable))
		return
	}
	b, err := n.ProposeMembership(r.Context(), ch)
	if err != nil {
		writeErr(w, err)
		return
	}
	writeJSON(w, http.StatusOK, b)
}

func (n *Node) handleMembers(w http.ResponseWriter, r *http.Request) {
	members, epoch, err := n.chain.Membership(r.Context())
	if err != nil {
		writeErr(w, err)
		return
	}
	writeJSON(w, http.StatusOK, MembersReply{ChainID: n.chain.ChainID(), Epoch: epoch, Members: members})
}

func (n *Node) handleAddObserver(w http.ResponseWriter, r *http.Request) {
	if err := n.callerIsMember(r); err != nil {
		writeErr(w, err)
		return
	}
	var req observerRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.ID == "" || checkAddr(req.RaftAddr) != nil {
		writeErr(w, fmt.Errorf("%w: observer request needs id and raft_addr", ErrRejected))
		return
	}
	if err := n.AddObserver(r.Context(), req.ID, req.RaftAddr); err != nil {
		writeErr(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"added": req.ID})
}

// AddObserver admits a non-voting replica. Any member may ask; a
// follower forwards the request to the leader. An observer cannot take a
// member's id.
func (n *Node) AddObserver(ctx context.Context, id, raftAddr string) error {
	if n.isMember(id) {
		return fmt.Errorf("%w: %q is a member id", ErrRejected, id)
	}
	if n.cfg.Observer {
		return fmt.Errorf("%w: an observer cannot admit nodes", ErrRejected)
	}
	if !n.isLeader() {
		_, addr, ok := n.leaderAPI()
		if !ok {
			return fmt.Errorf("%w: no leader known", ErrUnavailable)
		}
		return n.client.AddObserver(ctx, addr, id, raftAddr)
	}
	if err := n.raft.AddNonvoter(raft.ServerID(id), raft.ServerAddress(raftAddr), 0, applyTimeout).Error(); err != nil {
		return fmt.Errorf("%w: add observer %s: %v", ErrUnavailable, id, err)
	}
	n.logger.Info("observer added", "observer", id, "raft_addr", raftAddr)
	return nil
}
