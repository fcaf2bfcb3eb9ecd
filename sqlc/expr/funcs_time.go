package expr

import (
	"strings"
	"sync/atomic"
	"time"

	"github.com/eventflux-io/eventflux-go/sqlc/ast"
	"github.com/eventflux-io/eventflux-go/sqlc/diag"
	"github.com/eventflux-io/eventflux-go/topology"
)

// timeUnit is a unit of extract and date_add.
type timeUnit uint8

const (
	unitYear timeUnit = iota
	unitMonth
	unitWeek
	unitDay
	unitHour
	unitMinute
	unitSecond
	unitMillisecond
	unitDOW
	unitDOY
)

var unitNames = []string{"YEAR", "MONTH", "WEEK", "DAY", "HOUR", "MINUTE", "SECOND", "MILLISECOND", "DOW", "DOY"}

// unitMillis is the fixed length of the units date_add adds as
// milliseconds.
var unitMillis = [...]int64{unitWeek: 7 * 86_400_000, unitDay: 86_400_000, unitHour: 3_600_000,
	unitMinute: 60_000, unitSecond: 1000, unitMillisecond: 1}

// unitAbbrevs are the short unit spellings durations accept too.
var unitAbbrevs = map[string]timeUnit{"MS": unitMillisecond, "SEC": unitSecond, "MIN": unitMinute}

// parseUnit resolves a unit name (any case, singular or plural, or MS, SEC,
// MIN as in durations). addOnly excludes DOW and DOY, which only extract
// knows.
func parseUnit(s string, addOnly bool) (timeUnit, bool) {
	u := strings.ToUpper(s)
	if unit, ok := unitAbbrevs[u]; ok {
		return unit, true
	}
	for i, name := range unitNames {
		if addOnly && timeUnit(i) >= unitDOW {
			break
		}
		if u == name || u == name+"S" {
			return timeUnit(i), true
		}
	}
	return 0, false
}

func unitCandidates(addOnly bool) []string {
	if addOnly {
		return unitNames[:unitDOW]
	}
	return unitNames
}

func init() {
	register(funcDef{name: "date_format", min: 2, max: 3, bind: bindDateFormat})
	register(funcDef{name: "date_parse", min: 2, max: 3, bind: bindDateParse})
	register(funcDef{name: "date_add", min: 3, max: 3, raw: bindDateAdd})
}

// extractExpr is EXTRACT(unit FROM ts), in UTC.
type extractExpr struct {
	node
	x    Expr
	unit timeUnit
}

func (b *binder) bindExtract(n *ast.Extract) Expr {
	x := b.bind(n.X)
	unit, ok := parseUnit(n.Unit, false)
	if !ok {
		err := diag.Errorf(n.UnitAt, n.Unit, "unknown EXTRACT unit '%s'", n.Unit)
		err.Hint = diag.DidYouMean(n.Unit, unitCandidates(false))
		b.report(err)
		return &badExpr{}
	}
	if isBad(x) {
		return x
	}
	if t := x.Type(); t != topology.TypeNull && !t.IsIntegral() {
		return b.errorf(n.X, "EXTRACT needs an INT or LONG timestamp, got %s", t)
	}
	return &extractExpr{node: node{n: n, typ: topology.TypeInt, konst: allConst(x)}, x: x, unit: unit}
}

func (e *extractExpr) compile(c *compiler) Func {
	x, unit := c.fn(e.x), e.unit
	return func(f *Frame) topology.Value {
		v := x(f)
		if v.IsNull() {
			return v
		}
		return topology.Int(extract(v.RawLong(), unit))
	}
}

func floorMod(a, b int64) int64 {
	m := a % b
	if m < 0 {
		m += b
	}
	return m
}

func extract(ms int64, unit timeUnit) int32 {
	switch unit {
	case unitHour:
		return int32(floorMod(ms, 86_400_000) / 3_600_000)
	case unitMinute:
		return int32(floorMod(ms, 3_600_000) / 60_000)
	case unitSecond:
		return int32(floorMod(ms, 60_000) / 1000)
	case unitMillisecond:
		return int32(floorMod(ms, 1000))
	}
	t := time.UnixMilli(ms).UTC()
	switch unit {
	case unitYear:
		return int32(t.Year())
	case unitMonth:
		return int32(t.Month())
	case unitWeek:
		_, w := t.ISOWeek()
		return int32(w)
	case unitDay:
		return int32(t.Day())
	case unitDOW:
		return int32((t.Weekday()+6)%7) + 1
	}
	return int32(t.YearDay())
}

// zoneArg returns the bound time-zone argument check: a literal zone must
// be known at compile time.
func (b *binder) checkZoneArg(args []Expr) bool {
	if len(args) < 3 {
		return true
	}
	if v, ok := ConstValue(args[2]); ok && !v.IsNull() {
		if _, err := loadZone(v.Str()); err != nil {
			b.errorf(args[2].Node(), "unknown time zone '%s'", v.Str())
			return false
		}
	}
	return true
}

func (b *binder) checkPatternArg(arg Expr) bool {
	if v, ok := ConstValue(arg); ok && !v.IsNull() {
		if _, err := compileJavaPattern(v.Str()); err != nil {
			b.errorf(arg.Node(), "invalid date pattern: %v", err)
			return false
		}
	}
	return true
}

func bindDateFormat(b *binder, n *ast.Call, args []Expr) Expr {
	if !b.checkArgs(n, args, argIntegral, argString, argString) || !b.checkPatternArg(args[1]) || !b.checkZoneArg(args) {
		return &badExpr{}
	}
	return newCall(n, topology.TypeString, args, true, func(c *compiler, args []Expr) Func {
		ts := c.fn(args[0])
		layout, zone := c.layoutArg(args[1]), c.zoneArg(args)
		return func(f *Frame) topology.Value {
			v := ts(f)
			if v.IsNull() {
				return v
			}
			l, loc := layout(f), zone(f)
			if l == nil || loc == nil {
				return null
			}
			return topology.String(l.format(time.UnixMilli(v.RawLong()).In(loc)))
		}
	})
}

func bindDateParse(b *binder, n *ast.Call, args []Expr) Expr {
	if !b.checkArgs(n, args, argString, argString, argString) || !b.checkPatternArg(args[1]) || !b.checkZoneArg(args) {
		return &badExpr{}
	}
	return newCall(n, topology.TypeLong, args, true, func(c *compiler, args []Expr) Func {
		s := c.fn(args[0])
		layout, zone := c.layoutArg(args[1]), c.zoneArg(args)
		return func(f *Frame) topology.Value {
			v := s(f)
			if v.IsNull() {
				return v
			}
			l, loc := layout(f), zone(f)
			if l == nil || loc == nil {
				return null
			}
			ms, ok := l.parse(v.Str(), loc)
			if !ok {
				return null
			}
			return topology.Long(ms)
		}
	})
}

// layoutArg returns the compiled date pattern of arg: precompiled when
// constant, else compiled at run time through a one-entry cache (nil for a
// NULL or invalid pattern).
func (c *compiler) layoutArg(arg Expr) func(*Frame) *javaLayout {
	if v, ok := c.constOf(arg); ok {
		var l *javaLayout
		if !v.IsNull() {
			l, _ = compileJavaPattern(v.Str())
		}
		return func(*Frame) *javaLayout { return l }
	}
	p := c.fn(arg)
	var cache atomic.Pointer[javaLayout]
	return func(f *Frame) *javaLayout {
		v := p(f)
		if v.IsNull() {
			return nil
		}
		if l := cache.Load(); l != nil && l.src == v.Str() {
			return l
		}
		l, err := compileJavaPattern(v.Str())
		if err != nil {
			return nil
		}
		cache.Store(l)
		return l
	}
}

// zoneArg returns the time zone of the optional third argument (UTC when
// absent), resolved once when constant.
func (c *compiler) zoneArg(args []Expr) func(*Frame) *time.Location {
	if len(args) < 3 {
		return func(*Frame) *time.Location { return time.UTC }
	}
	if v, ok := c.constOf(args[2]); ok {
		var loc *time.Location
		if !v.IsNull() {
			loc, _ = loadZone(v.Str())
		}
		return func(*Frame) *time.Location { return loc }
	}
	p := c.fn(args[2])
	type entry struct {
		name string
		loc  *time.Location
	}
	var cache atomic.Pointer[entry]
	return func(f *Frame) *time.Location {
		v := p(f)
		if v.IsNull() {
			return nil
		}
		if e := cache.Load(); e != nil && e.name == v.Str() {
			return e.loc
		}
		loc, _ := loadZone(v.Str())
		cache.Store(&entry{name: v.Str(), loc: loc})
		return loc
	}
}

// bindDateAdd binds date_add(ts, n, unit). The unit is a string ('DAY') or
// a bare unit word (DAY), which is read as a unit unless an attribute of
// that name is in scope.
func bindDateAdd(b *binder, n *ast.Call) Expr {
	ts, amount := b.bind(n.Args[0]), b.bind(n.Args[1])
	var unitExpr Expr
	unit, fixed := timeUnit(0), false
	if ref, ok := n.Args[2].(*ast.ColumnRef); ok && ref.Qualifier == nil {
		if u, isUnit := parseUnit(ref.Name.Name, true); isUnit {
			if _, err := b.sc.Resolve(ref); err != nil {
				unit, fixed = u, true
				unitExpr = newConst(ref, topology.String(unitNames[u]))
			}
		}
	}
	if unitExpr == nil {
		unitExpr = b.bind(n.Args[2])
	}
	if isBad(ts, amount, unitExpr) {
		return &badExpr{}
	}
	args := []Expr{ts, amount, unitExpr}
	if !b.checkArgs(n, args, argIntegral, argIntegral, argString) {
		return &badExpr{}
	}
	if !fixed {
		if v, ok := ConstValue(unitExpr); ok && !v.IsNull() {
			u, isUnit := parseUnit(v.Str(), true)
			if !isUnit {
				err := b.errorf(unitExpr.Node(), "unknown date_add unit '%s'", v.Str())
				b.errs[len(b.errs)-1].Hint = diag.DidYouMean(v.Str(), unitCandidates(true))
				return err
			}
			unit, fixed = u, true
		}
	}
	if fixed {
		return newCall(n, topology.TypeLong, args, true, strict2Of3(func(ts, k topology.Value) topology.Value {
			return topology.Long(dateAdd(ts.RawLong(), k.RawLong(), unit))
		}))
	}
	return newCall(n, topology.TypeLong, args, true, strict3(func(ts, k, u topology.Value) topology.Value {
		unit, ok := parseUnit(u.Str(), true)
		if !ok {
			return null
		}
		return topology.Long(dateAdd(ts.RawLong(), k.RawLong(), unit))
	}))
}

// strict2Of3 is strict2 over the first two of three arguments.
func strict2Of3(fn func(a, b topology.Value) topology.Value) builder {
	return func(c *compiler, args []Expr) Func { return strict2(fn)(c, args[:2]) }
}

// dateAdd adds k units to ts (UTC). YEAR and MONTH move along the calendar
// and clamp the day to the target month's length (Jan 31 + 1 MONTH = Feb
// 28/29, as Java's Calendar); other units add fixed milliseconds. Overflow
// wraps.
func dateAdd(ts, k int64, unit timeUnit) int64 {
	switch unit {
	case unitYear:
		return addMonths(ts, k*12)
	case unitMonth:
		return addMonths(ts, k)
	}
	return ts + k*unitMillis[unit]
}

func addMonths(ts, k int64) int64 {
	t := time.UnixMilli(ts).UTC()
	y, m, d := t.Date()
	total := int64(y)*12 + int64(m-1) + k
	ny := total / 12
	nm := total % 12
	if nm < 0 {
		nm += 12
		ny--
	}
	month := time.Month(nm + 1)
	if dim := daysIn(month, int(ny)); d > dim {
		d = dim
	}
	h, mi, s := t.Clock()
	return time.Date(int(ny), month, d, h, mi, s, t.Nanosecond(), time.UTC).UnixMilli()
}

func daysIn(m time.Month, year int) int {
	return time.Date(year, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}
