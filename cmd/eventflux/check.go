package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

func newCheckCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "check FILE.sql...",
		Short: "Compile SQL files and report every error",
		Long: "Check compiles each file and prints every error with its position, source line and hint to " +
			"stderr. On success it prints a summary per file. It exits 1 if any file has errors.",
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			failed := 0
			for _, path := range args {
				prog, err := compileFile(path, cmd.ErrOrStderr())
				if err != nil {
					failed++
					if _, reported := err.(*reportedError); !reported {
						fmt.Fprintf(cmd.ErrOrStderr(), "%v\n", err)
					}
					continue
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%s: ok: %s, %s\n", path, plural(prog.Streams, "stream", "streams"), plural(prog.Queries, "query", "queries"))
			}
			if failed > 0 {
				return &reportedError{summary: fmt.Sprintf("check failed: %d of %s", failed, plural(len(args), "file", "files"))}
			}
			return nil
		},
	}
}
