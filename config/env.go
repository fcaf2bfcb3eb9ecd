package config

import (
	"fmt"
	"strings"
)

// expand replaces ${NAME} and ${NAME:default} in s with the value of the
// environment variable NAME, looked up with lookup. NAME is a letter or '_'
// then letters, digits and '_'. $${ is a literal ${. An unset NAME without a
// default is an error; a set but empty NAME expands to "".
func expand(s string, lookup func(string) (string, bool)) (string, error) {
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
		if i > 0 && s[i-1] == '$' { // $${ -> ${
			b.WriteString(s[:i-1])
			b.WriteString("${")
			s = s[i+2:]
			continue
		}
		b.WriteString(s[:i])
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			return "", fmt.Errorf("unterminated ${ in %q", s[i:])
		}
		ref := s[i+2 : i+end]
		name, def, hasDef := strings.Cut(ref, ":")
		if !validEnvName(name) {
			return "", fmt.Errorf("invalid environment variable reference ${%s}: want ${NAME} or ${NAME:default}", ref)
		}
		v, ok := lookup(name)
		switch {
		case ok:
		case hasDef:
			v = def
		default:
			return "", fmt.Errorf("environment variable %s is not set (write ${%s:default} for a default)", name, name)
		}
		b.WriteString(v)
		s = s[i+end+1:]
	}
}

func validEnvName(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		switch {
		case c == '_', 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		case '0' <= c && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}
