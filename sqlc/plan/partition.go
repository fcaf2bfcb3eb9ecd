package plan

import (
	"fmt"
	"strings"

	"github.com/eventflux-io/eventflux-go/sqlc/ast"
	"github.com/eventflux-io/eventflux-go/sqlc/diag"
	"github.com/eventflux-io/eventflux-go/topology"
)

// PartitionBlock is a bound PARTITION WITH block: its partition keys and
// its queries, each of which keeps separate state per partition key value.
type PartitionBlock struct {
	At ast.Pos
	// Keys are the partitioned streams with their partition attributes, in
	// source order.
	Keys []*PartitionKey
	// Queries are the block's bound queries, in plan order.
	Queries []*Query
	// header is the block's header as SQL, part of its queries' canonical
	// descriptions.
	header string
	// failed is set when one of its queries did not bind (an unused key
	// is then not worth reporting).
	failed bool
}

// PartitionKey is a bound "attr OF Stream": events of Stream are
// partitioned by the value of attribute Index.
type PartitionKey struct {
	At     ast.Pos
	Stream *Stream
	Attr   string
	Index  int
	Type   topology.Type
	// src is the key as written; used records whether a query read Stream.
	src      *ast.PartitionKey
	resolved bool
	used     bool
}

// String renders "attr OF Stream".
func (k *PartitionKey) String() string { return k.Attr + " OF " + k.src.Stream.Name }

// beginPartition records a PARTITION WITH block; its keys are resolved when
// its queries bind (the streams may be defined by earlier queries).
func (b *binder) beginPartition(p *ast.Partition) *PartitionBlock {
	blk := &PartitionBlock{At: p.At}
	seen := map[string]*ast.PartitionKey{}
	var keys []string
	for _, k := range p.Keys {
		if prev := seen[k.Stream.Name]; prev != nil {
			b.errorf(k.Stream.At, k.Stream.Name, "stream %s is partitioned twice (first by %s at %s)", k.Stream.Name, prev.Attr.Name, prev.Attr.At).
				WithHint("partition each stream by one attribute")
			continue
		}
		if k.Stream.IsInnerStream() {
			b.errorf(k.Stream.At, k.Stream.Name, "inner stream %s cannot be partitioned", k.Stream.Name).
				WithHint("inner streams are already partitioned by their block's key; partition the stream that feeds it")
			continue
		}
		seen[k.Stream.Name] = k
		keys = append(keys, k.String())
		blk.Keys = append(blk.Keys, &PartitionKey{At: k.Attr.At, Attr: k.Attr.Name, src: k})
	}
	blk.header = "PARTITION WITH (" + strings.Join(keys, ", ") + ")"
	b.plan.Blocks = append(b.plan.Blocks, blk)
	return blk
}

// key returns the partition key of the stream called name, resolving it
// against the stream's schema on first use; nil when the block does not
// partition that stream. ok is false when the key names an unknown
// attribute (the error is recorded once).
func (b *binder) partitionKey(blk *PartitionBlock, in *Stream) (key *PartitionKey, ok bool) {
	for _, k := range blk.Keys {
		if k.src.Stream.Name != in.Schema.Name {
			continue
		}
		k.used = true
		if !k.resolved {
			k.resolved = true
			k.Stream = in
			k.Index = in.Schema.Index(k.Attr)
			if k.Index < 0 {
				b.unknownKeyAttr(k, in)
			} else {
				k.Type = in.Schema.Attrs[k.Index].Type
			}
		}
		return k, k.Index >= 0
	}
	return nil, true
}

func (b *binder) unknownKeyAttr(k *PartitionKey, in *Stream) {
	b.errorf(k.At, k.Attr, "unknown partition attribute '%s' in stream %s", k.Attr, in.Schema.Name).
		WithHint("%s", hintOr(diag.DidYouMean(k.Attr, in.Schema.Names()), "attributes are "+strings.Join(in.Schema.Names(), ", ")))
}

// finishPartitions checks, once every query is bound, the keys no query
// resolved: an unknown stream, or a partitioned stream no query of the
// block reads (a key that would silently do nothing).
func (b *binder) finishPartitions() {
	for _, blk := range b.plan.Blocks {
		for _, k := range blk.Keys {
			if k.used {
				continue
			}
			name := k.src.Stream
			s := b.streams[name.Name]
			switch {
			case s == nil:
				b.errorf(name.At, name.Name, "unknown stream %s", name.Name).
					WithHint("%s", hintOr(diag.DidYouMean(name.Name, b.streamNames()), "declare it with CREATE STREAM, or insert into it from another query"))
			case s.Inner:
				b.errorf(name.At, name.Name, "inner stream %s cannot be partitioned", name.Name).
					WithHint("inner streams are already partitioned by their block's key")
			case s.Schema.Index(k.Attr) < 0:
				b.unknownKeyAttr(k, s)
			case !blk.failed:
				b.errorf(name.At, name.Name, "no query of this PARTITION WITH block reads %s", name.Name).
					WithHint("remove %s from the partition keys, or add a query reading it", k.String())
			}
		}
	}
}

// bindInput resolves the stream a query reads, with the rules of
// partitions: #Inner streams only inside their own block, and a query
// inside a block reads a partitioned or inner stream. key is the input's
// partition key (nil outside blocks and for inner streams).
func (b *binder) bindInput(from *ast.Ident, blk *PartitionBlock) (in *Stream, key *PartitionKey, ok bool) {
	in = b.streams[from.Name]
	if in == nil {
		if from.IsInnerStream() {
			e := b.errorf(from.At, from.Name, "unknown inner stream %s", from.Name)
			if blk == nil {
				e.WithHint("inner streams (#Name) exist only inside PARTITION WITH blocks")
			} else {
				e.WithHint("%s", hintOr(diag.DidYouMean(from.Name, b.innerNames(blk)), "insert into it from a query of this block"))
			}
			return nil, nil, false
		}
		b.errorf(from.At, from.Name, "unknown stream %s", from.Name).
			WithHint("%s", hintOr(diag.DidYouMean(from.Name, b.streamNames()), "declare it with CREATE STREAM, or insert into it from another query"))
		return nil, nil, false
	}
	if in.Inner {
		if blk != in.Block {
			b.innerElsewhere(from, in, blk)
			return nil, nil, false
		}
		return in, nil, true
	}
	if blk == nil {
		return in, nil, true
	}
	key, ok = b.partitionKey(blk, in)
	if key == nil {
		var parts []string
		for _, k := range blk.Keys {
			parts = append(parts, k.src.Stream.Name)
		}
		b.errorf(from.At, from.Name, "query inside PARTITION WITH reads %s, which the block does not partition", from.Name).
			WithHint("add '<attr> OF %s' to PARTITION WITH (...), or move the query out of the block (it partitions %s)", from.Name, strings.Join(parts, ", "))
		return nil, nil, false
	}
	return in, key, ok
}

// checkTarget applies the partition rules to an INSERT INTO target: an
// inner stream belongs to the block of the first query inserting into it.
func (b *binder) checkTarget(target *ast.Ident, blk *PartitionBlock) bool {
	s := b.streams[target.Name]
	switch {
	case s != nil && s.Inner && s.Block != blk:
		b.innerElsewhere(target, s, blk)
		return false
	case s == nil && target.IsInnerStream() && blk == nil:
		b.errorf(target.At, target.Name, "inner stream %s used outside PARTITION WITH", target.Name).
			WithHint("inner streams (#Name) exist only inside PARTITION WITH blocks; drop the '#' for an ordinary stream")
		return false
	}
	return true
}

func (b *binder) innerElsewhere(at *ast.Ident, s *Stream, blk *PartitionBlock) {
	if blk == nil {
		b.errorf(at.At, at.Name, "inner stream %s used outside PARTITION WITH", at.Name).
			WithHint("%s belongs to the PARTITION WITH block at %s; only its queries may use it", at.Name, s.Block.At)
		return
	}
	b.errorf(at.At, at.Name, "inner stream %s belongs to another PARTITION WITH block (at %s)", at.Name, s.Block.At).
		WithHint("inner streams are local to their block; give this one another name")
}

// innerNames lists the inner streams of blk, for hints.
func (b *binder) innerNames(blk *PartitionBlock) []string {
	var names []string
	for _, s := range b.plan.Streams {
		if s.Inner && s.Block == blk {
			names = append(names, s.Schema.Name)
		}
	}
	return names
}

// describeBlock renders the block's header line for Plan.String.
func (blk *PartitionBlock) describe() string {
	keys := make([]string, len(blk.Keys))
	for i, k := range blk.Keys {
		keys[i] = fmt.Sprintf("%s %s", k.String(), k.Type)
	}
	return "partition with (" + strings.Join(keys, ", ") + ")"
}
