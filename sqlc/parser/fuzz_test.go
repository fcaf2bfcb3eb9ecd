package parser

import (
	"testing"
)

// seed adds every input of the golden corpus to the fuzzer.
func seed(f *testing.F) {
	corpus(f, func(_, input string) { f.Add(input) })
}

// FuzzParse checks that no input panics and that anything that parses
// round-trips through String.
func FuzzParse(f *testing.F) {
	seed(f)
	f.Fuzz(func(t *testing.T, src string) {
		s, errs := Parse("fuzz.sql", src)
		for _, e := range errs {
			if !e.Pos.IsValid() {
				t.Fatalf("error without a position: %v", e)
			}
		}
		if len(errs) > 0 {
			return
		}
		if err := roundTripScript(s); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzParseExpr is FuzzParse for single expressions.
func FuzzParseExpr(f *testing.F) {
	seed(f)
	f.Fuzz(func(t *testing.T, src string) {
		x, errs := ParseExpr(src)
		if len(errs) > 0 {
			return
		}
		if err := roundTripExpr(x); err != nil {
			t.Fatal(err)
		}
	})
}
