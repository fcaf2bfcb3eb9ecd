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
	"github.com/eventflux-io/eventflux-go/internal/statedump"
	"github.com/eventflux-io/eventflux-go/kafka"
	"github.com/eventflux-io/eventflux-go/kafka/kafkatest"
	"github.com/eventflux-io/eventflux-go/sqlc"
	"github.com/eventflux-io/eventflux-go/statestore"
	"github.com/eventflux-io/eventflux-go/statestore/memstore"
	"github.com/eventflux-io/eventflux-go/topology"
)

const stateSQL = `CREATE STREAM Trades (symbol STRING, price DOUBLE, volume INT) WITH (topic = 'trades');
INSERT INTO Recent SELECT symbol, sum(price) AS total FROM Trades WINDOW('length', 3) GROUP BY symbol;
INSERT INTO Minute SELECT symbol, price FROM Trades WINDOW('tumbling', 1 MINUTE);
PARTITION WITH (symbol OF Trades) BEGIN
  INSERT INTO Counts SELECT symbol, count() AS n, max(price) AS hi FROM Trades;
END;`

// stateFixture writes a pipeline for the cluster and returns its path,
// its compiled program and its stores by layout.
func stateFixture(t *testing.T, c *kafkatest.Cluster) (string, *sqlc.Program, map[string][]stateStore) {
	t.Helper()
	yaml := "app: st\nkafka:\n  brokers: [" + strings.Join(c.Addrs(), ",") + "]\nsql:\n  inline: |\n"
	for _, l := range strings.Split(stateSQL, "\n") {
		yaml += "    " + l + "\n"
	}
	cfg := filepath.Join(t.TempDir(), "pipeline.yaml")
	if err := os.WriteFile(cfg, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	prog, stores := fixtureStores(t, cfg)
	byLayout := map[string][]stateStore{}
	for _, s := range stores {
		byLayout[s.Layout] = append(byLayout[s.Layout], s)
	}
	// Trades has no key: every stateful query reads a repartition topic,
	// in a task (and with a task store) of its own.
	if len(byLayout["task"]) != 3 {
		t.Fatalf("task stores: %+v", byLayout["task"])
	}
	for _, l := range []string{"window length", "window tumbling", "select", "partition keys", "partition task", "partition select"} {
		if len(byLayout[l]) != 1 {
			t.Fatalf("stores by layout: %+v", byLayout)
		}
	}
	if len(byLayout) != 7 {
		t.Fatalf("stores by layout: %+v", byLayout)
	}
	return cfg, prog, byLayout
}

// fixtureStores compiles the pipeline at cfg and lists its stores as
// `eventflux state` does.
func fixtureStores(t *testing.T, cfg string) (*sqlc.Program, []stateStore) {
	t.Helper()
	p, err := config.Load(cfg)
	if err != nil {
		t.Fatal(err)
	}
	prog, err := compilePipeline(p, os.Stderr)
	if err != nil {
		t.Fatal(err)
	}
	bindings, err := mergeBindings(prog.Topology, p.Streams)
	if err != nil {
		t.Fatal(err)
	}
	stores, err := appStores(p.App, prog.Topology, bindings)
	if err != nil {
		t.Fatal(err)
	}
	return prog, stores
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
	cfg, _, stores := stateFixture(t, c)
	win, tumb, task := stores["window length"][0], stores["window tumbling"][0], stores["task"][0]
	var others []stateStore
	for l, ss := range stores {
		if l != "task" && l != "window length" && l != "window tumbling" {
			others = append(others, ss...)
		}
	}

	// Before the app ran: no topics.
	out, errs, code := runState(t, "-c", cfg, "dump", win.Name)
	if code != 1 || !strings.Contains(errs, "no changelog topic st-"+win.Name+"-changelog for store "+win.Name+" — has the app run?") {
		t.Fatalf("dump without topic: code %d\n%s%s", code, out, errs)
	}

	for _, s := range []stateStore{win, tumb, task} {
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
		rec(task.topic, 0, []byte("streamTime"), binary.AppendVarint(nil, 2000)),
	)
	// Aborted: must not appear.
	tx(false,
		rec(win.topic, 0, ekey(5), heldEvent(9000, topology.String("ABORTED"), topology.Double(1), topology.Int(1))),
		rec(win.topic, 0, ekey(0), nil),
	)
	// A tombstone deletes seq 1 of partition 0.
	tx(true, rec(win.topic, 0, ekey(1), nil))

	out, errs, code = runState(t, "-c", cfg, "dump", win.Name)
	if code != 0 {
		t.Fatalf("dump: code %d\n%s", code, errs)
	}
	bad := base64.StdEncoding.EncodeToString([]byte{0xff, 0xfe})
	st := `{"store":"` + win.Name + `",`
	want := st + `"partition":0,"key":"e:0","kind":"event","value":{"symbol":"IBM","price":75.5,"volume":1},"timestamp":1000}
` + st + `"partition":0,"key":"m","kind":"meta","meta":{"next_seq":2}}
` + st + `"partition":1,"key":"e:0","kind":"event","value":{"symbol":"MSFT","price":51,"volume":3},"timestamp":1500}
` + st + `"partition":1,"key":"e:7","value":"` + bad + `","encoding":"binary","error":"statedump: held event 7: time: topology: bad value encoding"}
`
	if out != want {
		t.Fatalf("dump:\n%s\nwant:\n%s", out, want)
	}

	out, errs, code = runState(t, "-c", cfg, "dump", tumb.Name)
	if want := `{"store":"` + tumb.Name + `","partition":0,"key":"4","window_start":60000,"kind":"event","value":{"symbol":"IBM","price":80,"volume":5},"timestamp":61000}` + "\n"; code != 0 || out != want {
		t.Fatalf("dump windowed: code %d\n%s%s\nwant:\n%s", code, out, errs, want)
	}
	out, errs, code = runState(t, "-c", cfg, "dump", task.Name)
	if want := `{"store":"` + task.Name + `","partition":0,"key":"streamTime","kind":"stream_time","value":{"stream_time":2000}}` + "\n"; code != 0 || out != want {
		t.Fatalf("dump task: code %d\n%s%s", code, out, errs)
	}

	out, errs, code = runState(t, "-c", cfg, "get", win.Name, "e:0")
	if code != 0 || strings.Count(out, "\n") != 2 || !strings.Contains(out, `"IBM"`) || !strings.Contains(out, `"MSFT"`) {
		t.Fatalf("get e:0: code %d\n%s%s", code, out, errs)
	}
	out, errs, code = runState(t, "-c", cfg, "get", win.Name, "e:1")
	if code != 1 || out != "" || !strings.Contains(errs, `no key "e:1" in store `+win.Name) {
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
	want = ""
	_, ordered := fixtureStores(t, cfg)
	for _, s := range ordered {
		switch s.Name {
		case task.Name:
			want += `{"store":"` + s.Name + `","kind":"keyvalue","topic":"` + s.topic + `","partitions":2,"records":1,"keys":1}` + "\n"
		case win.Name:
			// 5 committed + 1 tombstone; the aborted two are not counted.
			want += `{"store":"` + s.Name + `","kind":"keyvalue","topic":"` + s.topic + `","partitions":2,"records":6,"keys":4}` + "\n"
		case tumb.Name:
			want += `{"store":"` + s.Name + `","kind":"windowed","topic":"` + s.topic + `","partitions":2,"records":1,"keys":1}` + "\n"
		default:
			want += `{"store":"` + s.Name + `","kind":"keyvalue","topic":"` + s.topic + `","exists":false,"records":0,"keys":0}` + "\n"
		}
	}
	if out != want {
		t.Fatalf("list:\n%s\nwant:\n%s", out, want)
	}

	if _, errs, code := runState(t, "-c", cfg); code != 2 || !strings.Contains(errs, "state needs a subcommand") {
		t.Fatalf("no subcommand: code %d\n%s", code, errs)
	}
	if _, errs, code := runState(t, "-c", cfg, "get", win.Name); code != 2 {
		t.Fatalf("get with one argument: code %d\n%s", code, errs)
	}
}

// appStoresSorted returns ss sorted by name, as Topology.Stores lists them.
func appStoresSorted(ss ...stateStore) []stateStore {
	for i := range ss {
		for j := i + 1; j < len(ss); j++ {
			if ss[j].Name < ss[i].Name {
				ss[i], ss[j] = ss[j], ss[i]
			}
		}
	}
	return ss
}

// operatorChangelog runs prog's topology over events in a task with a
// memstore state, flushes it and returns the changelog records the
// operators wrote: real state, in the layouts the decoders must match.
func operatorChangelog(t *testing.T, prog *sqlc.Program, events ...*topology.Event) []statestore.ChangelogRecord {
	t.Helper()
	st, err := memstore.Open(memstore.NewBacking(), memstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	task, err := topology.NewTask(prog.Topology, topology.TaskOptions{State: st, Emit: func(string, *topology.Event) error { return nil }})
	if err != nil {
		t.Fatal(err)
	}
	defer task.Close()
	for _, ev := range events {
		if err := task.Process("Trades", ev); err != nil {
			t.Fatal(err)
		}
	}
	if err := task.Flush(); err != nil {
		t.Fatal(err)
	}
	return st.AppendChangelog(nil)
}

// TestStateDecodedStores dumps an aggregating select stage's groups and
// the stores of a PARTITION WITH query, written by the real operators
// into two partitions, and gets records by their decoded keys.
func TestStateDecodedStores(t *testing.T) {
	c := kafkatest.NewCluster(t)
	cfg, prog, stores := stateFixture(t, c)
	sel, keys, psel := stores["select"][0], stores["partition keys"][0], stores["partition select"][0]
	p, err := kafka.NewProducer(kafka.ProducerOptions{Options: c.Options(), TransactionalID: "st-decoded"})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	topics := map[string]string{}
	for _, s := range []stateStore{sel, keys, psel} {
		c.CreateTopic(t, s.topic, 2)
		topics[s.Name] = s.topic
	}
	trade := func(ts int64, sym string, price float64, vol int32) *topology.Event {
		return topology.NewEvent(ts, topology.String(sym), topology.Double(price), topology.Int(vol))
	}
	parts := [][]*topology.Event{
		{trade(1000, "IBM", 75.5, 1), trade(2000, "ACME", 10, 2), trade(3000, "IBM", 80, 5)},
		{trade(1500, "MSFT", 51, 3)},
	}
	if err := p.Begin(); err != nil {
		t.Fatal(err)
	}
	for part, evs := range parts {
		for _, r := range operatorChangelog(t, prog, evs...) {
			if topic, ok := topics[r.Store]; ok {
				p.Send(&kafka.Record{Topic: topic, Partition: int32(part), Key: r.Key, Value: r.Value})
			}
		}
	}
	if err := p.Commit(); err != nil {
		t.Fatal(err)
	}

	// The select stage over a sliding window: history mode, so the float
	// sum is stored and the count is the group's.
	out, errs, code := runState(t, "-c", cfg, "dump", sel.Name)
	st := `{"store":"` + sel.Name + `",`
	want := st + `"partition":0,"key":"g:[\"ACME\"]","kind":"group","group":["ACME"],"count":1,"aggregates":{"total":10}}
` + st + `"partition":0,"key":"g:[\"IBM\"]","kind":"group","group":["IBM"],"count":2,"aggregates":{"total":155.5}}
` + st + `"partition":0,"key":"m","kind":"meta","meta":{}}
` + st + `"partition":1,"key":"g:[\"MSFT\"]","kind":"group","group":["MSFT"],"count":1,"aggregates":{"total":51}}
` + st + `"partition":1,"key":"m","kind":"meta","meta":{}}
`
	if code != 0 || out != want {
		t.Fatalf("dump select: code %d\n%s%s\nwant:\n%s", code, out, errs, want)
	}
	out, errs, code = runState(t, "-c", cfg, "get", sel.Name, `g:["IBM"]`)
	if want := st + `"partition":0,"key":"g:[\"IBM\"]","kind":"group","group":["IBM"],"count":2,"aggregates":{"total":155.5}}` + "\n"; code != 0 || out != want {
		t.Fatalf("get group: code %d\n%s%s\nwant:\n%s", code, out, errs, want)
	}

	// PARTITION WITH: the keys in order of first sight, and the inner
	// select stage's records under each partition key.
	out, errs, code = runState(t, "-c", cfg, "dump", keys.Name)
	st = `{"store":"` + keys.Name + `",`
	want = st + `"partition":0,"key":"0","kind":"partition_key","partition_key":"IBM"}
` + st + `"partition":0,"key":"1","kind":"partition_key","partition_key":"ACME"}
` + st + `"partition":1,"key":"0","kind":"partition_key","partition_key":"MSFT"}
`
	if code != 0 || out != want {
		t.Fatalf("dump partition keys: code %d\n%s%s\nwant:\n%s", code, out, errs, want)
	}
	out, errs, code = runState(t, "-c", cfg, "dump", psel.Name)
	st = `{"store":"` + psel.Name + `",`
	want = st + `"partition":0,"key":"\"IBM\"/g:[]","partition_key":"IBM","kind":"group","group":[],"count":2,"aggregates":{"n":2,"hi":80}}
` + st + `"partition":0,"key":"\"IBM\"/m","partition_key":"IBM","kind":"meta","meta":{}}
` + st + `"partition":0,"key":"\"ACME\"/g:[]","partition_key":"ACME","kind":"group","group":[],"count":1,"aggregates":{"n":1,"hi":10}}
` + st + `"partition":0,"key":"\"ACME\"/m","partition_key":"ACME","kind":"meta","meta":{}}
` + st + `"partition":1,"key":"\"MSFT\"/g:[]","partition_key":"MSFT","kind":"group","group":[],"count":1,"aggregates":{"n":1,"hi":51}}
` + st + `"partition":1,"key":"\"MSFT\"/m","partition_key":"MSFT","kind":"meta","meta":{}}
`
	if code != 0 || out != want {
		t.Fatalf("dump partition select: code %d\n%s%s\nwant:\n%s", code, out, errs, want)
	}
	out, errs, code = runState(t, "-c", cfg, "get", psel.Name, `"ACME"/g:[]`)
	if want := st + `"partition":0,"key":"\"ACME\"/g:[]","partition_key":"ACME","kind":"group","group":[],"count":1,"aggregates":{"n":1,"hi":10}}` + "\n"; code != 0 || out != want {
		t.Fatalf("get partitioned group: code %d\n%s%s\nwant:\n%s", code, out, errs, want)
	}
}

// TestFormatStateRecord: session events carry their run id; a key no
// layout knows and a truncated window key print raw, with the error.
func TestFormatStateRecord(t *testing.T) {
	prog, err := sqlc.Compile(`CREATE STREAM S (x LONG);
INSERT INTO A SELECT count() AS n FROM S WINDOW('session', 10);
INSERT INTO B SELECT x FROM S WINDOW('tumbling', 10);`, sqlc.Options{})
	if err != nil {
		t.Fatal(err)
	}
	byLayout := map[string]stateStore{}
	for _, s := range statedump.Stores(prog.Topology) {
		byLayout[s.Layout] = stateStore{Store: s, topic: "app-" + s.Name + "-changelog"}
	}
	line := func(s stateStore, key, val []byte) (string, string) {
		t.Helper()
		obj, text := formatStateRecord(s, liveRecord{key: key, val: val})
		var b bytes.Buffer
		if err := obj.writeLine(&b); err != nil {
			t.Fatal(err)
		}
		return strings.TrimPrefix(b.String(), `{"store":"`+s.Name+`",`), text
	}
	ses := byLayout["window session"]
	v := append(binary.AppendUvarint(nil, 3), heldEvent(5, topology.Long(42))...)
	if got, _ := line(ses, binary.BigEndian.AppendUint64([]byte{'e'}, 9), v); got != `"partition":0,"key":"e:9","kind":"event","run":3,"value":{"x":42},"timestamp":5}`+"\n" {
		t.Fatalf("session: %s", got)
	}
	got, text := line(ses, []byte{'q', 0}, []byte{1})
	if want := `"partition":0,"key":"cQA=","key_encoding":"binary","value":"AQ==","encoding":"binary","error":"statedump: no record of window session has key 7100: topology: bad value encoding"}` + "\n"; text != "cQA=" || got != want {
		t.Fatalf("binary key: %s %s\nwant %s", got, text, want)
	}
	win := byLayout["window tumbling"]
	if got, _ := line(win, []byte{1, 2}, heldEvent(5, topology.Long(1))); !strings.Contains(got, `"encoding":"binary","error":"statedump: `) {
		t.Fatalf("short window key: %s", got)
	}
}
