package ast

import (
	"math"
	"strconv"
	"strings"
)

// String renders the kind's name (NULL, BOOL, INT, FLOAT, STRING).
func (k LitKind) String() string {
	switch k {
	case LitNull:
		return "NULL"
	case LitBool:
		return "BOOL"
	case LitInt:
		return "INT"
	case LitFloat:
		return "FLOAT"
	case LitString:
		return "STRING"
	}
	return "?"
}

// String renders the literal in a form that reads back to the same value:
// floats always carry a '.' or an exponent.
func (e *Literal) String() string {
	switch e.Kind {
	case LitNull:
		return "NULL"
	case LitBool:
		if e.Bool {
			return "TRUE"
		}
		return "FALSE"
	case LitInt:
		return strconv.FormatInt(e.Int, 10)
	case LitFloat:
		return formatFloat(e.Float)
	default:
		return QuoteString(e.Str)
	}
}

func formatFloat(f float64) string {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		// Not writable as a literal; render an expression of the value.
		switch {
		case math.IsNaN(f):
			return "(0.0 / 0.0)"
		case f > 0:
			return "(1.0 / 0.0)"
		default:
			return "(-1.0 / 0.0)"
		}
	}
	s := strconv.FormatFloat(f, 'g', -1, 64)
	if !strings.ContainsAny(s, ".eE") {
		s += ".0"
	}
	return s
}

// String renders the duration as written (Raw) or, for a duration built
// without source text, as "<n> MILLISECONDS".
func (e *Duration) String() string {
	if e.Raw != "" {
		return e.Raw
	}
	return strconv.FormatInt(e.Millis, 10) + " MILLISECONDS"
}

// String renders name or qualifier.name.
func (e *ColumnRef) String() string {
	if e.Qualifier != nil {
		return e.Qualifier.String() + "." + e.Name.String()
	}
	return e.Name.String()
}

// String renders the operator.
func (op UnaryOp) String() string {
	switch op {
	case OpNeg:
		return "-"
	case OpPlus:
		return "+"
	default:
		return "NOT"
	}
}

// String renders "(-x)", "(+x)" or "(NOT x)".
func (e *Unary) String() string {
	if e.Op == OpNot {
		return "(NOT " + e.X.String() + ")"
	}
	x := e.X.String()
	if strings.HasPrefix(x, "-") || strings.HasPrefix(x, "+") {
		x = " " + x // never print "--", which would start a comment
	}
	return "(" + e.Op.String() + x + ")"
}

var binaryOps = [...]string{
	OpAdd: "+", OpSub: "-", OpMul: "*", OpDiv: "/", OpMod: "%",
	OpEq: "=", OpNe: "!=", OpLt: "<", OpLe: "<=", OpGt: ">", OpGe: ">=",
	OpAnd: "AND", OpOr: "OR",
}

// String renders the operator (= for OpEq, != for OpNe).
func (op BinaryOp) String() string {
	if int(op) < len(binaryOps) {
		return binaryOps[op]
	}
	return "?"
}

// String renders "(L op R)".
func (e *Binary) String() string {
	return "(" + e.L.String() + " " + e.Op.String() + " " + e.R.String() + ")"
}

// String renders "(x IS [NOT] NULL)".
func (e *IsNull) String() string {
	if e.Not {
		return "(" + e.X.String() + " IS NOT NULL)"
	}
	return "(" + e.X.String() + " IS NULL)"
}

func not(b bool) string {
	if b {
		return " NOT"
	}
	return ""
}

// String renders "(x [NOT] IN (list))".
func (e *In) String() string {
	var b strings.Builder
	b.WriteByte('(')
	b.WriteString(e.X.String())
	b.WriteString(not(e.Not))
	b.WriteString(" IN (")
	for i, x := range e.List {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(x.String())
	}
	b.WriteString("))")
	return b.String()
}

// String renders "(x [NOT] BETWEEN lo AND hi)".
func (e *Between) String() string {
	return "(" + e.X.String() + not(e.Not) + " BETWEEN " + e.Lo.String() + " AND " + e.Hi.String() + ")"
}

// String renders "(x [NOT] LIKE pattern)".
func (e *Like) String() string {
	return "(" + e.X.String() + not(e.Not) + " LIKE " + e.Pattern.String() + ")"
}

// String renders "WHEN cond THEN result".
func (w *When) String() string {
	return "WHEN " + w.Cond.String() + " THEN " + w.Result.String()
}

// String renders "CASE [operand] WHEN ... [ELSE ...] END".
func (e *Case) String() string {
	var b strings.Builder
	b.WriteString("CASE")
	if e.Operand != nil {
		b.WriteByte(' ')
		b.WriteString(e.Operand.String())
	}
	for _, w := range e.Whens {
		b.WriteByte(' ')
		b.WriteString(w.String())
	}
	if e.Else != nil {
		b.WriteString(" ELSE ")
		b.WriteString(e.Else.String())
	}
	b.WriteString(" END")
	return b.String()
}

// String renders "CAST(x AS type)".
func (e *Cast) String() string {
	return "CAST(" + e.X.String() + " AS " + e.TypeName.String() + ")"
}

// String renders "f(args)", "count(*)" or "f(DISTINCT args)".
func (e *Call) String() string {
	var b strings.Builder
	b.WriteString(funcName(e.Name))
	b.WriteByte('(')
	if e.Star {
		b.WriteByte('*')
	}
	if e.Distinct {
		b.WriteString("DISTINCT ")
	}
	for i, a := range e.Args {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(a.String())
	}
	b.WriteByte(')')
	return b.String()
}

// String renders "EXTRACT(UNIT FROM x)".
func (e *Extract) String() string {
	return "EXTRACT(" + e.Unit + " FROM " + e.X.String() + ")"
}

// String renders "(x)". Operators already print their own parentheses, so
// a parenthesised operator is not wrapped twice: that keeps String stable
// when its output is parsed and printed again.
func (e *Paren) String() string {
	if selfParenthesised(e.X) {
		return e.X.String()
	}
	return "(" + e.X.String() + ")"
}

func selfParenthesised(x Expr) bool {
	switch x.(type) {
	case *Binary, *Unary, *IsNull, *In, *Between, *Like, *Paren:
		return true
	}
	return false
}
