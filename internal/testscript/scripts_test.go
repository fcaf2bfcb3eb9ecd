package testscript

import (
	"path/filepath"
	"testing"
)

// TestScripts runs the semantic suite under testdata/scripts through the
// in-memory backend, one subtest per file.
func TestScripts(t *testing.T) {
	files, err := Expand([]string{filepath.Join("..", "..", "testdata", "scripts")})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 65 {
		t.Errorf("found %d scripts, want at least 65", len(files))
	}
	for _, f := range files {
		rel, _ := filepath.Rel(filepath.Join("..", ".."), f)
		t.Run(filepath.Base(f), func(t *testing.T) {
			res := RunFile(f, NewMemory())
			for _, fl := range res.Failures {
				t.Errorf("%s:%d: %s", rel, fl.Line, fl.Msg)
			}
			if res.Expectations == 0 && !res.Failed() {
				t.Errorf("%s checks nothing", rel)
			}
		})
	}
}
