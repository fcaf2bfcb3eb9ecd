package parser

import (
	"github.com/eventflux-io/eventflux-go/sqlc/ast"
)

// partition parses PARTITION WITH (attr OF Stream [, ...]) BEGIN queries
// END. An error inside one inner query abandons only that query: parsing
// goes on after its ';', so every inner mistake is reported. The final ';'
// is left for endStatement.
func (p *parser) partition() *ast.Partition {
	part := &ast.Partition{At: p.advance().pos}
	p.partitionHeader(part)
	p.inPartition = true
	defer func() { p.inPartition = false }()
	failed := false
	for {
		t := p.tok()
		switch {
		case t.kind == tSemi:
			p.i++
			continue
		case t.is("END"):
			part.End = p.advance().pos
			if len(part.Queries) == 0 && !failed {
				p.fail(t, "PARTITION WITH block has no queries", "put one or more INSERT INTO ... SELECT ...; between BEGIN and END")
			}
			return part
		case t.kind == tEOF:
			p.fail(t, "expected END to close the PARTITION WITH block begun at "+part.At.String(), "")
		}
		if q, ok := p.innerQuery(); ok {
			part.Queries = append(part.Queries, q)
		} else {
			failed = true
		}
	}
}

// partitionHeader parses WITH (keys) BEGIN. On an error it skips the whole
// block (up to its END) before abandoning the statement, so the inner
// queries are not misread as top-level statements.
func (p *parser) partitionHeader(part *ast.Partition) {
	defer func() {
		if r := recover(); r != nil {
			if _, is := r.(bailout); is {
				p.skipToBlockEnd()
			}
			panic(r)
		}
	}()
	if t := p.tok(); !t.isWord("WITH") {
		p.fail(t, "expected WITH after PARTITION", typoHint(t, "WITH"))
	}
	p.i++
	p.expect(tLParen, "( after PARTITION WITH")
	for {
		part.Keys = append(part.Keys, p.partitionKey())
		if p.tok().kind != tComma {
			break
		}
		p.i++
	}
	p.expect(tRParen, ", or ) after the partition key")
	if t := p.tok(); !t.isWord("BEGIN") {
		p.fail(t, "expected BEGIN after the partition keys", typoHint(t, "BEGIN"))
	}
	p.i++
}

// skipToBlockEnd skips, from a broken partition header, to the END that
// closes the block's BEGIN, when a BEGIN comes before the next ';';
// otherwise it leaves the ';' for the statement recovery.
func (p *parser) skipToBlockEnd() {
	j := p.i
	for ; p.toks[j].kind != tEOF && p.toks[j].kind != tSemi; j++ {
		if p.toks[j].isWord("BEGIN") {
			p.i = j + 1
			for {
				p.skipInnerQuery()
				if t := p.tok(); t.kind == tEOF || t.is("END") {
					p.advance()
					return
				}
			}
		}
	}
}

// partitionKey parses "attr OF Stream". Siddhi's range partitions
// ("price < 100 AS 'low' OR ... OF Stream") are reported as unsupported.
func (p *parser) partitionKey() *ast.PartitionKey {
	attr := p.name("partition attribute")
	if t := p.tok(); !t.isWord("OF") {
		switch t.kind {
		case tLt, tLe, tGt, tGe, tEq, tNe:
			p.fail(t, "range partitions are not supported yet", "partition by an attribute's value: PARTITION WITH (attr OF Stream)")
		}
		if t.is("AS") || t.is("AND") || t.is("OR") {
			p.fail(t, "range partitions are not supported yet", "partition by an attribute's value: PARTITION WITH (attr OF Stream)")
		}
		p.fail(t, "expected OF after the partition attribute", "write PARTITION WITH ("+attr.String()+" OF Stream)")
	}
	p.i++
	return &ast.PartitionKey{Attr: attr, Stream: p.name("stream name")}
}

// innerQuery parses one query of a partition block and the ';' after it
// (optional before END). On an error it skips to the end of the query and
// reports ok=false.
func (p *parser) innerQuery() (q *ast.Query, ok bool) {
	defer func() {
		if r := recover(); r != nil {
			if _, is := r.(bailout); !is {
				panic(r)
			}
			p.skipInnerQuery()
			q, ok = nil, false
		}
	}()
	p.depth, p.inWindow, p.noIn = 0, false, false
	t := p.tok()
	switch {
	case t.is("SELECT"), t.is("INSERT"):
	case t.isWord("PARTITION"):
		p.fail(t, "PARTITION WITH blocks do not nest", "close the block with END before starting another")
	case t.isWord("CREATE"):
		p.fail(t, "only queries may appear inside PARTITION WITH", "declare streams before the PARTITION WITH block")
	default:
		hint := typoHint(t, "SELECT", "INSERT", "END")
		p.fail(t, "expected a query or END inside PARTITION WITH", hint)
	}
	q = p.query()
	switch t := p.tok(); {
	case t.kind == tSemi:
		p.i++
	case t.is("END"):
	default:
		p.fail(t, "expected ; after the query", "")
	}
	return q, true
}

// skipInnerQuery skips past the next ';', or up to (not past) the END that
// closes the partition block; END keywords that close CASE expressions are
// matched with their CASE.
func (p *parser) skipInnerQuery() {
	cases := 0
	for {
		t := p.tok()
		switch {
		case t.kind == tEOF:
			return
		case t.kind == tSemi:
			p.i++
			return
		case t.is("CASE"):
			cases++
		case t.is("END"):
			if cases == 0 {
				return
			}
			cases--
		}
		p.i++
	}
}
