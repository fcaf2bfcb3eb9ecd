package ast

import (
	"strings"
)

// Partition is PARTITION WITH (attr OF Stream, ...) BEGIN queries END: every
// query inside keeps separate state per value of its stream's partition
// attribute (Siddhi's value partitions).
type Partition struct {
	At Pos
	// Keys are the partition keys, one per partitioned stream, in source
	// order.
	Keys []*PartitionKey
	// Queries are the inner queries, in source order.
	Queries []*Query
	// End is the position of the closing END.
	End Pos
}

// PartitionKey is one "attr OF Stream" entry of a PARTITION WITH.
type PartitionKey struct {
	Attr   *Ident
	Stream *Ident
}

func (*Partition) stmtNode() {}

// Pos implements Node.
func (p *Partition) Pos() Pos { return p.At }

// String renders the block on one line; each inner query ends in ';'.
func (p *Partition) String() string {
	var b strings.Builder
	b.WriteString("PARTITION WITH (")
	for i, k := range p.Keys {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(k.String())
	}
	b.WriteString(") BEGIN ")
	for _, q := range p.Queries {
		b.WriteString(q.String())
		b.WriteString("; ")
	}
	b.WriteString("END")
	return b.String()
}

// String renders "attr OF Stream".
func (k *PartitionKey) String() string { return k.Attr.String() + " OF " + k.Stream.String() }

// IsInnerStream reports whether the name is a partition's inner stream
// (#Name, written without quotes), which exists only inside its PARTITION
// WITH block.
func (i *Ident) IsInnerStream() bool {
	return i != nil && !i.Quoted && len(i.Name) > 1 && i.Name[0] == '#'
}
