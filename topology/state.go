package topology

import (
	"fmt"
	"slices"
	"strings"

	"github.com/eventflux-io/eventflux-go/statestore"
)

// StoreSpec declares one state store of a processor node. Declared stores
// are opened by NewTask before any processor's Init, and OpenStores opens
// them for the runtime so that it can restore them from their changelogs
// before the task starts.
type StoreSpec struct {
	// Name is the store's name within its node ("state", "windows"); the
	// task-wide name is StoreName(node, Name).
	Name string
	Kind statestore.Kind
	// Retention is, for a windowed store, how long in event time (ms) a
	// record stays live after its window starts (see
	// statestore.StoreInfo.Retention); 0 if not known.
	Retention int64
}

// TaskStoreName is the key-value store in which a task keeps its own
// state: the stream time as of the last Flush, so that a state restored
// from the changelogs alone (a crash after the Kafka commit and before
// the local one) knows its stream time too. No node name can map to it.
const TaskStoreName = "_task"

// StoreName returns the task-wide name of store name of the node called
// node: the node name escaped into the characters Kafka allows in topic
// names, a dot, and the escaped store name. Letters and digits are kept,
// '/' becomes '-', and every other byte becomes '_' and two hex digits, so
// distinct (node, store) pairs never share a name. The name derives only
// from the node name, so it is stable across runs and workers as long as
// the compiled node keeps its name. "q1/window", "state" gives
// "q1-window.state"; the changelog topic is `<app>-<name>-changelog`.
func StoreName(node, name string) string {
	var b strings.Builder
	b.Grow(len(node) + len(name) + 1)
	escapeName(&b, node)
	b.WriteByte('.')
	escapeName(&b, name)
	return b.String()
}

func escapeName(b *strings.Builder, s string) {
	const hex = "0123456789abcdef"
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
			b.WriteByte(c)
		case c == '/':
			b.WriteByte('-')
		default:
			b.WriteByte('_')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
}

// Stores lists every store a task of t uses — the declared stores of its
// processor nodes under their task-wide names, and TaskStoreName — sorted
// by name.
func (t *Topology) Stores() []statestore.StoreInfo {
	out := []statestore.StoreInfo{{Name: t.TaskStore(), Kind: statestore.KindKeyValue}}
	for _, name := range t.order {
		for _, s := range t.nodes[name].Info.Stores {
			out = append(out, statestore.StoreInfo{Name: StoreName(name, s.Name), Kind: s.Kind, Retention: s.Retention})
		}
	}
	slices.SortFunc(out, func(a, b statestore.StoreInfo) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// OpenStores opens every store of t (Stores) in p. The runtime calls it on
// a task's state before restoring the stores from their changelogs
// (statestore.TaskState.ApplyChangelog needs them open); NewTask calls it
// too.
func (t *Topology) OpenStores(p statestore.Provider) error {
	for _, s := range t.Stores() {
		var err error
		if s.Kind == statestore.KindWindowed {
			_, err = p.OpenWindowed(s.Name)
		} else {
			_, err = p.Open(s.Name)
		}
		if err != nil {
			return fmt.Errorf("topology: open store %s: %w", s.Name, err)
		}
	}
	return nil
}

// Flusher is implemented by processors that cache state in memory in
// front of their stores (write-back). Flush writes every change since the
// previous Flush into the stores, so that afterwards the stores alone
// describe the processor's state: a processor created over them restores
// it in Init. Task.Flush calls it, in topological order, at each commit.
type Flusher interface {
	Flush() error
}

// Replayer is implemented by processors whose children derive state from
// the events they hold (sliding windows: the aggregates of the select
// stage after them are a function of the window's contents). Replay calls
// fn with the held events, as current events, in the order they were
// forwarded. The task calls it after every processor's Init, to feed
// Restorer children.
type Replayer interface {
	Replay(fn func(ev *Event) error) error
}

// Restorer is implemented by processors that rebuild part of their state
// from their parents' contents instead of storing it. After every
// processor's Init, the task calls Restore once, in topological order,
// with replay, which feeds fn the contents of every parent that is a
// Replayer (and nothing for other parents). A processor that calls
// replay must treat the events as already processed: it updates its state
// and forwards nothing.
type Restorer interface {
	Restore(replay func(fn func(ev *Event) error) error) error
}
