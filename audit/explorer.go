package audit

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// Explorer is the read-only web explorer: server-rendered pages over the
// chain, the run history and the rejects files, with no script and, unless
// the config's show_values is set, no patient data. Its only POST, verify,
// re-reads a batch's files and changes nothing.
type Explorer struct {
	src    Sources
	cfg    UIConfig
	logger *slog.Logger
	pages  *template.Template
}

var explorerTmpl = template.Must(template.New("explorer").Funcs(funcs).ParseFS(files, "templates/explorer/*.html"))

// NewExplorer returns the explorer over src; cfg must have been validated.
func NewExplorer(src Sources, cfg UIConfig, logger *slog.Logger) *Explorer {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Explorer{src: src, cfg: cfg, logger: logger, pages: explorerTmpl}
}

// Handler routes the explorer's pages (docs/audit.md lists them).
func (e *Explorer) Handler() http.Handler {
	mux := http.NewServeMux()
	assets, _ := fs.Sub(files, "assets")
	mux.Handle("GET /assets/", http.StripPrefix("/assets/", http.FileServerFS(assets)))
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/batches", http.StatusFound) })
	mux.HandleFunc("GET /batches", e.batches)
	mux.HandleFunc("GET /batches/{id}", e.batch)
	mux.HandleFunc("POST /batches/{id}/verify", e.verifyBatch)
	mux.HandleFunc("GET /blocks", e.blocks)
	mux.HandleFunc("GET /checkpoints", e.checkpoints)
	mux.HandleFunc("GET /runs", e.runs)
	mux.HandleFunc("GET /rejects", e.rejects)
	return securityHeaders(mux)
}

// securityHeaders forbids every script and any resource from elsewhere,
// and keeps the pages out of caches and frames.
func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'")
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Referrer-Policy", "no-referrer")
		h.ServeHTTP(w, r)
	})
}

// page is what every page template receives.
type page struct {
	Title, Nav string
	ChainID    string
	ShowValues bool
	Data       any
}

// render executes the named page into a buffer first, so that a
// template error is a clean 500 and not half a page.
func (e *Explorer) render(w http.ResponseWriter, status int, name, title string, data any) {
	var buf bytes.Buffer
	p := page{Title: title, Nav: name, ChainID: e.src.Chain.ChainID(), ShowValues: e.cfg.ShowValues, Data: data}
	if err := e.pages.ExecuteTemplate(&buf, name, p); err != nil {
		e.fail(w, fmt.Errorf("audit: page %s: %w", name, err))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

func (e *Explorer) fail(w http.ResponseWriter, err error) {
	e.logger.Error("explorer", "err", err)
	http.Error(w, "internal error: see the server log", http.StatusInternalServerError)
}

// Serve serves the explorer on ln until ctx is done, then shuts it down
// (requests in flight get 5 seconds to finish).
func (e *Explorer) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{Handler: e.Handler(), ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	e.logger.Info("explorer serving", "listen", ln.Addr().String(), "show_values", e.cfg.ShowValues)
	select {
	case err := <-done:
		return fmt.Errorf("audit: explorer: %w", err)
	case <-ctx.Done():
	}
	shutCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("audit: explorer: shutdown: %w", err)
	}
	return nil
}
