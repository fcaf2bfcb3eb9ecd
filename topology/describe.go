package topology

import (
	"fmt"
	"sort"
	"strings"
)

// Describe renders the topology for `eventflux explain`: its source
// streams with their bindings, its operators in topological order with
// their inputs and output schemas, and its output streams.
func (t *Topology) Describe() string {
	var b strings.Builder
	b.WriteString("sources:\n")
	t.describeStreams(&b, t.Sources())
	b.WriteString("operators:\n")
	for _, n := range t.Nodes() {
		if n.Kind != ProcessorNode {
			continue
		}
		fmt.Fprintf(&b, "  %s: %s", n.Info.Name, n.Info.Op)
		if n.Info.Detail != "" {
			fmt.Fprintf(&b, " %s", n.Info.Detail)
		}
		fmt.Fprintf(&b, "\n    from: %s\n", strings.Join(n.Parents, ", "))
		if n.Info.Schema != nil {
			fmt.Fprintf(&b, "    schema: %s\n", attrList(n.Info.Schema))
		}
	}
	b.WriteString("outputs:\n")
	t.describeStreams(&b, t.Outputs())
	return b.String()
}

func (t *Topology) describeStreams(b *strings.Builder, nodes []*Node) {
	if len(nodes) == 0 {
		b.WriteString("  (none)\n")
	}
	for _, n := range nodes {
		fmt.Fprintf(b, "  %s\n    %s\n", n.Info.Schema.String(), describeBinding(n.Binding))
		if len(n.Parents) > 0 {
			fmt.Fprintf(b, "    from: %s\n", strings.Join(n.Parents, ", "))
		}
		if len(n.Children) > 0 {
			fmt.Fprintf(b, "    to: %s\n", strings.Join(n.Children, ", "))
		}
	}
}

func describeBinding(bind Binding) string {
	if bind.Internal() {
		return "internal (no topic)"
	}
	parts := []string{"topic=" + bind.Topic}
	if bind.Format != "" {
		parts = append(parts, "format="+bind.Format)
	}
	if len(bind.Key) > 0 {
		parts = append(parts, "key="+strings.Join(bind.Key, ","))
	}
	if bind.Timestamp != "" {
		parts = append(parts, "timestamp="+bind.Timestamp)
	} else {
		parts = append(parts, "timestamp=<record timestamp>")
	}
	if bind.Partitions > 0 {
		parts = append(parts, fmt.Sprintf("partitions=%d", bind.Partitions))
	}
	keys := make([]string, 0, len(bind.Options))
	for k := range bind.Options {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s=%s", k, bind.Options[k]))
	}
	return strings.Join(parts, " ")
}

func attrList(s *Schema) string {
	full := s.String()
	return full[len(s.Name):]
}
