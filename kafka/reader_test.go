package kafka_test

import (
	"context"
	"errors"
	"testing"

	"github.com/eventflux-io/eventflux-go/kafka"
	"github.com/eventflux-io/eventflux-go/kafka/kafkatest"
)

// TestReaderReadsCommittedToLSO: committed records come back in order with
// tombstones kept, aborted ones are skipped, the final position is the
// end of the log (past the last marker), and the acknowledged offsets of a
// tracking producer are the positions after its records.
func TestReaderReadsCommittedToLSO(t *testing.T) {
	c := kafkatest.NewCluster(t)
	c.CreateTopic(t, "cl", 1)
	p, err := kafka.NewProducer(kafka.ProducerOptions{Options: c.Options(), TransactionalID: "tx", TrackOffsets: true})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	batch := func(commit bool, recs ...kafka.Record) {
		t.Helper()
		if err := p.Begin(); err != nil {
			t.Fatal(err)
		}
		for i := range recs {
			p.Send(&recs[i])
		}
		if !commit {
			if err := p.Abort(); err != nil {
				t.Fatal(err)
			}
			return
		}
		if err := p.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	rec := func(k, v string) kafka.Record {
		r := kafka.Record{Topic: "cl", Key: []byte(k)}
		if v != "-" {
			r.Value = []byte(v)
		}
		return r
	}
	batch(true, rec("a", "1"), rec("b", "2"))
	if got := p.Acked()[kafka.TopicPartition{Topic: "cl"}]; got != 2 {
		t.Fatalf("acked next offset %d, want 2", got)
	}
	batch(false, rec("a", "aborted"), rec("c", "aborted"))
	batch(true, rec("b", "-"), rec("d", ""))

	r, err := kafka.NewReader(c.Options())
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var got []string
	next, err := r.ReadCommitted(context.Background(), kafka.TopicPartition{Topic: "cl"}, 0, func(recs []kafka.Record, next, end int64) error {
		for _, x := range recs {
			v := string(x.Value)
			if x.Value == nil {
				v = "<nil>"
			}
			got = append(got, string(x.Key)+"="+v)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"a=1", "b=2", "b=<nil>", "d="}
	if len(got) != len(want) {
		t.Fatalf("read %q, want %q", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("read %q, want %q", got, want)
		}
	}
	// 2 + marker + 2 aborted + marker + 2 + marker.
	if next != 9 {
		t.Fatalf("position %d, want 9", next)
	}
	// From the end: nothing; past it: ErrOffsetAhead.
	n := 0
	if _, err := r.ReadCommitted(context.Background(), kafka.TopicPartition{Topic: "cl"}, next, func(recs []kafka.Record, _, _ int64) error {
		n += len(recs)
		return nil
	}); err != nil || n != 0 {
		t.Fatalf("from the end: %d records, %v", n, err)
	}
	if _, err := r.ReadCommitted(context.Background(), kafka.TopicPartition{Topic: "cl"}, 100, func([]kafka.Record, int64, int64) error { return nil }); !errors.Is(err, kafka.ErrOffsetAhead) {
		t.Fatalf("past the end: %v, want ErrOffsetAhead", err)
	}
}
