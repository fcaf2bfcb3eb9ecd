// Package memstore is an in-memory statestore.KeyValue, used by replay,
// `eventflux test` and unit tests.
package memstore

import (
	"bytes"
	"sort"

	"github.com/eventflux-io/eventflux-go/statestore"
)

// Store is an in-memory key-value store. It is not safe for concurrent
// use: like every store, it has a single writer.
type Store struct {
	name   string
	data   map[string][]byte
	closed bool
}

var _ statestore.KeyValue = (*Store)(nil)

// New returns an empty store called name.
func New(name string) *Store { return &Store{name: name, data: map[string][]byte{}} }

// Name implements statestore.KeyValue.
func (s *Store) Name() string { return s.name }

// Get implements statestore.KeyValue.
func (s *Store) Get(key []byte) ([]byte, bool, error) {
	if s.closed {
		return nil, false, statestore.ErrClosed
	}
	v, ok := s.data[string(key)]
	return v, ok, nil
}

// Put implements statestore.KeyValue.
func (s *Store) Put(key, value []byte) error {
	if s.closed {
		return statestore.ErrClosed
	}
	s.data[string(key)] = value
	return nil
}

// Delete implements statestore.KeyValue.
func (s *Store) Delete(key []byte) error {
	if s.closed {
		return statestore.ErrClosed
	}
	delete(s.data, string(key))
	return nil
}

// Scan implements statestore.KeyValue. It sorts the matching keys on each
// call, which is fine for the sizes tests and replay use.
func (s *Store) Scan(prefix []byte, fn func(key, value []byte) bool) error {
	if s.closed {
		return statestore.ErrClosed
	}
	keys := make([]string, 0, len(s.data))
	for k := range s.data {
		if bytes.HasPrefix([]byte(k), prefix) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !fn([]byte(k), s.data[k]) {
			break
		}
	}
	return nil
}

// Close implements statestore.KeyValue.
func (s *Store) Close() error {
	s.closed = true
	return nil
}

// Provider opens memstores, one per name, for one task.
type Provider struct {
	stores map[string]*Store
}

// NewProvider returns an empty Provider.
func NewProvider() *Provider { return &Provider{stores: map[string]*Store{}} }

// Open implements statestore.Provider.
func (p *Provider) Open(name string) (statestore.KeyValue, error) {
	if s, ok := p.stores[name]; ok {
		return s, nil
	}
	s := New(name)
	p.stores[name] = s
	return s, nil
}
