package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/eventflux-io/eventflux-go/internal/serde"
	"github.com/eventflux-io/eventflux-go/kafka"
)

// malformedEvery makes every malformedEvery-th generated record malformed
// (a string price), so the dead-letter topic has something to show.
const malformedEvery = 200

// generatorOptions configures generate.
type generatorOptions struct {
	Kafka      kafka.Options
	Topic      string
	Partitions int
	// Rate is records per second; 0 produces nothing.
	Rate float64
	// Seed makes the sequence of records reproducible.
	Seed uint64
}

// tradeGen makes the generator's records: trades keyed by symbol, the
// same sequence for the same seed.
type tradeGen struct {
	rng *rand.Rand
	n   int
}

var genSymbols = []string{"IBM", "ACME", "MSFT", "AAPL", "GOOG", "AMZN", "ORCL", "SAP"}

func newTradeGen(seed uint64) *tradeGen {
	return &tradeGen{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

// next returns the next record's key and JSON value: a price between 10
// and 100 (about half are alerts) and a volume between 1 and 1000.
func (g *tradeGen) next() (key, value []byte) {
	g.n++
	sym := genSymbols[g.rng.IntN(len(genSymbols))]
	price := float64(1000+g.rng.IntN(9000)) / 100
	volume := 1 + g.rng.IntN(1000)
	v := make([]byte, 0, 64)
	v = append(v, `{"symbol":"`...)
	v = append(v, sym...)
	if g.n%malformedEvery == 0 {
		v = append(v, `","price":"n/a","volume":`...)
	} else {
		v = append(v, `","price":`...)
		v = strconv.AppendFloat(v, price, 'f', -1, 64)
		v = append(v, `,"volume":`...)
	}
	v = strconv.AppendInt(v, int64(volume), 10)
	v = append(v, '}')
	return []byte(sym), v
}

// generate produces trades to o.Topic at o.Rate until ctx is done, each
// acknowledged before the next (a modest rate needs no batching). Keys
// are placed with the murmur2 partitioner, as a Java producer would.
func generate(ctx context.Context, o generatorOptions) error {
	if o.Rate <= 0 {
		<-ctx.Done()
		return nil
	}
	p, err := kafka.NewProducer(kafka.ProducerOptions{Options: o.Kafka})
	if err != nil {
		return err
	}
	defer p.Close()
	g := newTradeGen(o.Seed)
	tick := time.NewTicker(max(time.Duration(float64(time.Second)/o.Rate), time.Millisecond))
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		key, value := g.next()
		p.Send(&kafka.Record{Topic: o.Topic, Partition: serde.Partition(key, o.Partitions), Key: key, Value: value, Timestamp: time.Now()})
		if err := p.Flush(); err != nil {
			return fmt.Errorf("produce to %s: %w", o.Topic, err)
		}
	}
}
