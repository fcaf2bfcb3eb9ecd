package main_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The end-to-end tests drive the built binary (TestMain in cli_test.go)
// as separate processes, with kcat as an independent Kafka client. kcat
// missing fails them in CI and skips them elsewhere.

// kcatPath returns kcat's path, or skips (fails when CI is set).
func kcatPath(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("kcat")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("kcat is not installed; .ci/run installs it (apt-get install -y kcat)")
		}
		t.Skip("kcat is not installed (apt-get install -y kcat); in CI this fails")
	}
	return p
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// syncBuffer is a bytes.Buffer safe for a process's writes and the test's
// reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// proc is a child process of a test. Cleanup kills it (SIGKILL) if the
// test did not stop it, so no process outlives the test.
type proc struct {
	name   string
	cmd    *exec.Cmd
	stdout *syncBuffer
	log    *os.File // stderr
	done   chan struct{}
	err    error
}

// startProc starts the eventflux binary with args; stderr goes to a file
// in the test's temp dir (logTail shows it on failure).
func startProc(t *testing.T, name string, env []string, args ...string) *proc {
	t.Helper()
	logf, err := os.Create(filepath.Join(t.TempDir(), name+".log"))
	if err != nil {
		t.Fatal(err)
	}
	p := &proc{name: name, cmd: exec.Command(binary, args...), stdout: &syncBuffer{}, log: logf, done: make(chan struct{})}
	p.cmd.Env = append(os.Environ(), env...)
	p.cmd.Stdout, p.cmd.Stderr = p.stdout, logf
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		p.kill()
		logf.Close()
	})
	return p
}

// running reports whether the process has not exited.
func (p *proc) running() bool {
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

// kill sends SIGKILL (if it still runs) and waits for the exit.
func (p *proc) kill() {
	if p.running() {
		_ = p.cmd.Process.Signal(syscall.SIGKILL)
	}
	<-p.done
}

// stop sends SIGTERM and waits up to timeout for the exit, then kills.
// It returns the exit error (nil for status 0).
func (p *proc) stop(t *testing.T, timeout time.Duration) error {
	t.Helper()
	if p.running() {
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
	}
	select {
	case <-p.done:
		return p.err
	case <-time.After(timeout):
		p.kill()
		return fmt.Errorf("%s did not exit within %s of SIGTERM (killed)", p.name, timeout)
	}
}

// logTail returns the last n lines of the process's stderr.
func (p *proc) logTail(n int) string {
	b, err := os.ReadFile(p.log.Name())
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return fmt.Sprintf("--- %s stderr (last %d lines, %s) ---\n%s", p.name, len(lines), p.log.Name(), strings.Join(lines, "\n"))
}

// waitFor polls cond every 50ms until it holds or timeout passes.
func waitFor(timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// startBroker runs `eventflux broker` on a free port, in memory, and
// waits until it accepts connections. It returns its address.
func startBroker(t *testing.T, partitions int) (*proc, string) {
	t.Helper()
	port := freePort(t)
	addr := "127.0.0.1:" + strconv.Itoa(port)
	b := startProc(t, "broker", nil, "broker", "--port", strconv.Itoa(port), "--data-dir", "", "--partitions", strconv.Itoa(partitions))
	ok := waitFor(15*time.Second, func() bool {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
		}
		return err == nil || !b.running()
	})
	if !ok || !b.running() {
		t.Fatalf("broker did not come up on %s\n%s", addr, b.logTail(20))
	}
	return b, addr
}

// kcat runs kcat against broker with args, feeding stdin, and returns its
// stdout; it fails the test on an error.
func kcat(t *testing.T, broker, stdin string, args ...string) string {
	t.Helper()
	out, err := kcatErr(broker, stdin, args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func kcatErr(broker, stdin string, args ...string) (string, error) {
	return kcatTimeout(2*time.Minute, broker, stdin, args...)
}

// kcatTimeout runs kcat, killing it after timeout.
func kcatTimeout(timeout time.Duration, broker, stdin string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "kcat", append([]string{"-b", broker}, args...)...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return out.String(), fmt.Errorf("kcat %s: %v\n%s", strings.Join(args, " "), err, errb.String())
	}
	return out.String(), nil
}

// kcatProduce produces keyed records ("key\tvalue" lines) to topic,
// placed by key with the Java producer's murmur2 partitioner (as the
// worker and package kafka do).
func kcatProduce(t *testing.T, broker, topic string, lines []string) {
	t.Helper()
	kcat(t, broker, strings.Join(lines, "\n")+"\n", "-P", "-t", topic, "-K", "\t", "-z", "lz4", "-X", "partitioner=murmur2_random")
}

// outRecord is one consumed record.
type outRecord struct {
	key, value string
	headers    string
	partition  int32
}

// kcatRead reads topic from the beginning to its current end with
// read_committed and returns the records in per-partition offset order
// (partitions interleaved). A missing topic reads as empty.
func kcatRead(broker, topic string) ([]outRecord, error) {
	return kcatReadN(broker, topic, 0, 2*time.Minute)
}

// kcatReadN is kcatRead that also stops after n records (n > 0) and kills
// kcat after timeout. The count matters while a worker is still writing:
// with read_committed, kcat's end-of-partition can stay out of reach
// behind a transaction that is always open.
func kcatReadN(broker, topic string, n int, timeout time.Duration) ([]outRecord, error) {
	args := []string{"-C", "-t", topic, "-X", "isolation.level=read_committed", "-o", "beginning", "-e", "-q", "-f", "%k\x1f%h\x1f%p\x1f%s\x1e"}
	if n > 0 {
		args = append(args, "-c", strconv.Itoa(n))
	}
	out, err := kcatTimeout(timeout, broker, "", args...)
	if err != nil {
		if strings.Contains(err.Error(), "Unknown topic") {
			return nil, nil
		}
		return nil, err
	}
	var recs []outRecord
	for _, r := range strings.Split(out, "\x1e") {
		if r == "" || r == "\n" {
			continue
		}
		f := strings.SplitN(r, "\x1f", 4)
		if len(f) != 4 {
			return nil, fmt.Errorf("kcat record %q: want key, headers, partition, value", r)
		}
		p, err := strconv.Atoi(f[2])
		if err != nil {
			return nil, fmt.Errorf("kcat record %q: partition: %v", r, err)
		}
		recs = append(recs, outRecord{key: f[0], headers: f[1], partition: int32(p), value: f[3]})
	}
	return recs, nil
}

// readUntil reads topic until it holds at least n records or timeout
// passes, and returns the last read.
func readUntil(t *testing.T, broker, topic string, n int, timeout time.Duration) []outRecord {
	t.Helper()
	var recs []outRecord
	var lastErr error
	deadline := time.Now().Add(timeout)
	waitFor(timeout, func() bool {
		recs, lastErr = kcatReadN(broker, topic, n, max(min(time.Until(deadline), 15*time.Second), time.Second))
		return lastErr == nil && len(recs) >= n
	})
	if lastErr != nil {
		t.Fatal(lastErr)
	}
	return recs
}

// genTradesInput is a deterministic input: n trades over keys symbols, price
// 0..99.99 (about half pass the example's filter), volume = the record's
// sequence number so every output is distinct. Every bad-th record
// (bad > 0) is malformed. It returns kcat lines ("key\tvalue") and the
// replay input of the same records.
func genTradesInput(seed uint64, n, keys, bad int) (lines []string, replayIn string) {
	rng := rand.New(rand.NewPCG(seed, 7))
	var in strings.Builder
	lines = make([]string, n)
	for i := range n {
		sym := fmt.Sprintf("S%03d", rng.IntN(keys))
		v := fmt.Sprintf(`{"symbol":"%s","price":%s,"volume":%d}`, sym, strconv.FormatFloat(float64(rng.IntN(10000))/100, 'f', -1, 64), i)
		if bad > 0 && i%bad == bad-1 {
			v = fmt.Sprintf(`{"symbol":"%s","price":"bad-%d"}`, sym, i)
		}
		lines[i] = sym + "\t" + v
		fmt.Fprintf(&in, `{"stream":"Trades","ts":%d,"data":%s}`+"\n", 1000+i, v)
	}
	return lines, in.String()
}

// replayOutput runs `eventflux replay --skip-bad` of the example over
// replayIn and returns the Alerts data objects, in emission order.
func replayOutput(t *testing.T, replayIn string) []string {
	t.Helper()
	return replayStream(t, tradesSQL, "Alerts", replayIn)
}

// replayStream runs `eventflux replay --skip-bad` of the SQL file sql over
// replayIn and returns the data objects of stream, in emission order.
func replayStream(t *testing.T, sql, stream, replayIn string) []string {
	t.Helper()
	return replayStreams(t, sql, replayIn)[stream]
}

// replayStreams runs `eventflux replay --skip-bad` of the SQL file sql
// over replayIn and returns the data objects of every stream a query
// inserts into, by stream, in emission order.
func replayStreams(t *testing.T, sql, replayIn string) map[string][]string {
	t.Helper()
	in := filepath.Join(t.TempDir(), "in.jsonl")
	if err := os.WriteFile(in, []byte(replayIn), 0o644); err != nil {
		t.Fatal(err)
	}
	r := eventflux(t, "", "replay", "--sql", sql, "--input", in, "--skip-bad")
	if r.code != 0 {
		t.Fatalf("replay: exit %d\n%s", r.code, r.stderr)
	}
	out := map[string][]string{}
	sc := bufio.NewScanner(strings.NewReader(r.stdout))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var l struct {
			Stream string
			Data   json.RawMessage
		}
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("replay line %q: %v", sc.Text(), err)
		}
		out[l.Stream] = append(out[l.Stream], string(l.Data))
	}
	return out
}

// symbolOf returns the symbol attribute of a JSON object.
func symbolOf(t *testing.T, data string) string {
	t.Helper()
	var v struct{ Symbol string }
	if err := json.Unmarshal([]byte(data), &v); err != nil {
		t.Fatalf("output %q: %v", data, err)
	}
	return v.Symbol
}

// compareOutput checks that got (the committed output, in per-partition
// order) equals want (the replay) exactly: per key the same values in the
// same order, so no loss, no duplicate, no reordering within a key. Keys
// must be the symbol.
func compareOutput(t *testing.T, got []outRecord, want []string) {
	t.Helper()
	byKey := func(vals []string) map[string][]string {
		m := map[string][]string{}
		for _, v := range vals {
			k := symbolOf(t, v)
			m[k] = append(m[k], v)
		}
		return m
	}
	gotVals := make([]string, len(got))
	for i, r := range got {
		if k := symbolOf(t, r.value); r.key != k {
			t.Fatalf("output record %d has key %q, its symbol is %q: %s", i, r.key, k, r.value)
		}
		gotVals[i] = r.value
	}
	g, w := byKey(gotVals), byKey(want)
	var problems []string
	keys := map[string]bool{}
	for k := range g {
		keys[k] = true
	}
	for k := range w {
		keys[k] = true
	}
	sorted := make([]string, 0, len(keys))
	for k := range keys {
		sorted = append(sorted, k)
	}
	sort.Strings(sorted)
	for _, k := range sorted {
		gv, wv := g[k], w[k]
		i := 0
		for i < len(gv) && i < len(wv) && gv[i] == wv[i] {
			i++
		}
		if i == len(gv) && i == len(wv) {
			continue
		}
		p := fmt.Sprintf("key %s: %d records, replay has %d; first difference at #%d", k, len(gv), len(wv), i)
		if i < len(gv) {
			p += "\n    got  " + gv[i]
		}
		if i < len(wv) {
			p += "\n    want " + wv[i]
		}
		problems = append(problems, p)
	}
	if len(problems) > 0 {
		if len(problems) > 10 {
			problems = append(problems[:10], fmt.Sprintf("... and %d more keys", len(problems)-10))
		}
		t.Fatalf("committed output (%d records) differs from replay (%d records):\n  %s", len(got), len(want), strings.Join(problems, "\n  "))
	}
}

// compareLines checks that got (the committed output of stream) holds
// exactly the values of want (the replay), in any order: the same sorted
// multiset of lines, so no loss and no duplicate. It is the comparison
// for outputs whose order across upstream tasks depends on timing (after
// a repartition topic, see docs/partitioning.md).
func compareLines(t *testing.T, stream string, got []outRecord, want []string) {
	t.Helper()
	g := make([]string, len(got))
	for i, r := range got {
		g[i] = r.value
	}
	w := slices.Clone(want)
	sort.Strings(g)
	sort.Strings(w)
	if slices.Equal(g, w) {
		return
	}
	// Walk both sorted lists: lines only in got, lines only in want.
	var extra, missing []string
	i, j := 0, 0
	for i < len(g) || j < len(w) {
		switch {
		case j == len(w) || i < len(g) && g[i] < w[j]:
			extra = append(extra, g[i])
			i++
		case i == len(g) || w[j] < g[i]:
			missing = append(missing, w[j])
			j++
		default:
			i++
			j++
		}
	}
	head := func(l []string) string {
		if len(l) > 8 {
			l = append(l[:8:8], fmt.Sprintf("... and %d more", len(l)-8))
		}
		return strings.Join(l, "\n    ")
	}
	t.Fatalf("%s: committed output (%d records) differs from replay (%d records) as a multiset of lines:\n  %d only in the output:\n    %s\n  %d only in replay:\n    %s",
		stream, len(got), len(want), len(extra), head(extra), len(missing), head(missing))
}

// appTopics returns the topics on broker whose names start with app+"-"
// and end with suffix ("-changelog", "-repartition"), in listing order.
func appTopics(t *testing.T, broker, app, suffix string) []string {
	t.Helper()
	var topics []string
	for _, l := range strings.Split(kcat(t, broker, "", "-L"), "\n") {
		// kcat -L lists topics as: topic "NAME" with N partitions:
		l = strings.TrimSpace(l)
		name, ok := strings.CutPrefix(l, `topic "`)
		if !ok {
			continue
		}
		name, _, _ = strings.Cut(name, `"`)
		if strings.HasPrefix(name, app+"-") && strings.HasSuffix(name, suffix) {
			topics = append(topics, name)
		}
	}
	return topics
}

// pipelineYAML writes a pipeline running the example SQL (the trades
// topic, alerts keyed by symbol) against broker and returns its path.
func pipelineYAML(t *testing.T, app, broker string, extra string) string {
	t.Helper()
	return appYAML(t, app, broker, tradesSQL, "Alerts", "alerts", extra)
}

// appYAML writes a pipeline running the SQL file sql (Trades from the
// trades topic, the output stream out to topic outTopic keyed by symbol;
// with out "", the outputs as the SQL binds them) against broker and
// returns its path. The state directory is
// $EVENTFLUX_STATE_DIR of the worker's environment, by default one in
// the test's temp dir.
func appYAML(t *testing.T, app, broker, sql, out, outTopic, extra string) string {
	t.Helper()
	sql, err := filepath.Abs(sql)
	if err != nil {
		t.Fatal(err)
	}
	outBinding := ""
	if out != "" {
		outBinding = fmt.Sprintf("\n  %s: {topic: %s, format: json, key: [symbol]}", out, outTopic)
	}
	yaml := fmt.Sprintf(`app: %s
kafka:
  brokers: [%s]
processing:
  guarantee: exactly_once
  commit_interval: 100ms
  instance_id: ${EVENTFLUX_INSTANCE_ID:}
  state_dir: ${EVENTFLUX_STATE_DIR:%s}
sql:
  files: [%s]
streams:
  Trades: {topic: trades, format: json, key: [symbol]}%s
errors:
  policy: dlq
http:
  listen: ""
log:
  level: info
  format: json
%s`, app, broker, filepath.Join(t.TempDir(), "state"), sql, outBinding, extra)
	path := filepath.Join(t.TempDir(), "pipeline.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
