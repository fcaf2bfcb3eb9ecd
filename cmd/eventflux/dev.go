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
  - a worker running the bundled example (testdata/examples/trades.sql with
    testdata/pipelines/trades.yaml): alerts on trades above 50, exactly
    once, to the topic 'alerts'.

It prints kcat commands to watch the output and the metrics URL. Ctrl-C or
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
	kopts := kafka.Options{Brokers: p.Kafka.Brokers, ClientID: "eventflux-dev", Version: p.Kafka.Version}
	input, output := p.Streams["Trades"].Topic, p.Streams["Alerts"].Topic
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
			helpOnce.Do(func() { printDevHelp(stdout, b.Addr(), f, p, input, output) })
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
// at addr, with the SQL embedded in the binary.
func devPipeline(addr string, f devFlags) (*config.Pipeline, error) {
	env := map[string]string{"KAFKA_BROKERS": addr, "HTTP_LISTEN": f.http}
	if f.dataDir != "" {
		env["EVENTFLUX_STATE_DIR"] = f.dataDir + "-state"
	}
	lookup := func(name string) (string, bool) {
		v, ok := env[name]
		return v, ok
	}
	p, err := config.Parse(eventflux.TradesPipeline, config.WithFilename("testdata/pipelines/trades.yaml (bundled)"), config.WithLookupEnv(lookup))
	if err != nil {
		return nil, err
	}
	// The YAML names the SQL by its repository path; the binary carries it.
	p.SQL = config.SQL{Inline: eventflux.TradesSQL}
	return p, nil
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

func printDevHelp(w io.Writer, addr string, f devFlags, p *config.Pipeline, input, output string) {
	host := "localhost"
	if _, port, err := net.SplitHostPort(addr); err == nil {
		host += ":" + port
	}
	data := "in memory only"
	if f.dataDir != "" {
		data = "data in " + f.dataDir
	}
	gen := fmt.Sprintf("%s trades/s into %s (seed %d; every %dth is malformed)", strconv.FormatFloat(f.rate, 'f', -1, 64), input, f.seed, malformedEvery)
	if f.rate == 0 {
		gen = "off (--rate 0)"
	}
	var sql strings.Builder
	for _, l := range strings.Split(strings.TrimSpace(eventflux.TradesSQL), "\n") {
		sql.WriteString("    " + l + "\n")
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
  worker     app %[4]s, %[5]s, writing %[6]s (dead letters: %[7]s)
  metrics    %[8]s

The application (testdata/examples/trades.sql, bundled):
%[9]s
Try, in another terminal (apt-get install kcat):
  # the alerts, as committed (exactly once); add -e to exit at the end
  kcat -b %[10]s -C -t %[6]s -X isolation.level=read_committed -o beginning -f '%%k %%s\n'
  # a trade of your own: an alert appears within a commit interval
  echo 'IBM:{"symbol":"IBM","price":99.5,"volume":7}' | kcat -b %[10]s -P -t %[11]s -K:
  # a malformed one goes to the dead-letter topic, with headers saying why
  echo 'IBM:{"symbol":"IBM","price":"oops"}' | kcat -b %[10]s -P -t %[11]s -K:
  kcat -b %[10]s -C -t %[7]s -X isolation.level=read_committed -o beginning -e -f '%%h\n  %%s\n'
  # run a second worker on the same topics (the partitions split)
  KAFKA_BROKERS=%[1]s HTTP_LISTEN=:8081 eventflux run -c testdata/pipelines/trades.yaml

Stop with Ctrl-C: the generator, then the worker, then the broker.
`, addr, data, gen, p.App, p.Processing.Guarantee, output, p.Errors.DLQTopic, metrics, sql.String(), host, input)
}
