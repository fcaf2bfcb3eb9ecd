package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

func newExplainCmd() *cobra.Command {
	var plan bool
	cmd := &cobra.Command{
		Use:   "explain FILE.sql",
		Short: "Show the topology (or, with --plan, the logical plan) an application compiles to",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			prog, err := compileFile(args[0], cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			out := prog.Describe()
			if plan {
				out = prog.Plan
			}
			_, err = fmt.Fprint(cmd.OutOrStdout(), ensureNewline(out))
			return err
		},
	}
	cmd.Flags().BoolVar(&plan, "plan", false, "print the logical plan instead of the topology")
	return cmd
}

func ensureNewline(s string) string {
	if s != "" && s[len(s)-1] != '\n' {
		return s + "\n"
	}
	return s
}
