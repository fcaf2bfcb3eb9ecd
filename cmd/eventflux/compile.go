package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/eventflux-io/eventflux-go/sqlc"
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
		return nil, &reportedError{summary: fmt.Sprintf("%s: %s", path, plural(len(list), "compile error", "compile errors"))}
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return prog, nil
}

// plural renders "1 query", "2 queries".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
