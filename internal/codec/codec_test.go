package codec_test

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/eventflux-io/eventflux-go/internal/codec"
	"github.com/eventflux-io/eventflux-go/topology"
)

var (
	trades = topology.NewSchema("Trades",
		topology.Attribute{Name: "symbol", Type: topology.TypeString},
		topology.Attribute{Name: "price", Type: topology.TypeDouble},
		topology.Attribute{Name: "volume", Type: topology.TypeInt},
	)
	all = topology.NewSchema("All",
		topology.Attribute{Name: "b", Type: topology.TypeBool},
		topology.Attribute{Name: "i", Type: topology.TypeInt},
		topology.Attribute{Name: "l", Type: topology.TypeLong},
		topology.Attribute{Name: "f", Type: topology.TypeFloat},
		topology.Attribute{Name: "d", Type: topology.TypeDouble},
		topology.Attribute{Name: "s", Type: topology.TypeString},
	)
	timed = topology.NewSchema("Timed",
		topology.Attribute{Name: "at", Type: topology.TypeLong},
		topology.Attribute{Name: "x", Type: topology.TypeInt},
	)
)

func newDecoder(t testing.TB) *codec.Decoder {
	t.Helper()
	d, err := codec.NewDecoder(
		codec.StreamSpec{Schema: trades},
		codec.StreamSpec{Schema: all},
		codec.StreamSpec{Schema: timed, Timestamp: "at"},
	)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func render(l codec.Line) string {
	switch l.Kind {
	case codec.Blank:
		return "blank"
	case codec.WatermarkLine:
		return "watermark " + topology.Long(l.Watermark).String()
	}
	parts := []string{l.Stream, "@", topology.Long(l.Event.TS).String()}
	for _, v := range l.Event.Values {
		parts = append(parts, v.Kind().String()+":"+v.String())
	}
	return strings.Join(parts, " ")
}

func TestDecode(t *testing.T) {
	cases := []struct{ in, want string }{
		{`{"stream":"Trades","ts":1000,"data":{"symbol":"IBM","price":75.5,"volume":100}}`,
			`Trades @ 1000 STRING:"IBM" DOUBLE:75.5 INT:100`},
		{`  {"data":{"volume":-7,"price":50},"ts":-3,"stream":"Trades"}  `,
			`Trades @ -3 NULL:NULL DOUBLE:50 INT:-7`},
		{`{"stream":"Trades","ts":1,"data":{"symbol":null,"price":null,"volume":null}}`,
			`Trades @ 1 NULL:NULL NULL:NULL NULL:NULL`},
		{`{"stream":"All","ts":0,"data":{"b":true,"i":2147483647,"l":-9223372036854775808,"f":1.1,"d":1e300,"s":""}}`,
			`All @ 0 BOOL:true INT:2147483647 LONG:-9223372036854775808 FLOAT:1.1 DOUBLE:1e+300 STRING:""`},
		{`{"stream":"All","ts":0,"data":{"b":false,"i":-2147483648,"l":9223372036854775807,"f":3,"d":-0.0,"s":"x"}}`,
			`All @ 0 BOOL:false INT:-2147483648 LONG:9223372036854775807 FLOAT:3 DOUBLE:-0 STRING:"x"`},
		{`{"stream":"All","ts":0,"data":{"s":"a\"b\\c\/d\b\f\n\r\t\u00e9\u20AC\ud83d\ude00é"}}`,
			`All @ 0 NULL:NULL NULL:NULL NULL:NULL NULL:NULL NULL:NULL STRING:"a\"b\\c/d\b\f\n\r\té€😀é"`},
		{`{"stream":"Timed","data":{"at":42,"x":1}}`, `Timed @ 42 LONG:42 INT:1`},
		{`{"stream":"Timed","ts":7,"data":{"at":42}}`, `Timed @ 42 LONG:42 NULL:NULL`},
		{`{"stream":"Timed","ts":7,"data":{"at":null}}`, `Timed @ 7 NULL:NULL NULL:NULL`},
		{`{"watermark":5000}`, `watermark 5000`},
		{` { "watermark" : 5000 } `, `watermark 5000`},
		{``, `blank`},
		{" \t\r", `blank`},
	}
	d := newDecoder(t)
	for _, c := range cases {
		l, err := d.Decode(1, []byte(c.in))
		if err != nil {
			t.Errorf("%s: %v", c.in, err)
			continue
		}
		if got := render(l); got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.in, got, c.want)
		}
	}
}

func TestDecodeErrors(t *testing.T) {
	cases := []struct{ in, field, want string }{
		{`{"stream":"Trades","ts":1,"data":{"price":"abc"}}`, "data.price", `line 3: field data.price: expected DOUBLE, got string "abc"`},
		{`{"stream":"Trades","ts":1,"data":{"prcie":1}}`, "data.prcie", `did you mean 'price'?`},
		{`{"stream":"Trade","ts":1,"data":{}}`, "stream", `unknown stream "Trade"; did you mean 'Trades'?`},
		{`{"stream":"Trades","ts":1,"data":{"volume":1.5}}`, "data.volume", `expected INT, got number 1.5`},
		{`{"stream":"Trades","ts":1,"data":{"volume":2147483648}}`, "data.volume", `number 2147483648 out of INT range`},
		{`{"stream":"All","ts":1,"data":{"l":9223372036854775808}}`, "data.l", `out of LONG range`},
		{`{"stream":"All","ts":1,"data":{"f":1e39}}`, "data.f", `out of FLOAT range`},
		{`{"stream":"All","ts":1,"data":{"d":1e400}}`, "data.d", `out of DOUBLE range`},
		{`{"stream":"All","ts":1,"data":{"b":1}}`, "data.b", `expected BOOL, got number 1`},
		{`{"stream":"All","ts":1,"data":{"s":true}}`, "data.s", `expected STRING, got true`},
		{`{"stream":"All","ts":1,"data":{"s":{"x":1}}}`, "data.s", `expected STRING, got object`},
		{`{"stream":"All","ts":1,"data":{"i":[1]}}`, "data.i", `expected INT, got array`},
		{`{"stream":"All","ts":1,"data":{"i":1,"i":2}}`, "data.i", `duplicate key`},
		{`{"stream":"All","ts":1.5,"data":{}}`, "ts", `expected integer milliseconds, got number 1.5`},
		{`{"stream":"All","ts":"1","data":{}}`, "ts", `expected integer milliseconds, got string "1"`},
		{`{"stream":"All","data":{}}`, "", `missing "ts"`},
		{`{"stream":"All","ts":1}`, "", `missing "data"`},
		{`{"ts":1,"data":{}}`, "", `missing "stream"`},
		{`{"stream":"All","ts":1,"data":{},"tss":2}`, "tss", `unknown field; did you mean 'ts'?`},
		{`{"stream":"All","ts":1,"data":[]}`, "data", `expected an object, got array`},
		{`{"watermark":1,"ts":2}`, "", `a watermark line has only`},
		{`{"watermark":"soon"}`, "watermark", `expected integer milliseconds, got string "soon"`},
		{`{"stream":"All","ts":1,"data":{}} x`, "", `unexpected text after the object`},
		{`{"stream":"All","ts":1,"data":{"s":"\ud800"}}`, "data.s", `unpaired surrogate`},
		{`{"stream":"All","ts":1,"data":{"s":"\x"}}`, "data.s", `invalid escape`},
		{"{\"stream\":\"All\",\"ts\":1,\"data\":{\"s\":\"\xff\"}}", "data.s", `invalid UTF-8`},
		{"{\"stream\":\"All\",\"ts\":1,\"data\":{\"s\":\"a\nb\"}}", "data.s", `control character`},
		{`{"stream":"All","ts":01,"data":{}}`, "ts", `invalid number`},
		{`{"stream":"All","ts":1,"data":{"d":1.}}`, "data.d", `no digits after '.'`},
		{`{"stream":"All","ts":1,"data":{"d":-}}`, "data.d", `invalid number`},
		{`{"stream":"All","ts":1,"data":{"b":tru}}`, "data.b", `invalid literal`},
		{`{"stream":"All","ts":1,"data":{"b":true`, "data", `unexpected end of line`},
		{`{"stream":"All","ts":1,"data":{"s":"abc`, "data.s", `unterminated string`},
		{`{"stream":"All" "ts":1}`, "", `expected ',' or '}'`},
		{`[1]`, "", `expected '{', found '['`},
		{`{"data":{"nested":{"deep":[1,2,{"x":"y"}]}},"stream":"All","ts":1}`, "data.nested", `not an attribute of All(`},
	}
	d := newDecoder(t)
	for _, c := range cases {
		_, err := d.Decode(3, []byte(c.in))
		var le *codec.LineError
		if !errors.As(err, &le) {
			t.Errorf("%s: got %v, want a *LineError", c.in, err)
			continue
		}
		if le.Line != 3 || le.Field != c.field || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s:\n got field %q: %v\nwant field %q: ...%s...", c.in, le.Field, err, c.field, c.want)
		}
		if !codec.IsLineError(err) {
			t.Errorf("IsLineError(%v) = false", err)
		}
	}
}

func TestNewDecoderRejectsBadSpecs(t *testing.T) {
	if _, err := codec.NewDecoder(codec.StreamSpec{Schema: trades}, codec.StreamSpec{Schema: trades}); err == nil {
		t.Error("duplicate stream accepted")
	}
	if _, err := codec.NewDecoder(codec.StreamSpec{Schema: trades, Timestamp: "symbol"}); err == nil {
		t.Error("STRING timestamp accepted")
	}
}

func TestDecodedEventsAreIndependent(t *testing.T) {
	d := newDecoder(t)
	line := []byte(`{"stream":"Trades","ts":1,"data":{"symbol":"IBM","price":1,"volume":1}}`)
	a, err := d.Decode(1, line)
	if err != nil {
		t.Fatal(err)
	}
	i := strings.Index(string(line), "IBM")
	copy(line[i:i+3], "XYZ")
	b, err := d.Decode(2, line)
	if err != nil {
		t.Fatal(err)
	}
	if a.Event.Values[0].Str() != "IBM" || b.Event.Values[0].Str() != "XYZ" {
		t.Errorf("got %v and %v", a.Event.Values, b.Event.Values)
	}
	b.Event.Values[1] = topology.Null()
	if a.Event.Values[1].IsNull() {
		t.Error("events share values")
	}
}

func TestEncode(t *testing.T) {
	out := topology.NewSchema("Alerts",
		topology.Attribute{Name: "s", Type: topology.TypeString},
		topology.Attribute{Name: "d", Type: topology.TypeDouble},
		topology.Attribute{Name: "f", Type: topology.TypeFloat},
		topology.Attribute{Name: "n", Type: topology.TypeLong},
		topology.Attribute{Name: "b", Type: topology.TypeBool},
	)
	enc := codec.NewStreamEncoder(out)
	cases := []struct {
		vals []topology.Value
		want string
	}{
		{[]topology.Value{topology.String("IBM"), topology.Double(75.5), topology.Float(1.1), topology.Long(-3), topology.Bool(true)},
			`"s":"IBM","d":75.5,"f":1.1,"n":-3,"b":true`},
		{[]topology.Value{topology.String("q\"\\\n\x01é\xff"), topology.Double(100), topology.Float(1e21), topology.Int(7), topology.Bool(false)},
			`"s":"q\"\\\n\u0001é\ufffd","d":100.0,"f":1e+21,"n":7,"b":false`},
		{[]topology.Value{topology.Null(), topology.Double(math.NaN()), topology.Float(float32(math.Inf(1))), topology.Null()},
			`"s":null,"d":null,"f":null,"n":null,"b":null`},
		{[]topology.Value{topology.String(""), topology.Double(1e21), topology.Float(1e-7), topology.Long(math.MinInt64), topology.Null()},
			`"s":"","d":1e+21,"f":1e-7,"n":-9223372036854775808,"b":null`},
		{[]topology.Value{topology.String(""), topology.Double(math.Copysign(0, -1)), topology.Float(0.000001), topology.Long(0), topology.Null()},
			`"s":"","d":-0.0,"f":0.000001,"n":0,"b":null`},
		{[]topology.Value{topology.String(""), topology.Double(123456789.125), topology.Float(16777216), topology.Long(0), topology.Null()},
			`"s":"","d":123456789.125,"f":16777216.0,"n":0,"b":null`},
	}
	for _, c := range cases {
		got := string(enc.Append(nil, topology.NewEvent(1000, c.vals...)))
		want := `{"stream":"Alerts","ts":1000,"data":{` + c.want + "}}\n"
		if got != want {
			t.Errorf("\n got %s\nwant %s", got, want)
		}
	}
	if got := string(codec.NewStreamEncoder(topology.NewSchema("E")).Append(nil, topology.NewEvent(5))); got != `{"stream":"E","ts":5,"data":{}}`+"\n" {
		t.Errorf("empty schema: %s", got)
	}
}

func TestRoundTrip(t *testing.T) {
	d := newDecoder(t)
	enc := codec.NewStreamEncoder(all)
	line := `{"stream":"All","ts":12,"data":{"b":true,"i":-5,"l":1234567890123,"f":0.1,"d":2.5e-300,"s":"\u2028 \"x\" \ud83d\ude00"}}`
	l, err := d.Decode(1, []byte(line))
	if err != nil {
		t.Fatal(err)
	}
	out := enc.Append(nil, l.Event)
	l2, err := d.Decode(1, out[:len(out)-1])
	if err != nil {
		t.Fatalf("%s: %v", out, err)
	}
	if render(l) != render(l2) {
		t.Errorf("round trip changed the event:\n%s\n%s", render(l), render(l2))
	}
}
