package topology

import "strings"

// Attribute is one named, typed column of a Schema.
type Attribute struct {
	Name string
	Type Type
}

// Schema describes the attributes of a stream. Event values are stored in
// attribute order.
type Schema struct {
	// Name is the stream (or table) name, case-sensitive.
	Name  string
	Attrs []Attribute
}

// NewSchema returns a schema named name with the given attributes.
func NewSchema(name string, attrs ...Attribute) *Schema {
	return &Schema{Name: name, Attrs: attrs}
}

// Index returns the position of the attribute called name, or -1.
func (s *Schema) Index(name string) int {
	for i, a := range s.Attrs {
		if a.Name == name {
			return i
		}
	}
	return -1
}

// Len returns the number of attributes.
func (s *Schema) Len() int { return len(s.Attrs) }

// Names returns the attribute names in order.
func (s *Schema) Names() []string {
	out := make([]string, len(s.Attrs))
	for i, a := range s.Attrs {
		out[i] = a.Name
	}
	return out
}

// String renders the schema as "Name(a INT, b STRING)".
func (s *Schema) String() string {
	var b strings.Builder
	b.WriteString(s.Name)
	b.WriteByte('(')
	for i, a := range s.Attrs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(a.Name)
		b.WriteByte(' ')
		b.WriteString(a.Type.String())
	}
	b.WriteByte(')')
	return b.String()
}
