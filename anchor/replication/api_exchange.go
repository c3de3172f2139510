package replication

import (
	"net/http"
	"sync/atomic"
)

// exchangeHandler is the handler mounted under /v1/exchange/ on the peer
// API (HandleExchange); nil until one is set.
type exchangeHandler = atomic.Pointer[http.Handler]

// HandleExchange mounts h under /v1/exchange/ on the node's mutual-TLS
// peer API, where only certificates of the consortium CA connect; h
// checks who the caller is (r.TLS.PeerCertificates[0].Subject.CommonName
// is its node id) and what it may have. Until it is called, those paths
// answer 404.
func (n *Node) HandleExchange(h http.Handler) {
	n.exchange.Store(&h)
}

func (n *Node) serveExchange(w http.ResponseWriter, r *http.Request) {
	h := n.exchange.Load()
	if h == nil {
		http.NotFound(w, r)
		return
	}
	(*h).ServeHTTP(w, r)
}
