package importrules

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"sort"
	"strings"
	"testing"
)

// module is the project's module path. "<mod>" in a rule stands for it.
const module = "github.com/eventflux-io/eventflux-go"

// rule forbids packages in From (default: every package) to import
// packages matching Imports, except that importers matching Except and
// imports matching Allow are fine. Patterns are import paths; a trailing
// "/..." also matches the tree below.
type rule struct {
	From    string
	Imports string
	Except  []string
	Allow   []string
	Why     string
}

// rules is DESIGN.md principle 3, plus the CLI library staying in the CLI.
var rules = []rule{
	{Imports: "github.com/IBM/sarama/...", Except: []string{"<mod>/kafka/..."},
		Why: "only kafka (and its sub-packages) may import sarama"},
	{Imports: "github.com/cockroachdb/pebble/v2/...", Except: []string{"<mod>/statestore/pebblestore/..."},
		Why: "only statestore/pebblestore may import pebble"},
	{Imports: "github.com/goccy/go-yaml/...", Except: []string{"<mod>/config/..."},
		Why: "only config may import the YAML library"},
	{From: "<mod>/config/...", Imports: "<mod>/...", Allow: []string{"<mod>/config/..."},
		Why: "config is a leaf: it imports no project package"},
	{Imports: "<mod>/cmd/...",
		Why: "nothing imports cmd"},
	{Imports: "github.com/spf13/cobra/...", Except: []string{"<mod>/cmd/...", "<mod>/internal/..."},
		Why: "only cmd and internal may import cobra"},
	{Imports: "github.com/spf13/pflag/...", Except: []string{"<mod>/cmd/...", "<mod>/internal/..."},
		Why: "only cmd and internal may import pflag"},
}

// pkg is the part of `go list -json` output the rules need.
type pkg struct {
	ImportPath                         string
	Imports, TestImports, XTestImports []string
}

func TestImportRules(t *testing.T) {
	pkgs, err := listPackages()
	if err != nil {
		t.Fatal(err)
	}
	if len(pkgs) < 5 {
		t.Fatalf("go list found only %d packages; is the module root right?", len(pkgs))
	}
	for _, v := range check(rules, pkgs) {
		t.Error(v)
	}
}

// TestRulesCatchViolations checks the checker on made-up packages, so a
// broken matcher cannot make TestImportRules pass vacuously.
func TestRulesCatchViolations(t *testing.T) {
	pkgs := []pkg{
		{ImportPath: module + "/kafka/admin", Imports: []string{"github.com/IBM/sarama"}},
		{ImportPath: module + "/internal/runtime", Imports: []string{"github.com/IBM/sarama", "github.com/spf13/cobra"}},
		{ImportPath: module + "/statestore/pebblestore", Imports: []string{"github.com/cockroachdb/pebble/v2/vfs"}},
		{ImportPath: module + "/statestore", TestImports: []string{"github.com/cockroachdb/pebble/v2"}},
		{ImportPath: module + "/config", Imports: []string{"github.com/goccy/go-yaml", module + "/topology", module + "/config/env"}},
		{ImportPath: module + "/sqlc", XTestImports: []string{module + "/cmd/eventflux", "github.com/spf13/cobra"}},
		{ImportPath: module + "/cmd/eventflux", Imports: []string{"github.com/spf13/cobra"}},
	}
	got := check(rules, pkgs)
	want := []string{
		module + "/config imports " + module + "/topology: config is a leaf: it imports no project package",
		module + "/internal/runtime imports github.com/IBM/sarama: only kafka (and its sub-packages) may import sarama",
		module + "/sqlc (external test) imports " + module + "/cmd/eventflux: nothing imports cmd",
		module + "/sqlc (external test) imports github.com/spf13/cobra: only cmd and internal may import cobra",
		module + "/statestore (test) imports github.com/cockroachdb/pebble/v2: only statestore/pebblestore may import pebble",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("violations:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// check returns one message per forbidden import, sorted.
func check(rules []rule, pkgs []pkg) []string {
	var out []string
	for _, p := range pkgs {
		for _, imps := range []struct {
			kind string
			list []string
		}{{"", p.Imports}, {" (test)", p.TestImports}, {" (external test)", p.XTestImports}} {
			for _, imp := range imps.list {
				for _, r := range rules {
					if r.forbids(p.ImportPath, imp) {
						out = append(out, fmt.Sprintf("%s%s imports %s: %s", p.ImportPath, imps.kind, imp, r.Why))
					}
				}
			}
		}
	}
	sort.Strings(out)
	return out
}

func (r rule) forbids(from, imp string) bool {
	if r.From != "" && !match(r.From, from) {
		return false
	}
	if !match(r.Imports, imp) {
		return false
	}
	for _, e := range r.Except {
		if match(e, from) {
			return false
		}
	}
	for _, a := range r.Allow {
		if match(a, imp) {
			return false
		}
	}
	return true
}

// match reports whether path matches pattern, where "<mod>" is the module
// path and a trailing "/..." matches the path and everything below it.
func match(pattern, path string) bool {
	pattern = strings.Replace(pattern, "<mod>", module, 1)
	if tree, ok := strings.CutSuffix(pattern, "/..."); ok {
		return path == tree || strings.HasPrefix(path, tree+"/")
	}
	return path == pattern
}

// listPackages runs `go list` over the whole module. -e keeps packages
// that do not compile: their imports are still known.
func listPackages() ([]pkg, error) {
	cmd := exec.Command("go", "list", "-e", "-json=ImportPath,Imports,TestImports,XTestImports", module+"/...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list: %v\n%s", err, stderr.String())
	}
	var pkgs []pkg
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p pkg
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			return pkgs, nil
		} else if err != nil {
			return nil, fmt.Errorf("go list output: %w", err)
		}
		pkgs = append(pkgs, p)
	}
}
