package main

import (
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/eventflux-io/eventflux-go/config"
	"github.com/eventflux-io/eventflux-go/internal/replay"
	"github.com/eventflux-io/eventflux-go/sqlc"
	"github.com/eventflux-io/eventflux-go/topology"
)

// replayFlags are the flags of `eventflux replay`.
type replayFlags struct {
	sql, config, input, output string
	skipBad                    bool
}

func newReplayCmd() *cobra.Command {
	var f replayFlags
	cmd := &cobra.Command{
		Use:   "replay (--sql app.sql | -c pipeline.yaml) [--input events.jsonl] [--output out.jsonl]",
		Short: "Run an application offline over a file of events",
		Long: `Replay compiles the application and runs it over input lines, in file order,
through the same task code as the live worker:

  {"stream":"Trades","ts":1000,"data":{"symbol":"IBM","price":75.5}}
  {"watermark":5000}     advance stream time to 5000 ms with no event

It writes one line per event a query inserts into a stream, in emission order.
End of input does not advance time. With -c, the application is the
pipeline's SQL with its YAML stream bindings, exactly as 'eventflux run'
compiles it.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runReplay(cmd, f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.sql, "sql", "", "SQL application file")
	fl.StringVarP(&f.config, "config", "c", "", "pipeline YAML whose SQL (and stream bindings) to replay")
	fl.StringVarP(&f.input, "input", "i", "-", "input file of event lines; - is stdin")
	fl.StringVarP(&f.output, "output", "o", "-", "output file; - is stdout")
	fl.BoolVar(&f.skipBad, "skip-bad", false, "report bad input lines on stderr and go on, instead of failing")
	cmd.MarkFlagsMutuallyExclusive("sql", "config")
	cmd.MarkFlagsOneRequired("sql", "config")
	return cmd
}

func runReplay(cmd *cobra.Command, f replayFlags) (err error) {
	prog, bindings, err := replayProgram(cmd, f)
	if err != nil {
		return err
	}
	in, closeIn, err := openInput(cmd, f.input)
	if err != nil {
		return err
	}
	defer closeIn()
	out, closeOut, err := openOutput(cmd, f.output)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := closeOut(); err == nil && cerr != nil {
			err = cerr
		}
	}()
	stats, err := replay.Run(cmd.Context(), prog.Topology, in, out, replay.Options{SkipBad: f.skipBad, Rejects: cmd.ErrOrStderr(), Bindings: bindings})
	if stats.Rejected > 0 {
		fmt.Fprintf(cmd.ErrOrStderr(), "eventflux: replay: %s of %d rejected\n", plural(int(stats.Rejected), "line", "lines"), stats.Lines)
	}
	if err != nil && f.input != "-" {
		return fmt.Errorf("%s: %w", f.input, err)
	}
	return err
}

// replayProgram compiles the --sql file, or the -c pipeline's SQL with its
// YAML stream bindings merged over the SQL ones.
func replayProgram(cmd *cobra.Command, f replayFlags) (*sqlc.Program, map[string]topology.Binding, error) {
	if f.config == "" {
		prog, err := compileFile(f.sql, cmd.ErrOrStderr())
		return prog, nil, err
	}
	p, err := config.Load(f.config)
	if err != nil {
		return nil, nil, err
	}
	prog, err := compilePipeline(p, cmd.ErrOrStderr())
	if err != nil {
		return nil, nil, err
	}
	bindings, err := mergeBindings(prog.Topology, p.Streams)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", f.config, err)
	}
	return prog, bindings, nil
}

func openInput(cmd *cobra.Command, path string) (io.Reader, func(), error) {
	if path == "-" {
		return cmd.InOrStdin(), func() {}, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	return f, func() { f.Close() }, nil
}

func openOutput(cmd *cobra.Command, path string) (io.Writer, func() error, error) {
	if path == "-" {
		return cmd.OutOrStdout(), func() error { return nil }, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, nil, err
	}
	return f, f.Close, nil
}
