// Package eventflux bundles the example application that `eventflux dev`
// runs, so the binary works from any directory: the SQL of
// testdata/examples/trades.sql and the pipeline of
// testdata/pipelines/trades.yaml, embedded as they are in the repository
// (go:embed cannot reach testdata from cmd/eventflux, hence this package
// at the module root). The module's code lives in its sub-packages.
package eventflux

import _ "embed"

// TradesSQL is testdata/examples/trades.sql: alert on every trade above
// 50, doubling its volume.
//
//go:embed testdata/examples/trades.sql
var TradesSQL string

// TradesPipeline is testdata/pipelines/trades.yaml, the pipeline that runs
// TradesSQL against the trades topic, exactly once, writing alerts. Its
// sql.files entry is relative to the repository; replace it with
// TradesSQL after parsing.
//
//go:embed testdata/pipelines/trades.yaml
var TradesPipeline []byte
