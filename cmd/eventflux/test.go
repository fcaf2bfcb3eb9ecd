package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/eventflux-io/eventflux-go/internal/testscript"
)

func newTestCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "test FILE.test|DIR...",
		Short: "Run .test scripts against the in-memory engine",
		Long: `Test runs .test scripts: each compiles SQL apps, sends events, moves stream time
and checks every output, without Kafka. A directory means every *.test file
under it. See docs/testing.md for the script language.

It prints "ok   FILE (N expectations)" or "FAIL FILE" with each failure as
FILE:LINE: ..., then "N passed, N failed". It exits 1 if any script fails.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			files, err := testscript.Expand(args)
			if err != nil {
				return err
			}
			sum := testscript.RunFiles(cmd.OutOrStdout(), files, func() testscript.Backend { return testscript.NewMemory() })
			if sum.Failed > 0 {
				return &reportedError{summary: fmt.Sprintf("test failed: %d of %d scripts", sum.Failed, sum.Failed+sum.Passed)}
			}
			return nil
		},
	}
}
