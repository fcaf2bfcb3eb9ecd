package ast

// Expr is a scalar expression.
type Expr interface {
	Node
	exprNode()
}

// LitKind is the kind of a literal.
type LitKind uint8

// Literal kinds. An integer literal is LitInt (typed LONG unless its context
// makes it INT); a literal with a '.' or exponent is LitFloat (DOUBLE).
const (
	LitNull LitKind = iota
	LitBool
	LitInt
	LitFloat
	LitString
)

// Literal is a constant: NULL, TRUE/FALSE, 42, 1.5, 'text'.
type Literal struct {
	At    Pos
	Kind  LitKind
	Bool  bool
	Int   int64
	Float float64
	Str   string
	Raw   string // as written, for messages
}

// Duration is a length of time: `5 SECONDS`, `1 MINUTE`, `INTERVAL '5'
// SECOND`. Millis is its value; Raw is the source text.
type Duration struct {
	At     Pos
	Millis int64
	Raw    string
}

// ColumnRef is an attribute reference: name or qualifier.name.
type ColumnRef struct {
	Qualifier *Ident // nil when unqualified
	Name      *Ident
}

// UnaryOp is a prefix operator.
type UnaryOp uint8

// Unary operators.
const (
	OpNeg  UnaryOp = iota // -x
	OpPlus                // +x
	OpNot                 // NOT x
)

// Unary is a prefix operator applied to X.
type Unary struct {
	At Pos
	Op UnaryOp
	X  Expr
}

// BinaryOp is an infix operator.
type BinaryOp uint8

// Binary operators. = and == are both OpEq; != and <> are both OpNe.
const (
	OpAdd BinaryOp = iota
	OpSub
	OpMul
	OpDiv
	OpMod
	OpEq
	OpNe
	OpLt
	OpLe
	OpGt
	OpGe
	OpAnd
	OpOr
)

// Binary is L op R. At is the operator's position.
type Binary struct {
	At Pos
	Op BinaryOp
	L  Expr
	R  Expr
}

// IsNull is X IS [NOT] NULL.
type IsNull struct {
	At  Pos
	X   Expr
	Not bool
}

// In is X [NOT] IN (list...).
type In struct {
	At   Pos
	X    Expr
	List []Expr
	Not  bool
}

// Between is X [NOT] BETWEEN Lo AND Hi.
type Between struct {
	At  Pos
	X   Expr
	Lo  Expr
	Hi  Expr
	Not bool
}

// Like is X [NOT] LIKE Pattern (SQL wildcards % and _, backslash escapes).
type Like struct {
	At      Pos
	X       Expr
	Pattern Expr
	Not     bool
}

// When is one WHEN cond THEN result arm of a CASE.
type When struct {
	Cond   Expr
	Result Expr
}

// Case is CASE [Operand] WHEN ... THEN ... [ELSE ...] END. Operand is nil
// for the searched form.
type Case struct {
	At      Pos
	Operand Expr
	Whens   []*When
	Else    Expr
}

// Cast is CAST(X AS TypeName).
type Cast struct {
	At       Pos
	X        Expr
	TypeName *Ident
}

// Call is a function call. Star is set for count(*); Distinct for
// count(DISTINCT x). position(a IN b) is parsed as position(a, b).
type Call struct {
	At       Pos
	Name     *Ident
	Args     []Expr
	Star     bool
	Distinct bool
}

// Extract is EXTRACT(Unit FROM X). Unit is upper-case (YEAR, MONTH, WEEK,
// DAY, HOUR, MINUTE, SECOND, MILLISECOND, DOW, DOY).
type Extract struct {
	At     Pos
	Unit   string
	UnitAt Pos
	X      Expr
}

// Paren is a parenthesised expression, kept so positions and messages
// refer to what the user wrote.
type Paren struct {
	At Pos
	X  Expr
}

func (*Literal) exprNode()   {}
func (*Duration) exprNode()  {}
func (*ColumnRef) exprNode() {}
func (*Unary) exprNode()     {}
func (*Binary) exprNode()    {}
func (*IsNull) exprNode()    {}
func (*In) exprNode()        {}
func (*Between) exprNode()   {}
func (*Like) exprNode()      {}
func (*Case) exprNode()      {}
func (*Cast) exprNode()      {}
func (*Call) exprNode()      {}
func (*Extract) exprNode()   {}
func (*Paren) exprNode()     {}

// Pos implements Node.
func (e *Literal) Pos() Pos { return e.At }

// Pos implements Node.
func (e *Duration) Pos() Pos { return e.At }

// Pos implements Node: the position of the qualifier, else of the name.
func (e *ColumnRef) Pos() Pos {
	if e.Qualifier != nil {
		return e.Qualifier.At
	}
	return e.Name.At
}

// Pos implements Node.
func (e *Unary) Pos() Pos { return e.At }

// Pos implements Node: the position of the left operand, so errors point
// at the start of the expression.
func (e *Binary) Pos() Pos { return e.L.Pos() }

// Pos implements Node.
func (e *IsNull) Pos() Pos { return e.X.Pos() }

// Pos implements Node.
func (e *In) Pos() Pos { return e.X.Pos() }

// Pos implements Node.
func (e *Between) Pos() Pos { return e.X.Pos() }

// Pos implements Node.
func (e *Like) Pos() Pos { return e.X.Pos() }

// Pos implements Node.
func (e *Case) Pos() Pos { return e.At }

// Pos implements Node.
func (e *Cast) Pos() Pos { return e.At }

// Pos implements Node.
func (e *Call) Pos() Pos { return e.At }

// Pos implements Node.
func (e *Extract) Pos() Pos { return e.At }

// Pos implements Node.
func (e *Paren) Pos() Pos { return e.At }
