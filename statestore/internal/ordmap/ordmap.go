// Package ordmap is an ordered map from byte-string keys to values: a hash
// index for point operations plus a skip list for ordered iteration. It
// backs memstore's committed data and every task state's pending batch.
//
// Point lookups and updates of existing keys cost one hash lookup; inserts
// and deletes cost O(log n). Iteration may run while the map changes: a
// deleted node keeps its forward links, so an iterator standing on it still
// moves on. A Map is not safe for concurrent use.
package ordmap

import "bytes"

const (
	maxHeight = 24
	// pBits: a node reaches the next level with probability 1/4.
	pBits = 2
)

// Node is one entry. Key must not be modified; Val may be.
type Node[V any] struct {
	Key  []byte
	Val  V
	next []*Node[V]
}

// Next returns the following node in key order, or nil.
func (n *Node[V]) Next() *Node[V] { return n.next[0] }

// Map is an ordered map. The zero value is not usable; call New.
type Map[V any] struct {
	idx    map[string]*Node[V]
	head   Node[V]
	height int
	rnd    uint64
	prev   [maxHeight]*Node[V]
}

// New returns an empty map.
func New[V any]() *Map[V] {
	m := &Map[V]{idx: make(map[string]*Node[V]), height: 1, rnd: 0x9e3779b97f4a7c15}
	m.head.next = make([]*Node[V], maxHeight)
	return m
}

// Len returns the number of entries.
func (m *Map[V]) Len() int { return len(m.idx) }

// Get returns the node for key, or nil.
func (m *Map[V]) Get(key []byte) *Node[V] { return m.idx[string(key)] }

// Set returns the node for key, inserting one holding v if there is none
// (inserted is then true). The map keeps key: the caller must not modify
// it. An existing node is returned unchanged; the caller updates its Val.
func (m *Map[V]) Set(key []byte, v V) (n *Node[V], inserted bool) {
	if n := m.idx[string(key)]; n != nil {
		return n, false
	}
	m.findPrev(key)
	h := m.randomHeight()
	if h > m.height {
		for i := m.height; i < h; i++ {
			m.prev[i] = &m.head
		}
		m.height = h
	}
	n = &Node[V]{Key: key, Val: v, next: make([]*Node[V], h)}
	for i := range h {
		n.next[i] = m.prev[i].next[i]
		m.prev[i].next[i] = n
	}
	m.idx[string(key)] = n
	return n, true
}

// Delete removes key and returns its node (nil if absent). The node keeps
// its forward links so an iterator standing on it can continue.
func (m *Map[V]) Delete(key []byte) *Node[V] {
	n := m.idx[string(key)]
	if n == nil {
		return nil
	}
	delete(m.idx, string(key))
	m.findPrev(key)
	for i := range len(n.next) {
		if m.prev[i].next[i] == n {
			m.prev[i].next[i] = n.next[i]
		}
	}
	for m.height > 1 && m.head.next[m.height-1] == nil {
		m.height--
	}
	return n
}

// First returns the smallest node, or nil.
func (m *Map[V]) First() *Node[V] { return m.head.next[0] }

// SeekGE returns the first node with Key >= key, or nil. A nil key seeks
// to the first node.
func (m *Map[V]) SeekGE(key []byte) *Node[V] {
	x := &m.head
	for i := m.height - 1; i >= 0; i-- {
		for nx := x.next[i]; nx != nil && bytes.Compare(nx.Key, key) < 0; nx = x.next[i] {
			x = nx
		}
	}
	return x.next[0]
}

// Clear removes every entry.
func (m *Map[V]) Clear() {
	clear(m.idx)
	clear(m.head.next)
	m.height = 1
}

// findPrev fills m.prev[i] with the last node at level i whose key is
// below key.
func (m *Map[V]) findPrev(key []byte) {
	x := &m.head
	for i := m.height - 1; i >= 0; i-- {
		for nx := x.next[i]; nx != nil && bytes.Compare(nx.Key, key) < 0; nx = x.next[i] {
			x = nx
		}
		m.prev[i] = x
	}
}

func (m *Map[V]) randomHeight() int {
	// xorshift64: deterministic, cheap, good enough for tower heights.
	m.rnd ^= m.rnd << 13
	m.rnd ^= m.rnd >> 7
	m.rnd ^= m.rnd << 17
	h, r := 1, m.rnd
	for h < maxHeight && r&(1<<pBits-1) == 0 {
		h++
		r >>= pBits
	}
	return h
}
