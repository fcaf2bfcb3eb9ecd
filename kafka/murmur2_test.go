package kafka_test

import (
	"fmt"
	"testing"

	"github.com/IBM/sarama"

	"github.com/eventflux-io/eventflux-go/internal/serde"
)

// TestSerdePartitionMatchesSaramaMurmur2 cross-checks the runtime's key
// placement (internal/serde) with sarama's Java-compatible partitioner.
func TestSerdePartitionMatchesSaramaMurmur2(t *testing.T) {
	for _, n := range []int32{1, 3, 4, 12} {
		p := sarama.NewMurmur2Partitioner("t")
		for i := 0; i < 500; i++ {
			key := fmt.Sprintf("key-%d", i*7919)
			want, err := p.Partition(&sarama.ProducerMessage{Key: sarama.StringEncoder(key)}, n)
			if err != nil {
				t.Fatal(err)
			}
			if got := serde.Partition([]byte(key), int(n)); got != want {
				t.Fatalf("key %q over %d partitions: serde %d, sarama %d", key, n, got, want)
			}
		}
	}
}
