package testscript

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"

	"github.com/eventflux-io/eventflux-go/sqlc"
	"github.com/eventflux-io/eventflux-go/sqlc/diag"
	"github.com/eventflux-io/eventflux-go/topology"
	"github.com/eventflux-io/eventflux-go/topology/topologytest"
)

// Memory is the in-process Backend: it compiles with sqlc.Compile and runs
// the topology synchronously in a topologytest.Driver (one task, in-memory
// stores, a virtual clock only events and watermarks move).
type Memory struct {
	// CompileFunc compiles an app. Default sqlc.Compile; tests substitute a
	// hand-built topology.
	CompileFunc func(src string, opts sqlc.Options) (*sqlc.Program, error)

	topo    *topology.Topology
	drv     *topologytest.Driver
	pending []Output
}

// NewMemory returns a Memory backend using sqlc.Compile.
func NewMemory() *Memory { return &Memory{CompileFunc: sqlc.Compile} }

// Compile implements Backend.
func (m *Memory) Compile(file, src string, lookupEnv func(string) (string, bool)) error {
	if err := m.Close(); err != nil {
		return err
	}
	compile := m.CompileFunc
	if compile == nil {
		compile = sqlc.Compile
	}
	prog, err := compile(src, sqlc.Options{File: file, LookupEnv: lookupEnv})
	if err != nil {
		return err
	}
	if prog == nil || prog.Topology == nil {
		return errors.New("testscript: compile returned no topology")
	}
	m.topo = prog.Topology
	drv, err := topologytest.New(prog.Topology, topologytest.OnOutput(m.emit))
	if err != nil {
		m.topo = nil
		return err
	}
	m.drv = drv
	return nil
}

func (m *Memory) emit(o topologytest.Output) error {
	m.pending = append(m.pending, Output{
		Stream: o.Stream,
		TS:     o.Event.TS,
		Kind:   o.Event.Kind,
		Schema: m.topo.Stream(o.Stream),
		Values: append([]topology.Value(nil), o.Event.Values...),
	})
	return nil
}

// Schema implements Backend.
func (m *Memory) Schema(stream string) *topology.Schema {
	if m.topo == nil {
		return nil
	}
	return m.topo.Stream(stream)
}

// Send implements Backend. Attributes missing from data are NULL; an
// attribute the stream does not have is an error. When the stream's WITH
// options name a timestamp attribute holding a value, that value is the
// event time instead of ts.
func (m *Memory) Send(stream string, ts int64, data []byte) error {
	if m.drv == nil {
		return errors.New("no app loaded")
	}
	schema := m.topo.Stream(stream)
	if schema == nil {
		return fmt.Errorf("unknown stream %s%s", stream, suffixHint(stream, m.streamNames()))
	}
	vals, err := DecodeJSON(schema, data)
	if err != nil {
		return err
	}
	if attr := m.topo.Node(stream).Binding.Timestamp; attr != "" {
		if i := schema.Index(attr); i >= 0 && !vals[i].IsNull() {
			ts = vals[i].AsLong()
		}
	}
	return m.drv.Send(stream, ts, vals...)
}

// Advance implements Backend.
func (m *Memory) Advance(ts int64) error {
	if m.drv == nil {
		return errors.New("no app loaded")
	}
	return m.drv.Advance(ts)
}

// Outputs implements Backend.
func (m *Memory) Outputs() []Output {
	out := m.pending
	m.pending = nil
	return out
}

// Close implements Backend.
func (m *Memory) Close() error {
	var err error
	if m.drv != nil {
		err = m.drv.Close()
	}
	m.topo, m.drv, m.pending = nil, nil, nil
	return err
}

func (m *Memory) streamNames() []string {
	var names []string
	for _, n := range m.topo.Nodes() {
		if n.Kind == topology.StreamNode {
			names = append(names, n.Info.Name)
		}
	}
	sort.Strings(names)
	return names
}

func suffixHint(name string, candidates []string) string {
	if h := diag.DidYouMean(name, candidates); h != "" {
		return "; " + h
	}
	return ""
}

// DecodeJSON decodes a JSON object into values in schema order. A missing
// or null attribute is NULL; an attribute not in the schema, or a value of
// the wrong JSON type (a string for an INT, a fraction for a LONG, a
// number out of INT range) is an error.
func DecodeJSON(schema *topology.Schema, data []byte) ([]topology.Value, error) {
	var obj map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&obj); err != nil {
		return nil, fmt.Errorf("bad JSON object: %v", err)
	}
	if obj == nil {
		return nil, errors.New("want a JSON object, got null")
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if schema.Index(k) < 0 {
			return nil, fmt.Errorf("stream %s has no attribute %q%s", schema.Name, k, suffixHint(k, schema.Names()))
		}
	}
	vals := make([]topology.Value, schema.Len())
	for i, a := range schema.Attrs {
		raw, ok := obj[a.Name]
		if !ok {
			continue
		}
		v, err := decodeValue(a.Type, raw)
		if err != nil {
			return nil, fmt.Errorf("attribute %s (%s): %v", a.Name, a.Type, err)
		}
		vals[i] = v
	}
	return vals, nil
}

func decodeValue(t topology.Type, raw json.RawMessage) (topology.Value, error) {
	if string(raw) == "null" {
		return topology.Null(), nil
	}
	bad := func() (topology.Value, error) { return topology.Null(), fmt.Errorf("cannot take %s", raw) }
	switch t {
	case topology.TypeString:
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return bad()
		}
		return topology.String(s), nil
	case topology.TypeBool:
		var b bool
		if json.Unmarshal(raw, &b) != nil {
			return bad()
		}
		return topology.Bool(b), nil
	case topology.TypeInt, topology.TypeLong:
		n, err := strconv.ParseInt(string(raw), 10, 64)
		if err != nil {
			return bad()
		}
		if t == topology.TypeInt {
			if n < math.MinInt32 || n > math.MaxInt32 {
				return topology.Null(), fmt.Errorf("%s is out of INT range", raw)
			}
			return topology.Int(int32(n)), nil
		}
		return topology.Long(n), nil
	case topology.TypeFloat, topology.TypeDouble:
		var f float64
		if raw[0] == '"' {
			var s string
			_ = json.Unmarshal(raw, &s)
			g, ok := specialFloat(s)
			if !ok {
				return bad()
			}
			f = g
		} else if json.Unmarshal(raw, &f) != nil {
			return bad()
		}
		if t == topology.TypeFloat {
			return topology.Float(float32(f)), nil
		}
		return topology.Double(f), nil
	}
	return bad()
}
