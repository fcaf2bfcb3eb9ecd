package topology

import "strings"

// Type is the static type of an attribute or expression.
type Type uint8

// The types of the EventFlux dialect. TIMESTAMP is not a separate type: it is
// a LONG holding epoch milliseconds. TypeNull is the type of the NULL literal
// before promotion gives it a concrete type.
const (
	TypeNull Type = iota
	TypeBool
	TypeInt
	TypeLong
	TypeFloat
	TypeDouble
	TypeString
)

var typeNames = [...]string{
	TypeNull:   "NULL",
	TypeBool:   "BOOL",
	TypeInt:    "INT",
	TypeLong:   "LONG",
	TypeFloat:  "FLOAT",
	TypeDouble: "DOUBLE",
	TypeString: "STRING",
}

// String returns the canonical SQL name of the type.
func (t Type) String() string {
	if int(t) < len(typeNames) {
		return typeNames[t]
	}
	return "UNKNOWN"
}

// IsNumeric reports whether t is INT, LONG, FLOAT or DOUBLE.
func (t Type) IsNumeric() bool { return t >= TypeInt && t <= TypeDouble }

// IsIntegral reports whether t is INT or LONG.
func (t Type) IsIntegral() bool { return t == TypeInt || t == TypeLong }

// Promote returns the wider of two numeric types under INT < LONG < FLOAT <
// DOUBLE. A NULL operand takes the other's type. ok is false when the types
// cannot be combined numerically.
func Promote(a, b Type) (t Type, ok bool) {
	switch {
	case a == TypeNull:
		return b, b == TypeNull || b.IsNumeric()
	case b == TypeNull:
		return a, a.IsNumeric()
	case a.IsNumeric() && b.IsNumeric():
		if a > b {
			return a, true
		}
		return b, true
	}
	return TypeNull, false
}

// typeAliases maps every SQL spelling the dialect accepts to its Type.
var typeAliases = map[string]Type{
	"STRING": TypeString, "VARCHAR": TypeString, "TEXT": TypeString, "CHAR": TypeString,
	"INT": TypeInt, "INTEGER": TypeInt, "SMALLINT": TypeInt, "TINYINT": TypeInt,
	"LONG": TypeLong, "BIGINT": TypeLong, "TIMESTAMP": TypeLong,
	"FLOAT": TypeFloat, "REAL": TypeFloat,
	"DOUBLE": TypeDouble, "DECIMAL": TypeDouble, "NUMERIC": TypeDouble,
	"BOOL": TypeBool, "BOOLEAN": TypeBool,
}

// ParseType resolves a type name (case-insensitive, any accepted alias).
func ParseType(name string) (Type, bool) {
	t, ok := typeAliases[strings.ToUpper(name)]
	return t, ok
}

// TypeNames lists every accepted type spelling, for "did you mean" hints.
func TypeNames() []string {
	names := make([]string, 0, len(typeAliases))
	for n := range typeAliases {
		names = append(names, n)
	}
	return names
}
