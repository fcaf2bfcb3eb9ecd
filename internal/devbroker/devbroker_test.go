package devbroker

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func start(t *testing.T, opts Options) *Broker {
	t.Helper()
	b, err := Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	return b
}

func client(t *testing.T, b *Broker, opts ...kgo.Opt) *kgo.Client {
	t.Helper()
	opts = append([]kgo.Opt{kgo.SeedBrokers(b.Addr()), kgo.AllowAutoTopicCreation(), kgo.FetchMaxWait(100 * time.Millisecond)}, opts...)
	c, err := kgo.NewClient(opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func produce(t *testing.T, c *kgo.Client, topic string, from, to int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var recs []*kgo.Record
	for i := from; i < to; i++ {
		recs = append(recs, &kgo.Record{Topic: topic, Key: []byte(fmt.Sprintf("k%d", i%7)), Value: []byte(fmt.Sprintf("v%d", i))})
	}
	if err := c.ProduceSync(ctx, recs...).FirstErr(); err != nil {
		t.Fatalf("produce: %v", err)
	}
}

// consume polls until it has n records, then waits quiet for more; it
// returns the values it got, sorted.
func consume(t *testing.T, c *kgo.Client, n int, quiet time.Duration) []string {
	t.Helper()
	var got []string
	deadline := time.Now().Add(15 * time.Second)
	for len(got) < n && time.Now().Before(deadline) {
		ctx, cancel := context.WithDeadline(context.Background(), deadline)
		fs := c.PollFetches(ctx)
		cancel()
		fs.EachRecord(func(r *kgo.Record) { got = append(got, string(r.Value)) })
	}
	ctx, cancel := context.WithTimeout(context.Background(), quiet)
	fs := c.PollFetches(ctx)
	cancel()
	fs.EachRecord(func(r *kgo.Record) { got = append(got, string(r.Value)) })
	sort.Strings(got)
	return got
}

func values(from, to int) []string {
	var v []string
	for i := from; i < to; i++ {
		v = append(v, fmt.Sprintf("v%d", i))
	}
	sort.Strings(v)
	return v
}

// TestDataDirSurvivesRestart produces and consumes with a group, restarts
// the broker on the same data directory, and checks that the records, the
// topic and the group's committed offsets are all still there.
func TestDataDirSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	b1, err := Start(Options{DataDir: dir, Partitions: 4})
	if err != nil {
		t.Fatal(err)
	}
	c := client(t, b1)
	produce(t, c, "events", 0, 100)
	c.Close()
	g := client(t, b1, kgo.ConsumeTopics("events"), kgo.ConsumerGroup("pg"), kgo.DisableAutoCommit(),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if got := consume(t, g, 100, 0); len(got) != 100 {
		t.Fatalf("group consumed %d records before the restart, want 100", len(got))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	if err := g.CommitUncommittedOffsets(ctx); err != nil {
		t.Fatalf("commit: %v", err)
	}
	cancel()
	g.Close()
	b1.Close()

	b2 := start(t, Options{DataDir: dir, Partitions: 4})
	c = client(t, b2)
	defer c.Close()
	produce(t, c, "events", 100, 120)

	all := client(t, b2, kgo.ConsumeTopics("events"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	defer all.Close()
	if got, want := consume(t, all, 120, 0), values(0, 120); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("after restart the topic holds %d records, want the 120 produced:\n%v", len(got), got)
	}
	g = client(t, b2, kgo.ConsumeTopics("events"), kgo.ConsumerGroup("pg"), kgo.DisableAutoCommit(),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	defer g.Close()
	if got, want := consume(t, g, 20, 300*time.Millisecond), values(100, 120); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("group pg resumed with %d records, want only the 20 new ones:\n%v", len(got), got)
	}

	req := kmsg.NewPtrMetadataRequest()
	topic := kmsg.NewMetadataRequestTopic()
	topic.Topic = kmsg.StringPtr("events")
	req.Topics = append(req.Topics, topic)
	ctx, cancel = context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	resp, err := req.RequestWith(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(resp.Topics[0].Partitions); n != 4 {
		t.Errorf("events has %d partitions after the restart, want 4", n)
	}
}

// TestCompactedTopicsAreCleaned checks the cleaner runs on its own, and
// that it compacts without expiring old records, as Kafka does: a record
// with a timestamp of 1970 survives.
func TestCompactedTopicsAreCleaned(t *testing.T) {
	b := start(t, Options{CleanerBackoff: 50 * time.Millisecond})
	c := client(t, b)
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req := kmsg.NewPtrCreateTopicsRequest()
	rt := kmsg.NewCreateTopicsRequestTopic()
	rt.Topic, rt.NumPartitions, rt.ReplicationFactor = "changelog", 1, 1
	for k, v := range map[string]string{"cleanup.policy": "compact", "delete.retention.ms": "0", "min.compaction.lag.ms": "0"} {
		cfg := kmsg.NewCreateTopicsRequestTopicConfig()
		cfg.Name, cfg.Value = k, kmsg.StringPtr(v)
		rt.Configs = append(rt.Configs, cfg)
	}
	req.Topics = append(req.Topics, rt)
	resp, err := req.RequestWith(ctx, c)
	if err != nil || resp.Topics[0].ErrorCode != 0 {
		t.Fatalf("create topic: %v %+v", err, resp)
	}
	old := &kgo.Record{Topic: "changelog", Key: []byte("old"), Value: []byte("old"), Timestamp: time.UnixMilli(1000)}
	if err := c.ProduceSync(ctx, old).FirstErr(); err != nil {
		t.Fatal(err)
	}
	for i := range 10 { // one batch each
		r := &kgo.Record{Topic: "changelog", Key: []byte("k"), Value: []byte(fmt.Sprintf("v%d", i))}
		if err := c.ProduceSync(ctx, r).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		rd := client(t, b, kgo.ConsumeTopics("changelog"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
		got := consume(t, rd, 1, 200*time.Millisecond)
		rd.Close()
		if len(got) < 11 {
			if last := got[len(got)-1]; last != "v9" || got[0] != "old" {
				t.Errorf("after cleaning: %v, want old first and v9 last", got)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("compacted topic still holds %d records after 5s", len(got))
		}
	}
}

// TestKcat drives the broker with kcat, an independent client: metadata,
// keyed produce, consume from the beginning.
func TestKcat(t *testing.T) {
	kcat, err := exec.LookPath("kcat")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("kcat is not installed; .ci/run installs it (apt-get install -y kcat)")
		}
		t.Skip("kcat is not installed (apt-get install -y kcat); in CI this fails")
	}
	b := start(t, Options{})
	run := func(stdin string, args ...string) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, kcat, append([]string{"-b", b.Addr()}, args...)...)
		cmd.Stdin = strings.NewReader(stdin)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("kcat %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	var in strings.Builder
	var want []string
	for i := range 50 {
		fmt.Fprintf(&in, "k%d:v%d\n", i%5, i)
		want = append(want, fmt.Sprintf("k%d=v%d", i%5, i))
	}
	run(in.String(), "-P", "-t", "kc", "-K:")
	if md := run("", "-L", "-t", "kc"); !strings.Contains(md, b.Addr()) || !strings.Contains(md, `topic "kc" with 3 partitions`) {
		t.Errorf("kcat -L:\n%s", md)
	}
	out := run("", "-C", "-t", "kc", "-o", "beginning", "-e", "-q", "-f", "%k=%s\n")
	got := strings.Fields(out)
	sort.Strings(got)
	sort.Strings(want)
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("kcat consumed %d records, want 50:\n%s", len(got), out)
	}
}

func TestStartErrors(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	if _, err := Start(Options{Port: port}); err == nil || !strings.Contains(err.Error(), "address already in use") {
		t.Errorf("Start on a used port = %v", err)
	}
	if _, err := Start(Options{Partitions: -1}); err == nil || err.Error() != "devbroker: partitions must be > 0, got -1" {
		t.Errorf("Start(partitions -1) = %v", err)
	}
	b := start(t, Options{})
	if !strings.HasPrefix(b.Addr(), "127.0.0.1:") {
		t.Errorf("Addr = %q", b.Addr())
	}
	b.Close()
	b.Close() // twice is fine
}
