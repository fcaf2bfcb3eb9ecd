package sqlc

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/eventflux-io/eventflux-go/aggregate"
	"github.com/eventflux-io/eventflux-go/sqlc/ast"
	"github.com/eventflux-io/eventflux-go/sqlc/expr"
	"github.com/eventflux-io/eventflux-go/sqlc/plan"
	"github.com/eventflux-io/eventflux-go/topology"
	"github.com/eventflux-io/eventflux-go/windows"
)

// aggConfig is the compiled, immutable part of an aggregating select
// stage, shared by the processor instances of every task.
type aggConfig struct {
	defs    []aggregate.Def
	args    []expr.Func // nil for count() and count(*)
	forever bool        // some aggregate keeps state after its events leave
	keys    []expr.Func
	strKey  bool
	cols    []expr.Func
	conv    []func(topology.Value) topology.Value // widening per column, or nil
	having  func(*expr.Frame) bool
	order   []orderKey
	limit   int64 // -1: none
	offset  int64 // -1: none
	output  *plan.OutputRate
	// batched: rows are emitted when a batch ends; perGroup: one row per
	// group per batch (a batch window with aggregates or GROUP BY).
	batched, perGroup bool
	current, expired  bool
	// persist says how groups are kept in the store (persist.go).
	persist persistMode
	// names names each aggregate call for state inspection (decode.go).
	names []string
}

// buildAggSelect adds the aggregating select stage of q after parent and
// returns its node name.
func buildAggSelect(b *topology.Builder, q *plan.Query, parent string) string {
	cfg := compileAgg(q)
	name := q.Name + "/select"
	b.AddProcessor(topology.NodeInfo{Name: name, Op: "aggregate", Detail: aggDetail(q), Schema: q.Target.Schema,
		Stores: selectStores}, cfg.supplier(), parent)
	return name
}

func compileAgg(q *plan.Query) *aggConfig {
	a := q.Agg
	cfg := &aggConfig{limit: a.Limit, offset: a.Offset, output: a.Output, names: aggNames(q)}
	cfg.current, cfg.expired = q.EventKinds()
	for _, c := range a.Calls {
		cfg.defs = append(cfg.defs, c.Def)
		cfg.forever = cfg.forever || c.Def.Forever
		var fn expr.Func
		if c.Arg != nil {
			fn = expr.Compile(c.Arg)
		}
		cfg.args = append(cfg.args, fn)
	}
	for _, g := range a.GroupBy {
		cfg.keys = append(cfg.keys, expr.Compile(g))
	}
	cfg.strKey = len(a.GroupBy) == 1 && a.GroupBy[0].Type() == topology.TypeString
	for _, pr := range q.Project {
		cfg.cols = append(cfg.cols, expr.Compile(pr.Expr))
		var conv func(topology.Value) topology.Value
		if pr.Expr.Type() != pr.Type && pr.Expr.Type() != topology.TypeNull {
			conv = widenValue(pr.Type)
		}
		cfg.conv = append(cfg.conv, conv)
	}
	if a.Having != nil {
		cfg.having = expr.CompileFilter(a.Having)
	}
	for _, k := range a.OrderBy {
		cfg.order = append(cfg.order, orderKey{fn: expr.Compile(k.Expr), desc: k.Desc})
	}
	cfg.batched = plan.Batched(q.Window)
	cfg.perGroup = cfg.batched && a.Aggregating()
	switch {
	case cfg.batched:
		cfg.persist = persistBatch
	case q.Window == nil, q.Window.Spec.Kind == windows.FirstUnique, q.Window.Spec.Kind == windows.Delay:
		cfg.persist = persistNoRetract
	default:
		cfg.persist = persistDerived
	}
	return cfg
}

// widenValue converts a non-NULL numeric value to type to.
func widenValue(to topology.Type) func(topology.Value) topology.Value {
	return func(v topology.Value) topology.Value {
		switch {
		case v.IsNull():
			return v
		case to == topology.TypeLong:
			return topology.Long(v.AsLong())
		case to == topology.TypeFloat:
			return topology.Float(v.AsFloat())
		case to == topology.TypeDouble:
			return topology.Double(v.AsDouble())
		}
		return v
	}
}

func aggDetail(q *plan.Query) string {
	items := make([]string, len(q.Project))
	for i, pr := range q.Project {
		items[i] = pr.Expr.String()
		if items[i] != pr.Name {
			items[i] += " AS " + pr.Name
		}
	}
	s := strings.Join(items, ", ")
	a := q.Agg
	if len(a.GroupBy) > 0 {
		keys := make([]string, len(a.GroupBy))
		for i, g := range a.GroupBy {
			keys[i] = g.String()
		}
		s += " GROUP BY " + strings.Join(keys, ", ")
	}
	if a.Having != nil {
		s += " HAVING " + a.Having.String()
	}
	if o := a.Output; o != nil {
		mode := o.Mode.String()
		if mode == "" {
			mode = ast.OutputAll.String()
		}
		if o.Events > 0 {
			s += fmt.Sprintf(" OUTPUT %s EVERY %d EVENTS", mode, o.Events)
		} else {
			s += fmt.Sprintf(" OUTPUT %s EVERY %dms", mode, o.Every)
		}
	}
	emits := "per event"
	if plan.Batched(q.Window) {
		emits = "per batch"
	}
	current, expired := q.EventKinds()
	return fmt.Sprintf("%s; rows %s; insert %s into %s", s, emits, kindsName(current, expired), q.Target.Schema.Name)
}

// supplier returns the processor supplier: a punctuating processor when
// the OUTPUT rate is time-based.
func (cfg *aggConfig) supplier() func() topology.Processor {
	if cfg.output != nil && cfg.output.Every > 0 {
		return func() topology.Processor { return &timedAggSelect{cfg.newProc()} }
	}
	return func() topology.Processor { return cfg.newProc() }
}

func (cfg *aggConfig) newProc() *aggSelect {
	p := &aggSelect{cfg: cfg,
		groups:  newGroupTable(cfg.defs, cfg.keys, cfg.strKey),
		expired: newGroupTable(cfg.defs, cfg.keys, cfg.strKey)}
	p.aggVals.Values = make([]topology.Value, len(cfg.defs))
	p.frame.Events = []*topology.Event{nil, &p.aggVals, nil}
	return p
}

// aggSelect is the aggregating select stage (SQL.md "Aggregate output"):
//   - per event (no window or a sliding window): each current event adds
//     to its group and each expired event retracts from it; each emits a
//     row with the group's updated aggregates, of the event's kind, at the
//     event's time;
//   - per batch (a batch window): the batch's current events aggregate
//     afresh; on BatchEnd one row per group, in order of first appearance
//     (one row without GROUP BY, none for an empty batch), at the largest
//     timestamp of the group's events. The previous batch's expired
//     events form expired rows the same way, before the current ones.
//
// Non-aggregated attributes take the values of the event that triggered
// the row (in a batch, the group's last event), as in Siddhi.
type aggSelect struct {
	cfg     *aggConfig
	ctx     topology.Context
	frame   expr.Frame // slots: input event, aggregate results, output row
	aggVals topology.Event
	groups  groupTable
	expired groupTable // a batch's expired events
	// order and expOrder are the groups of the current batch, in order of
	// first appearance; pending holds per-event rows of a batch.
	order, expOrder []*group
	pending         []row
	out             emitter
	alloc           topology.EventAlloc
	st              selectStore
	// history holds the group records of a derived-mode restore until
	// Restore lays them over the rebuilt groups.
	history [][2][]byte
}

// Init implements topology.Processor: it restores the groups (or, in
// derived mode, keeps their records for Restore) and the OUTPUT state.
func (p *aggSelect) Init(ctx topology.Context) error {
	p.ctx = ctx
	p.out = newEmitter(p.cfg, ctx, &p.alloc)
	kv, err := ctx.Store(selectStoreName)
	if err != nil {
		return err
	}
	p.st.kv = kv
	if err := p.restoreGroups(); err != nil {
		return err
	}
	raw, ok, err := kv.Get([]byte{'m'})
	if err != nil {
		return err
	}
	m := metaBuf{}
	if ok {
		p.st.lastMeta = bytes.Clone(raw)
		m.b = p.st.lastMeta[:len(p.st.lastMeta):len(p.st.lastMeta)]
	}
	if err := p.out.restore(&p.st, &m); err != nil {
		return err
	}
	return m.err
}

// Flush implements topology.Flusher: it writes the changed groups and the
// OUTPUT state.
func (p *aggSelect) Flush() error {
	if err := p.flushGroups(); err != nil {
		return err
	}
	m := metaBuf{}
	if err := p.out.flush(&p.st, &m); err != nil {
		return err
	}
	return p.st.writeMeta(m.b)
}

func (p *aggSelect) Close() error { return nil }

func (p *aggSelect) Process(ev *topology.Event) error {
	switch {
	case !p.cfg.batched:
		return p.perEvent(ev)
	case p.cfg.perGroup:
		return p.perGroup(ev)
	}
	return p.perEventBatched(ev)
}

func (p *aggSelect) wants(k topology.EventKind) bool {
	if k == topology.Expired {
		return p.cfg.expired
	}
	return p.cfg.current
}

// perEvent handles an event of a query without a batch window.
func (p *aggSelect) perEvent(ev *topology.Event) error {
	if ev.Kind == topology.BatchEnd {
		return nil
	}
	p.frame.Events[0] = ev
	g := p.groups.get(&p.frame)
	p.update(g, ev)
	p.groups.touch(g)
	gone := g.n <= 0 && !p.cfg.forever
	var err error
	switch {
	case p.out.snap != nil:
		r, ok := p.makeRow(g, ev, ev.TS, ev.Kind)
		err = p.out.snap.update(r, ok && !gone, ev.TS)
	case p.wants(ev.Kind):
		if r, ok := p.makeRow(g, ev, ev.TS, ev.Kind); ok {
			err = p.out.one(r)
		}
	}
	if gone {
		p.groups.drop(g)
	}
	return err
}

// update adds ev to g, or retracts it when it is expired.
func (p *aggSelect) update(g *group, ev *topology.Event) {
	args := p.cfg.args
	if ev.Kind == topology.Expired {
		g.n--
		for i, a := range g.aggs {
			a.Remove(p.arg(args[i]))
		}
		return
	}
	g.n++
	for i, a := range g.aggs {
		a.Add(p.arg(args[i]))
	}
}

func (p *aggSelect) arg(fn expr.Func) topology.Value {
	if fn == nil {
		return topology.Value{}
	}
	return fn(&p.frame)
}

// perEventBatched handles a batch window without aggregates or GROUP BY:
// every event makes a row, and a batch's rows are emitted together (so
// ORDER BY and LIMIT see the whole batch), as Siddhi does.
func (p *aggSelect) perEventBatched(ev *topology.Event) error {
	if ev.Kind == topology.BatchEnd {
		err := p.out.batch(p.pending)
		clear(p.pending)
		p.pending = p.pending[:0]
		return err
	}
	if !p.wants(ev.Kind) && (p.out.snap == nil || ev.Kind != topology.Current) {
		return nil
	}
	if r, ok := p.makeRow(nil, ev, ev.TS, ev.Kind); ok {
		p.pending = append(p.pending, r)
	}
	return nil
}

// perGroup handles a batch window with aggregates or GROUP BY.
func (p *aggSelect) perGroup(ev *topology.Event) error {
	switch ev.Kind {
	case topology.BatchEnd:
		return p.endBatch()
	case topology.Expired:
		if p.cfg.expired {
			p.expOrder = p.collect(&p.expired, ev, p.expOrder)
		}
		return nil
	}
	p.order = p.collect(&p.groups, ev, p.order)
	return nil
}

// collect aggregates ev, as an addition, into its group of t and returns
// order with the group appended if ev is its first event of the batch.
func (p *aggSelect) collect(t *groupTable, ev *topology.Event, order []*group) []*group {
	p.frame.Events[0] = ev
	g := t.get(&p.frame)
	g.n++
	for i, a := range g.aggs {
		a.Add(p.arg(p.cfg.args[i]))
	}
	g.last = ev
	if !g.inBatch || ev.TS > g.maxTS {
		g.maxTS = ev.TS
	}
	if !g.inBatch {
		g.inBatch = true
		order = append(order, g)
	}
	return order
}

// endBatch emits the batch's rows (expired groups first) and resets the
// groups for the next batch.
func (p *aggSelect) endBatch() error {
	rows := p.pending[:0]
	for _, g := range p.expOrder {
		if r, ok := p.makeRow(g, g.last, g.maxTS, topology.Expired); ok {
			rows = append(rows, r)
		}
	}
	if p.cfg.current || p.out.snap != nil {
		for _, g := range p.order {
			if r, ok := p.makeRow(g, g.last, g.maxTS, topology.Current); ok {
				rows = append(rows, r)
			}
		}
	}
	err := p.out.batch(rows)
	clear(rows)
	p.pending = rows[:0]
	for _, g := range p.expOrder {
		p.expired.drop(g)
	}
	for _, g := range p.order {
		if p.cfg.forever {
			g.reset()
			p.groups.touch(g)
		} else {
			p.groups.drop(g)
		}
	}
	clear(p.order)
	clear(p.expOrder)
	p.order, p.expOrder = p.order[:0], p.expOrder[:0]
	return err
}

// makeRow computes the output row of g triggered by ev: the select list
// over ev and g's aggregates, at ts, of kind. It reports false when HAVING
// rejects the row. HAVING and ORDER BY see the values before a declared
// target's widening.
func (p *aggSelect) makeRow(g *group, ev *topology.Event, ts int64, kind topology.EventKind) (row, bool) {
	cfg := p.cfg
	if g != nil {
		for i, a := range g.aggs {
			p.aggVals.Values[i] = a.Result()
		}
	}
	p.frame.Events[0] = ev
	out := p.alloc.New(ts, len(cfg.cols))
	out.Kind = kind
	for i, col := range cfg.cols {
		out.Values[i] = col(&p.frame)
	}
	p.frame.Events[plan.RowSlot] = out
	if cfg.having != nil && !cfg.having(&p.frame) {
		return row{}, false
	}
	r := row{ev: out}
	if g != nil {
		r.key = g.key
	}
	if len(cfg.order) > 0 && (cfg.batched || p.out.snap != nil) {
		r.sort = make([]topology.Value, len(cfg.order))
		for i, k := range cfg.order {
			r.sort[i] = k.fn(&p.frame)
		}
	}
	for i, conv := range cfg.conv {
		if conv != nil {
			out.Values[i] = conv(out.Values[i])
		}
	}
	return r, true
}

// timedAggSelect is an aggSelect with a time-based OUTPUT rate: stream
// time closes its periods.
type timedAggSelect struct{ *aggSelect }

// Punctuate implements topology.Punctuator.
func (p *timedAggSelect) Punctuate(streamTime int64) error { return p.out.tick(streamTime) }
