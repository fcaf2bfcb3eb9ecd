package expr

import (
	"github.com/eventflux-io/eventflux-go/sqlc/ast"
	"github.com/eventflux-io/eventflux-go/sqlc/diag"
	"github.com/eventflux-io/eventflux-go/topology"
)

// Scope resolves attribute references during binding.
type Scope interface {
	Resolve(ref *ast.ColumnRef) (Column, *diag.Error)
}

// streamScope resolves names against one stream at slot 0.
type streamScope struct {
	schema *topology.Schema
	alias  string
}

// NewStreamScope returns a scope over one stream at slot 0. A qualifier may
// be the stream name or alias (alias may be ""). An unknown attribute is the
// error "unknown attribute 'prcie' in stream Trades" with the hint "did you
// mean 'price'?"; an unknown qualifier suggests the stream name or alias.
func NewStreamScope(schema *topology.Schema, alias string) Scope {
	return &streamScope{schema: schema, alias: alias}
}

func (s *streamScope) Resolve(ref *ast.ColumnRef) (Column, *diag.Error) {
	if q := ref.Qualifier; q != nil && q.Name != s.schema.Name && (s.alias == "" || q.Name != s.alias) {
		names := []string{s.schema.Name}
		if s.alias != "" {
			names = append(names, s.alias)
		}
		err := diag.Errorf(q.At, q.Name, "unknown stream or alias '%s'", q.Name)
		if h := diag.DidYouMean(q.Name, names); h != "" {
			err.Hint = h
		}
		return Column{}, err
	}
	name := ref.Name.Name
	i := s.schema.Index(name)
	if i < 0 {
		err := diag.Errorf(ref.Name.At, name, "unknown attribute '%s' in stream %s", name, s.schema.Name)
		if h := diag.DidYouMean(name, s.schema.Names()); h != "" {
			err.Hint = h
		}
		return Column{}, err
	}
	return Column{Slot: 0, Index: i, Type: s.schema.Attrs[i].Type, Name: name}, nil
}
