package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"
	"github.com/spf13/cobra"

	"github.com/eventflux-io/eventflux-go/config"
	"github.com/eventflux-io/eventflux-go/internal/logging"
	"github.com/eventflux-io/eventflux-go/internal/ops"
	"github.com/eventflux-io/eventflux-go/internal/runtime"
	"github.com/eventflux-io/eventflux-go/kafka"
	"github.com/eventflux-io/eventflux-go/sqlc"
	"github.com/eventflux-io/eventflux-go/topology"
)

// runFlags are the flags of `eventflux run`.
type runFlags struct {
	config string
}

func newRunCmd() *cobra.Command {
	var f runFlags
	cmd := &cobra.Command{
		Use:   "run -c pipeline.yaml",
		Short: "Run a worker of a pipeline against Kafka",
		Long: `Run starts a worker: it compiles the pipeline's SQL, checks that the source
topics exist and are co-partitioned, creates missing sink and dead-letter
topics, joins the consumer group <app> and processes its share of the
partitions (exactly-once by default) until interrupted. Start more workers
with the same file to scale out.

/metrics, /healthz and /readyz are served on http.listen.

Exit status: 0 after a clean shutdown (SIGINT or SIGTERM), 1 with the reason
on any failure.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runRun(cmd, f) },
	}
	cmd.Flags().StringVarP(&f.config, "config", "c", "", "pipeline YAML file (required)")
	_ = cmd.MarkFlagRequired("config")
	return cmd
}

func runRun(cmd *cobra.Command, f runFlags) error {
	p, err := config.Load(f.config)
	if err != nil {
		return err
	}
	return runPipeline(cmd.Context(), p, cmd.ErrOrStderr(), nil)
}

// runPipeline runs a worker for p until ctx is done; logs go to logw.
// onReady, when not nil, is called once, when the worker first becomes
// ready (assigned, producers initialised).
func runPipeline(ctx context.Context, p *config.Pipeline, logw io.Writer, onReady func()) error {
	zl, err := logging.New(p.Log.Level, p.Log.Format, logw)
	if err != nil {
		return err
	}
	log := slog.New(zerolog.NewSlogHandler(zl))
	prog, err := compilePipeline(p, logw)
	if err != nil {
		return err
	}
	bindings, err := mergeBindings(prog.Topology, p.Streams)
	if err != nil {
		return err
	}
	kopts, err := kafkaOptions(p.Kafka)
	if err != nil {
		return err
	}
	metrics := ops.NewMetrics()
	status := &ops.Status{}
	status.SetNotReady("waiting for partition assignment")
	opts := runtime.Options{
		App:             p.App,
		Kafka:           kopts,
		Topology:        prog.Topology,
		Bindings:        bindings,
		CommitInterval:  p.Processing.CommitInterval,
		MaxTaskIdle:     p.Processing.MaxTaskIdle,
		InstanceID:      p.Processing.InstanceID,
		DeadLetterTopic: p.Errors.DLQTopic,
		StateDir:        p.Processing.StateDir,
		Metrics:         opsMetrics{metrics},
		Logger:          log,
		Ready: func(ready bool) {
			if ready {
				status.SetReady()
				if onReady != nil {
					onReady()
					onReady = nil
				}
			} else {
				status.SetNotReady("shutting down")
			}
		},
	}
	applyPolicies(&opts, p)
	log.Info("eventflux: starting worker", "app", p.App, "kafka", kopts.String(), "http", p.HTTP.Listen)
	return runWithOps(ctx, opts, p.HTTP.Listen, metrics, status, p.Processing.ShutdownTimeout)
}

// applyPolicies maps the pipeline's guarantee and error policies onto the
// runtime's options (whose zero values are exactly-once, dead-lettering
// bad records and dropping late events).
func applyPolicies(opts *runtime.Options, p *config.Pipeline) {
	if p.Processing.Guarantee == config.AtLeastOnce {
		opts.Guarantee = runtime.AtLeastOnce
	}
	if p.Errors.LateEvents == config.LateDLQ {
		opts.LateEvents = runtime.LateDeadLetter
	}
	switch p.Errors.Policy {
	case config.PolicySkip:
		opts.DeadLetterPolicy = runtime.Skip
	case config.PolicyFail:
		opts.DeadLetterPolicy = runtime.Fail
	}
}

// runWithOps runs the worker and, when listen is set, the ops server; it
// returns when both have stopped. A shutdown that outlives timeout is
// reported as an error (and the process exits with the worker still
// stopping).
func runWithOps(ctx context.Context, opts runtime.Options, listen string, m *ops.Metrics, st *ops.Status, timeout time.Duration) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	var opsErr error
	if listen != "" {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := ops.Serve(ctx, listen, m.Registry, st.Check); err != nil {
				opsErr = err
				cancel()
			}
		}()
	}
	done := make(chan error, 1)
	go func() { done <- runtime.Run(ctx, opts) }()
	var err error
	select {
	case err = <-done:
	case <-ctx.Done():
		if timeout <= 0 {
			timeout = 30 * time.Second
		}
		select {
		case err = <-done:
		case <-time.After(timeout):
			return fmt.Errorf("eventflux: worker did not shut down within %s", timeout)
		}
	}
	cancel()
	wg.Wait()
	if err == nil {
		err = opsErr
	}
	return err
}

// compilePipeline compiles the pipeline's SQL (all files as one
// application, in order), printing compile errors with their excerpts,
// each positioned in its own file.
func compilePipeline(p *config.Pipeline, stderr io.Writer) (*sqlc.Program, error) {
	srcs, err := p.SQLSources()
	if err != nil {
		return nil, err
	}
	in := make([]sqlc.Source, len(srcs))
	texts := map[string]string{}
	for i, s := range srcs {
		in[i] = sqlc.Source{File: s.Name, Text: s.Text}
		texts[s.Name] = s.Text
	}
	// The YAML's stream keys decide partitioning as WITH (key = ...) does:
	// a GROUP BY the record key must not be repartitioned.
	keys := map[string][]string{}
	for name, s := range p.Streams {
		if len(s.Key) > 0 {
			keys[name] = s.Key
		}
	}
	prog, err := sqlc.CompileSources(in, sqlc.Options{File: srcs[0].Name, Keys: keys})
	var list sqlc.ErrorList
	if errors.As(err, &list) {
		for _, e := range list {
			fmt.Fprintf(stderr, "%s\n\n", e.Excerpt(texts[e.File]))
		}
		return nil, &reportedError{summary: plural(len(list), "compile error", "compile errors")}
	}
	if err != nil {
		return nil, err
	}
	return prog, nil
}

// mergeBindings lays the YAML streams section over the SQL WITH options.
// A YAML field fills an empty SQL one; the same value twice is fine; two
// different values are an error naming both.
func mergeBindings(topo *topology.Topology, streams map[string]config.Stream) (map[string]topology.Binding, error) {
	out := map[string]topology.Binding{}
	names := make([]string, 0, len(streams))
	for n := range streams {
		names = append(names, n)
	}
	sort.Strings(names)
	var errs []error
	for _, name := range names {
		y := streams[name]
		n := topo.Node(name)
		if n == nil || n.Kind != topology.StreamNode {
			errs = append(errs, fmt.Errorf("streams.%s: the SQL has no stream %s", name, name))
			continue
		}
		b := n.Binding
		b.Key = slices.Clone(b.Key)
		opts := map[string]string{}
		for k, v := range b.Options {
			opts[k] = v
		}
		b.Options = opts
		merge := func(field, sqlKey string, dst *string, v string) {
			switch {
			case v == "":
			case *dst == "" || *dst == v:
				*dst = v
			default:
				errs = append(errs, fmt.Errorf("streams.%s.%s %q conflicts with the SQL WITH (%s = '%s') of stream %s", name, field, v, sqlKey, *dst, name))
			}
		}
		merge("topic", "topic", &b.Topic, y.Topic)
		if !n.Binding.Internal() && !formatGiven(n.Binding) {
			b.Format = "" // "json" was the compiler's default, not the user's choice
		}
		merge("format", "format", &b.Format, string(y.Format))
		if b.Topic != "" && b.Format == "" {
			b.Format = "json"
		}
		merge("timestamp", "timestamp", &b.Timestamp, y.Timestamp)
		if len(y.Key) > 0 {
			switch {
			case len(b.Key) == 0 || slices.Equal(b.Key, y.Key):
				b.Key = slices.Clone(y.Key)
			default:
				errs = append(errs, fmt.Errorf("streams.%s.key %v conflicts with the SQL WITH (key = '%s') of stream %s", name, y.Key, strings.Join(b.Key, ","), name))
			}
		}
		for attr, path := range y.JSON.Mapping {
			k := "json.mapping." + attr
			v := b.Options[k]
			merge("json.mapping."+attr, k, &v, path)
			b.Options[k] = v
		}
		if y.CSV.Delimiter != "" {
			v := b.Options["csv.delimiter"]
			merge("csv.delimiter", "csv.delimiter", &v, y.CSV.Delimiter)
			b.Options["csv.delimiter"] = v
		}
		if y.CSV.Header {
			b.Options["csv.has-header"] = "true"
		}
		out[name] = b
	}
	return out, errors.Join(errs...)
}

// kafkaOptions maps the pipeline's kafka section to kafka.Options.
func kafkaOptions(k config.Kafka) (kafka.Options, error) {
	o := kafka.Options{Brokers: k.Brokers, ClientID: k.ClientID, Version: k.Version}
	if k.SASL.Mechanism != "" {
		o.SASL = kafka.SASL{Mechanism: k.SASL.Mechanism, User: k.SASL.Username, Password: k.SASL.Password.Value()}
	}
	if !k.TLS.Enabled {
		return o, nil
	}
	t := &tls.Config{InsecureSkipVerify: k.TLS.InsecureSkipVerify, MinVersion: tls.VersionTLS12}
	if k.TLS.CAFile != "" {
		pem, err := os.ReadFile(k.TLS.CAFile)
		if err != nil {
			return o, fmt.Errorf("kafka.tls.ca_file: %w", err)
		}
		t.RootCAs = x509.NewCertPool()
		if !t.RootCAs.AppendCertsFromPEM(pem) {
			return o, fmt.Errorf("kafka.tls.ca_file: %s holds no PEM certificate", k.TLS.CAFile)
		}
	}
	if k.TLS.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(k.TLS.CertFile, k.TLS.KeyFile)
		if err != nil {
			return o, fmt.Errorf("kafka.tls.cert_file: %w", err)
		}
		t.Certificates = []tls.Certificate{cert}
	}
	o.TLS = t
	return o, nil
}

// opsMetrics adapts ops.Metrics to runtime.Metrics.
type opsMetrics struct{ m *ops.Metrics }

func (a opsMetrics) RecordsIn(topic string, n int) {
	a.m.RecordsIn.WithLabelValues(topic).Add(float64(n))
}
func (a opsMetrics) RecordsOut(topic string, n int) {
	a.m.RecordsOut.WithLabelValues(topic).Add(float64(n))
}
func (a opsMetrics) ProcessLatency(d time.Duration) { a.m.ProcessingLatency.Observe(d.Seconds()) }
func (a opsMetrics) Commit(d time.Duration) {
	a.m.CommitLatency.Observe(d.Seconds())
	a.m.TransactionCommits.Inc()
}
func (a opsMetrics) Abort()                   { a.m.TransactionAborts.Inc() }
func (a opsMetrics) DeadLetter(reason string) { a.m.DeadLetters.WithLabelValues(reason).Inc() }
func (a opsMetrics) LateEvent(string)         { a.m.LateEvents.Inc() }
func (a opsMetrics) Rebalance()               { a.m.Rebalances.Inc() }
func (a opsMetrics) Tasks(n int)              { a.m.ActiveTasks.Set(float64(n)) }
func (a opsMetrics) Lag(topic string, partition int32, lag int64) {
	a.m.ConsumerLag.WithLabelValues(topic, strconv.Itoa(int(partition))).Set(float64(lag))
}

func (a opsMetrics) Restored(store string, n int) {
	a.m.RestoredRecords.WithLabelValues(store).Add(float64(n))
}
func (a opsMetrics) RestoreProgress(store string, fraction float64) {
	a.m.RestoreProgress.WithLabelValues(store).Set(fraction)
}

// formatGiven reports whether the SQL format of b was certainly written by
// the user: the compiler defaults a topic stream's format to json, so a
// json format may be either, and YAML may replace it.
func formatGiven(b topology.Binding) bool { return b.Format != "" && b.Format != "json" }
