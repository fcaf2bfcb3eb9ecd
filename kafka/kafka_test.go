package kafka_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"go.uber.org/goleak"

	"github.com/eventflux-io/eventflux-go/kafka"
	"github.com/eventflux-io/eventflux-go/kafka/kafkatest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("github.com/rcrowley/go-metrics.(*meterArbiter).tick"))
}

func records(topic string, partition int32, prefix string, n int) []kafka.Record {
	out := make([]kafka.Record, n)
	for i := range out {
		out[i] = kafka.Record{Topic: topic, Partition: partition, Value: []byte(fmt.Sprintf("%s%d", prefix, i))}
	}
	return out
}

func newTxnProducer(t *testing.T, c *kafkatest.Cluster, id string) *kafka.Producer {
	t.Helper()
	p, err := kafka.NewProducer(kafka.ProducerOptions{Options: c.Options(), TransactionalID: id})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func TestTxnCommitAndAbortVisibility(t *testing.T) {
	c := kafkatest.NewCluster(t)
	c.CreateTopic(t, "out", 1)
	p := newTxnProducer(t, c, "app-0")
	for _, step := range []struct {
		prefix string
		commit bool
	}{{"a", true}, {"x", false}, {"b", true}} {
		if err := p.Begin(); err != nil {
			t.Fatal(err)
		}
		for _, r := range records("out", 0, step.prefix, 10) {
			p.Send(&r)
		}
		var err error
		if step.commit {
			err = p.Commit()
		} else {
			err = p.Abort()
		}
		if err != nil {
			t.Fatalf("%s: %v", step.prefix, err)
		}
	}
	got := c.Read(t, "out", kafkatest.ReadOptions{Want: 20})
	if len(got) != 20 {
		t.Fatalf("read_committed saw %d records, want 20", len(got))
	}
	for _, r := range got {
		if strings.HasPrefix(string(r.Value), "x") {
			t.Fatalf("aborted record %s visible", r.Value)
		}
	}
	if all := c.Read(t, "out", kafkatest.ReadOptions{Want: 30, Uncommitted: true}); len(all) != 30 {
		t.Fatalf("read_uncommitted saw %d records, want 30", len(all))
	}
}

func TestZombieProducerIsFenced(t *testing.T) {
	c := kafkatest.NewCluster(t)
	c.CreateTopic(t, "out", 1)
	zombie := newTxnProducer(t, c, "app-0")
	if err := zombie.Begin(); err != nil {
		t.Fatal(err)
	}
	for _, r := range records("out", 0, "zombie", 5) {
		zombie.Send(&r)
	}
	if err := zombie.Flush(); err != nil {
		t.Fatal(err)
	}
	fresh := newTxnProducer(t, c, "app-0") // InitProducerID bumps the epoch
	if err := fresh.Begin(); err != nil {
		t.Fatal(err)
	}
	for _, r := range records("out", 0, "fresh", 5) {
		fresh.Send(&r)
	}
	if err := fresh.Commit(); err != nil {
		t.Fatal(err)
	}
	err := zombie.Commit()
	if err == nil {
		t.Fatal("zombie commit succeeded")
	}
	if aerr := zombie.Abort(); !kafka.IsFatal(aerr) && !kafka.IsFatal(err) {
		t.Fatalf("zombie errors not fatal: commit %v; abort %v", err, aerr)
	}
	var te *kafka.TxnError
	if !errors.As(err, &te) || te.TransactionalID != "app-0" {
		t.Fatalf("commit error %v is not a *TxnError for app-0", err)
	}
	got := c.Read(t, "out", kafkatest.ReadOptions{Want: 5})
	if len(got) != 5 {
		t.Fatalf("read_committed saw %d records, want 5", len(got))
	}
	for _, r := range got {
		if !strings.HasPrefix(string(r.Value), "fresh") {
			t.Fatalf("zombie record %s visible", r.Value)
		}
	}
}

func TestAdminChecksCoPartitioning(t *testing.T) {
	c := kafkatest.NewCluster(t)
	c.CreateTopic(t, "trades", 4)
	c.CreateTopic(t, "quotes", 2)
	a, err := kafka.NewAdmin(c.Options())
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	_, err = a.CheckSources([]string{"trades", "quotes"})
	var cp *kafka.CoPartitionError
	if !errors.As(err, &cp) || err.Error() != "kafka: source topics are not co-partitioned: quotes has 2 partitions, trades has 4 partitions" {
		t.Fatalf("err = %v", err)
	}
	_, err = a.CheckSources([]string{"trades", "nope"})
	var mt *kafka.MissingTopicsError
	if !errors.As(err, &mt) || err.Error() != "kafka: source topics do not exist: nope" {
		t.Fatalf("err = %v", err)
	}
	n, err := a.CheckSources([]string{"trades"})
	if err != nil || n != 4 {
		t.Fatalf("CheckSources = %d, %v", n, err)
	}
	counts, err := a.EnsureTopics([]string{"trades", "alerts"}, 4)
	if err != nil || counts["alerts"] != 4 || counts["trades"] != 4 {
		t.Fatalf("EnsureTopics = %v, %v", counts, err)
	}
	if again, err := a.EnsureTopics([]string{"alerts"}, 4); err != nil || again["alerts"] != 4 {
		t.Fatalf("EnsureTopics again = %v, %v", again, err)
	}
}

func TestSCRAMAuthentication(t *testing.T) {
	for _, mech := range []string{kafka.SASLScramSHA256, kafka.SASLScramSHA512, kafka.SASLPlain} {
		t.Run(mech, func(t *testing.T) {
			c := kafkatest.NewCluster(t, kfake.EnableSASL(), kfake.Superuser(mech, "alice", "s3cret"))
			o := c.Options()
			o.SASL = kafka.SASL{Mechanism: mech, User: "alice", Password: "s3cret"}
			a, err := kafka.NewAdmin(o)
			if err != nil {
				t.Fatalf("good credentials: %v", err)
			}
			if _, err := a.Partitions("x"); err != nil {
				t.Fatalf("describe after auth: %v", err)
			}
			a.Close()
			o.SASL.Password = "wrong"
			o.DialTimeout = time.Second
			if a, err := kafka.NewAdmin(o); err == nil {
				_, err = a.Partitions("x")
				a.Close()
				if err == nil {
					t.Fatal("wrong password accepted")
				}
			}
		})
	}
}

// consumeSession joins group on topics and calls fn with the first
// session that has tasks.
func consumeSession(t *testing.T, c *kafkatest.Cluster, group string, topics []string, fn func(*kafka.Session) error) {
	t.Helper()
	g, err := kafka.NewGroup(kafka.GroupOptions{Options: c.Options(), Group: group, Topics: topics, SessionTimeout: time.Second, HeartbeatInterval: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	done := errors.New("done")
	for {
		err := g.Consume(ctx, func(s *kafka.Session) error {
			if len(s.Assignment().Tasks) == 0 {
				<-s.Context().Done()
				return nil
			}
			if err := fn(s); err != nil {
				return err
			}
			return done
		})
		if errors.Is(err, done) {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestOffsetsOnlyTransactionCommitsOffsets(t *testing.T) {
	c := kafkatest.NewCluster(t)
	c.CreateTopic(t, "in", 2)
	c.Produce(t, append(records("in", 0, "a", 3), records("in", 1, "b", 2)...)...)
	p := newTxnProducer(t, c, "g-0")
	consumeSession(t, c, "g", []string{"in"}, func(s *kafka.Session) error {
		if n := len(s.Assignment().Tasks); n != 2 {
			return fmt.Errorf("got %d tasks, want 2", n)
		}
		for _, ta := range s.Assignment().Tasks {
			if len(ta.Inputs) != 1 || ta.Inputs[0].Offset != -1 {
				return fmt.Errorf("task %d inputs %v", ta.Task, ta.Inputs)
			}
		}
		if err := p.Begin(); err != nil {
			return err
		}
		if err := p.SendOffsets(s, []kafka.Offset{{Topic: "in", Partition: 0, Offset: 3}, {Topic: "in", Partition: 1, Offset: 2}}); err != nil {
			return err
		}
		return p.Commit()
	})
	got := c.Committed(t, "g", "in")
	if got[0] != 3 || got[1] != 2 {
		t.Fatalf("committed = %v, want 0:3 1:2", got)
	}
	// The next session starts from the committed offsets.
	consumeSession(t, c, "g", []string{"in"}, func(s *kafka.Session) error {
		for _, ta := range s.Assignment().Tasks {
			if want := []int64{3, 2}[ta.Task]; ta.Inputs[0].Offset != want {
				return fmt.Errorf("task %d resumes at %d, want %d", ta.Task, ta.Inputs[0].Offset, want)
			}
		}
		return nil
	})
}

func TestGroupSplitsTasksAcrossMembers(t *testing.T) {
	c := kafkatest.NewCluster(t)
	c.CreateTopic(t, "a", 4)
	c.CreateTopic(t, "b", 4)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var mu sync.Mutex
	owned := map[string][]kafka.TaskAssignment{}
	var wg sync.WaitGroup
	for _, name := range []string{"m1", "m2"} {
		g, err := kafka.NewGroup(kafka.GroupOptions{Options: c.Options(), Group: "split", Topics: []string{"a", "b"}, SessionTimeout: time.Second, HeartbeatInterval: 100 * time.Millisecond, RebalanceTimeout: 2 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer g.Close()
			for ctx.Err() == nil {
				_ = g.Consume(ctx, func(s *kafka.Session) error {
					mu.Lock()
					owned[name] = s.Assignment().Tasks
					mu.Unlock()
					<-s.Context().Done()
					return nil
				})
			}
		}()
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		mu.Lock()
		n1, n2 := len(owned["m1"]), len(owned["m2"])
		split := n1 == 2 && n2 == 2
		var tasks map[int32]bool
		if split {
			tasks = map[int32]bool{}
			for _, ts := range owned {
				for _, ta := range ts {
					tasks[ta.Task] = true
					if len(ta.Inputs) != 2 || ta.Inputs[0].Topic != "a" || ta.Inputs[1].Topic != "b" || ta.Inputs[0].Partition != ta.Task || ta.Inputs[1].Partition != ta.Task {
						t.Errorf("task %d inputs %v", ta.Task, ta.Inputs)
					}
				}
			}
		}
		mu.Unlock()
		if split && len(tasks) == 4 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no 2/2 split: %v", owned)
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	wg.Wait()
}

func TestSessionWaitsForStableOffsets(t *testing.T) {
	c := kafkatest.NewCluster(t)
	c.CreateTopic(t, "in", 1)
	seen := c.UnstableStableFetches(3)
	consumeSession(t, c, "stable", []string{"in"}, func(s *kafka.Session) error { return nil })
	// Three unstable answers, then at least one good one (a rejoin may
	// fetch again).
	if n := seen(); n < 4 {
		t.Fatalf("saw %d RequireStable fetches, want at least 4", n)
	}
}
