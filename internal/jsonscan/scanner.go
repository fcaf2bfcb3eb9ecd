// Package jsonscan is a small allocation-free JSON Scanner over one
// document in memory (a replay line, a Kafka record value). It reports
// token kinds and returns slices aliasing the input or a scratch buffer,
// so decoders can fill typed values without building maps.
package jsonscan

import (
	"fmt"
	"unicode/utf16"
	"unicode/utf8"
)

// Kind is the JSON type of a scanned value.
type Kind uint8

const (
	KindString Kind = iota
	KindNumber
	KindTrue
	KindFalse
	KindNull
	KindObject
	KindArray
)

var kindNames = [...]string{
	KindString: "string", KindNumber: "number", KindTrue: "true", KindFalse: "false",
	KindNull: "null", KindObject: "object", KindArray: "array",
}

// MaxDepth bounds the nesting skipValue accepts, so a hostile line cannot
// exhaust the stack.
const MaxDepth = 64

// Scanner is a cursor over one JSON line. Methods return slices that alias
// the line or the scratch buffer; they are valid until the next call.
type Scanner struct {
	buf     []byte
	pos     int
	scratch []byte
}

func (s *Scanner) Reset(line []byte) {
	s.buf, s.pos = line, 0
}

func (s *Scanner) Errorf(msg string) error { return &SyntaxError{Offset: s.pos, Msg: msg} }

// ws skips JSON whitespace.
func (s *Scanner) WS() {
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
func (s *Scanner) Peek() byte {
	s.WS()
	if s.pos < len(s.buf) {
		return s.buf[s.pos]
	}
	return 0
}

// expect consumes byte c after optional whitespace.
func (s *Scanner) Expect(c byte) error {
	if s.Peek() != c {
		if s.pos >= len(s.buf) {
			return s.Errorf("unexpected end of line, expected '" + string(c) + "'")
		}
		return s.Errorf("expected '" + string(c) + "', found " + quoteByte(s.buf[s.pos]))
	}
	s.pos++
	return nil
}

// member advances to the next key of an object whose '{' has been
// consumed. first says whether no member has been read yet. ok is false
// (and the '}' consumed) at the end of the object. The ':' after the key is
// consumed too.
func (s *Scanner) Member(first bool) (key []byte, ok bool, err error) {
	c := s.Peek()
	if c == '}' {
		s.pos++
		return nil, false, nil
	}
	if !first {
		if c != ',' {
			if c == 0 && s.pos >= len(s.buf) {
				return nil, false, s.Errorf("unexpected end of line, expected ',' or '}'")
			}
			return nil, false, s.Errorf("expected ',' or '}'")
		}
		s.pos++
		c = s.Peek()
	}
	if c != '"' {
		return nil, false, s.Errorf("expected a string key")
	}
	if key, err = s.Str(); err != nil {
		return nil, false, err
	}
	if err = s.Expect(':'); err != nil {
		return nil, false, err
	}
	return key, true, nil
}

// kind classifies the value at the cursor (after whitespace) without
// consuming it.
func (s *Scanner) Kind() (Kind, error) {
	switch c := s.Peek(); {
	case c == '"':
		return KindString, nil
	case c == '-' || (c >= '0' && c <= '9'):
		return KindNumber, nil
	case c == 't':
		return KindTrue, nil
	case c == 'f':
		return KindFalse, nil
	case c == 'n':
		return KindNull, nil
	case c == '{':
		return KindObject, nil
	case c == '[':
		return KindArray, nil
	case c == 0 && s.pos >= len(s.buf):
		return 0, s.Errorf("unexpected end of line, expected a value")
	default:
		return 0, s.Errorf("unexpected " + quoteByte(c))
	}
}

// literal consumes the keyword word (true, false, null).
func (s *Scanner) Literal(word string) error {
	if len(s.buf)-s.pos < len(word) || string(s.buf[s.pos:s.pos+len(word)]) != word {
		return s.Errorf("invalid literal, expected " + word)
	}
	s.pos += len(word)
	return nil
}

// str consumes a string (the cursor is on its opening quote) and returns
// its decoded bytes, which must be valid UTF-8.
func (s *Scanner) Str() ([]byte, error) {
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
				return nil, &SyntaxError{Offset: start, Msg: "invalid UTF-8 in string"}
			}
			return out, nil
		case c == '\\':
			return s.strEscaped(start)
		case c < 0x20:
			return nil, s.Errorf("control character in string")
		case c >= 0x80:
			ascii = false
		}
		s.pos++
	}
	return nil, s.Errorf("unterminated string")
}

// strEscaped finishes a string holding escapes, decoding it into scratch.
func (s *Scanner) strEscaped(start int) ([]byte, error) {
	out := append(s.scratch[:0], s.buf[start:s.pos]...)
	defer func() { s.scratch = out[:0] }()
	for s.pos < len(s.buf) {
		c := s.buf[s.pos]
		switch {
		case c == '"':
			s.pos++
			if !utf8.Valid(out) {
				return nil, &SyntaxError{Offset: start, Msg: "invalid UTF-8 in string"}
			}
			return out, nil
		case c == '\\':
			var err error
			if out, err = s.escape(out); err != nil {
				return nil, err
			}
			continue
		case c < 0x20:
			return nil, s.Errorf("control character in string")
		}
		out = append(out, c)
		s.pos++
	}
	return nil, s.Errorf("unterminated string")
}

// escape decodes the escape sequence at the cursor (on the backslash) and
// appends it to out.
func (s *Scanner) escape(out []byte) ([]byte, error) {
	if s.pos+1 >= len(s.buf) {
		return nil, s.Errorf("unterminated escape")
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
	return nil, s.Errorf("invalid escape \\" + string(rune(c)))
}

// unicodeEscape decodes the hex digits of \uXXXX (the cursor is after the
// 'u'), combining a surrogate pair into one rune. A lone surrogate is an
// error: it has no UTF-8 encoding.
func (s *Scanner) unicodeEscape() (rune, error) {
	r, ok := s.hex4()
	if !ok {
		return 0, s.Errorf("invalid \\u escape")
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
	return 0, s.Errorf("unpaired surrogate in \\u escape")
}

// hex4 reads four hex digits.
func (s *Scanner) hex4() (rune, bool) {
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
func (s *Scanner) Number() (raw []byte, integral bool, err error) {
	start := s.pos
	if s.pos < len(s.buf) && s.buf[s.pos] == '-' {
		s.pos++
	}
	switch {
	case s.pos < len(s.buf) && s.buf[s.pos] == '0':
		s.pos++
	case s.digits() == 0:
		return nil, false, s.Errorf("invalid number")
	}
	integral = true
	if s.pos < len(s.buf) && s.buf[s.pos] == '.' {
		s.pos++
		if s.digits() == 0 {
			return nil, false, s.Errorf("invalid number: no digits after '.'")
		}
		integral = false
	}
	if s.pos < len(s.buf) && (s.buf[s.pos] == 'e' || s.buf[s.pos] == 'E') {
		s.pos++
		if s.pos < len(s.buf) && (s.buf[s.pos] == '+' || s.buf[s.pos] == '-') {
			s.pos++
		}
		if s.digits() == 0 {
			return nil, false, s.Errorf("invalid number: no digits in exponent")
		}
		integral = false
	}
	if s.pos < len(s.buf) && isValueChar(s.buf[s.pos]) {
		return nil, false, s.Errorf("invalid number")
	}
	return s.buf[start:s.pos], integral, nil
}

func (s *Scanner) digits() int {
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
func (s *Scanner) SkipValue(depth int) error {
	k, err := s.Kind()
	if err != nil {
		return err
	}
	switch k {
	case KindString:
		_, err = s.Str()
	case KindNumber:
		_, _, err = s.Number()
	case KindTrue:
		err = s.Literal("true")
	case KindFalse:
		err = s.Literal("false")
	case KindNull:
		err = s.Literal("null")
	case KindObject, KindArray:
		if depth >= MaxDepth {
			return s.Errorf("nesting too deep")
		}
		err = s.skipComposite(k, depth+1)
	}
	return err
}

func (s *Scanner) skipComposite(k Kind, depth int) error {
	s.pos++ // '{' or '['
	for first := true; ; first = false {
		if k == KindObject {
			_, ok, err := s.Member(first)
			if err != nil || !ok {
				return err
			}
		} else {
			c := s.Peek()
			if c == ']' {
				s.pos++
				return nil
			}
			if !first {
				if c != ',' {
					return s.Errorf("expected ',' or ']'")
				}
				s.pos++
			}
		}
		if err := s.SkipValue(depth); err != nil {
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

// String returns the kind's JSON name: string, number, true, ...
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "?"
}

// Pos returns the byte offset of the cursor.
func (s *Scanner) Pos() int { return s.pos }

// Seek moves the cursor to byte offset pos.
func (s *Scanner) Seek(pos int) { s.pos = pos }

// SyntaxError is a JSON syntax problem at a byte offset of the document.
type SyntaxError struct {
	Offset int
	Msg    string
}

// Error renders "invalid JSON at column N: msg" (N = Offset + 1).
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("invalid JSON at column %d: %s", e.Offset+1, e.Msg)
}
