package ops

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// ShutdownTimeout bounds the graceful shutdown of the HTTP server: open
// requests get this long to finish before their connections are closed.
const ShutdownTimeout = 5 * time.Second

// shutdownTimeout is ShutdownTimeout, shortened by tests.
var shutdownTimeout = ShutdownTimeout

// Readiness reports nil when the worker is ready to serve (assigned its
// partitions and restored its state), else an error whose text says why
// not. It must return quickly: it runs in the /readyz handler. A nil
// Readiness is always ready.
type Readiness func() error

// Handler returns the handler of /metrics (metrics gathered from g),
// /healthz (200 while the process runs) and /readyz (200 once ready
// reports nil, else 503 with the reason).
func Handler(g prometheus.Gatherer, ready Readiness) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(g, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if ready != nil {
			if err := ready(); err != nil {
				w.WriteHeader(http.StatusServiceUnavailable)
				fmt.Fprintf(w, "not ready: %v\n", err)
				return
			}
		}
		fmt.Fprintln(w, "ready")
	})
	return mux
}

// Serve listens on addr (host:port; port 0 picks one) and serves Handler
// until ctx is done, then shuts down gracefully within ShutdownTimeout. It
// returns nil after a shutdown caused by ctx, else the error that stopped
// it; it always returns with no goroutine of its own left running.
func Serve(ctx context.Context, addr string, g prometheus.Gatherer, ready Readiness) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("ops: %w", err)
	}
	return ServeListener(ctx, ln, g, ready)
}

// ServeListener is Serve on a listener the caller opened (to learn the
// port before serving); it closes ln.
func ServeListener(ctx context.Context, ln net.Listener, g prometheus.Gatherer, ready Readiness) error {
	srv := &http.Server{
		Handler:           Handler(g, ready),
		ReadHeaderTimeout: 10 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return ctx },
	}
	var wg sync.WaitGroup
	errc := make(chan error, 1)
	wg.Add(1)
	go func() {
		defer wg.Done()
		errc <- srv.Serve(ln)
	}()
	defer wg.Wait()

	select {
	case err := <-errc:
		// Serve failed on its own (the listener broke).
		return fmt.Errorf("ops: serve %s: %w", ln.Addr(), err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
	defer cancel()
	err := srv.Shutdown(sctx)
	if err != nil {
		// Requests outlived the timeout: cut their connections.
		err = errors.Join(err, srv.Close())
		err = fmt.Errorf("ops: shutdown: %w", err)
	}
	if serr := <-errc; !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = fmt.Errorf("ops: serve %s: %w", ln.Addr(), serr)
	}
	return err
}

// Status is a Readiness the worker sets as it goes: not ready ("starting")
// until SetReady, and again after SetNotReady (a rebalance, a restore). The
// zero value is ready for use; it is safe for concurrent use.
type Status struct {
	mu     sync.Mutex
	ready  bool
	reason string
}

// SetReady marks the worker ready.
func (s *Status) SetReady() {
	s.mu.Lock()
	s.ready, s.reason = true, ""
	s.mu.Unlock()
}

// SetNotReady marks the worker not ready, for reason (such as "restoring
// 3 stores" or "waiting for partition assignment").
func (s *Status) SetNotReady(reason string) {
	s.mu.Lock()
	s.ready, s.reason = false, reason
	s.mu.Unlock()
}

// Check returns nil when ready, else an error with the reason. Pass
// s.Check as the Readiness of Serve.
func (s *Status) Check() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.ready:
		return nil
	case s.reason == "":
		return errors.New("starting")
	}
	return errors.New(s.reason)
}
