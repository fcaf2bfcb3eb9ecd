package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eventflux-io/eventflux-go/config"
	"github.com/eventflux-io/eventflux-go/kafka"
	"github.com/eventflux-io/eventflux-go/kafka/kafkatest"
	"github.com/eventflux-io/eventflux-go/statestore"
	"github.com/eventflux-io/eventflux-go/topology"
)

const stateSQL = `CREATE STREAM Trades (symbol STRING, price DOUBLE, volume INT) WITH (topic = 'trades');
INSERT INTO Recent SELECT symbol, sum(price) AS total FROM Trades WINDOW('length', 3) GROUP BY symbol;
INSERT INTO Minute SELECT symbol, price FROM Trades WINDOW('tumbling', 1 MINUTE);`

// stateFixture writes a pipeline for the cluster and returns its path
// and the names of its stores by layout.
func stateFixture(t *testing.T, c *kafkatest.Cluster) (string, map[storeLayout][]stateStore) {
	t.Helper()
	yaml := "app: st\nkafka:\n  brokers: [" + strings.Join(c.Addrs(), ",") + "]\nsql:\n  inline: |\n"
	for _, l := range strings.Split(stateSQL, "\n") {
		yaml += "    " + l + "\n"
	}
	cfg := filepath.Join(t.TempDir(), "pipeline.yaml")
	if err := os.WriteFile(cfg, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := config.Load(cfg)
	if err != nil {
		t.Fatal(err)
	}
	prog, err := compilePipeline(p, os.Stderr)
	if err != nil {
		t.Fatal(err)
	}
	byLayout := map[storeLayout][]stateStore{}
	for _, s := range appStores(p.App, prog.Topology) {
		byLayout[s.layout] = append(byLayout[s.layout], s)
	}
	if len(byLayout[layoutTask]) != 1 || len(byLayout[layoutWindowState]) != 1 || len(byLayout[layoutWindowed]) != 1 || len(byLayout[layoutRaw]) != 1 {
		t.Fatalf("stores by layout: %+v", byLayout)
	}
	return cfg, byLayout
}

// runState runs `eventflux state` in-process.
func runState(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), append([]string{"state"}, args...), strings.NewReader(""), &out, &errb)
	return out.String(), errb.String(), code
}

func heldEvent(ts int64, vals ...topology.Value) []byte {
	return topology.AppendValues(binary.AppendVarint(nil, ts), vals)
}

func TestStateCommand(t *testing.T) {
	c := kafkatest.NewCluster(t)
	cfg, stores := stateFixture(t, c)
	win, tumb, sel := stores[layoutWindowState][0], stores[layoutWindowed][0], stores[layoutRaw][0]

	// Before the app ran: no topics.
	out, errs, code := runState(t, "-c", cfg, "dump", win.name)
	if code != 1 || !strings.Contains(errs, "no changelog topic st-"+win.name+"-changelog for store "+win.name+" — has the app run?") {
		t.Fatalf("dump without topic: code %d\n%s%s", code, out, errs)
	}

	for _, s := range []stateStore{win, tumb, {topic: "st-_task-changelog"}} {
		c.CreateTopic(t, s.topic, 2)
	}
	p, err := kafka.NewProducer(kafka.ProducerOptions{Options: c.Options(), TransactionalID: "st-test"})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	tx := func(commit bool, recs ...kafka.Record) {
		t.Helper()
		if err := p.Begin(); err != nil {
			t.Fatal(err)
		}
		for i := range recs {
			p.Send(&recs[i])
		}
		if commit {
			err = p.Commit()
		} else {
			err = p.Abort()
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	ekey := func(seq uint64) []byte { return binary.BigEndian.AppendUint64([]byte{'e'}, seq) }
	seq8 := func(seq uint64) []byte { return binary.BigEndian.AppendUint64(nil, seq) }
	rec := func(topic string, part int32, k, v []byte) kafka.Record {
		return kafka.Record{Topic: topic, Partition: part, Key: k, Value: v}
	}
	tx(true,
		rec(win.topic, 0, ekey(0), heldEvent(1000, topology.String("IBM"), topology.Double(75.5), topology.Int(1))),
		rec(win.topic, 0, ekey(1), heldEvent(2000, topology.String("ACME"), topology.Double(10), topology.Int(2))),
		rec(win.topic, 0, []byte{'m'}, []byte{0x02}),
		rec(win.topic, 1, ekey(0), heldEvent(1500, topology.String("MSFT"), topology.Double(51), topology.Int(3))),
		rec(win.topic, 1, ekey(7), []byte{0xff, 0xfe}), // undecodable
		rec(tumb.topic, 0, statestore.WindowKey(seq8(4), 60000), heldEvent(61000, topology.String("IBM"), topology.Double(80), topology.Int(5))),
		rec("st-_task-changelog", 0, []byte("streamTime"), binary.AppendVarint(nil, 2000)),
	)
	// Aborted: must not appear.
	tx(false,
		rec(win.topic, 0, ekey(5), heldEvent(9000, topology.String("ABORTED"), topology.Double(1), topology.Int(1))),
		rec(win.topic, 0, ekey(0), nil),
	)
	// A tombstone deletes seq 1 of partition 0.
	tx(true, rec(win.topic, 0, ekey(1), nil))

	out, errs, code = runState(t, "-c", cfg, "dump", win.name)
	if code != 0 {
		t.Fatalf("dump: code %d\n%s", code, errs)
	}
	bad := base64.StdEncoding.EncodeToString([]byte{0xff, 0xfe})
	want := `{"partition":0,"key":"e:0","value":{"symbol":"IBM","price":75.5,"volume":1},"timestamp":1000}
{"partition":0,"key":"m","value":"Ag==","encoding":"binary"}
{"partition":1,"key":"e:0","value":{"symbol":"MSFT","price":51,"volume":3},"timestamp":1500}
{"partition":1,"key":"e:7","value":"` + bad + `","encoding":"binary"}
`
	if out != want {
		t.Fatalf("dump:\n%s\nwant:\n%s", out, want)
	}

	out, errs, code = runState(t, "-c", cfg, "dump", tumb.name)
	if want := `{"partition":0,"key":"4","window_start":60000,"value":{"symbol":"IBM","price":80,"volume":5},"timestamp":61000}` + "\n"; code != 0 || out != want {
		t.Fatalf("dump windowed: code %d\n%s%s\nwant:\n%s", code, out, errs, want)
	}
	out, errs, code = runState(t, "-c", cfg, "dump", topology.TaskStoreName)
	if want := `{"partition":0,"key":"streamTime","value":{"stream_time":2000}}` + "\n"; code != 0 || out != want {
		t.Fatalf("dump task: code %d\n%s%s", code, out, errs)
	}

	out, errs, code = runState(t, "-c", cfg, "get", win.name, "e:0")
	if code != 0 || strings.Count(out, "\n") != 2 || !strings.Contains(out, `"IBM"`) || !strings.Contains(out, `"MSFT"`) {
		t.Fatalf("get e:0: code %d\n%s%s", code, out, errs)
	}
	out, errs, code = runState(t, "-c", cfg, "get", win.name, "e:1")
	if code != 1 || out != "" || !strings.Contains(errs, `no key "e:1" in store `+win.name) {
		t.Fatalf("get deleted key: code %d\n%s%s", code, out, errs)
	}
	out, errs, code = runState(t, "-c", cfg, "get", "nope", "x")
	if code != 1 || !strings.Contains(errs, `no store "nope" in app st`) {
		t.Fatalf("get unknown store: code %d\n%s%s", code, out, errs)
	}

	out, errs, code = runState(t, "-c", cfg, "list")
	if code != 0 {
		t.Fatalf("list: code %d\n%s", code, errs)
	}
	want = `{"store":"_task","kind":"keyvalue","topic":"st-_task-changelog","partitions":2,"records":1,"keys":1}` + "\n"
	for _, s := range appStoresSorted(win, tumb, sel) {
		switch s.name {
		case win.name:
			// 5 committed + 1 tombstone; the aborted two are not counted.
			want += `{"store":"` + s.name + `","kind":"keyvalue","topic":"` + s.topic + `","partitions":2,"records":6,"keys":4}` + "\n"
		case tumb.name:
			want += `{"store":"` + s.name + `","kind":"windowed","topic":"` + s.topic + `","partitions":2,"records":1,"keys":1}` + "\n"
		default:
			want += `{"store":"` + s.name + `","kind":"keyvalue","topic":"` + s.topic + `","exists":false,"records":0,"keys":0}` + "\n"
		}
	}
	if out != want {
		t.Fatalf("list:\n%s\nwant:\n%s", out, want)
	}

	if _, errs, code := runState(t, "-c", cfg); code != 2 || !strings.Contains(errs, "state needs a subcommand") {
		t.Fatalf("no subcommand: code %d\n%s", code, errs)
	}
	if _, errs, code := runState(t, "-c", cfg, "get", win.name); code != 2 {
		t.Fatalf("get with one argument: code %d\n%s", code, errs)
	}
}

// appStoresSorted returns ss sorted by name, as Topology.Stores lists them.
func appStoresSorted(ss ...stateStore) []stateStore {
	for i := range ss {
		for j := i + 1; j < len(ss); j++ {
			if ss[j].name < ss[i].name {
				ss[i], ss[j] = ss[j], ss[i]
			}
		}
	}
	return ss
}

// TestFormatStateRecord: session events carry their run id; binary keys
// and a truncated window key print raw; nothing panics on garbage.
func TestFormatStateRecord(t *testing.T) {
	schema := topology.NewSchema("S", topology.Attribute{Name: "x", Type: topology.TypeLong})
	line := func(s stateStore, key, val []byte) (string, string) {
		t.Helper()
		obj, text := formatStateRecord(s, liveRecord{key: key, val: val})
		var b bytes.Buffer
		if err := obj.writeLine(&b); err != nil {
			t.Fatal(err)
		}
		return b.String(), text
	}
	ses := stateStore{name: "q.state", kind: statestore.KindKeyValue, layout: layoutSessionState, schema: schema}
	v := append(binary.AppendUvarint(nil, 3), heldEvent(5, topology.Long(42))...)
	if got, _ := line(ses, binary.BigEndian.AppendUint64([]byte{'e'}, 9), v); got != `{"partition":0,"key":"e:9","run":3,"value":{"x":42},"timestamp":5}`+"\n" {
		t.Fatalf("session: %s", got)
	}
	if got, text := line(ses, []byte{'k', 0}, []byte{1}); text != "awA=" || got != `{"partition":0,"key":"awA=","key_encoding":"binary","value":"AQ==","encoding":"binary"}`+"\n" {
		t.Fatalf("binary key: %s %s", got, text)
	}
	win := stateStore{name: "q.windows", kind: statestore.KindWindowed, layout: layoutWindowed, schema: schema}
	if got, _ := line(win, []byte{1, 2}, heldEvent(5, topology.Long(1))); !strings.Contains(got, `"encoding":"binary"`) {
		t.Fatalf("short window key: %s", got)
	}
	for _, s := range []stateStore{ses, win, {layout: layoutTask}, {layout: layoutWindowState}} {
		for _, b := range [][]byte{nil, {0x80}, {0x80, 0x80, 0x80}, bytes.Repeat([]byte{0xff}, 17)} {
			line(s, b, b)
		}
	}
}
