package ops

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

func TestHandler(t *testing.T) {
	m := NewMetrics()
	var st Status
	srv := httptest.NewServer(Handler(m.Registry, st.Check))
	defer srv.Close()
	defer srv.Client().CloseIdleConnections()

	if code, body := get(t, srv.URL+"/healthz"); code != 200 || body != "ok\n" {
		t.Errorf("/healthz = %d %q", code, body)
	}
	if code, body := get(t, srv.URL+"/readyz"); code != 503 || body != "not ready: starting\n" {
		t.Errorf("/readyz before ready = %d %q", code, body)
	}
	st.SetNotReady("restoring 2 stores")
	if code, body := get(t, srv.URL+"/readyz"); code != 503 || body != "not ready: restoring 2 stores\n" {
		t.Errorf("/readyz restoring = %d %q", code, body)
	}
	st.SetReady()
	if code, body := get(t, srv.URL+"/readyz"); code != 200 || body != "ready\n" {
		t.Errorf("/readyz ready = %d %q", code, body)
	}
	if code, _ := get(t, srv.URL+"/nope"); code != 404 {
		t.Errorf("/nope = %d", code)
	}

	m.RecordsIn.WithLabelValues("trades").Add(3)
	m.RecordsOut.WithLabelValues("alerts").Inc()
	m.ConsumerLag.WithLabelValues("trades", "0").Set(42)
	m.DeadLetters.WithLabelValues(ReasonDecode).Inc()
	m.ProcessingLatency.Observe(0.001)
	m.TransactionCommits.Inc()
	code, body := get(t, srv.URL+"/metrics")
	if code != 200 {
		t.Fatalf("/metrics = %d", code)
	}
	for _, want := range []string{
		`eventflux_records_in_total{topic="trades"} 3`,
		`eventflux_records_out_total{topic="alerts"} 1`,
		`eventflux_consumer_lag{partition="0",topic="trades"} 42`,
		`eventflux_dead_letters_total{reason="decode"} 1`,
		`eventflux_processing_latency_seconds_count 1`,
		`eventflux_transaction_commits_total 1`,
		`eventflux_active_tasks 0`,
		"# HELP eventflux_commit_latency_seconds Time to commit",
		"go_goroutines",
		"process_resident_memory_bytes",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}

// TestMetricsLint runs the Prometheus linter over every metric: names,
// units and help texts.
func TestMetricsLint(t *testing.T) {
	m := NewMetrics()
	// Vectors appear only once they have a child.
	m.RecordsIn.WithLabelValues("t")
	m.RecordsOut.WithLabelValues("t")
	m.ConsumerLag.WithLabelValues("t", "0")
	m.DeadLetters.WithLabelValues(ReasonSchema)
	m.RestoredRecords.WithLabelValues("s")
	m.RestoreProgress.WithLabelValues("s")
	problems, err := testutil.GatherAndLint(m.Registry)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		if strings.HasPrefix(p.Metric, "eventflux_") {
			t.Errorf("%s: %s", p.Metric, p.Text)
		}
	}
	n, err := testutil.GatherAndCount(m.Registry)
	if err != nil {
		t.Fatal(err)
	}
	if n < 13 {
		t.Errorf("registry has %d series, want the 13 worker metrics and more", n)
	}
	// A second set of metrics does not collide with the first.
	NewMetrics()
}

func TestServe(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	var st Status
	go func() { done <- ServeListener(ctx, ln, NewMetrics().Registry, st.Check) }()

	if code, _ := get(t, url+"/healthz"); code != 200 {
		t.Errorf("/healthz = %d", code)
	}
	if code, _ := get(t, url+"/metrics"); code != 200 {
		t.Errorf("/metrics = %d", code)
	}
	http.DefaultClient.CloseIdleConnections()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Serve = %v, want nil after cancel", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return after cancel")
	}
	if _, err := http.Get(url + "/healthz"); err == nil {
		t.Error("server still answers after Serve returned")
	}
}

// TestServeShutdownBounded checks that a request still running when ctx is
// done delays Serve by at most the shutdown timeout.
func TestServeShutdownBounded(t *testing.T) {
	defer func(d time.Duration) { shutdownTimeout = d }(shutdownTimeout)
	shutdownTimeout = 100 * time.Millisecond

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	entered, release := make(chan struct{}), make(chan struct{})
	ready := func() error {
		close(entered)
		<-release
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- ServeListener(ctx, ln, NewMetrics().Registry, ready) }()
	reqDone := make(chan struct{})
	go func() {
		defer close(reqDone)
		if resp, err := http.Get("http://" + ln.Addr().String() + "/readyz"); err == nil {
			resp.Body.Close()
		}
	}()
	<-entered
	start := time.Now()
	cancel()
	select {
	case err := <-done:
		if err == nil || !strings.HasPrefix(err.Error(), "ops: shutdown: ") || !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Serve = %v, want a shutdown deadline error", err)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("Serve took %v to return", d)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return within the shutdown timeout")
	}
	close(release) // let the handler goroutine end, for goleak
	<-reqDone
	http.DefaultClient.CloseIdleConnections()
}

func TestServeListenError(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	err = Serve(context.Background(), ln.Addr().String(), NewMetrics().Registry, nil)
	if err == nil || !strings.HasPrefix(err.Error(), "ops: listen tcp") {
		t.Errorf("Serve on a used port = %v", err)
	}
}

func TestNilReadinessIsReady(t *testing.T) {
	srv := httptest.NewServer(Handler(NewMetrics().Registry, nil))
	defer srv.Close()
	defer srv.Client().CloseIdleConnections()
	if code, _ := get(t, srv.URL+"/readyz"); code != 200 {
		t.Errorf("/readyz = %d", code)
	}
}
