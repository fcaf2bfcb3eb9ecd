package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/eventflux-io/eventflux-go/internal/devbroker"
)

// brokerFlags are the flags of `eventflux broker`.
type brokerFlags struct {
	port, partitions int
	dataDir          string
}

func newBrokerCmd() *cobra.Command {
	var f brokerFlags
	cmd := &cobra.Command{
		Use:   "broker [--port 9092] [--data-dir DIR] [--partitions N]",
		Short: "Run an embedded Kafka-protocol broker for development",
		Long: `Broker runs an in-process Kafka-protocol broker (franz-go's kfake) on
127.0.0.1, for trying EventFlux, and several workers, without installing
Kafka. Topics are created on first use. Topics, records, committed offsets
and groups are kept in the data directory and survive a restart; pass
--data-dir "" to keep them in memory only.

It is a fake that holds every record in memory: never use it in production.
It runs until interrupted (Ctrl-C or SIGTERM).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runBroker(cmd, f) },
	}
	fl := cmd.Flags()
	fl.IntVar(&f.port, "port", devbroker.DefaultPort, "TCP port on 127.0.0.1")
	fl.StringVar(&f.dataDir, "data-dir", devbroker.DefaultDataDir(), `directory that keeps the broker's state across restarts; "" keeps it in memory`)
	fl.IntVar(&f.partitions, "partitions", 3, "partitions of topics created on first use")
	return cmd
}

func runBroker(cmd *cobra.Command, f brokerFlags) error {
	if f.partitions < 1 {
		return usageError{fmt.Errorf("--partitions must be at least 1, got %d", f.partitions)}
	}
	b, err := devbroker.Start(devbroker.Options{
		Port:       f.port,
		DataDir:    f.dataDir,
		Partitions: f.partitions,
		Log:        cmd.ErrOrStderr(),
	})
	if err != nil {
		return err
	}
	printBrokerHelp(cmd.OutOrStdout(), b.Addr(), f)
	<-cmd.Context().Done()
	fmt.Fprintln(cmd.OutOrStdout(), "eventflux broker: shutting down")
	b.Close()
	fmt.Fprintln(cmd.OutOrStdout(), "eventflux broker: stopped")
	return nil
}

func printBrokerHelp(w io.Writer, addr string, f brokerFlags) {
	data := "in memory only"
	if f.dataDir != "" {
		data = "data in " + f.dataDir
	}
	fmt.Fprintf(w, `eventflux broker: listening on %[1]s (%[2]s; new topics get %[3]d partitions)
A development fake that keeps every record in memory. Stop it with Ctrl-C.

Try it with kcat (apt-get install kcat):
  kcat -b %[1]s -L
  echo 'IBM:{"symbol":"IBM","price":75.5,"volume":100}' | kcat -b %[1]s -P -t trades -K:
  kcat -b %[1]s -C -t trades -o beginning -e -f '%%k %%s\n'
  kcat -b %[1]s -X auto.offset.reset=earliest -G my-group trades

Run workers against it (start several to see the partitions split):
  eventflux run -c testdata/pipelines/trades.yaml
  kcat -b %[1]s -C -t alerts -X isolation.level=read_committed -o beginning
  # per symbol and market-wide, per 10 s of trade time: a window's rows
  # come out when a trade past its end (2 s past, for market) reaches it
  kcat -b %[1]s -C -t volumes -X isolation.level=read_committed -o beginning
  kcat -b %[1]s -C -t market -X isolation.level=read_committed -o beginning
`, addr, data, f.partitions)
}
