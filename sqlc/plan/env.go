package plan

import (
	"errors"
	"fmt"
	"strings"
)

// errUnsetEnv reports a ${NAME} whose variable is unset and has no default.
var errUnsetEnv = errors.New("environment variable is not set and has no default")

// expandEnv replaces ${NAME} and ${NAME:default} in s. An unset variable
// without a default, an empty name or an unterminated reference is an
// error.
func expandEnv(s string, lookup func(string) (string, bool)) (string, error) {
	if !strings.Contains(s, "${") {
		return s, nil
	}
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			return b.String(), nil
		}
		b.WriteString(s[:i])
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			return "", fmt.Errorf("unterminated ${ in %q", s)
		}
		ref := s[i+2 : i+end]
		name, def, hasDef := strings.Cut(ref, ":")
		if name == "" || strings.ContainsAny(name, " \t${") {
			return "", fmt.Errorf("bad environment reference ${%s}", ref)
		}
		v, ok := lookup(name)
		switch {
		case ok:
			b.WriteString(v)
		case hasDef:
			b.WriteString(def)
		default:
			return "", fmt.Errorf("%w: %s", errUnsetEnv, name)
		}
		s = s[i+end+1:]
	}
}
