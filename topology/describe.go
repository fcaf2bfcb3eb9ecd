package topology

import (
	"fmt"
	"sort"
	"strings"
)

// Describe renders the topology for `eventflux explain`: its source
// streams with their bindings, its operators in topological order with
// their inputs and output schemas, its repartition topics and inner
// streams (when there are any), its output streams, and its
// sub-topologies with the topics each reads and writes.
func (t *Topology) Describe() string { return t.DescribeWith(nil) }

// DescribeWith is Describe with the bindings of streams named in
// bindings replaced by those (the pipeline YAML merged over the SQL, as
// the worker runs them).
func (t *Topology) DescribeWith(bindings map[string]Binding) string {
	d := describer{t: t, bindings: bindings}
	var b strings.Builder
	b.WriteString("sources:\n")
	d.streams(&b, t.Sources())
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
	if rs := t.Repartitions(); len(rs) > 0 {
		b.WriteString("repartition topics:\n")
		d.streams(&b, rs)
	}
	if is := t.streams(func(n *Node) bool { return n.Role == RoleInner }); len(is) > 0 {
		b.WriteString("inner streams:\n")
		d.streams(&b, is)
	}
	b.WriteString("outputs:\n")
	d.streams(&b, t.Outputs())
	d.subTopologies(&b)
	return b.String()
}

// describer renders a topology with binding overrides.
type describer struct {
	t        *Topology
	bindings map[string]Binding
}

// binding returns n's binding, or its override.
func (d describer) binding(n *Node) Binding {
	if b, ok := d.bindings[n.Info.Name]; ok {
		return b
	}
	return n.Binding
}

// subTopologies lists each sub-topology: what it reads, the processors
// it runs, and what it writes.
func (d describer) subTopologies(b *strings.Builder) {
	b.WriteString("sub-topologies:\n")
	for _, s := range d.t.subs {
		fmt.Fprintf(b, "  %d: %s\n", s.ID, s.Name)
		fmt.Fprintf(b, "    sources: %s\n", d.refs(s.Sources))
		var procs []string
		for _, n := range s.Nodes {
			if n.Kind == ProcessorNode {
				procs = append(procs, n.Info.Name)
			}
		}
		if len(procs) > 0 {
			fmt.Fprintf(b, "    processors: %s\n", strings.Join(procs, ", "))
		}
		if len(s.Sinks) > 0 {
			fmt.Fprintf(b, "    sinks: %s\n", d.refs(s.Sinks))
		}
	}
}

// refs renders stream nodes as "Name (topic t, key k)" entries.
func (d describer) refs(nodes []*Node) string {
	if len(nodes) == 0 {
		return "(none)"
	}
	parts := make([]string, len(nodes))
	for i, n := range nodes {
		bind := d.binding(n)
		var where []string
		if bind.Internal() {
			where = append(where, "internal")
		} else {
			where = append(where, "topic "+bind.Topic)
		}
		if len(bind.Key) > 0 {
			where = append(where, "key "+strings.Join(bind.Key, ","))
		}
		if bind.Partitions > 0 {
			where = append(where, fmt.Sprintf("%d partition(s)", bind.Partitions))
		}
		parts[i] = n.Info.Name + " (" + strings.Join(where, ", ") + ")"
	}
	return strings.Join(parts, ", ")
}

func (d describer) streams(b *strings.Builder, nodes []*Node) {
	if len(nodes) == 0 {
		b.WriteString("  (none)\n")
	}
	for _, n := range nodes {
		fmt.Fprintf(b, "  %s\n    %s\n", n.Info.Schema.String(), describeBinding(d.binding(n)))
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
		if len(bind.Key) > 0 {
			return "internal (no topic) key=" + strings.Join(bind.Key, ",")
		}
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
