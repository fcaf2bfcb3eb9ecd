package ast

import (
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// reserved is the set of words that cannot be used as bare names; they
// need double quotes ("order").
var reserved = map[string]bool{
	"SELECT": true, "FROM": true, "WHERE": true, "GROUP": true, "BY": true,
	"HAVING": true, "ORDER": true, "LIMIT": true, "OFFSET": true,
	"INSERT": true, "INTO": true, "JOIN": true, "ON": true, "AND": true,
	"OR": true, "NOT": true, "AS": true, "CASE": true, "WHEN": true,
	"THEN": true, "ELSE": true, "END": true, "NULL": true, "TRUE": true,
	"FALSE": true, "IS": true, "IN": true, "BETWEEN": true, "LIKE": true,
	"WITHIN": true, "EVERY": true,
}

// IsReserved reports whether word (any case) is a reserved word of the
// dialect, which must be double-quoted to be used as a name.
func IsReserved(word string) bool {
	if len(word) > 7 {
		return false
	}
	var buf [7]byte
	for i := 0; i < len(word); i++ {
		c := word[i]
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		buf[i] = c
	}
	return reserved[string(buf[:len(word)])]
}

// IsIdentStart reports whether r may start a bare identifier.
func IsIdentStart(r rune) bool {
	return r == '_' || ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z') ||
		(r >= utf8.RuneSelf && unicode.IsLetter(r))
}

// IsIdentPart reports whether r may continue a bare identifier.
func IsIdentPart(r rune) bool {
	return IsIdentStart(r) || ('0' <= r && r <= '9') ||
		(r >= utf8.RuneSelf && unicode.IsDigit(r))
}

// isBareWord reports whether s lexes as one bare identifier.
func isBareWord(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if r == utf8.RuneError {
			return false
		}
		if i == 0 && !IsIdentStart(r) || i > 0 && !IsIdentPart(r) {
			return false
		}
	}
	return true
}

// QuoteIdent renders name as a bare word when it can be one, else in
// double quotes with embedded quotes doubled.
func QuoteIdent(name string) string {
	if isBareWord(name) && !IsReserved(name) {
		return name
	}
	return quoteIdent(name)
}

func quoteIdent(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// QuoteString renders s as a 'single-quoted' SQL string literal.
func QuoteString(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// String renders the identifier, double-quoted when it was written quoted
// or when it could not be read back as a bare name.
func (i *Ident) String() string {
	if i == nil {
		return ""
	}
	if i.Quoted {
		return quoteIdent(i.Name)
	}
	return QuoteIdent(i.Name)
}

// funcName renders a function name. AND and OR are aggregates as well as
// operators; the parser reads and(x) as a call, so they stay bare.
func funcName(i *Ident) string {
	if !i.Quoted && (strings.EqualFold(i.Name, "and") || strings.EqualFold(i.Name, "or")) {
		return i.Name
	}
	return i.String()
}

// String renders the script, one statement per line, each ending in ';'.
func (s *Script) String() string {
	var b strings.Builder
	for _, st := range s.Stmts {
		b.WriteString(st.String())
		b.WriteString(";\n")
	}
	return b.String()
}

// String renders the statement.
func (s *CreateStream) String() string {
	var b strings.Builder
	b.WriteString("CREATE STREAM ")
	b.WriteString(s.Name.String())
	b.WriteString(" (")
	for i, c := range s.Columns {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(c.String())
	}
	b.WriteByte(')')
	if len(s.With) > 0 {
		b.WriteString(" WITH (")
		for i, o := range s.With {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(o.String())
		}
		b.WriteByte(')')
	}
	return b.String()
}

// String renders "name TYPE".
func (c *ColumnDef) String() string {
	return c.Name.String() + " " + c.TypeName.String()
}

// String renders "key = value". Keys with dots, reserved words or other
// characters that a bare key cannot hold are double-quoted.
func (o *Option) String() string {
	key := o.Key
	switch {
	case key == "":
		key = "''" // "" is not a valid identifier
	case !isBareWord(key) || IsReserved(key):
		key = quoteIdent(key)
	}
	return key + " = " + o.valueString()
}

func (o *Option) valueString() string {
	switch o.Kind {
	case OptString:
		return QuoteString(o.Value)
	case OptNumber:
		return o.Value
	default:
		if isDottedWords(o.Value) || strings.EqualFold(o.Value, "true") || strings.EqualFold(o.Value, "false") {
			return o.Value
		}
		return quoteIdent(o.Value)
	}
}

// isDottedWords reports whether s is non-reserved bare words joined by
// dots (json, org.example.Codec).
func isDottedWords(s string) bool {
	for _, part := range strings.Split(s, ".") {
		if !isBareWord(part) || IsReserved(part) {
			return false
		}
	}
	return true
}

// String renders CURRENT, EXPIRED, ALL or "" for the default.
func (e EventSelector) String() string {
	switch e {
	case EventsCurrent:
		return "CURRENT"
	case EventsExpired:
		return "EXPIRED"
	case EventsAll:
		return "ALL"
	}
	return ""
}

// String renders "INSERT [sel EVENTS] INTO target".
func (i *Insert) String() string {
	if sel := i.Events.String(); sel != "" {
		return "INSERT " + sel + " EVENTS INTO " + i.Target.String()
	}
	return "INSERT INTO " + i.Target.String()
}

// String renders the query on one line, its INSERT in the position it was
// written.
func (q *Query) String() string {
	var b strings.Builder
	if q.Insert != nil && !q.Insert.Trailing {
		b.WriteString(q.Insert.String())
		b.WriteByte(' ')
	}
	b.WriteString("SELECT ")
	for i, it := range q.Select {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(it.String())
	}
	if q.From != nil {
		b.WriteString(" FROM ")
		b.WriteString(q.From.String())
	}
	if q.Where != nil {
		b.WriteString(" WHERE ")
		b.WriteString(q.Where.String())
	}
	writeExprList(&b, " GROUP BY ", q.GroupBy)
	if q.Having != nil {
		b.WriteString(" HAVING ")
		b.WriteString(q.Having.String())
	}
	for i, o := range q.OrderBy {
		if i == 0 {
			b.WriteString(" ORDER BY ")
		} else {
			b.WriteString(", ")
		}
		b.WriteString(o.String())
	}
	if q.Limit != nil {
		b.WriteString(" LIMIT ")
		b.WriteString(q.Limit.String())
	}
	if q.Offset != nil {
		b.WriteString(" OFFSET ")
		b.WriteString(q.Offset.String())
	}
	if q.Output != nil {
		b.WriteByte(' ')
		b.WriteString(q.Output.String())
	}
	if q.Insert != nil && q.Insert.Trailing {
		b.WriteByte(' ')
		b.WriteString(q.Insert.String())
	}
	return b.String()
}

func writeExprList(b *strings.Builder, prefix string, list []Expr) {
	for i, e := range list {
		if i == 0 {
			b.WriteString(prefix)
		} else {
			b.WriteString(", ")
		}
		b.WriteString(e.String())
	}
}

// String renders *, q.* or "expr [AS alias]".
func (s *SelectItem) String() string {
	if s.Star {
		if s.Qualifier != nil {
			return s.Qualifier.String() + ".*"
		}
		return "*"
	}
	if s.Alias != nil {
		return s.Expr.String() + " AS " + s.Alias.String()
	}
	return s.Expr.String()
}

// String renders "Stream [AS alias] [WINDOW(...)]".
func (f *From) String() string {
	s := f.Stream.String()
	if f.Alias != nil {
		s += " AS " + f.Alias.String()
	}
	if f.Window != nil {
		s += " " + f.Window.String()
	}
	return s
}

// String renders WINDOW('type', args...).
func (w *Window) String() string {
	var b strings.Builder
	b.WriteString("WINDOW(")
	b.WriteString(QuoteString(w.Type))
	for _, a := range w.Args {
		b.WriteString(", ")
		b.WriteString(a.String())
	}
	b.WriteByte(')')
	return b.String()
}

// String renders "expr [DESC]".
func (o *OrderItem) String() string {
	if o.Desc {
		return o.Expr.String() + " DESC"
	}
	return o.Expr.String()
}

// String renders ALL, FIRST, LAST, SNAPSHOT or "" for the default.
func (m OutputMode) String() string {
	switch m {
	case OutputAll:
		return "ALL"
	case OutputFirst:
		return "FIRST"
	case OutputLast:
		return "LAST"
	case OutputSnapshot:
		return "SNAPSHOT"
	}
	return ""
}

// String renders "OUTPUT [mode] EVERY n EVENTS | EVERY <duration>".
func (o *OutputRate) String() string {
	s := "OUTPUT "
	if m := o.Mode.String(); m != "" {
		s += m + " "
	}
	if o.Every != nil {
		return s + "EVERY " + o.Every.String()
	}
	return s + "EVERY " + strconv.FormatInt(o.Events, 10) + " EVENTS"
}

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
