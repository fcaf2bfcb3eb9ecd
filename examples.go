// Package eventflux bundles the example application that `eventflux dev`
// runs, so the binary works from any directory: the SQL of
// testdata/examples/trades.sql and testdata/examples/volumes.sql and the
// pipeline of testdata/pipelines/trades.yaml, embedded as they are in the
// repository (go:embed cannot reach testdata from cmd/eventflux, hence
// this package at the module root). The module's code lives in its
// sub-packages.
package eventflux

import "embed"

// TradesSQL is testdata/examples/trades.sql: the Trades stream, and an
// alert on every trade above 50, doubling its volume.
//
//go:embed testdata/examples/trades.sql
var TradesSQL string

// VolumesSQL is testdata/examples/volumes.sql: trade counts and volumes
// of Trades (declared in TradesSQL) per symbol and market-wide, in
// tumbling windows of 10 seconds.
//
//go:embed testdata/examples/volumes.sql
var VolumesSQL string

// TradesPipeline is testdata/pipelines/trades.yaml, the pipeline that runs
// TradesSQL and VolumesSQL against the trades topic, exactly once,
// writing alerts, volumes and market. Its sql.files entries are relative
// to the YAML file in the repository; parse it with
// config.WithFS(Examples) and config.WithDir(TradesPipelineDir) to read
// them from the binary.
//
//go:embed testdata/pipelines/trades.yaml
var TradesPipeline []byte

// TradesPipelineDir is the directory of TradesPipeline in Examples.
const TradesPipelineDir = "testdata/pipelines"

// Examples holds the files above under their repository paths.
//
//go:embed testdata/examples/trades.sql testdata/examples/volumes.sql testdata/pipelines/trades.yaml
var Examples embed.FS
