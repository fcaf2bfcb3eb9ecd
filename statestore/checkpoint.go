package statestore

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"maps"
	"slices"
)

// NoTime is the stream time of a task that has processed nothing; it
// equals topology.NoTime.
const NoTime int64 = -1 << 63

// TopicPartition names one partition of a Kafka topic.
type TopicPartition struct {
	Topic     string
	Partition int32
}

// Checkpoint is what a task has durably applied: it is stored in the same
// keyspace and the same atomic write as the data it describes.
type Checkpoint struct {
	// Changelog maps a store name to the position in the store's changelog
	// partition (the task's partition of `<app>-<store>-changelog`) up to
	// which the local store is complete: restore resumes there.
	Changelog map[string]int64
	// Inputs maps each source partition to the position processing
	// resumes from (the offset committed with the Kafka transaction).
	Inputs map[TopicPartition]int64
	// StreamTime is the task's stream time, NoTime if none.
	StreamTime int64
}

// Clone returns a deep copy of c.
func (c Checkpoint) Clone() Checkpoint {
	return Checkpoint{Changelog: maps.Clone(c.Changelog), Inputs: maps.Clone(c.Inputs), StreamTime: c.StreamTime}
}

// Merge returns base updated with c as Commit does: offsets in c replace
// base's for the same store or partition, and the later stream time wins.
// base is not modified.
func (c Checkpoint) Merge(base Checkpoint) Checkpoint {
	out := base.Clone()
	if len(c.Changelog) > 0 && out.Changelog == nil {
		out.Changelog = make(map[string]int64, len(c.Changelog))
	}
	maps.Copy(out.Changelog, c.Changelog)
	if len(c.Inputs) > 0 && out.Inputs == nil {
		out.Inputs = make(map[TopicPartition]int64, len(c.Inputs))
	}
	maps.Copy(out.Inputs, c.Inputs)
	out.StreamTime = max(out.StreamTime, c.StreamTime)
	return out
}

// checkpointVersion is the first byte of an encoded Checkpoint.
const checkpointVersion = 1

// MarshalBinary encodes c deterministically (entries sorted):
//
//	version   byte (1)
//	streamTime  varint
//	n uvarint, then n × (len uvarint, store name, offset varint)
//	m uvarint, then m × (len uvarint, topic, partition varint, offset varint)
func (c Checkpoint) MarshalBinary() ([]byte, error) {
	b := make([]byte, 0, 16+24*(len(c.Changelog)+len(c.Inputs)))
	b = append(b, checkpointVersion)
	b = binary.AppendVarint(b, c.StreamTime)
	b = binary.AppendUvarint(b, uint64(len(c.Changelog)))
	for _, name := range slices.Sorted(maps.Keys(c.Changelog)) {
		b = appendString(b, name)
		b = binary.AppendVarint(b, c.Changelog[name])
	}
	tps := slices.SortedFunc(maps.Keys(c.Inputs), func(a, b TopicPartition) int {
		return cmp.Or(cmp.Compare(a.Topic, b.Topic), cmp.Compare(a.Partition, b.Partition))
	})
	b = binary.AppendUvarint(b, uint64(len(tps)))
	for _, tp := range tps {
		b = appendString(b, tp.Topic)
		b = binary.AppendVarint(b, int64(tp.Partition))
		b = binary.AppendVarint(b, c.Inputs[tp])
	}
	return b, nil
}

// UnmarshalBinary decodes what MarshalBinary encoded, replacing c.
func (c *Checkpoint) UnmarshalBinary(data []byte) error {
	d := decoder{b: data}
	if v := d.byte(); v != checkpointVersion {
		return fmt.Errorf("%w: checkpoint version %d", ErrCorrupt, v)
	}
	out := Checkpoint{StreamTime: d.varint()}
	if n := d.count(); n > 0 {
		out.Changelog = make(map[string]int64, n)
		for range n {
			name := d.string()
			out.Changelog[name] = d.varint()
		}
	}
	if n := d.count(); n > 0 {
		out.Inputs = make(map[TopicPartition]int64, n)
		for range n {
			tp := TopicPartition{Topic: d.string()}
			p := d.varint()
			if p < -1<<31 || p >= 1<<31 {
				d.fail()
			}
			tp.Partition = int32(p)
			out.Inputs[tp] = d.varint()
		}
	}
	if d.err || len(d.b) != 0 {
		return fmt.Errorf("%w: checkpoint encoding", ErrCorrupt)
	}
	*c = out
	return nil
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// decoder reads the checkpoint encoding; after the first error every read
// returns zero and err stays set.
type decoder struct {
	b   []byte
	err bool
}

func (d *decoder) fail() { d.err, d.b = true, nil }

func (d *decoder) byte() byte {
	if len(d.b) == 0 {
		d.fail()
		return 0
	}
	v := d.b[0]
	d.b = d.b[1:]
	return v
}

func (d *decoder) varint() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

// count reads an entry count, bounded by the bytes left so a corrupt count
// cannot make us allocate much.
func (d *decoder) count() int {
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		d.fail()
		return 0
	}
	return int(n)
}

func (d *decoder) string() string {
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		d.fail()
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}
