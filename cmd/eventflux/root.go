package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"
)

// Exit codes.
const (
	exitFailure = 1
	exitUsage   = 2
)

// newRootCmd returns the eventflux command with every subcommand, and the
// state that tells usage errors from failures.
func newRootCmd() (*cobra.Command, *cliState) {
	st := &cliState{}
	root := &cobra.Command{
		Use:           "eventflux",
		Short:         "EventFlux: a Kafka-native stream processor programmed in SQL",
		Version:       versionString(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.AddCommand(
		// Subcommands, one constructor each, in help order.
		newReplayCmd(),
		newCheckCmd(),
		newExplainCmd(),
		newTestCmd(),
		newDevCmd(),
		newBrokerCmd(),
		newRunCmd(),
		newStateCmd(),
		newVersionCmd(),
	)
	st.markStart(root)
	return root, st
}

// markStart wraps the RunE of c and its descendants to record that the
// command started: cobra has validated flags and arguments by then, so an
// error after it is a failure of the command, not of its usage.
func (st *cliState) markStart(c *cobra.Command) {
	if run := c.RunE; run != nil {
		c.RunE = func(cmd *cobra.Command, args []string) error {
			st.started = true
			return run(cmd, args)
		}
	}
	for _, sub := range c.Commands() {
		st.markStart(sub)
	}
}

// cliState records how far a command got.
type cliState struct {
	started bool
}

// usageError is an error in how the CLI was invoked (exit code 2).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// reportedError is a failure whose details have already been printed
// (compile errors with their excerpts); main prints only its summary.
type reportedError struct{ summary string }

func (e *reportedError) Error() string { return e.summary }

// report prints err as "eventflux: <err>" and returns the exit code: 2 for
// usage errors (anything before the command ran), 1 otherwise.
func (st *cliState) report(stderr io.Writer, cmd *cobra.Command, err error) int {
	fmt.Fprintf(stderr, "eventflux: %v\n", err)
	var ue usageError
	if errors.As(err, &ue) || !st.started {
		name := "eventflux"
		if cmd != nil {
			name = cmd.CommandPath()
		}
		fmt.Fprintf(stderr, "Run '%s --help' for usage.\n", name)
		return exitUsage
	}
	return exitFailure
}
