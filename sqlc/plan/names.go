package plan

import (
	"fmt"
	"hash/fnv"
)

// stableID returns prefix followed by 12 hex digits of the FNV-64a hash of
// canon. Names made this way depend only on what they name, never on a
// counter, so an application can gain, lose or reorder queries without
// renaming the state and internal topics of the others (Kafka Streams'
// positional names, KSTREAM-AGGREGATE-0000000002, orphan state that way).
func stableID(prefix, canon string) string {
	h := fnv.New64a()
	h.Write([]byte(canon))
	return fmt.Sprintf("%s%012x", prefix, h.Sum64()>>16)
}

// nameQueries gives every query its ID from its canonical description:
// the query as SQL (so spacing, comments and keyword case do not matter),
// prefixed by its PARTITION WITH header inside a block. Identical queries
// are told apart by their occurrence number among themselves.
func (b *binder) nameQueries() {
	seen := map[string]int{}
	for _, q := range b.plan.Queries {
		canon := q.canon
		if q.Block != nil {
			canon = q.Block.header + " " + canon
		}
		seen[canon]++
		if n := seen[canon]; n > 1 {
			canon += fmt.Sprintf(" #%d", n)
		}
		q.ID = stableID("q", canon)
	}
}
