// Command eventflux is the EventFlux CLI: it compiles, explains and
// replays EventFlux SQL applications (and, as they land, runs workers).
//
// Exit codes: 0 on success, 1 when the command fails (bad SQL, a bad input
// line, an I/O error), 2 on a usage error (unknown command or flag, wrong
// arguments).
package main

import (
	"context"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3";
// when empty, the module version from the build info is used.
var version string

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes the CLI with args and returns the process exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	root, st := newRootCmd()
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return 0
	}
	return st.report(stderr, cmd, err)
}
