package testscript

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse checks that no script text makes Parse panic, seeded with the
// semantic suite.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "scripts", "*.test"))
	for _, p := range files[:min(len(files), 20)] {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(string(b))
		}
	}
	f.Add("app\nend\nexpect error 1:1 \"x\"\n")
	f.Fuzz(func(t *testing.T, src string) {
		s, err := Parse("f.test", src)
		if err == nil && s == nil {
			t.Fatal("nil script without error")
		}
	})
}
