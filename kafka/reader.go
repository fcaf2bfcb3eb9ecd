package kafka

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/IBM/sarama"
)

// ErrOffsetAhead is returned by Reader.ReadCommitted when the start offset
// is past the end of the partition: the topic was deleted and recreated
// (or truncated), so a local copy built from it is stale.
var ErrOffsetAhead = errors.New("kafka: offset past the end of the partition")

// Reader reads single partitions directly, outside any group, with
// read_committed isolation. The runtime restores state stores from their
// changelog topics with it. It is safe for concurrent use.
type Reader struct {
	client sarama.Client
	// MaxPartitionBytes bounds one fetch per partition. Default 8 MiB.
	MaxPartitionBytes int32
}

// NewReader connects a reader.
func NewReader(opts Options) (*Reader, error) {
	cfg, err := opts.config()
	if err != nil {
		return nil, err
	}
	c, err := sarama.NewClient(opts.Brokers, cfg)
	if err != nil {
		return nil, fmt.Errorf("kafka: reader: %w", err)
	}
	return &Reader{client: c, MaxPartitionBytes: 8 << 20}, nil
}

// Close closes the reader's connections.
func (r *Reader) Close() error {
	if err := r.client.Close(); err != nil {
		return fmt.Errorf("kafka: close reader: %w", err)
	}
	return nil
}

// ReadCommitted reads tp from offset from (clamped to the log start) up
// to the partition's last stable offset as of the first fetch, calling fn
// with each fetched batch of committed records, the position after it
// (the next offset to read, which counts transaction markers and aborted
// records) and the end it reads to. Records of aborted transactions and control records are
// skipped, as a read_committed consumer does. recs is reused after fn
// returns; the records' Key and Value slices are not. ReadCommitted returns the final position; it is ErrOffsetAhead
// (wrapped) when from is past the end of the log.
func (r *Reader) ReadCommitted(ctx context.Context, tp TopicPartition, from int64, fn func(recs []Record, next, end int64) error) (int64, error) {
	pos := max(from, 0)
	end := int64(-1)
	maxBytes := r.MaxPartitionBytes
	if maxBytes <= 0 {
		maxBytes = 8 << 20
	}
	var recs []Record
	for retries := 0; ; {
		if err := ctx.Err(); err != nil {
			return pos, err
		}
		blk, err := r.fetch(tp, pos, maxBytes)
		if err != nil {
			if IsRetriable(err) && retries < 10 {
				retries++
				if err := r.backoff(ctx, tp, retries); err != nil {
					return pos, err
				}
				continue
			}
			return pos, fmt.Errorf("kafka: read %s/%d@%d: %w", tp.Topic, tp.Partition, pos, err)
		}
		switch blk.Err {
		case sarama.ErrNoError:
		case sarama.ErrOffsetOutOfRange:
			oldest, err := r.client.GetOffset(tp.Topic, tp.Partition, sarama.OffsetOldest)
			if err != nil {
				return pos, fmt.Errorf("kafka: read %s/%d: log start: %w", tp.Topic, tp.Partition, err)
			}
			if pos < oldest {
				pos = oldest // compacted or expired away
				continue
			}
			return pos, fmt.Errorf("%w: %s/%d@%d", ErrOffsetAhead, tp.Topic, tp.Partition, pos)
		default:
			if IsRetriable(blk.Err) && retries < 10 {
				retries++
				if err := r.backoff(ctx, tp, retries); err != nil {
					return pos, err
				}
				continue
			}
			return pos, fmt.Errorf("kafka: read %s/%d@%d: %w", tp.Topic, tp.Partition, pos, blk.Err)
		}
		retries = 0
		if end < 0 {
			end = blk.LastStableOffset
			if end < 0 {
				end = blk.HighWaterMarkOffset
			}
			if pos > end {
				return pos, fmt.Errorf("%w: %s/%d@%d, end %d", ErrOffsetAhead, tp.Topic, tp.Partition, pos, end)
			}
		}
		if pos >= end {
			return pos, nil
		}
		start := pos
		recs = recs[:0]
		pos = decodeCommitted(blk, tp, pos, end, &recs)
		if pos == start {
			if maxBytes >= 1<<30 {
				return pos, fmt.Errorf("kafka: read %s/%d@%d: no progress", tp.Topic, tp.Partition, pos)
			}
			maxBytes *= 2 // a batch larger than the fetch limit
			continue
		}
		if len(recs) > 0 || pos >= end {
			if err := fn(recs, pos, end); err != nil {
				return pos, err
			}
		}
	}
}

// backoff waits before retry attempt (50ms doubling, up to 2s) and
// refreshes tp's metadata (a new leader, a topic just created).
func (r *Reader) backoff(ctx context.Context, tp TopicPartition, attempt int) error {
	d := min(50*time.Millisecond<<min(attempt-1, 6), 2*time.Second)
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
	}
	_ = r.client.RefreshMetadata(tp.Topic)
	return nil
}

func (r *Reader) fetch(tp TopicPartition, pos int64, maxBytes int32) (*sarama.FetchResponseBlock, error) {
	b, err := r.client.Leader(tp.Topic, tp.Partition)
	if err != nil {
		return nil, err
	}
	// No MinBytes, no wait: the reader reads what is there up to an end
	// the first answer fixes; waiting at the end would only delay (every
	// empty changelog's restore by MaxWaitTime).
	req := &sarama.FetchRequest{Version: 11, MinBytes: 0, MaxWaitTime: 0, MaxBytes: maxBytes,
		Isolation: sarama.ReadCommitted, SessionID: 0, SessionEpoch: -1}
	req.AddBlock(tp.Topic, tp.Partition, pos, maxBytes, -1)
	resp, err := b.Fetch(req)
	if err != nil {
		return nil, err
	}
	blk := resp.GetBlock(tp.Topic, tp.Partition)
	if blk == nil {
		return nil, fmt.Errorf("kafka: fetch response without %s/%d", tp.Topic, tp.Partition)
	}
	return blk, nil
}

// decodeCommitted appends blk's committed records in [pos, end) to recs
// and returns the position after the last batch consumed. Aborted
// transactions are tracked as sarama's consumer does: a producer id is
// aborted from its aborted transaction's first offset to its abort marker.
func decodeCommitted(blk *sarama.FetchResponseBlock, tp TopicPartition, pos, end int64, recs *[]Record) int64 {
	aborted := blk.AbortedTransactions
	var active map[int64]bool
	for _, rs := range blk.RecordsSet {
		b := rs.RecordBatch
		if b == nil || b.PartialTrailingRecord {
			break
		}
		first := b.FirstOffset
		last := first + int64(b.LastOffsetDelta)
		if first >= end {
			break
		}
		if last < pos {
			continue
		}
		for len(aborted) > 0 && aborted[0].FirstOffset <= last {
			if active == nil {
				active = map[int64]bool{}
			}
			active[aborted[0].ProducerID] = true
			aborted = aborted[1:]
		}
		switch {
		case b.Control:
			if len(b.Records) > 0 && isAbortMarker(b.Records[0].Key) {
				delete(active, b.ProducerID)
			}
		case b.IsTransactional && active[b.ProducerID]:
		default:
			for _, rec := range b.Records {
				off := first + rec.OffsetDelta
				if off < pos || off >= end {
					continue
				}
				r := Record{Topic: tp.Topic, Partition: tp.Partition, Offset: off, Key: rec.Key, Value: rec.Value,
					Timestamp: b.FirstTimestamp.Add(rec.TimestampDelta)}
				if b.LogAppendTime {
					r.Timestamp = b.MaxTimestamp
				}
				if len(rec.Headers) > 0 {
					r.Headers = make([]Header, len(rec.Headers))
					for i, h := range rec.Headers {
						r.Headers[i] = Header{Key: string(h.Key), Value: h.Value}
					}
				}
				*recs = append(*recs, r)
			}
		}
		pos = last + 1
	}
	return pos
}

// isAbortMarker reports whether a control record key (version int16, type
// int16) is an abort marker (type 0).
func isAbortMarker(key []byte) bool {
	return len(key) >= 4 && binary.BigEndian.Uint16(key[2:4]) == 0
}
