package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	eventflux "github.com/eventflux-io/eventflux-go"
	"github.com/eventflux-io/eventflux-go/config"
	"github.com/eventflux-io/eventflux-go/internal/devbroker"
	"github.com/eventflux-io/eventflux-go/kafka"
	"github.com/eventflux-io/eventflux-go/topology"
)

// devFlags are the flags of `eventflux dev`.
type devFlags struct {
	port, partitions int
	dataDir, http    string
	rate             float64
	seed             uint64
}

func newDevCmd() *cobra.Command {
	var f devFlags
	cmd := &cobra.Command{
		Use:   "dev [--port 9092] [--data-dir DIR] [--http :8080]",
		Short: "Run a broker, a data generator and a worker on the bundled example",
		Long: `Dev starts everything a first look needs, in one process, without Kafka:

  - an embedded Kafka-protocol broker (as 'eventflux broker') on 127.0.0.1,
    keeping its data in --data-dir so it survives restarts;
  - the example's input topic 'trades';
  - a generator producing trades to it at --rate records per second, from a
    fixed seed (every 200th record is malformed, to show the dead-letter
    topic);
  - a worker running the bundled example (testdata/examples/trades.sql and
    testdata/examples/volumes.sql with testdata/pipelines/trades.yaml),
    exactly once: alerts on trades above 50 to the topic 'alerts'; every 10
    seconds, per-symbol trade counts and volumes to 'volumes' (windows kept
    per symbol in the task that reads them) and a market-wide summary to
    'market' (through a single-partition repartition topic), the windows'
    state in changelog topics.

It prints kcat commands to watch the outputs, an 'eventflux state' command
to look at the windows' state, and the metrics URL. Ctrl-C or
SIGTERM stops the generator, then the worker (committing its transaction),
then the broker, and exits 0.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runDev(cmd, f) },
	}
	fl := cmd.Flags()
	fl.IntVar(&f.port, "port", devbroker.DefaultPort, "broker TCP port on 127.0.0.1")
	fl.StringVar(&f.dataDir, "data-dir", devbroker.DefaultDataDir(), `directory that keeps the broker's state across restarts; "" keeps it in memory`)
	fl.StringVar(&f.http, "http", ":8080", `listen address of the worker's /metrics, /healthz and /readyz; "" disables them`)
	fl.IntVar(&f.partitions, "partitions", 3, "partitions of the topics the example creates")
	fl.Float64Var(&f.rate, "rate", 20, "trades generated per second; 0 generates none")
	fl.Uint64Var(&f.seed, "seed", 1, "seed of the generator")
	return cmd
}

func runDev(cmd *cobra.Command, f devFlags) error {
	switch {
	case f.partitions < 1:
		return usageError{fmt.Errorf("--partitions must be at least 1, got %d", f.partitions)}
	case f.rate < 0:
		return usageError{fmt.Errorf("--rate must be >= 0, got %v", f.rate)}
	}
	if f.http != "" {
		if _, _, err := net.SplitHostPort(f.http); err != nil {
			return usageError{fmt.Errorf("--http %q: want host:port or :port", f.http)}
		}
	}
	stdout, stderr := cmd.OutOrStdout(), cmd.ErrOrStderr()
	b, err := devbroker.Start(devbroker.Options{Port: f.port, DataDir: f.dataDir, Partitions: f.partitions, Log: stderr})
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return fmt.Errorf("%w (is another eventflux dev or broker running? pick another --port)", err)
		}
		return err
	}
	defer b.Close()
	p, err := devPipeline(b.Addr(), f)
	if err != nil {
		return err
	}
	// The worker compiles the SQL again; this copy names the repartition
	// topics for the help.
	prog, err := compilePipeline(p, stderr)
	if err != nil {
		return err
	}
	kopts := kafka.Options{Brokers: p.Kafka.Brokers, ClientID: "eventflux-dev", Version: p.Kafka.Version}
	input := p.Streams["Trades"].Topic
	partitions, err := ensureTopic(kopts, input, f.partitions)
	if err != nil {
		return err
	}

	// Shutdown order: generator, worker, broker (deferred above). Each
	// has its own context so the signal stops them one after the other.
	sig := cmd.Context()
	genCtx, stopGen := context.WithCancel(context.Background())
	defer stopGen()
	workerCtx, stopWorker := context.WithCancel(context.Background())
	defer stopWorker()

	genDone := make(chan error, 1)
	go func() {
		genDone <- generate(genCtx, generatorOptions{
			Kafka: kopts, Topic: input, Partitions: partitions, Rate: f.rate, Seed: f.seed,
		})
	}()
	workerDone := make(chan error, 1)
	var helpOnce sync.Once
	go func() {
		workerDone <- runPipeline(workerCtx, p, stderr, func() {
			helpOnce.Do(func() { printDevHelp(stdout, b.Addr(), f, p, prog.Topology) })
		})
	}()

	var genErr, workerErr error
	select {
	case <-sig.Done():
		fmt.Fprintln(stdout, "eventflux dev: shutting down")
	case genErr = <-genDone:
		genDone = nil
	case workerErr = <-workerDone:
		workerDone = nil
	}
	stopGen()
	if genDone != nil {
		genErr = <-genDone
	}
	stopWorker()
	if workerDone != nil {
		workerErr = <-workerDone
	}
	b.Close()
	if workerErr != nil {
		return workerErr
	}
	if genErr != nil {
		return fmt.Errorf("eventflux dev: generator: %w", genErr)
	}
	fmt.Fprintln(stdout, "eventflux dev: stopped")
	return nil
}

// devPipeline returns the bundled example pipeline pointed at the broker
// at addr, reading its sql.files from the binary (named by their
// repository paths, testdata/examples/*.sql, in compile errors).
func devPipeline(addr string, f devFlags) (*config.Pipeline, error) {
	env := map[string]string{"KAFKA_BROKERS": addr, "HTTP_LISTEN": f.http}
	if f.dataDir != "" {
		env["EVENTFLUX_STATE_DIR"] = f.dataDir + "-state"
	}
	lookup := func(name string) (string, bool) {
		v, ok := env[name]
		return v, ok
	}
	return config.Parse(eventflux.TradesPipeline,
		config.WithFilename("testdata/pipelines/trades.yaml (bundled)"),
		config.WithFS(eventflux.Examples), config.WithDir(eventflux.TradesPipelineDir),
		config.WithLookupEnv(lookup))
}

// ensureTopic creates topic with partitions partitions unless it exists,
// and returns its partition count.
func ensureTopic(opts kafka.Options, topic string, partitions int) (int, error) {
	var lastErr error
	for attempt := 0; attempt < 20; attempt++ {
		if attempt > 0 {
			time.Sleep(100 * time.Millisecond)
		}
		a, err := kafka.NewAdmin(opts)
		if err != nil {
			lastErr = err
			continue
		}
		counts, err := a.EnsureTopics([]string{topic}, partitions)
		a.Close()
		if err != nil {
			lastErr = err
			continue
		}
		return counts[topic], nil
	}
	return 0, fmt.Errorf("eventflux dev: create topic %s: %w", topic, lastErr)
}

// printDevHelp prints what dev runs and what to try: p is the pipeline,
// topo its compiled topology.
func printDevHelp(w io.Writer, addr string, f devFlags, p *config.Pipeline, topo *topology.Topology) {
	host := "localhost"
	if _, port, err := net.SplitHostPort(addr); err == nil {
		host += ":" + port
	}
	data := "in memory only"
	if f.dataDir != "" {
		data = "data in " + f.dataDir
	}
	input, alerts := p.Streams["Trades"].Topic, p.Streams["Alerts"].Topic
	volumes, market := p.Streams["Volumes"].Topic, p.Streams["Market"].Topic
	gen := fmt.Sprintf("%s trades/s into %s (seed %d; every %dth is malformed)", strconv.FormatFloat(f.rate, 'f', -1, 64), input, f.seed, malformedEvery)
	if f.rate == 0 {
		gen = "off (--rate 0)"
	}
	var sql strings.Builder
	srcs, _ := p.SQLSources() // read once already, by the compiler
	for _, src := range srcs {
		fmt.Fprintf(&sql, "\n  %s:\n", src.Name)
		for _, l := range strings.Split(strings.TrimSpace(src.Text), "\n") {
			sql.WriteString(strings.TrimRight("    "+l, " ") + "\n")
		}
	}
	var topics strings.Builder // grep -e patterns of the internal topics
	for _, n := range topo.Repartitions() {
		topics.WriteString(" -e " + topology.ResolveAppID(n.Binding.Topic, p.App))
	}
	metrics := "off (--http \"\")"
	if f.http != "" {
		h, port, _ := net.SplitHostPort(f.http)
		if h == "" || h == "0.0.0.0" || h == "::" {
			h = "localhost"
		}
		metrics = "http://" + net.JoinHostPort(h, port) + "/metrics (also /healthz, /readyz)"
	}
	fmt.Fprintf(w, `
eventflux dev is running:
  broker     %[1]s (%[2]s)
  generator  %[3]s
  worker     app %[4]s, %[5]s, writing %[6]s, %[12]s and %[13]s (dead letters: %[7]s)
  metrics    %[8]s

The application (bundled):
%[9]s
Try, in another terminal (apt-get install kcat):
  # the alerts, as committed (exactly once); add -e to exit at the end
  kcat -b %[10]s -C -t %[6]s -X isolation.level=read_committed -o beginning -f '%%k %%s\n'
  # every 10 s: a row per symbol traded, and one for the whole market
  # (2 s later: its window has a grace period)
  kcat -b %[10]s -C -t %[12]s -X isolation.level=read_committed -o beginning -f '%%k %%s\n'
  kcat -b %[10]s -C -t %[13]s -X isolation.level=read_committed -o beginning -f '%%s\n'
  # the market query's repartition topic (one partition), and the changelogs
  kcat -b %[10]s -L | grep%[14]s -e changelog
  # the windows' state, read back from the changelog topics
  KAFKA_BROKERS=%[1]s eventflux state -c testdata/pipelines/trades.yaml list
  # a trade of your own: an alert appears within a commit interval
  echo 'IBM:{"symbol":"IBM","price":99.5,"volume":7}' | kcat -b %[10]s -P -t %[11]s -K:
  # a malformed one goes to the dead-letter topic, with headers saying why
  echo 'IBM:{"symbol":"IBM","price":"oops"}' | kcat -b %[10]s -P -t %[11]s -K:
  kcat -b %[10]s -C -t %[7]s -X isolation.level=read_committed -o beginning -e -f '%%h\n  %%s\n'
  # run a second worker on the same topics (the partitions split)
  KAFKA_BROKERS=%[1]s HTTP_LISTEN=:8081 eventflux run -c testdata/pipelines/trades.yaml

Stop with Ctrl-C: the generator, then the worker, then the broker.
`, addr, data, gen, p.App, p.Processing.Guarantee, alerts, p.Errors.DLQTopic, metrics, sql.String(), host, input, volumes, market, topics.String())
}
