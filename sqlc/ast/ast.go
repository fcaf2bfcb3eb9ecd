// Package ast defines the syntax tree of the EventFlux SQL dialect. Every
// node knows its source position, and String() renders SQL that parses back
// to an equal tree (binary operators fully parenthesised).
package ast

import "fmt"

// Pos is a position in the source: 1-based line and column (in bytes), and
// the 0-based byte offset.
type Pos struct {
	Line, Col, Offset int
}

// String renders "line:col".
func (p Pos) String() string { return fmt.Sprintf("%d:%d", p.Line, p.Col) }

// IsValid reports whether p was set.
func (p Pos) IsValid() bool { return p.Line > 0 }

// Node is any syntax tree node.
type Node interface {
	Pos() Pos
	String() string
}

// Ident is a name: a stream, attribute, alias or function. Quoted is set for
// "double-quoted" identifiers, which are case-sensitive and may be reserved
// words.
type Ident struct {
	At     Pos
	Name   string
	Quoted bool
}

// Pos implements Node.
func (i *Ident) Pos() Pos { return i.At }

// Script is a whole application: its statements in source order.
type Script struct {
	File  string
	Stmts []Stmt
}

// Stmt is a top-level statement.
type Stmt interface {
	Node
	stmtNode()
}

// CreateStream is CREATE STREAM Name (cols...) [WITH (opts...)].
type CreateStream struct {
	At      Pos
	Name    *Ident
	Columns []*ColumnDef
	With    []*Option
}

// ColumnDef is one "name TYPE" entry of a CREATE STREAM. TypeName is the
// type as written (any alias, e.g. VARCHAR); the binder resolves it.
type ColumnDef struct {
	Name     *Ident
	TypeName *Ident
}

// OptionKind tells how a WITH option value was written.
type OptionKind uint8

// Option value kinds.
const (
	OptString OptionKind = iota // 'text'
	OptNumber                   // 3, 1.5
	OptIdent                    // bare word or TRUE/FALSE
)

// Option is one key = value entry of a WITH clause. Key is unquoted text
// (e.g. kafka.topic for "kafka.topic"); Value is the literal's content with
// quotes removed and ${ENV} references not yet expanded.
type Option struct {
	KeyAt   Pos
	Key     string
	ValueAt Pos
	Value   string
	Kind    OptionKind
}

// EventSelector is the INSERT [CURRENT|EXPIRED|ALL] EVENTS choice.
type EventSelector uint8

// Event selectors. EventsDefault means none was written (= CURRENT).
const (
	EventsDefault EventSelector = iota
	EventsCurrent
	EventsExpired
	EventsAll
)

// Insert is the INSERT [...EVENTS] INTO Target clause, in prefix or trailing
// position.
type Insert struct {
	At       Pos
	Events   EventSelector
	Target   *Ident
	Trailing bool
}

// Query is INSERT INTO ... SELECT ... FROM ... and its optional clauses.
// A query without Insert is a compile error in the binder (every query
// must name its target).
type Query struct {
	At      Pos
	Insert  *Insert
	Select  []*SelectItem
	From    *From
	Where   Expr
	GroupBy []Expr
	Having  Expr
	OrderBy []*OrderItem
	Limit   Expr
	Offset  Expr
	Output  *OutputRate
}

// SelectItem is one projection: *, q.*, or an expression with an optional
// alias.
type SelectItem struct {
	At        Pos
	Star      bool   // * or q.*
	Qualifier *Ident // q in q.*, nil for *
	Expr      Expr
	Alias     *Ident
}

// From is the single-stream source of a query: Stream [AS alias]
// [WINDOW('type', args...)].
type From struct {
	At     Pos
	Stream *Ident
	Alias  *Ident
	Window *Window
}

// Window is WINDOW('type', args...). Duration arguments are *Duration.
type Window struct {
	At   Pos
	Type string
	Args []Expr
}

// OrderItem is one ORDER BY key.
type OrderItem struct {
	Expr Expr
	Desc bool
}

// OutputMode is the ALL/FIRST/LAST/SNAPSHOT word of an OUTPUT clause.
type OutputMode uint8

// Output modes. OutputDefault means none was written (= ALL).
const (
	OutputDefault OutputMode = iota
	OutputAll
	OutputFirst
	OutputLast
	OutputSnapshot
)

// OutputRate is OUTPUT [mode] EVERY n EVENTS | EVERY <duration>.
type OutputRate struct {
	At     Pos
	Mode   OutputMode
	Events int64     // > 0 for EVERY n EVENTS
	Every  *Duration // non-nil for EVERY <duration>
}

func (*CreateStream) stmtNode() {}
func (*Query) stmtNode()        {}

// Pos implements Node.
func (s *CreateStream) Pos() Pos { return s.At }

// Pos implements Node.
func (q *Query) Pos() Pos { return q.At }

// Pos implements Node.
func (s *SelectItem) Pos() Pos { return s.At }

// Pos implements Node.
func (f *From) Pos() Pos { return f.At }

// Pos implements Node.
func (w *Window) Pos() Pos { return w.At }

// Pos implements Node.
func (i *Insert) Pos() Pos { return i.At }

// Pos implements Node.
func (o *OutputRate) Pos() Pos { return o.At }
