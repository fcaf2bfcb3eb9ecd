package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"reflect"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// Option changes how Parse and Load read a file.
type Option func(*options)

type options struct {
	lookup func(string) (string, bool)
	dir    string
	file   string
	fsys   fs.FS
}

// WithLookupEnv sets the function that resolves ${NAME} references.
// Default os.LookupEnv.
func WithLookupEnv(lookup func(name string) (string, bool)) Option {
	return func(o *options) { o.lookup = lookup }
}

// WithDir sets the directory that relative sql.files are resolved against
// (a slash-separated path inside the WithFS file system, if any). Default
// "." for Parse; Load uses the directory of the file.
func WithDir(dir string) Option {
	return func(o *options) { o.dir = dir }
}

// WithFilename sets the file name error messages start with. Default ""
// for Parse; Load uses the path it was given.
func WithFilename(name string) Option {
	return func(o *options) { o.file = name }
}

// WithFS makes SQLSources read sql.files from fsys instead of the
// operating system: each file is the slash-separated path.Join of the
// WithDir directory and its entry (so "../sql/app.sql" from "pipelines"
// is "sql/app.sql"), and that path names it in errors. Use it with an
// embed.FS to run a pipeline bundled in a binary. Default nil: the
// operating system's files.
func WithFS(fsys fs.FS) Option {
	return func(o *options) { o.fsys = fsys }
}

// Load reads the pipeline file at path and parses it as Parse does, with
// sql.files relative to the file's directory.
func Load(path string, opts ...Option) (*Pipeline, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	opts = append([]Option{WithDir(filepath.Dir(path)), WithFilename(path)}, opts...)
	return Parse(data, opts...)
}

// Parse decodes a pipeline file over Default, expands ${NAME} references,
// fills the derived defaults (Derive) and validates. The error is an *Error,
// or an ErrorList when there are several problems.
func Parse(data []byte, opts ...Option) (*Pipeline, error) {
	o := options{lookup: os.LookupEnv, dir: "."}
	for _, opt := range opts {
		opt(&o)
	}
	p := Default()
	p.baseDir, p.file, p.fsys = o.dir, o.file, o.fsys
	p.pos = map[string]position{}

	// The decoder reports duplicate keys itself, with their key path.
	f, err := parser.ParseBytes(data, 0, parser.AllowDuplicateMapKey())
	if err != nil {
		return nil, syntaxError(o.file, err)
	}
	if len(f.Docs) > 1 {
		return nil, &Error{File: o.file, Msg: fmt.Sprintf("want one YAML document, got %d", len(f.Docs))}
	}
	d := &decoder{lookup: o.lookup, anchors: map[string]ast.Node{}, pos: p.pos, file: o.file}
	if len(f.Docs) == 1 && f.Docs[0].Body != nil {
		d.collectAnchors(f.Docs[0].Body)
		d.decode(f.Docs[0].Body, reflect.ValueOf(p).Elem(), "")
	}
	if err := d.errs.err(); err != nil {
		return nil, err
	}
	p.Derive()
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return p, nil
}

// syntaxError turns a YAML library error into an *Error with its position.
func syntaxError(file string, err error) error {
	e := &Error{File: file, Msg: "invalid YAML: " + err.Error()}
	var ye yaml.Error
	if errors.As(err, &ye) {
		e.Msg = "invalid YAML: " + ye.GetMessage()
		if tk := ye.GetToken(); tk != nil && tk.Position != nil {
			e.Line, e.Column = tk.Position.Line, tk.Position.Column
		}
	}
	return e
}

// SQLSource is one piece of the application's SQL.
type SQLSource struct {
	// Name is the file path (resolved against the YAML file's directory,
	// or the WithFS path), or "sql.inline".
	Name string
	// Text is the SQL.
	Text string
}

// SQLSources returns the application's SQL: the inline text, or each file
// of sql.files read in order (from the WithFS file system, if any).
func (p *Pipeline) SQLSources() ([]SQLSource, error) {
	if len(p.SQL.Files) == 0 {
		return []SQLSource{{Name: "sql.inline", Text: p.SQL.Inline}}, nil
	}
	out := make([]SQLSource, 0, len(p.SQL.Files))
	for i, f := range p.SQL.Files {
		name, b, err := p.readSQLFile(f)
		if err != nil {
			return nil, p.errAt(fmt.Sprintf("sql.files[%d]", i), "%v", err)
		}
		out = append(out, SQLSource{Name: name, Text: string(b)})
	}
	return out, nil
}

// readSQLFile reads the sql.files entry f, relative to the YAML file's
// directory, and returns the path it read.
func (p *Pipeline) readSQLFile(f string) (string, []byte, error) {
	if p.fsys != nil {
		name := path.Join(p.baseDir, f)
		b, err := fs.ReadFile(p.fsys, name)
		return name, b, err
	}
	name := f
	if !filepath.IsAbs(name) {
		name = filepath.Join(p.baseDir, f)
	}
	b, err := os.ReadFile(name)
	return name, b, err
}
