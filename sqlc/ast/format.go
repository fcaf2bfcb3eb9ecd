package ast

import (
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
	if i.IsInnerStream() && isBareWord(i.Name[1:]) {
		return i.Name // #Inner, as the lexer reads it
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
