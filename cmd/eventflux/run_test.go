package main_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/eventflux-io/eventflux-go/kafka"
	"github.com/eventflux-io/eventflux-go/kafka/kafkatest"
)

// TestRunWorkerEndToEnd runs the built binary against an in-process
// broker: input in, exactly-once output out, SIGTERM, exit status 0.
func TestRunWorkerEndToEnd(t *testing.T) {
	c := kafkatest.NewCluster(t)
	c.CreateTopic(t, "trades", 2)
	dir := t.TempDir()
	yaml := `app: e2e
kafka:
  brokers: [` + strings.Join(c.Addrs(), ",") + `]
processing:
  commit_interval: 50ms
sql:
  inline: |
    CREATE STREAM Trades (symbol STRING, price DOUBLE, volume INT) WITH (topic = 'trades');
    INSERT INTO Alerts SELECT symbol, price FROM Trades WHERE price > 50;
streams:
  Alerts:
    topic: alerts
    key: [symbol]
http:
  listen: 127.0.0.1:0
log:
  format: json
`
	cfg := filepath.Join(dir, "pipeline.yaml")
	if err := os.WriteFile(cfg, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	c.Produce(t,
		kafka.Record{Topic: "trades", Partition: 0, Value: []byte(`{"symbol":"IBM","price":75.5,"volume":1}`), Timestamp: time.UnixMilli(1000)},
		kafka.Record{Topic: "trades", Partition: 1, Value: []byte(`{"symbol":"ACME","price":10,"volume":2}`), Timestamp: time.UnixMilli(1001)},
		kafka.Record{Topic: "trades", Partition: 1, Value: []byte(`{"symbol":"MSFT","price":51,"volume":3}`), Timestamp: time.UnixMilli(1002)},
	)
	cmd := exec.Command(binary, "run", "-c", cfg)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	got := c.Read(t, "alerts", kafkatest.ReadOptions{Want: 2, Timeout: 20 * time.Second})
	_ = cmd.Process.Signal(syscall.SIGTERM)
	err := cmd.Wait()
	if err != nil {
		t.Fatalf("eventflux run: %v\n%s", err, stderr.String())
	}
	if len(got) != 2 {
		t.Fatalf("alerts = %v\n%s", got, stderr.String())
	}
	vals := string(got[0].Value) + " " + string(got[1].Value)
	for _, want := range []string{`{"symbol":"IBM","price":75.5}`, `{"symbol":"MSFT","price":51.0}`} {
		if !strings.Contains(vals, want) {
			t.Fatalf("alerts %s lack %s", vals, want)
		}
	}
}

func TestRunFailsWithReason(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "pipeline.yaml")
	yaml := `app: bad
kafka:
  brokers: [127.0.0.1:1]
sql:
  inline: "CREATE STREAM T (s STRING) WITH (topic = 't'); INSERT INTO A SELECT s FROM T;"
streams:
  T:
    topic: other
http:
  listen: ""
`
	if err := os.WriteFile(cfg, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	r := eventflux(t, "", "run", "-c", cfg)
	if r.code != 1 || !strings.Contains(r.stderr, `streams.T.topic "other" conflicts with the SQL WITH (topic = 't') of stream T`) {
		t.Fatalf("code %d, stderr %s", r.code, r.stderr)
	}
}
