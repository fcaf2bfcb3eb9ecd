package serde

// This file is a copy of internal/codec/scanner.go (the replay codec's JSON
// scanner), kept unexported in both packages; fix bugs in both.

import (
	"unicode/utf16"
	"unicode/utf8"
)

// tokKind is the JSON type of a scanned value.
type tokKind uint8

const (
	tokString tokKind = iota
	tokNumber
	tokTrue
	tokFalse
	tokNull
	tokObject
	tokArray
)

var tokNames = [...]string{
	tokString: "string", tokNumber: "number", tokTrue: "true", tokFalse: "false",
	tokNull: "null", tokObject: "object", tokArray: "array",
}

// maxDepth bounds the nesting skipValue accepts, so a hostile line cannot
// exhaust the stack.
const maxDepth = 64

// scanner is a cursor over one JSON line. Methods return slices that alias
// the line or the scratch buffer; they are valid until the next call.
type scanner struct {
	buf     []byte
	pos     int
	scratch []byte
}

func (s *scanner) reset(line []byte) {
	s.buf, s.pos = line, 0
}

func (s *scanner) errorf(msg string) error { return &syntaxError{off: s.pos, msg: msg} }

// ws skips JSON whitespace.
func (s *scanner) ws() {
	for s.pos < len(s.buf) {
		switch s.buf[s.pos] {
		case ' ', '\t', '\r', '\n':
			s.pos++
		default:
			return
		}
	}
}

// peek returns the next non-space byte without consuming it, 0 at the end.
func (s *scanner) peek() byte {
	s.ws()
	if s.pos < len(s.buf) {
		return s.buf[s.pos]
	}
	return 0
}

// expect consumes byte c after optional whitespace.
func (s *scanner) expect(c byte) error {
	if s.peek() != c {
		if s.pos >= len(s.buf) {
			return s.errorf("unexpected end of line, expected '" + string(c) + "'")
		}
		return s.errorf("expected '" + string(c) + "', found " + quoteByte(s.buf[s.pos]))
	}
	s.pos++
	return nil
}

// member advances to the next key of an object whose '{' has been
// consumed. first says whether no member has been read yet. ok is false
// (and the '}' consumed) at the end of the object. The ':' after the key is
// consumed too.
func (s *scanner) member(first bool) (key []byte, ok bool, err error) {
	c := s.peek()
	if c == '}' {
		s.pos++
		return nil, false, nil
	}
	if !first {
		if c != ',' {
			if c == 0 && s.pos >= len(s.buf) {
				return nil, false, s.errorf("unexpected end of line, expected ',' or '}'")
			}
			return nil, false, s.errorf("expected ',' or '}'")
		}
		s.pos++
		c = s.peek()
	}
	if c != '"' {
		return nil, false, s.errorf("expected a string key")
	}
	if key, err = s.str(); err != nil {
		return nil, false, err
	}
	if err = s.expect(':'); err != nil {
		return nil, false, err
	}
	return key, true, nil
}

// kind classifies the value at the cursor (after whitespace) without
// consuming it.
func (s *scanner) kind() (tokKind, error) {
	switch c := s.peek(); {
	case c == '"':
		return tokString, nil
	case c == '-' || (c >= '0' && c <= '9'):
		return tokNumber, nil
	case c == 't':
		return tokTrue, nil
	case c == 'f':
		return tokFalse, nil
	case c == 'n':
		return tokNull, nil
	case c == '{':
		return tokObject, nil
	case c == '[':
		return tokArray, nil
	case c == 0 && s.pos >= len(s.buf):
		return 0, s.errorf("unexpected end of line, expected a value")
	default:
		return 0, s.errorf("unexpected " + quoteByte(c))
	}
}

// literal consumes the keyword word (true, false, null).
func (s *scanner) literal(word string) error {
	if len(s.buf)-s.pos < len(word) || string(s.buf[s.pos:s.pos+len(word)]) != word {
		return s.errorf("invalid literal, expected " + word)
	}
	s.pos += len(word)
	return nil
}

// str consumes a string (the cursor is on its opening quote) and returns
// its decoded bytes, which must be valid UTF-8.
func (s *scanner) str() ([]byte, error) {
	s.pos++ // opening quote
	start := s.pos
	ascii := true
	for s.pos < len(s.buf) {
		c := s.buf[s.pos]
		switch {
		case c == '"':
			out := s.buf[start:s.pos]
			s.pos++
			if !ascii && !utf8.Valid(out) {
				return nil, &syntaxError{off: start, msg: "invalid UTF-8 in string"}
			}
			return out, nil
		case c == '\\':
			return s.strEscaped(start)
		case c < 0x20:
			return nil, s.errorf("control character in string")
		case c >= 0x80:
			ascii = false
		}
		s.pos++
	}
	return nil, s.errorf("unterminated string")
}

// strEscaped finishes a string holding escapes, decoding it into scratch.
func (s *scanner) strEscaped(start int) ([]byte, error) {
	out := append(s.scratch[:0], s.buf[start:s.pos]...)
	defer func() { s.scratch = out[:0] }()
	for s.pos < len(s.buf) {
		c := s.buf[s.pos]
		switch {
		case c == '"':
			s.pos++
			if !utf8.Valid(out) {
				return nil, &syntaxError{off: start, msg: "invalid UTF-8 in string"}
			}
			return out, nil
		case c == '\\':
			var err error
			if out, err = s.escape(out); err != nil {
				return nil, err
			}
			continue
		case c < 0x20:
			return nil, s.errorf("control character in string")
		}
		out = append(out, c)
		s.pos++
	}
	return nil, s.errorf("unterminated string")
}

// escape decodes the escape sequence at the cursor (on the backslash) and
// appends it to out.
func (s *scanner) escape(out []byte) ([]byte, error) {
	if s.pos+1 >= len(s.buf) {
		return nil, s.errorf("unterminated escape")
	}
	c := s.buf[s.pos+1]
	s.pos += 2
	switch c {
	case '"', '\\', '/':
		return append(out, c), nil
	case 'b':
		return append(out, '\b'), nil
	case 'f':
		return append(out, '\f'), nil
	case 'n':
		return append(out, '\n'), nil
	case 'r':
		return append(out, '\r'), nil
	case 't':
		return append(out, '\t'), nil
	case 'u':
		r, err := s.unicodeEscape()
		if err != nil {
			return nil, err
		}
		return utf8.AppendRune(out, r), nil
	}
	s.pos -= 2
	return nil, s.errorf("invalid escape \\" + string(rune(c)))
}

// unicodeEscape decodes the hex digits of \uXXXX (the cursor is after the
// 'u'), combining a surrogate pair into one rune. A lone surrogate is an
// error: it has no UTF-8 encoding.
func (s *scanner) unicodeEscape() (rune, error) {
	r, ok := s.hex4()
	if !ok {
		return 0, s.errorf("invalid \\u escape")
	}
	if !utf16.IsSurrogate(r) {
		return r, nil
	}
	if r < 0xDC00 && s.pos+1 < len(s.buf) && s.buf[s.pos] == '\\' && s.buf[s.pos+1] == 'u' {
		s.pos += 2
		if lo, ok := s.hex4(); ok {
			if c := utf16.DecodeRune(r, lo); c != utf8.RuneError {
				return c, nil
			}
		}
	}
	return 0, s.errorf("unpaired surrogate in \\u escape")
}

// hex4 reads four hex digits.
func (s *scanner) hex4() (rune, bool) {
	if len(s.buf)-s.pos < 4 {
		return 0, false
	}
	var r rune
	for _, c := range s.buf[s.pos : s.pos+4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	s.pos += 4
	return r, true
}

// number consumes a JSON number and returns its text; integral is true
// when it has neither fraction nor exponent.
func (s *scanner) number() (raw []byte, integral bool, err error) {
	start := s.pos
	if s.pos < len(s.buf) && s.buf[s.pos] == '-' {
		s.pos++
	}
	switch {
	case s.pos < len(s.buf) && s.buf[s.pos] == '0':
		s.pos++
	case s.digits() == 0:
		return nil, false, s.errorf("invalid number")
	}
	integral = true
	if s.pos < len(s.buf) && s.buf[s.pos] == '.' {
		s.pos++
		if s.digits() == 0 {
			return nil, false, s.errorf("invalid number: no digits after '.'")
		}
		integral = false
	}
	if s.pos < len(s.buf) && (s.buf[s.pos] == 'e' || s.buf[s.pos] == 'E') {
		s.pos++
		if s.pos < len(s.buf) && (s.buf[s.pos] == '+' || s.buf[s.pos] == '-') {
			s.pos++
		}
		if s.digits() == 0 {
			return nil, false, s.errorf("invalid number: no digits in exponent")
		}
		integral = false
	}
	if s.pos < len(s.buf) && isValueChar(s.buf[s.pos]) {
		return nil, false, s.errorf("invalid number")
	}
	return s.buf[start:s.pos], integral, nil
}

func (s *scanner) digits() int {
	start := s.pos
	for s.pos < len(s.buf) && s.buf[s.pos] >= '0' && s.buf[s.pos] <= '9' {
		s.pos++
	}
	return s.pos - start
}

// isValueChar reports bytes that may not directly follow a number.
func isValueChar(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '.' || c == '-' || c == '+' || c == '"'
}

// skipValue consumes any JSON value, validating it.
func (s *scanner) skipValue(depth int) error {
	k, err := s.kind()
	if err != nil {
		return err
	}
	switch k {
	case tokString:
		_, err = s.str()
	case tokNumber:
		_, _, err = s.number()
	case tokTrue:
		err = s.literal("true")
	case tokFalse:
		err = s.literal("false")
	case tokNull:
		err = s.literal("null")
	case tokObject, tokArray:
		if depth >= maxDepth {
			return s.errorf("nesting too deep")
		}
		err = s.skipComposite(k, depth+1)
	}
	return err
}

func (s *scanner) skipComposite(k tokKind, depth int) error {
	s.pos++ // '{' or '['
	for first := true; ; first = false {
		if k == tokObject {
			_, ok, err := s.member(first)
			if err != nil || !ok {
				return err
			}
		} else {
			c := s.peek()
			if c == ']' {
				s.pos++
				return nil
			}
			if !first {
				if c != ',' {
					return s.errorf("expected ',' or ']'")
				}
				s.pos++
			}
		}
		if err := s.skipValue(depth); err != nil {
			return err
		}
	}
}

func quoteByte(c byte) string {
	if c >= 0x20 && c < 0x7f {
		return "'" + string(rune(c)) + "'"
	}
	const hex = "0123456789abcdef"
	return "byte 0x" + string(hex[c>>4]) + string(hex[c&15])
}
