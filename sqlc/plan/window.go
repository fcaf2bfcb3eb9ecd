package plan

import (
	"fmt"
	"math"
	"strings"

	"github.com/eventflux-io/eventflux-go/sqlc/ast"
	"github.com/eventflux-io/eventflux-go/sqlc/diag"
	"github.com/eventflux-io/eventflux-go/sqlc/expr"
	"github.com/eventflux-io/eventflux-go/sqlc/parser"
	"github.com/eventflux-io/eventflux-go/topology"
	"github.com/eventflux-io/eventflux-go/windows"
)

// Window is a bound WINDOW('type', args...) clause.
type Window struct {
	At ast.Pos
	// Type is the canonical window type name ("lengthBatch").
	Type string
	// Spec is the window's plain-data description, as windows.New takes
	// it (Spec.Expr.NewCond is left for the builder to fill in).
	Spec windows.Spec
	// Cond is the bound condition of an expression window, else nil. It
	// reads the newest event at slot 0 and the window's aggregates
	// (Spec.Expr.Aggs) at slot 1.
	Cond expr.Expr
}

// String renders the window for plans: its type and parameters.
func (w *Window) String() string { return w.Spec.String() }

// PlanLine is the line the plan tree shows for the window ("window
// time(10s)"), for Plan.String to print between project and filter.
func (w *Window) PlanLine() string { return "window " + w.String() }

// windowSig is the signature of one window type: its argument count range,
// its usage for hints, and the function binding its arguments.
type windowSig struct {
	min, max int // max < 0: unbounded
	usage    string
	bind     func(wb *windowBinder)
}

var windowSigs = map[windows.Kind]windowSig{
	windows.Tumbling:          {1, 2, "('tumbling', size [, grace])", (*windowBinder).tumbling},
	windows.Hopping:           {2, 3, "('hopping', size, advance [, grace])", (*windowBinder).hopping},
	windows.Session:           {1, 2, "('session', gap [, grace])", (*windowBinder).session},
	windows.Length:            {1, 1, "('length', n)", (*windowBinder).count},
	windows.LengthBatch:       {1, 1, "('lengthBatch', n)", (*windowBinder).count},
	windows.Time:              {1, 1, "('time', d)", (*windowBinder).span},
	windows.TimeBatch:         {1, 2, "('timeBatch', d [, startTime])", (*windowBinder).timeBatch},
	windows.ExternalTime:      {2, 2, "('externalTime', attr, d)", (*windowBinder).externalTime},
	windows.ExternalTimeBatch: {2, 3, "('externalTimeBatch', attr, d [, startTime])", (*windowBinder).externalTime},
	windows.Sort:              {2, -1, "('sort', n, attr ['asc'|'desc'], ...)", (*windowBinder).sort},
	windows.Unique:            {1, 1, "('unique', attr)", (*windowBinder).unique},
	windows.FirstUnique:       {1, 1, "('firstUnique', attr)", (*windowBinder).unique},
	windows.Delay:             {1, 1, "('delay', d)", (*windowBinder).span},
	windows.Frequent:          {1, -1, "('frequent', n [, attrs...])", (*windowBinder).frequent},
	windows.LossyFrequent:     {1, -1, "('lossyFrequent', support [, error] [, attrs...])", (*windowBinder).lossyFrequent},
	windows.Expression:        {1, 1, "('expression', 'count() <= 20')", (*windowBinder).expression},
	windows.Cron:              {1, 1, "('cron', '*/5 * * * * ?')", (*windowBinder).cron},
}

// bindWindow binds the window of a query reading in (whose alias, if
// any, qualifies attribute arguments); nil when there is none or on error.
func (b *binder) bindWindow(w *ast.Window, in *Stream, alias string) *Window {
	if w == nil {
		return nil
	}
	kind, ok := windows.Lookup(w.Type)
	if !ok {
		b.errorf(w.At, "WINDOW", "unknown window type '%s'", w.Type).
			WithHint("%s", hintOr(diag.DidYouMean(w.Type, windows.Names()), "window types: "+strings.Join(windows.Names(), ", ")))
		return nil
	}
	sig := windowSigs[kind]
	if n := len(w.Args); n < sig.min || (sig.max >= 0 && n > sig.max) {
		b.errorf(w.At, "WINDOW", "window '%s' takes %s, got %d", kind, argCount(sig), n).
			WithHint("write WINDOW%s", sig.usage)
		return nil
	}
	wb := &windowBinder{b: b, w: w, kind: kind, sig: sig, in: in,
		scope: expr.NewStreamScope(in.Schema, alias), spec: windows.Spec{Kind: kind}}
	nErrs := len(b.errs)
	sig.bind(wb)
	if len(b.errs) > nErrs {
		return nil
	}
	return &Window{At: w.At, Type: kind.String(), Spec: wb.spec, Cond: wb.cond}
}

func argCount(sig windowSig) string {
	plural := func(n int) string {
		if n == 1 {
			return "1 argument"
		}
		return fmt.Sprintf("%d arguments", n)
	}
	switch {
	case sig.max < 0:
		return "at least " + plural(sig.min)
	case sig.min == sig.max:
		return plural(sig.min)
	}
	return fmt.Sprintf("%d to %s", sig.min, plural(sig.max))
}

// windowBinder binds the arguments of one window.
type windowBinder struct {
	b     *binder
	w     *ast.Window
	kind  windows.Kind
	sig   windowSig
	in    *Stream
	scope expr.Scope
	spec  windows.Spec
	cond  expr.Expr
}

func (wb *windowBinder) args() []ast.Expr { return wb.w.Args }

// errorf reports an error about argument a.
func (wb *windowBinder) errorf(a ast.Expr, format string, args ...any) *diag.Error {
	return wb.b.errorf(a.Pos(), a.String(), "window '%s' %s", wb.kind, fmt.Sprintf(format, args...)).
		WithHint("write WINDOW%s", wb.sig.usage)
}

func (wb *windowBinder) tumbling() {
	wb.spec.Size = wb.duration(wb.args()[0], "size")
	wb.spec.Advance = wb.spec.Size
	if len(wb.args()) > 1 {
		wb.spec.Grace = wb.grace(wb.args()[1])
	}
}

func (wb *windowBinder) hopping() {
	a := wb.args()
	wb.spec.Size = wb.duration(a[0], "size")
	wb.spec.Advance = wb.duration(a[1], "advance")
	if wb.spec.Size > 0 && wb.spec.Advance > wb.spec.Size {
		wb.errorf(a[1], "advance %s is longer than its size", a[1]).
			WithHint("the advance must not exceed the size (events would fall between windows); write WINDOW('hopping', %s, %s)", a[0], a[0])
	}
	if len(a) > 2 {
		wb.spec.Grace = wb.grace(a[2])
	}
}

func (wb *windowBinder) session() {
	wb.spec.Size = wb.duration(wb.args()[0], "gap")
	if len(wb.args()) > 1 {
		wb.spec.Grace = wb.grace(wb.args()[1])
	}
}

func (wb *windowBinder) count() { wb.spec.N = wb.positiveCount(wb.args()[0], "size") }

func (wb *windowBinder) span() { wb.spec.Size = wb.duration(wb.args()[0], "duration") }

func (wb *windowBinder) timeBatch() {
	wb.spec.Size = wb.duration(wb.args()[0], "duration")
	if len(wb.args()) > 1 {
		wb.startTime(wb.args()[1])
	}
}

func (wb *windowBinder) externalTime() {
	a := wb.args()
	wb.spec.TimeAttr = wb.attr(a[0], "time attribute", topology.TypeLong, topology.TypeInt)
	wb.spec.Size = wb.duration(a[1], "duration")
	if len(a) > 2 {
		wb.startTime(a[2])
	}
}

func (wb *windowBinder) sort() {
	a := wb.args()
	wb.spec.N = wb.positiveCount(a[0], "size")
	for i := 1; i < len(a); i++ {
		key := windows.SortKey{Attr: wb.attr(a[i], "sort attribute")}
		if i+1 < len(a) {
			if lit, ok := a[i+1].(*ast.Literal); ok && lit.Kind == ast.LitString {
				i++
				switch strings.ToLower(lit.Str) {
				case "asc":
				case "desc":
					key.Desc = true
				default:
					wb.errorf(lit, "sort order must be 'asc' or 'desc', not %s", lit.Raw)
				}
			}
		}
		wb.spec.SortKeys = append(wb.spec.SortKeys, key)
	}
}

func (wb *windowBinder) unique() {
	wb.spec.Keys = []windows.Attr{wb.attr(wb.args()[0], "key attribute")}
}

func (wb *windowBinder) frequent() {
	a := wb.args()
	wb.spec.N = wb.positiveCount(a[0], "number of frequent keys")
	wb.spec.Keys = wb.attrs(a[1:])
}

func (wb *windowBinder) lossyFrequent() {
	a := wb.args()
	wb.spec.Support = wb.fraction(a[0], "support")
	a = a[1:]
	wb.spec.Error = wb.spec.Support / 10
	if len(a) > 0 {
		if _, isAttr := a[0].(*ast.ColumnRef); !isAttr {
			wb.spec.Error = wb.fraction(a[0], "error")
			if wb.spec.Error >= wb.spec.Support && wb.spec.Support > 0 {
				wb.errorf(a[0], "error %s must be smaller than the support", a[0])
			}
			a = a[1:]
		}
	}
	wb.spec.Keys = wb.attrs(a)
}

func (wb *windowBinder) cron() {
	a := wb.args()[0]
	text, ok := wb.stringArg(a, "cron expression")
	if !ok {
		return
	}
	sched, err := windows.ParseCron(text)
	if err != nil {
		wb.errorf(a, "has a bad cron expression: %v", err).
			WithHint("write a Quartz cron expression with a seconds field, e.g. WINDOW('cron', '*/5 * * * * ?')")
		return
	}
	wb.spec.Cron, wb.spec.CronText = sched, text
}

// duration binds a positive duration argument: a duration (10 SECONDS) or
// an integer number of milliseconds, as Siddhi accepts.
func (wb *windowBinder) duration(a ast.Expr, what string) int64 {
	ms, ok := wb.millis(a, what)
	if ok && ms <= 0 {
		wb.errorf(a, "%s must be positive, not %s", what, a)
	}
	return ms
}

// grace binds a grace period: a duration that may be zero.
func (wb *windowBinder) grace(a ast.Expr) int64 {
	ms, ok := wb.millis(a, "grace")
	if ok && ms < 0 {
		wb.errorf(a, "grace must not be negative, not %s", a)
	}
	return ms
}

func (wb *windowBinder) millis(a ast.Expr, what string) (int64, bool) {
	if d, ok := a.(*ast.Duration); ok {
		return d.Millis, true
	}
	v, ok := wb.constant(a, what)
	if !ok {
		return 0, false
	}
	if t := v.Kind(); t != topology.TypeLong && t != topology.TypeInt {
		wb.errorf(a, "%s must be a time such as 10 SECONDS (or milliseconds), not %s", what, a)
		return 0, false
	}
	return v.AsLong(), true
}

// positiveCount binds a positive whole number of events.
func (wb *windowBinder) positiveCount(a ast.Expr, what string) int {
	if _, ok := a.(*ast.Duration); ok {
		wb.errorf(a, "%s must be a number of events, not the duration %s", what, a)
		return 0
	}
	v, ok := wb.constant(a, what)
	if !ok {
		return 0
	}
	if t := v.Kind(); t != topology.TypeLong && t != topology.TypeInt {
		wb.errorf(a, "%s must be a whole number of events, not %s", what, a)
		return 0
	}
	n := v.AsLong()
	if n <= 0 || n > math.MaxInt32 {
		wb.errorf(a, "%s must be a positive number of events, not %s", what, a)
		return 0
	}
	return int(n)
}

// fraction binds a number strictly between 0 and 1.
func (wb *windowBinder) fraction(a ast.Expr, what string) float64 {
	v, ok := wb.constant(a, what)
	if !ok {
		return 0
	}
	if !v.Kind().IsNumeric() {
		wb.errorf(a, "%s must be a number between 0 and 1, not %s", what, a)
		return 0
	}
	f := v.AsDouble()
	if !(f > 0 && f < 1) {
		wb.errorf(a, "%s must be between 0 and 1 (exclusive), not %s", what, a)
		return 0
	}
	return f
}

// startTime binds a batch start time: epoch milliseconds.
func (wb *windowBinder) startTime(a ast.Expr) {
	v, ok := wb.constant(a, "start time")
	if !ok {
		return
	}
	if t := v.Kind(); t != topology.TypeLong && t != topology.TypeInt {
		wb.errorf(a, "start time must be epoch milliseconds (a LONG), not %s", a)
		return
	}
	wb.spec.Start, wb.spec.HasStart = v.AsLong(), true
}

// constant evaluates a constant argument; an attribute or a non-constant
// expression is an error.
func (wb *windowBinder) constant(a ast.Expr, what string) (topology.Value, bool) {
	if _, ok := a.(*ast.ColumnRef); ok {
		wb.errorf(a, "%s must be a constant, not the attribute %s", what, a)
		return topology.Value{}, false
	}
	be, errs := expr.Bind(a, wb.scope)
	if len(errs) > 0 {
		wb.b.addErrors(errs)
		return topology.Value{}, false
	}
	v, ok := expr.ConstValue(be)
	if !ok || v.IsNull() {
		wb.errorf(a, "%s must be a constant, not %s", what, a)
		return topology.Value{}, false
	}
	return v, true
}

// attr resolves an attribute argument against the input stream; types,
// when given, are the allowed attribute types.
func (wb *windowBinder) attr(a ast.Expr, what string, types ...topology.Type) windows.Attr {
	ref, ok := a.(*ast.ColumnRef)
	if !ok {
		if lit, isLit := a.(*ast.Literal); isLit && lit.Kind == ast.LitString && wb.in.Schema.Index(lit.Str) >= 0 {
			wb.errorf(a, "%s must be an attribute, not the string %s", what, a).WithHint("write %s without quotes", lit.Str)
		} else {
			wb.errorf(a, "%s must be an attribute of %s, not %s", what, wb.in.Schema.Name, a)
		}
		return windows.Attr{}
	}
	col, err := wb.scope.Resolve(ref)
	if err != nil {
		wb.b.errs = append(wb.b.errs, err)
		return windows.Attr{}
	}
	if len(types) > 0 && !containsType(types, col.Type) {
		wb.errorf(a, "%s %s must be %s, not %s", what, a, typeList(types), col.Type)
	}
	return windows.Attr{Index: col.Index, Name: col.Name, Type: col.Type}
}

func (wb *windowBinder) attrs(as []ast.Expr) []windows.Attr {
	var out []windows.Attr
	for _, a := range as {
		out = append(out, wb.attr(a, "key attribute"))
	}
	return out
}

// stringArg binds a string literal argument.
func (wb *windowBinder) stringArg(a ast.Expr, what string) (string, bool) {
	lit, ok := a.(*ast.Literal)
	if !ok || lit.Kind != ast.LitString {
		wb.errorf(a, "%s must be a quoted string, not %s", what, a)
		return "", false
	}
	return lit.Str, true
}

func containsType(ts []topology.Type, t topology.Type) bool {
	for _, x := range ts {
		if x == t {
			return true
		}
	}
	return false
}

func typeList(ts []topology.Type) string {
	names := make([]string, len(ts))
	for i, t := range ts {
		names[i] = t.String()
	}
	return strings.Join(names, " or ")
}

// expression binds WINDOW('expression', '<condition>'): the string is
// parsed as an expression over the input's attributes (read from the
// newest event) and the aggregates count(), count(x), sum(x), avg(x),
// min(x) and max(x) over the events in the window.
func (wb *windowBinder) expression() {
	a := wb.args()[0]
	text, ok := wb.stringArg(a, "condition")
	if !ok {
		return
	}
	x, errs := parser.ParseExpr(text)
	if len(errs) > 0 {
		for _, e := range errs {
			wb.b.errs = append(wb.b.errs, inString(e, a.Pos()))
		}
		return
	}
	ex := &windows.ExprSpec{Text: text}
	be, errs := expr.BindWith(x, wb.scope, expr.Options{Aggregate: func(call *ast.Call, sc expr.Scope) (expr.Expr, diag.List) {
		agg, t, err := wb.windowAggregate(call, sc)
		if err != nil {
			return nil, diag.List{err}
		}
		ex.Aggs = append(ex.Aggs, agg)
		col := expr.Column{Slot: 1, Index: len(ex.Aggs) - 1, Type: t, Name: call.String()}
		return expr.NewColumn(call, col), nil
	}})
	for _, e := range errs {
		wb.b.errs = append(wb.b.errs, inString(e, a.Pos()))
	}
	if len(errs) > 0 {
		return
	}
	if t := be.Type(); t != topology.TypeBool {
		wb.errorf(a, "condition must be BOOL, not %s", t).WithHint("compare it, e.g. WINDOW('expression', 'count() <= 20')")
		return
	}
	wb.spec.Expr, wb.cond = ex, be
}

// windowAggregate binds an aggregate call inside an expression window's
// condition, returning it and its result type.
func (wb *windowBinder) windowAggregate(call *ast.Call, sc expr.Scope) (windows.Agg, topology.Type, *diag.Error) {
	name := strings.ToLower(call.Name.Name)
	bad := func(format string, args ...any) (windows.Agg, topology.Type, *diag.Error) {
		return windows.Agg{}, 0, diag.Errorf(call.Pos(), call.String(), format, args...).
			WithHint("an expression window supports count(), count(x), sum(x), avg(x), min(x) and max(x) of attributes")
	}
	if call.Distinct {
		return bad("count(DISTINCT ...) is not supported in an expression window")
	}
	if name == "count" && (call.Star || len(call.Args) == 0) {
		return windows.Agg{Op: windows.AggCount}, topology.TypeLong, nil
	}
	ops := map[string]windows.AggOp{"count": windows.AggCountOf, "sum": windows.AggSum, "avg": windows.AggAvg,
		"min": windows.AggMin, "max": windows.AggMax}
	op, ok := ops[name]
	if !ok {
		return bad("aggregate '%s' is not supported in an expression window", call.Name.Name)
	}
	if len(call.Args) != 1 {
		return bad("%s takes one attribute", name)
	}
	ref, ok := call.Args[0].(*ast.ColumnRef)
	if !ok {
		return bad("%s in an expression window takes an attribute, not %s", name, call.Args[0])
	}
	col, err := sc.Resolve(ref)
	if err != nil {
		return windows.Agg{}, 0, err
	}
	agg := windows.Agg{Op: op, Attr: windows.Attr{Index: col.Index, Name: col.Name, Type: col.Type}}
	switch {
	case op == windows.AggCountOf:
		return agg, topology.TypeLong, nil
	case op == windows.AggAvg && col.Type.IsNumeric():
		return agg, topology.TypeDouble, nil
	case op == windows.AggSum && (col.Type == topology.TypeInt || col.Type == topology.TypeLong):
		return agg, topology.TypeLong, nil
	case op == windows.AggSum && col.Type.IsNumeric():
		return agg, topology.TypeDouble, nil
	case (op == windows.AggMin || op == windows.AggMax) && (col.Type.IsNumeric() || col.Type == topology.TypeString):
		return agg, col.Type, nil
	}
	return bad("%s of %s (%s) is not supported", name, ref, col.Type)
}

// inString moves an error positioned inside an expression window's
// condition string to the source: the string literal starts at lit (its
// opening quote). Conditions are one line.
func inString(e *diag.Error, lit ast.Pos) *diag.Error {
	c := *e
	if e.Pos.Line <= 1 {
		c.Pos = ast.Pos{Line: lit.Line, Col: lit.Col + e.Pos.Col, Offset: lit.Offset + 1 + e.Pos.Offset}
	} else {
		c.Pos = lit
	}
	c.Msg = "in the expression window condition: " + e.Msg
	return &c
}
