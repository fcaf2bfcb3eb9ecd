package windows

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/eventflux-io/eventflux-go/topology"
)

// Kind is a window type.
type Kind uint8

// Window kinds, in the order SQL.md lists them.
const (
	Tumbling Kind = iota + 1
	Hopping
	Session
	Length
	LengthBatch
	Time
	TimeBatch
	ExternalTime
	ExternalTimeBatch
	Sort
	Unique
	FirstUnique
	Delay
	Frequent
	LossyFrequent
	Expression
	Cron
)

var kindNames = [...]string{
	Tumbling:          "tumbling",
	Hopping:           "hopping",
	Session:           "session",
	Length:            "length",
	LengthBatch:       "lengthBatch",
	Time:              "time",
	TimeBatch:         "timeBatch",
	ExternalTime:      "externalTime",
	ExternalTimeBatch: "externalTimeBatch",
	Sort:              "sort",
	Unique:            "unique",
	FirstUnique:       "firstUnique",
	Delay:             "delay",
	Frequent:          "frequent",
	LossyFrequent:     "lossyFrequent",
	Expression:        "expression",
	Cron:              "cron",
}

// String returns the canonical (SQL.md) spelling of the window type.
func (k Kind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return "window(" + strconv.Itoa(int(k)) + ")"
}

// Lookup returns the window kind called name, case-insensitively.
func Lookup(name string) (Kind, bool) {
	for k, n := range kindNames {
		if n != "" && strings.EqualFold(n, name) {
			return Kind(k), true
		}
	}
	return 0, false
}

// Names lists the window type names in SQL.md order, for hints.
func Names() []string {
	out := make([]string, 0, len(kindNames)-1)
	for _, n := range kindNames[1:] {
		out = append(out, n)
	}
	return out
}

// IsBatch reports whether windows of kind k emit batches closed by a
// BatchEnd marker.
func (k Kind) IsBatch() bool {
	switch k {
	case LengthBatch, TimeBatch, ExternalTimeBatch, Tumbling, Hopping, Session, Cron:
		return true
	}
	return false
}

// Spec is the bound, plain-data description of one window. Which fields
// are used depends on Kind; the planner validates them.
type Spec struct {
	Kind Kind
	// N is the event count of length, lengthBatch, sort and frequent.
	N int
	// Size is a duration in milliseconds: the span of time, timeBatch,
	// externalTime, externalTimeBatch, tumbling and hopping windows, the
	// gap of a session window, the delay of a delay window.
	Size int64
	// Advance is the hop of a hopping window (0 < Advance <= Size).
	Advance int64
	// Grace is how long after its end a Kafka-style window still accepts
	// late events (default 0).
	Grace int64
	// Start aligns timeBatch and externalTimeBatch batches to Start + k*Size
	// when HasStart is set; otherwise the first event starts the first batch.
	Start    int64
	HasStart bool
	// TimeAttr is the attribute holding the time of externalTime and
	// externalTimeBatch windows.
	TimeAttr Attr
	// Keys are the key attributes of unique, firstUnique, frequent and
	// lossyFrequent windows; empty for frequent/lossyFrequent means every
	// attribute.
	Keys []Attr
	// SortKeys order a sort window.
	SortKeys []SortKey
	// Support and Error parameterise lossyFrequent.
	Support, Error float64
	// Cron is the schedule of a cron window; CronText its source.
	Cron     *Schedule
	CronText string
	// Expr is the condition of an expression window.
	Expr *ExprSpec
	// NewSessionKey, when set, makes a session window keep separate
	// sessions per key (the query's GROUP BY key, as Kafka Streams'
	// session windows are per record key). It is called once per
	// processor; the function it returns encodes an event's key.
	NewSessionKey func() func(*topology.Event) string
}

// Attr is a resolved attribute of the window's input stream.
type Attr struct {
	Index int
	Name  string
	Type  topology.Type
}

// SortKey is one key of a sort window.
type SortKey struct {
	Attr Attr
	Desc bool
}

// String renders the window for plans and explain: the type and its
// parameters, durations in Go notation ("time(10s)").
func (s *Spec) String() string {
	return s.Kind.String() + "(" + strings.Join(s.params(), ", ") + ")"
}

func (s *Spec) params() []string {
	n := strconv.Itoa(s.N)
	switch s.Kind {
	case Tumbling, Session:
		return []string{dur(s.Size), "grace " + dur(s.Grace)}
	case Hopping:
		return []string{dur(s.Size), "advance " + dur(s.Advance), "grace " + dur(s.Grace)}
	case Length, LengthBatch:
		return []string{n}
	case Time, Delay:
		return []string{dur(s.Size)}
	case TimeBatch:
		return append([]string{dur(s.Size)}, s.startParam()...)
	case ExternalTime:
		return []string{s.TimeAttr.Name, dur(s.Size)}
	case ExternalTimeBatch:
		return append([]string{s.TimeAttr.Name, dur(s.Size)}, s.startParam()...)
	case Sort:
		out := []string{n}
		for _, k := range s.SortKeys {
			dir := "asc"
			if k.Desc {
				dir = "desc"
			}
			out = append(out, k.Attr.Name+" "+dir)
		}
		return out
	case Unique, FirstUnique:
		return attrNames(s.Keys)
	case Frequent:
		return append([]string{n}, attrNames(s.Keys)...)
	case LossyFrequent:
		return append([]string{"support " + fnum(s.Support), "error " + fnum(s.Error)}, attrNames(s.Keys)...)
	case Expression:
		return []string{quote(s.Expr.Text)}
	case Cron:
		return []string{quote(s.CronText)}
	}
	return nil
}

func (s *Spec) startParam() []string {
	if !s.HasStart {
		return []string{"start first event"}
	}
	return []string{"start " + strconv.FormatInt(s.Start, 10)}
}

func attrNames(as []Attr) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.Name
	}
	return out
}

func dur(ms int64) string { return time.Duration(ms * int64(time.Millisecond)).String() }

// quote renders s as a SQL string literal.
func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func fnum(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// New returns a supplier of processors running the window s. Each call of
// the supplier creates an independent processor (one per task).
func New(s Spec) func() topology.Processor {
	return func() topology.Processor { return newProcessor(&s) }
}

func newProcessor(s *Spec) topology.Processor {
	switch s.Kind {
	case Length:
		return newLength(s)
	case LengthBatch:
		return newLengthBatch(s)
	case Time:
		return newTimeWindow(s)
	case ExternalTime:
		return newExternalTime(s)
	case TimeBatch:
		return newTimeBatch(s)
	case ExternalTimeBatch:
		return newExternalTimeBatch(s)
	case Tumbling, Hopping:
		return newHopping(s)
	case Session:
		return newSession(s)
	case Sort:
		return newSortWindow(s)
	case Unique:
		return newUnique(s)
	case FirstUnique:
		return newFirstUnique(s)
	case Delay:
		return newDelay(s)
	case Frequent:
		return newFrequent(s)
	case LossyFrequent:
		return newLossyFrequent(s)
	case Expression:
		return newExpressionWindow(s)
	case Cron:
		return newCronWindow(s)
	}
	panic(fmt.Sprintf("windows: unknown window kind %d", s.Kind))
}
