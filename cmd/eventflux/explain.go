package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/eventflux-io/eventflux-go/config"
	"github.com/eventflux-io/eventflux-go/sqlc"
	"github.com/eventflux-io/eventflux-go/topology"
)

func newExplainCmd() *cobra.Command {
	var plan bool
	var pipeline string
	cmd := &cobra.Command{
		Use:   "explain (FILE.sql | -c pipeline.yaml)",
		Short: "Show the topology (or, with --plan, the logical plan) an application compiles to",
		Long: `Explain prints the topology an application compiles to: sources, operators,
repartition topics, outputs, sub-topologies (with the names of their tasks)
and notes. With -c it compiles the pipeline's SQL files with its stream
settings, as eventflux run does (a record key given in the YAML counts for
partitioning), and names internal topics with the pipeline's app id.`,
		Args: func(_ *cobra.Command, args []string) error {
			switch {
			case pipeline == "" && len(args) != 1:
				return usageError{errors.New("explain needs one SQL file, or -c pipeline.yaml")}
			case pipeline != "" && len(args) != 0:
				return usageError{errors.New("explain takes a SQL file or -c pipeline.yaml, not both")}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			var prog *sqlc.Program
			var bindings map[string]topology.Binding
			app := ""
			if pipeline != "" {
				p, err := config.Load(pipeline)
				if err != nil {
					return err
				}
				if prog, err = compilePipeline(p, cmd.ErrOrStderr()); err != nil {
					return err
				}
				if bindings, err = mergeBindings(prog.Topology, p.Streams); err != nil {
					return err
				}
				app = p.App
			} else {
				var err error
				if prog, err = compileFile(args[0], cmd.ErrOrStderr()); err != nil {
					return err
				}
			}
			out := prog.DescribeWith(bindings)
			if plan {
				out = prog.Plan
			}
			if app != "" {
				out = topology.ResolveAppID(out, app)
			}
			_, err := fmt.Fprint(cmd.OutOrStdout(), ensureNewline(out))
			return err
		},
	}
	cmd.Flags().BoolVar(&plan, "plan", false, "print the logical plan instead of the topology")
	cmd.Flags().StringVarP(&pipeline, "config", "c", "", "explain the pipeline in this YAML file instead of a SQL file")
	return cmd
}

func ensureNewline(s string) string {
	if s != "" && s[len(s)-1] != '\n' {
		return s + "\n"
	}
	return s
}
