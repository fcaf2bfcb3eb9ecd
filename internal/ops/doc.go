// Package ops is the worker's operations surface: the Prometheus metrics it
// exports, declared in one place ([Metrics]), and the HTTP server ([Serve])
// for /metrics, /healthz and /readyz.
//
// Metrics live in their own registry, never the global default, so tests
// and several workers in one process do not share counters.
package ops
