package replication

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/transparency-dev/formats/log"
	fnote "github.com/transparency-dev/formats/note"
	"golang.org/x/mod/sumdb/note"

	"github.com/healthanchor/healthanchor/anchor"
)

// checkpointer signs a C2SP tlog-checkpoint for the head as it moves (at
// most one round every roundGap), pulls the
// peers' latest checkpoints, cosigns the ones that match the local chain
// (C2SP tlog-cosignature v1), keeps every valid signature it sees, and
// records a validly signed checkpoint that disagrees as fork evidence.
type checkpointer struct {
	n         *Node
	origin    string
	signer    note.Signer // nil for an observer
	cosigner  note.Signer // nil for an observer
	verifiers note.Verifiers
	logger    *slog.Logger

	mu   sync.Mutex
	seen map[string]bool // peer/size pairs already recorded as evidence
}

// pollInterval is how often peers' checkpoints are fetched when no new
// block arrives; roundGap the least time between two rounds, so that a
// stream of blocks costs a few checkpoint rounds a second (each signs,
// fetches the peers' checkpoints and stores signatures), not one per
// block competing with the blocks' own writes.
const (
	pollInterval = time.Second
	roundGap     = 100 * time.Millisecond
)

func newCheckpointer(n *Node) (*checkpointer, error) {
	c := &checkpointer{n: n, origin: n.chain.ChainID(), logger: n.logger, seen: map[string]bool{}}
	var err error
	if c.verifiers, err = c.refreshVerifiers(); err != nil {
		return nil, err
	}
	if n.key != nil && !n.cfg.Observer {
		skey, _ := NoteKeys(n.agency, n.key)
		if c.signer, err = note.NewSigner(skey); err != nil {
			return nil, fmt.Errorf("replication: checkpoint signer: %w", err)
		}
		if c.cosigner, err = fnote.NewSignerForCosignatureV1(skey); err != nil {
			return nil, fmt.Errorf("replication: cosigner: %w", err)
		}
	}
	return c, nil
}

func (c *checkpointer) run(ctx context.Context) {
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	for {
		changed := c.n.fsm.changed()
		next := time.After(roundGap)
		if err := c.signHead(ctx); err != nil {
			c.logger.Warn("checkpoint not signed", logErr, err)
		}
		c.exchange(ctx)
		select {
		case <-ctx.Done():
			return
		case <-changed:
		case <-tick.C:
		}
		select {
		case <-ctx.Done():
			return
		case <-next:
		}
	}
}

// refreshVerifiers rebuilds the verifiers from the chain's current
// members, which membership blocks change.
func (c *checkpointer) refreshVerifiers() (note.Verifiers, error) {
	members := map[string]ed25519.PublicKey{}
	for _, m := range c.n.fsm.memberList() {
		pub, err := anchor.DecodePublicKey(m.PublicKey)
		if err != nil {
			return nil, fmt.Errorf("replication: %w", err)
		}
		members[m.ID] = pub
	}
	vs, err := memberVerifiers(members)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.verifiers = vs
	c.mu.Unlock()
	return vs, nil
}

// signing says whether this node signs checkpoints now: it is a member
// of the chain with the key it holds.
func (c *checkpointer) signing() bool {
	if c.signer == nil {
		return false
	}
	m, ok := c.n.fsm.member(c.n.agency)
	return ok && m.PublicKey == anchor.EncodePublicKey(c.n.key.Public().(ed25519.PublicKey))
}

// body is the checkpoint text for a log of size with root (hex).
func (c *checkpointer) body(size int64, rootHex string) (string, error) {
	root, err := hex.DecodeString(rootHex)
	if err != nil {
		return "", fmt.Errorf("replication: log root %q: %w", rootHex, err)
	}
	return string(log.Checkpoint{Origin: c.origin, Size: uint64(size), Hash: root}.Marshal()), nil
}

// signHead signs the checkpoint of the local head once.
func (c *checkpointer) signHead(ctx context.Context) error {
	st := c.n.fsm.state()
	if st.Head.LogSize == 0 {
		return nil
	}
	body, err := c.body(st.Head.LogSize, st.Head.LogRoot)
	if err != nil {
		return err
	}
	if !c.signing() {
		return c.addSigned(ctx, st.Head.LogSize, body, nil)
	}
	return c.addSigned(ctx, st.Head.LogSize, body, c.signer)
}

// addSigned stores body at size with a signature by s (when not nil),
// unless this node already signed it.
func (c *checkpointer) addSigned(ctx context.Context, size int64, body string, s note.Signer) error {
	lines, err := c.ownLine(ctx, size, body, s, nil)
	if err != nil {
		return err
	}
	return c.n.store.saveSigned(ctx, size, body, lines)
}

// ownLine returns the signature line of s over body, or none when s is
// nil or a line by s is stored at size already or among pending.
func (c *checkpointer) ownLine(ctx context.Context, size int64, body string, s note.Signer, pending []string) ([]string, error) {
	if s == nil {
		return nil, nil
	}
	prefix := "— " + s.Name() + " "
	stored, err := c.n.store.signatures(ctx, size)
	if err != nil {
		return nil, err
	}
	for _, l := range append(stored, pending...) {
		if strings.HasPrefix(l, prefix) && c.lineKeyHash(l) == s.KeyHash() {
			return nil, nil
		}
	}
	signed, err := note.Sign(&note.Note{Text: body}, s)
	if err != nil {
		return nil, fmt.Errorf("replication: sign checkpoint %d: %w", size, err)
	}
	return sigLines(string(signed)), nil
}

func (c *checkpointer) lineKeyHash(line string) uint32 {
	fields := strings.Fields(line)
	if len(fields) != 3 {
		return 0
	}
	raw, err := base64.StdEncoding.DecodeString(fields[2])
	if err != nil || len(raw) < 4 {
		return 0
	}
	return binary.BigEndian.Uint32(raw[:4])
}

// sigLines returns the signature lines of a signed note.
func sigLines(signed string) []string {
	_, sigs, ok := strings.Cut(signed, "\n\n")
	if !ok {
		return nil
	}
	var out []string
	for _, l := range strings.Split(strings.TrimSuffix(sigs, "\n"), "\n") {
		if l != "" {
			out = append(out, l+"\n")
		}
	}
	return out
}

// exchange pulls the latest checkpoint of every peer of the config and
// every current member with a peer API address.
func (c *checkpointer) exchange(ctx context.Context) {
	addrs := map[string]string{}
	for _, p := range c.n.cfg.Peers {
		addrs[p.ID] = p.APIAddr
	}
	for _, m := range c.n.fsm.memberList() {
		if _, ok := addrs[m.ID]; !ok && m.Address != "" {
			addrs[m.ID] = m.Address
		}
	}
	ids := make([]string, 0, len(addrs))
	for id := range addrs {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		if id == c.n.cfg.NodeID {
			continue
		}
		cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		text, err := c.n.client.Checkpoint(cctx, addrs[id])
		cancel()
		if err != nil {
			c.n.contacts.failed(id)
			c.logger.Debug("peer checkpoint unavailable", logPeer, id, logErr, err)
			continue
		}
		c.n.contacts.ok(id)
		if err := c.consider(ctx, id, text); err != nil {
			c.n.warnEvery("checkpoint-refused", id, "peer checkpoint refused", logErr, err)
		}
	}
}

// consider checks a peer's signed checkpoint against the local chain.
func (c *checkpointer) consider(ctx context.Context, peer, text string) error {
	if text == "" {
		return nil
	}
	vs, err := c.refreshVerifiers()
	if err != nil {
		return err
	}
	n, err := note.Open([]byte(text), vs)
	if err != nil {
		return fmt.Errorf("replication: checkpoint from %s: %w", peer, err)
	}
	var cp log.Checkpoint
	if _, err := cp.Unmarshal([]byte(n.Text)); err != nil {
		return fmt.Errorf("replication: checkpoint from %s: %w", peer, err)
	}
	if cp.Origin != c.origin {
		return fmt.Errorf("replication: checkpoint from %s is for origin %q, not %q", peer, cp.Origin, c.origin)
	}
	size := int64(cp.Size)
	st := c.n.fsm.state()
	if size > st.Head.LogSize {
		return nil // ahead of us: compare once we have caught up
	}
	root, ok := c.n.fsm.rootAt(size)
	if ok && root == hex.EncodeToString(cp.Hash) {
		var lines []string
		for _, s := range n.Sigs {
			lines = append(lines, "— "+s.Name+" "+s.Base64+"\n")
		}
		if c.signing() {
			own, err := c.ownLine(ctx, size, n.Text, c.cosigner, lines)
			if err != nil {
				return err
			}
			lines = append(lines, own...)
		}
		// The note, the peer's signatures and the cosignature: one write.
		return c.n.store.saveSigned(ctx, size, n.Text, lines)
	}
	return c.recordFork(ctx, peer, size, text)
}

// recordFork keeps a validly signed checkpoint that disagrees with the
// local chain, with the local one, and reports it loudly.
func (c *checkpointer) recordFork(ctx context.Context, peer string, size int64, peerNote string) error {
	key := fmt.Sprintf("%s/%d", peer, size)
	c.mu.Lock()
	dup := c.seen[key]
	c.seen[key] = true
	c.mu.Unlock()
	if dup {
		return nil
	}
	local, err := c.noteAt(ctx, size)
	if err != nil || local == "" {
		local = fmt.Sprintf("(no local checkpoint at log size %d)", size)
	}
	if err := c.n.store.addEvidence(ctx, peer, size, local, peerNote); err != nil {
		return err
	}
	c.logger.Error("FORK: a validly signed checkpoint disagrees with the local chain; both notes are kept as evidence",
		logPeer, peer, logSize, size)
	c.n.metrics.fork()
	return nil
}

// noteAt returns the stored checkpoint at size with its signatures.
func (c *checkpointer) noteAt(ctx context.Context, size int64) (string, error) {
	body, err := c.n.store.checkpoint(ctx, size)
	if err != nil || body == "" {
		return "", err
	}
	lines, err := c.n.store.signatures(ctx, size)
	if err != nil {
		return "", err
	}
	sort.Strings(lines)
	return body + "\n" + strings.Join(lines, ""), nil
}

func (c *checkpointer) latestNote(ctx context.Context) (string, error) {
	size, err := c.n.store.latestCheckpoint(ctx)
	if err != nil || size == 0 {
		return "", err
	}
	return c.noteAt(ctx, size)
}

func (c *checkpointer) latestInfo(ctx context.Context) (int64, int, error) {
	size, err := c.n.store.latestCheckpoint(ctx)
	if err != nil || size == 0 {
		return 0, 0, err
	}
	lines, err := c.n.store.signatures(ctx, size)
	return size, len(lines), err
}

func (c *checkpointer) forks(ctx context.Context) ([]Fork, error) { return c.n.store.evidence(ctx) }
