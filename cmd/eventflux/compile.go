package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/eventflux-io/eventflux-go/sqlc"
	"github.com/eventflux-io/eventflux-go/topology"
)

// compileFile reads and compiles the SQL file at path. Compile errors are
// printed to stderr, every one with its excerpt (file:line:col, source
// line, caret, hint), and returned as a *reportedError.
func compileFile(path string, stderr io.Writer) (*sqlc.Program, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	prog, err := sqlc.Compile(string(src), sqlc.Options{File: path})
	var list sqlc.ErrorList
	if errors.As(err, &list) {
		for _, e := range list {
			fmt.Fprintf(stderr, "%s\n\n", e.Excerpt(string(src)))
		}
		return nil, &reportedError{summary: fmt.Sprintf("%s: %s", path, plural(len(list), "compile error"))}
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return prog, nil
}

// counts returns the number of streams and of queries in t. A query is
// counted by its last operator: a processor that inserts into a stream.
func counts(t *topology.Topology) (streams, queries int) {
	for _, n := range t.Nodes() {
		if n.Kind == topology.StreamNode {
			streams++
			continue
		}
		for _, c := range n.Children {
			if child := t.Node(c); child != nil && child.Kind == topology.StreamNode {
				queries++
				break
			}
		}
	}
	return streams, queries
}

// plural renders "1 stream", "2 streams".
func plural(n int, noun string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", noun)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
