package windows

import "testing"

func TestLength(t *testing.T) {
	h := newHarness(t, Spec{Kind: Length, N: 2})
	h.send(1000, 1)
	h.send(2000, 2)
	h.expect("+1@1000 +2@2000")
	h.send(3000, 3)
	h.expect("-1@3000 +3@3000")
	h.send(2500, 4) // late: stream time stays 3000
	h.expect("-2@3000 +4@2500")
}

func TestLengthBatch(t *testing.T) {
	h := newHarness(t, Spec{Kind: LengthBatch, N: 2})
	h.send(1000, 1)
	h.expect("")
	h.send(2000, 2)
	h.expect("+1@1000 +2@2000 |@2000")
	h.send(3000, 3)
	h.send(4000, 4)
	h.expect("-1@4000 -2@4000 +3@3000 +4@4000 |@4000")
	h.send(5000, 5)
	h.advance(60000)
	h.expect("") // a partial batch is never emitted
}
