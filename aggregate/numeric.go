package aggregate

import (
	"math"

	"github.com/eventflux-io/eventflux-go/topology"
)

// intSum is sum over INT or LONG: a LONG, wrapping on overflow as Java
// does.
type intSum struct{ sum, n int64 }

func (s *intSum) Add(v topology.Value) {
	if !v.IsNull() {
		s.sum += v.RawLong()
		s.n++
	}
}

func (s *intSum) Remove(v topology.Value) {
	if !v.IsNull() {
		s.sum -= v.RawLong()
		s.n--
	}
}

func (s *intSum) Result() topology.Value {
	if s.n == 0 {
		return topology.Null()
	}
	return topology.Long(s.sum)
}

func (s *intSum) Reset() { *s = intSum{} }

// floatSum is sum over FLOAT or DOUBLE. When the last value leaves, the
// sum restarts from exactly 0 so rounding errors of retraction do not
// accumulate across empty periods.
type floatSum struct {
	sum float64
	n   int64
}

func (s *floatSum) Add(v topology.Value) {
	if !v.IsNull() {
		s.sum += v.RawDouble()
		s.n++
	}
}

func (s *floatSum) Remove(v topology.Value) {
	if v.IsNull() {
		return
	}
	if s.n--; s.n == 0 {
		s.sum = 0
		return
	}
	s.sum -= v.RawDouble()
}

func (s *floatSum) Result() topology.Value {
	if s.n == 0 {
		return topology.Null()
	}
	return topology.Double(s.sum)
}

func (s *floatSum) Reset() { *s = floatSum{} }

// avg is the mean of the non-NULL values, a DOUBLE.
type avg struct {
	sum float64
	n   int64
}

func (a *avg) Add(v topology.Value) {
	if !v.IsNull() {
		a.sum += v.AsDouble()
		a.n++
	}
}

func (a *avg) Remove(v topology.Value) {
	if v.IsNull() {
		return
	}
	if a.n--; a.n == 0 {
		a.sum = 0
		return
	}
	a.sum -= v.AsDouble()
}

func (a *avg) Result() topology.Value {
	if a.n == 0 {
		return topology.Null()
	}
	return topology.Double(a.sum / float64(a.n))
}

func (a *avg) Reset() { *a = avg{} }

// moments is the population variance (or standard deviation) by
// Welford's method, with its exact inverse for retraction.
type moments struct {
	n        int64
	mean, m2 float64
	stdDev   bool
}

func (m *moments) Add(v topology.Value) {
	if v.IsNull() {
		return
	}
	x := v.AsDouble()
	m.n++
	d := x - m.mean
	m.mean += d / float64(m.n)
	m.m2 += d * (x - m.mean)
}

func (m *moments) Remove(v topology.Value) {
	if v.IsNull() {
		return
	}
	if m.n <= 1 {
		m.n, m.mean, m.m2 = 0, 0, 0
		return
	}
	x := v.AsDouble()
	m.n--
	d := x - m.mean
	m.mean -= d / float64(m.n)
	m.m2 -= d * (x - m.mean)
	if m.m2 < 0 {
		m.m2 = 0
	}
}

func (m *moments) Result() topology.Value {
	if m.n == 0 {
		return topology.Null()
	}
	v := m.m2 / float64(m.n)
	if m.stdDev {
		v = math.Sqrt(v)
	}
	return topology.Double(v)
}

func (m *moments) Reset() { m.n, m.mean, m.m2 = 0, 0, 0 }
