package serde

import (
	"errors"
	"strings"
	"testing"

	"github.com/eventflux-io/eventflux-go/topology"
)

var trades = topology.NewSchema("Trades",
	topology.Attribute{Name: "symbol", Type: topology.TypeString},
	topology.Attribute{Name: "price", Type: topology.TypeDouble},
	topology.Attribute{Name: "volume", Type: topology.TypeInt},
	topology.Attribute{Name: "ts", Type: topology.TypeLong},
)

func render(ev *topology.Event) string {
	parts := make([]string, len(ev.Values))
	for i, v := range ev.Values {
		parts[i] = v.String()
	}
	return strings.Join(parts, " ")
}

func TestDecode(t *testing.T) {
	cases := []struct {
		name   string
		bind   topology.Binding
		value  string
		want   string
		wantTS int64
		err    string
	}{
		{name: "json", bind: topology.Binding{Format: "json"},
			value: `{"symbol":"IBM","price":75.5,"volume":100,"extra":[1,{"x":2}]}`, want: `"IBM" 75.5 100 NULL`, wantTS: 7},
		{name: "json timestamp attr", bind: topology.Binding{Format: "json", Timestamp: "ts"},
			value: `{"ts":1000,"symbol":"IBM"}`, want: `"IBM" NULL NULL 1000`, wantTS: 1000},
		{name: "json null timestamp falls back", bind: topology.Binding{Format: "json", Timestamp: "ts"},
			value: `{"ts":null}`, want: `NULL NULL NULL NULL`, wantTS: 7},
		{name: "json mapping", bind: topology.Binding{Format: "json", Options: map[string]string{"json.mapping.symbol": "$.instrument.id", "json.mapping.price": "$.instrument.px"}},
			value: `{"instrument":{"id":"IBM","px":1},"volume":3}`, want: `"IBM" 1 3 NULL`, wantTS: 7},
		{name: "json mapping missing parent", bind: topology.Binding{Format: "json", Options: map[string]string{"json.mapping.symbol": "$.a.b"}},
			value: `{"a":null}`, want: `NULL NULL NULL NULL`, wantTS: 7},
		{name: "json wrong type", bind: topology.Binding{Format: "json"},
			value: `{"price":"abc"}`, err: `serde: Trades: field $.price: expected DOUBLE, got string "abc"`},
		{name: "json int range", bind: topology.Binding{Format: "json"},
			value: `{"volume":3000000000}`, err: `serde: Trades: field $.volume: number 3000000000 out of INT range`},
		{name: "json not object", bind: topology.Binding{Format: "json"},
			value: `[1]`, err: `serde: Trades: expected a JSON object, got array`},
		{name: "json garbage", bind: topology.Binding{Format: "json"},
			value: `{"symbol":`, err: `serde: Trades: field $.symbol: invalid JSON at column 11: unexpected end of line, expected a value`},
		{name: "csv", bind: topology.Binding{Format: "csv"},
			value: `IBM,75.5,100,`, want: `"IBM" 75.5 100 NULL`, wantTS: 7},
		{name: "csv quoted delimiter", bind: topology.Binding{Format: "csv", Options: map[string]string{"csv.delimiter": ";"}},
			value: `"I;BM";1;2;3`, want: `"I;BM" 1 2 3`, wantTS: 7},
		{name: "csv header names", bind: topology.Binding{Format: "csv", Options: map[string]string{"csv.header-names": "price,symbol"}},
			value: `2.5,X`, want: `"X" 2.5 NULL NULL`, wantTS: 7},
		{name: "csv has header", bind: topology.Binding{Format: "csv", Options: map[string]string{"csv.has-header": "true"}},
			value: "volume,symbol\n5,Y", want: `"Y" NULL 5 NULL`, wantTS: 7},
		{name: "csv bad number", bind: topology.Binding{Format: "csv"},
			value: `IBM,x,1,2`, err: `serde: Trades: field price: expected DOUBLE, got "x"`},
		{name: "csv field count", bind: topology.Binding{Format: "csv"},
			value: `IBM,1`, err: `serde: Trades: csv: 2 fields, want 4`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, err := NewDecoder(trades, c.bind)
			if err != nil {
				t.Fatal(err)
			}
			ev, err := d.Decode([]byte(c.value), 7)
			if c.err != "" {
				var de *DecodeError
				if err == nil || err.Error() != c.err || !errors.As(err, &de) {
					t.Fatalf("err = %v, want %s", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := render(ev); got != c.want || ev.TS != c.wantTS {
				t.Fatalf("got %s @%d, want %s @%d", got, ev.TS, c.want, c.wantTS)
			}
		})
	}
}

func TestRaw(t *testing.T) {
	s := topology.NewSchema("Lines", topology.Attribute{Name: "line", Type: topology.TypeString})
	d, err := NewDecoder(s, topology.Binding{Format: "raw"})
	if err != nil {
		t.Fatal(err)
	}
	ev, err := d.Decode([]byte("hello, world"), 1)
	if err != nil || ev.Values[0].Str() != "hello, world" {
		t.Fatalf("%v %v", ev, err)
	}
	if _, err := d.Decode([]byte{0xff}, 1); err == nil {
		t.Fatal("invalid UTF-8 accepted")
	}
	e, _ := NewEncoder(s, topology.Binding{Format: "raw"})
	if got := string(e.Append(nil, ev)); got != "hello, world" {
		t.Fatal(got)
	}
	if _, err := NewDecoder(trades, topology.Binding{Format: "raw"}); err == nil {
		t.Fatal("raw accepted a 4-attribute schema")
	}
}

func TestBadOptions(t *testing.T) {
	for _, b := range []topology.Binding{
		{Format: "xml"},
		{Format: "json", Options: map[string]string{"json.mapping.price": "$.a[0]"}},
		{Format: "json", Options: map[string]string{"json.mapping.price": "$.a", "json.mapping.symbol": "$.a.b"}},
		{Format: "csv", Options: map[string]string{"csv.quote": "'"}},
		{Format: "csv", Options: map[string]string{"csv.header-names": "nope"}},
		{Format: "json", Timestamp: "symbol"},
	} {
		if _, err := NewDecoder(trades, b); err == nil || !strings.HasPrefix(err.Error(), "serde: ") {
			t.Errorf("%+v: err = %v", b, err)
		}
	}
}

func TestEncodeAndKeys(t *testing.T) {
	ev := topology.NewEvent(1, topology.String(`I"BM`), topology.Double(100), topology.Int(3), topology.Null())
	for _, c := range []struct {
		format, want string
	}{
		{"json", `{"symbol":"I\"BM","price":100.0,"volume":3,"ts":null}`},
		{"csv", `"I""BM",100.0,3,`},
	} {
		e, err := NewEncoder(trades, topology.Binding{Format: c.format})
		if err != nil {
			t.Fatal(err)
		}
		if got := string(e.Append(nil, ev)); got != c.want {
			t.Errorf("%s: %s, want %s", c.format, got, c.want)
		}
	}
	for _, c := range []struct {
		key  []string
		want string
		ok   bool
	}{
		{nil, "", false},
		{[]string{"symbol"}, `I"BM`, true},
		{[]string{"volume"}, `3`, true},
		{[]string{"ts"}, ``, false},
		{[]string{"symbol", "volume"}, `["I\"BM",3]`, true},
	} {
		k, err := NewKeyEncoder(trades, topology.Binding{Key: c.key})
		if err != nil {
			t.Fatal(err)
		}
		got, ok := k.Append(nil, ev)
		if string(got) != c.want || ok != c.ok {
			t.Errorf("key %v = %q %v, want %q %v", c.key, got, ok, c.want, c.ok)
		}
	}
	// Round trip through the decoder.
	e, _ := NewEncoder(trades, topology.Binding{Format: "json"})
	d, _ := NewDecoder(trades, topology.Binding{Format: "json"})
	back, err := d.Decode(e.Append(nil, ev), 1)
	if err != nil || render(back) != render(ev) {
		t.Fatalf("round trip: %v %v", back, err)
	}
}
