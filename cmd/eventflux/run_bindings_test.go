package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/eventflux-io/eventflux-go/config"
	"github.com/eventflux-io/eventflux-go/internal/runtime"
	"github.com/eventflux-io/eventflux-go/kafka"
	"github.com/eventflux-io/eventflux-go/kafka/kafkatest"
	"github.com/eventflux-io/eventflux-go/sqlc"
)

func TestMergeBindings(t *testing.T) {
	prog, err := sqlc.Compile(`
CREATE STREAM Trades (symbol STRING, price DOUBLE, ts LONG) WITH (topic = 'trades', key = 'symbol');
INSERT INTO Alerts SELECT symbol, price FROM Trades;`, sqlc.Options{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := mergeBindings(prog.Topology, map[string]config.Stream{
		"Trades": {Topic: "trades", Format: "csv", Timestamp: "ts", CSV: config.CSVFormat{Delimiter: ";"}},
		"Alerts": {Topic: "alerts", Key: []string{"symbol"}, JSON: config.JSONFormat{Mapping: map[string]string{"price": "$.p"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	tr, al := got["Trades"], got["Alerts"]
	if tr.Topic != "trades" || tr.Format != "csv" || tr.Timestamp != "ts" || tr.Options["csv.delimiter"] != ";" || tr.Key[0] != "symbol" {
		t.Fatalf("Trades = %+v", tr)
	}
	if al.Topic != "alerts" || al.Format != "json" || al.Key[0] != "symbol" || al.Options["json.mapping.price"] != "$.p" {
		t.Fatalf("Alerts = %+v", al)
	}
	if prog.Topology.Node("Trades").Binding.Format != "json" {
		t.Fatal("merge changed the topology's binding")
	}

	_, err = mergeBindings(prog.Topology, map[string]config.Stream{
		"Trades": {Topic: "other", Key: []string{"price"}},
		"Nope":   {Topic: "x"},
	})
	for _, want := range []string{
		`streams.Nope: the SQL has no stream Nope`,
		`streams.Trades.topic "other" conflicts with the SQL WITH (topic = 'trades') of stream Trades`,
		`streams.Trades.key [price] conflicts with the SQL WITH (key = 'symbol') of stream Trades`,
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not say %s", err, want)
		}
	}
}

// TestApplyPolicies checks that the pipeline's guarantee and error
// policies reach the runtime's options.
func TestApplyPolicies(t *testing.T) {
	parse := func(extra string) *config.Pipeline {
		t.Helper()
		p, err := config.Parse([]byte("app: a\nkafka: {brokers: [127.0.0.1:9092]}\nsql: {inline: 'CREATE STREAM S (x INT);'}\n" + extra))
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	var opts runtime.Options
	applyPolicies(&opts, parse(""))
	if opts.Guarantee != runtime.ExactlyOnce || opts.DeadLetterPolicy != runtime.DeadLetter || opts.LateEvents != runtime.LateDrop {
		t.Errorf("defaults: got %+v", opts)
	}
	opts = runtime.Options{}
	applyPolicies(&opts, parse("processing: {guarantee: at_least_once}\nerrors: {policy: skip, late_events: dlq}\n"))
	if opts.Guarantee != runtime.AtLeastOnce || opts.DeadLetterPolicy != runtime.Skip || opts.LateEvents != runtime.LateDeadLetter {
		t.Errorf("at_least_once, skip, late dlq: got guarantee %v, policy %v, late %v", opts.Guarantee, opts.DeadLetterPolicy, opts.LateEvents)
	}
	opts = runtime.Options{}
	applyPolicies(&opts, parse("errors: {policy: fail}\n"))
	if opts.DeadLetterPolicy != runtime.Fail {
		t.Errorf("fail: got %v", opts.DeadLetterPolicy)
	}
}

// TestKafkaOptionsTLS maps kafka.tls from the pipeline onto a client that
// reaches a TLS broker trusting only the configured CA file.
func TestKafkaOptionsTLS(t *testing.T) {
	server, _, caPEM := kafkatest.SelfSignedTLS(t)
	c := kafkatest.NewCluster(t, kfake.TLS(server))
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(ca, caPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	k := config.Kafka{Brokers: c.Addrs(), ClientID: "t", Version: "3.9.0", TLS: config.TLS{Enabled: true, CAFile: ca}}
	o, err := kafkaOptions(k)
	if err != nil {
		t.Fatal(err)
	}
	a, err := kafka.NewAdmin(o)
	if err != nil {
		t.Fatalf("connect with kafka.tls.ca_file: %v", err)
	}
	if _, err := a.Partitions("none"); err != nil && !strings.Contains(err.Error(), "none") {
		t.Errorf("metadata over TLS: %v", err)
	}
	a.Close()

	bad := filepath.Join(dir, "bad.pem")
	if err := os.WriteFile(bad, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	k.TLS.CAFile = bad
	if _, err := kafkaOptions(k); err == nil || !strings.Contains(err.Error(), "kafka.tls.ca_file") {
		t.Errorf("a CA file without PEM: got %v, want a kafka.tls.ca_file error", err)
	}
}
