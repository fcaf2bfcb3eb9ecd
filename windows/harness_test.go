package windows

import (
	"strconv"
	"strings"
	"testing"

	"github.com/eventflux-io/eventflux-go/statestore"
	"github.com/eventflux-io/eventflux-go/statestore/memstore"
	"github.com/eventflux-io/eventflux-go/topology"
)

// fakeCtx is a topology.Context recording what a window forwards, with
// stores in a direct in-memory state.
type fakeCtx struct {
	st    int64
	out   []*topology.Event
	state statestore.TaskState
	// late records the Late reports: "v@ts: reason" (v the first value).
	late []string
}

func (c *fakeCtx) Late(ev *topology.Event, reason string) {
	c.late = append(c.late, ev.Values[0].String()+"@"+strconv.FormatInt(ev.TS, 10)+": "+reason)
}

func (c *fakeCtx) Forward(ev *topology.Event) error { c.out = append(c.out, ev); return nil }
func (c *fakeCtx) StreamTime() int64                { return c.st }
func (c *fakeCtx) NodeName() string                 { return "w" }

func (c *fakeCtx) stores() statestore.TaskState {
	if c.state == nil {
		c.state = memstore.NewProvider()
	}
	return c.state
}

func (c *fakeCtx) Store(name string) (statestore.KeyValue, error) {
	return c.stores().Open(topology.StoreName("w", name))
}

func (c *fakeCtx) WindowStore(name string) (statestore.Windowed, error) {
	return c.stores().OpenWindowed(topology.StoreName("w", name))
}

// harness drives one window the way a task does: stream time advances
// (and Punctuate runs) before the event that advanced it is processed.
type harness struct {
	t   *testing.T
	p   topology.Processor
	ctx *fakeCtx
}

func newHarness(t *testing.T, s Spec) *harness {
	t.Helper()
	h := &harness{t: t, p: New(s)(), ctx: &fakeCtx{st: topology.NoTime}}
	if err := h.p.Init(h.ctx); err != nil {
		t.Fatal(err)
	}
	return h
}

// send feeds an event at ts whose values are vals (LONG each).
func (h *harness) send(ts int64, vals ...int64) {
	h.t.Helper()
	vs := make([]topology.Value, len(vals))
	for i, v := range vals {
		vs[i] = topology.Long(v)
	}
	h.sendValues(ts, vs...)
}

func (h *harness) sendValues(ts int64, vs ...topology.Value) {
	h.t.Helper()
	h.advance(ts)
	if err := h.p.Process(topology.NewEvent(ts, vs...)); err != nil {
		h.t.Fatal(err)
	}
}

func (h *harness) advance(ts int64) {
	h.t.Helper()
	if ts <= h.ctx.st {
		return
	}
	h.ctx.st = ts
	if p, ok := h.p.(topology.Punctuator); ok {
		if err := p.Punctuate(ts); err != nil {
			h.t.Fatal(err)
		}
	}
}

// expect checks the events forwarded since the last expect, rendered as
// "+v@ts" (current), "-v@ts" (expired) and "|@ts" (BatchEnd), where v is
// the first value.
func (h *harness) expect(want string) {
	h.t.Helper()
	var got []string
	for _, ev := range h.ctx.out {
		switch ev.Kind {
		case topology.BatchEnd:
			got = append(got, "|@"+strconv.FormatInt(ev.TS, 10))
			continue
		case topology.Expired:
			got = append(got, "-"+ev.Values[0].String()+"@"+strconv.FormatInt(ev.TS, 10))
		default:
			got = append(got, "+"+ev.Values[0].String()+"@"+strconv.FormatInt(ev.TS, 10))
		}
	}
	h.ctx.out = nil
	if g := strings.Join(got, " "); g != want {
		h.t.Errorf("forwarded\n  got:  %s\n  want: %s", g, want)
	}
}

func (h *harness) counters() Counters { return h.p.(Counted).Counters() }
