package sipmediagwtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// The servers are Python: the legacy launcher answers json.dumps (", " and
// ": " separators, non-ASCII escaped), the FastAPI launcher and the proxy's
// own errors answer Starlette's compact JSON (no spaces, UTF-8 as is), and
// the proxy relays launcher answers through json.dumps again. Dicts keep
// their insertion order in both. These helpers reproduce the bytes.

// member is one key of a JSON object, in order.
type member struct {
	k string
	v any
}

// object is a JSON object that keeps its keys in order, like a Python dict.
type object []member

// get returns the value of key k.
func (o object) get(k string) (any, bool) {
	for _, m := range o {
		if m.k == k {
			return m.v, true
		}
	}
	return nil, false
}

// str returns the string value of key k ("" when absent or not a string).
func (o object) str(k string) string {
	v, _ := o.get(k)
	s, _ := v.(string)
	return s
}

// set replaces the value of k, or appends it, as a Python dict assignment.
func (o object) set(k string, v any) object {
	for i := range o {
		if o[i].k == k {
			o[i].v = v
			return o
		}
	}
	return append(o, member{k, v})
}

// decodeJSON parses one JSON value like Python's json.loads: objects keep
// their order (a repeated key keeps its first place and its last value),
// numbers keep their text. Trailing data is an error.
func decodeJSON(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := decodeValue(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("extra data after the JSON value")
	}
	return v, nil
}

func decodeValue(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			var o object
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k, _ := kt.(string)
				v, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				o = o.set(k, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			if o == nil {
				o = object{}
			}
			return o, nil
		case '[':
			list := []any{}
			for dec.More() {
				v, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				list = append(list, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return list, nil
		}
		return nil, errors.New("unexpected delimiter")
	default:
		return tok, nil // string, json.Number, bool, nil
	}
}

// pyJSON renders v as Python's json.dumps with its defaults.
func pyJSON(v any) []byte { return appendJSON(nil, v, true) }

// compactJSON renders v as Starlette's JSONResponse does.
func compactJSON(v any) []byte { return appendJSON(nil, v, false) }

// appendJSON appends v: python selects json.dumps defaults (", ", ": ",
// ensure_ascii), otherwise the compact form without ASCII escaping.
func appendJSON(b []byte, v any, python bool) []byte {
	switch t := v.(type) {
	case nil:
		return append(b, "null"...)
	case bool:
		return strconv.AppendBool(b, t)
	case int:
		return strconv.AppendInt(b, int64(t), 10)
	case json.Number:
		return append(b, t...)
	case string:
		return appendJSONString(b, t, python)
	case object:
		b = append(b, '{')
		for i, m := range t {
			if i > 0 {
				b = appendSep(b, ',', python)
			}
			b = appendJSONString(b, m.k, python)
			b = appendSep(b, ':', python)
			b = appendJSON(b, m.v, python)
		}
		return append(b, '}')
	case []any:
		b = append(b, '[')
		for i, e := range t {
			if i > 0 {
				b = appendSep(b, ',', python)
			}
			b = appendJSON(b, e, python)
		}
		return append(b, ']')
	}
	panic("sipmediagwtest: cannot render a JSON value of this type")
}

func appendSep(b []byte, c byte, python bool) []byte {
	b = append(b, c)
	if python {
		b = append(b, ' ')
	}
	return b
}

const hexDigits = "0123456789abcdef"

// appendJSONString quotes s. Python's ensure_ascii escapes everything
// outside ' '..'~' (UTF-16 surrogate pairs beyond the BMP, lower-case hex);
// the compact form escapes only quotes, backslashes and control characters.
func appendJSONString(b []byte, s string, python bool) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < 0x7f && c != '"' && c != '\\' {
			b = append(b, c)
			i++
			continue
		}
		if c < utf8.RuneSelf {
			switch c {
			case '"':
				b = append(b, '\\', '"')
			case '\\':
				b = append(b, '\\', '\\')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			default:
				if c == 0x7f && !python {
					b = append(b, c)
				} else {
					b = appendU(b, rune(c))
				}
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case !python:
			b = append(b, s[i:i+size]...)
		case r >= 0x10000:
			r1, r2 := utf16.EncodeRune(r)
			b = appendU(appendU(b, r1), r2)
		default:
			b = appendU(b, r)
		}
		i += size
	}
	return append(b, '"')
}

func appendU(b []byte, r rune) []byte {
	return append(b, '\\', 'u', hexDigits[r>>12&0xf], hexDigits[r>>8&0xf], hexDigits[r>>4&0xf], hexDigits[r&0xf])
}

// pyDecodeError words a json.loads failure the way Python does for the
// cases the launcher meets: an invalid escape, an empty output, or a value
// cut short by a stray quote.
func pyDecodeError(data []byte, err error) string {
	var se *json.SyntaxError
	pos := 0
	if errors.As(err, &se) {
		pos = int(se.Offset) - 1
	}
	switch {
	case len(bytes.TrimSpace(data)) == 0:
		return "Expecting value: line 1 column 1 (char 0)"
	case se != nil && bytes.Contains([]byte(se.Error()), []byte("escape")):
		return "Invalid \\escape: line 1 column " + strconv.Itoa(pos+1) + " (char " + strconv.Itoa(pos) + ")"
	}
	if pos < 0 {
		pos = 0
	}
	return "Expecting ',' delimiter: line 1 column " + strconv.Itoa(pos+1) + " (char " + strconv.Itoa(pos) + ")"
}

// pyTypeName names the Python type json.loads makes of v.
func pyTypeName(v any) string {
	switch t := v.(type) {
	case nil:
		return "NoneType"
	case bool:
		return "bool"
	case json.Number:
		if strings.ContainsAny(string(t), ".eE") {
			return "float"
		}
		return "int"
	case string:
		return "str"
	case []any:
		return "list"
	}
	return "dict"
}

// pyStr is Python's str() of a JSON value, as an f-string renders it.
func pyStr(v any) string {
	switch t := v.(type) {
	case nil:
		return "None"
	case bool:
		if t {
			return "True"
		}
		return "False"
	case json.Number:
		return string(t)
	case string:
		return t
	}
	return string(compactJSON(v))
}

// truthy is Python's truth value of a JSON value.
func truthy(v any) bool {
	switch t := v.(type) {
	case nil:
		return false
	case bool:
		return t
	case json.Number:
		f, err := t.Float64()
		return err != nil || f != 0
	case string:
		return t != ""
	case []any:
		return len(t) > 0
	case object:
		return len(t) > 0
	}
	return true
}
