package testscript

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// RunFile parses and runs the script at path against b. A script that
// does not parse is a Result with one failure.
func RunFile(path string, b Backend) *Result {
	src, err := os.ReadFile(path)
	if err != nil {
		return &Result{File: path, Failures: []Failure{{File: path, Line: 0, Msg: err.Error()}}}
	}
	s, err := Parse(path, string(src))
	if err != nil {
		f := Failure{File: path, Msg: err.Error()}
		if se, ok := err.(*SyntaxError); ok {
			f.Line, f.Msg = se.Line, "syntax: "+se.Msg
		}
		return &Result{File: path, Failures: []Failure{f}}
	}
	return Run(s, b)
}

// Expand turns arguments into the script files they name: a file as is, a
// directory as every *.test file under it, sorted.
func Expand(args []string) ([]string, error) {
	var out []string
	for _, a := range args {
		st, err := os.Stat(a)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			out = append(out, a)
			continue
		}
		var found []string
		err = filepath.WalkDir(a, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && strings.HasSuffix(p, ".test") {
				found = append(found, p)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		if len(found) == 0 {
			return nil, fmt.Errorf("%s: no .test files", a)
		}
		sort.Strings(found)
		out = append(out, found...)
	}
	return out, nil
}

// Summary counts the scripts that passed and failed.
type Summary struct {
	Passed, Failed int
}

// RunFiles runs each script with a fresh backend from newBackend and
// reports to w: `ok   file.test (N expectations)` or `FAIL file.test`
// followed by its failures, then a final `N passed, N failed` line.
func RunFiles(w io.Writer, files []string, newBackend func() Backend) Summary {
	var sum Summary
	for _, f := range files {
		res := RunFile(f, newBackend())
		if !res.Failed() {
			sum.Passed++
			fmt.Fprintf(w, "ok   %s (%d expectations)\n", f, res.Expectations)
			continue
		}
		sum.Failed++
		fmt.Fprintf(w, "FAIL %s\n", f)
		for _, fl := range res.Failures {
			fmt.Fprintf(w, "  %s\n", indentBy(fl.String(), "  "))
		}
	}
	fmt.Fprintf(w, "%d passed, %d failed\n", sum.Passed, sum.Failed)
	return sum
}

func indentBy(s, pre string) string { return strings.ReplaceAll(s, "\n", "\n"+pre) }
