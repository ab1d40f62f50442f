package sipmediagwtest

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Python's behaviour where the legacy launcher and its bot depend on it.

// pyFormat is str(v) of a json.loads value, as str.format pastes it.
func pyFormat(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return pyValueRepr(v)
}

// pyValueRepr is repr(v) of a json.loads value.
func pyValueRepr(v any) string {
	switch t := v.(type) {
	case nil:
		return "None"
	case bool:
		if t {
			return "True"
		}
		return "False"
	case json.Number:
		if strings.ContainsAny(string(t), ".eE") {
			f, _ := strconv.ParseFloat(string(t), 64)
			return pyFloatRepr(f)
		}
		return string(t)
	case string:
		return pyStrRepr(t)
	case []any:
		parts := make([]string, len(t))
		for i, e := range t {
			parts[i] = pyValueRepr(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case object:
		parts := make([]string, len(t))
		for i, m := range t {
			parts[i] = pyStrRepr(m.k) + ": " + pyValueRepr(m.v)
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return ""
}

// pyFloatRepr is repr of a float: the shortest digits, positional from
// 1e-4 to 1e16, ".0" for whole numbers.
func pyFloatRepr(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsNaN(f):
		return "nan"
	}
	e := strconv.FormatFloat(f, 'e', -1, 64) // -d.ddde±XX
	mant, expS, _ := strings.Cut(e, "e")
	exp, _ := strconv.Atoi(expS)
	sign := ""
	if mant[0] == '-' {
		sign, mant = "-", mant[1:]
	}
	digits := strings.Replace(mant, ".", "", 1)
	if exp < -4 || exp >= 16 {
		m := digits[:1]
		if len(digits) > 1 {
			m += "." + digits[1:]
		}
		es := strconv.Itoa(abs(exp))
		if len(es) < 2 {
			es = "0" + es
		}
		if exp < 0 {
			return sign + m + "e-" + es
		}
		return sign + m + "e+" + es
	}
	if exp < 0 {
		return sign + "0." + strings.Repeat("0", -exp-1) + digits
	}
	if len(digits) <= exp+1 {
		return sign + digits + strings.Repeat("0", exp+1-len(digits)) + ".0"
	}
	return sign + digits[:exp+1] + "." + digits[exp+1:]
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// pyStrRepr is repr of a str: single quotes unless it holds ' and no ",
// non-printable characters escaped.
func pyStrRepr(s string) string {
	q := byte('\'')
	if strings.Contains(s, "'") && !strings.Contains(s, `"`) {
		q = '"'
	}
	b := []byte{q}
	for _, r := range s {
		switch {
		case r == '\\' || r == rune(q):
			b = append(b, '\\', byte(r))
		case r == '\n':
			b = append(b, `\n`...)
		case r == '\r':
			b = append(b, `\r`...)
		case r == '\t':
			b = append(b, `\t`...)
		case r < 0x100 && !unicode.IsPrint(r):
			b = append(b, '\\', 'x', hexDigits[r>>4], hexDigits[r&0xf])
		case r < 0x10000 && !unicode.IsPrint(r):
			b = append(b, '\\', 'u')
			b = append(b, hexDigits[r>>12&0xf], hexDigits[r>>8&0xf], hexDigits[r>>4&0xf], hexDigits[r&0xf])
		case !unicode.IsPrint(r):
			b = append(b, `\U`...)
			for sh := 28; sh >= 0; sh -= 4 {
				b = append(b, hexDigits[r>>uint(sh)&0xf])
			}
		default:
			b = utf8.AppendRune(b, r)
		}
	}
	return string(append(b, q))
}

// pyBytesRepr is repr of bytes: b'…', b"…" when they hold ' and no ",
// \t \n \r \\ and \xhh for the rest outside printable ASCII.
func pyBytesRepr(data []byte) string {
	q := byte('\'')
	if strings.IndexByte(string(data), '\'') >= 0 && strings.IndexByte(string(data), '"') < 0 {
		q = '"'
	}
	b := []byte{'b', q}
	for _, c := range data {
		switch {
		case c == '\\' || c == q:
			b = append(b, '\\', c)
		case c == '\t':
			b = append(b, `\t`...)
		case c == '\n':
			b = append(b, `\n`...)
		case c == '\r':
			b = append(b, `\r`...)
		case c < 0x20 || c >= 0x7f:
			b = append(b, '\\', 'x', hexDigits[c>>4], hexDigits[c&0xf])
		default:
			b = append(b, c)
		}
	}
	return string(append(b, q))
}

// pyLen is len() of a str: its code points.
func pyLen(s string) int { return utf8.RuneCountInString(s) }

// isPySpace is str.isspace() for one character: Go's white space and the
// separators \x1c to \x1f.
func isPySpace(r rune) bool { return unicode.IsSpace(r) || r >= 0x1c && r <= 0x1f }

// pyRstrip is str.rstrip().
func pyRstrip(s string) string { return strings.TrimRightFunc(s, isPySpace) }

// pySplitLines is str.splitlines(): \n, \r, \r\n, \v, \f, \x1c-\x1e,
// \x85, U+2028 and U+2029 end lines.
func pySplitLines(s string) []string {
	var out []string
	start := 0
	for i, r := range s {
		switch r {
		case '\n', '\r', '\v', '\f', 0x1c, 0x1d, 0x1e, 0x85, 0x2028, 0x2029:
		default:
			continue
		}
		if r == '\n' && i > 0 && s[i-1] == '\r' {
			start = i + 1
			continue
		}
		out = append(out, s[start:i])
		start = i + utf8.RuneLen(r)
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}

// pyUTF8Error words the UnicodeDecodeError of bytes.decode("utf-8") on
// data, "" when data is valid.
func pyUTF8Error(data []byte) string {
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r != utf8.RuneError || size > 1 {
			i += size
			continue
		}
		c := data[i]
		reason := "invalid start byte"
		if n := utf8SeqLen(c); n > 1 {
			reason = "invalid continuation byte"
			if i+n > len(data) && validPrefix(data[i:]) {
				reason = "unexpected end of data"
			}
		}
		return "'utf-8' codec can't decode byte 0x" + string(hexDigits[c>>4]) + string(hexDigits[c&0xf]) +
			" in position " + strconv.Itoa(i) + ": " + reason
	}
	return ""
}

func utf8SeqLen(c byte) int {
	switch {
	case c >= 0xc2 && c <= 0xdf:
		return 2
	case c >= 0xe0 && c <= 0xef:
		return 3
	case c >= 0xf0 && c <= 0xf4:
		return 4
	}
	return 1
}

func validPrefix(b []byte) bool {
	for _, c := range b[1:] {
		if c&0xc0 != 0x80 {
			return false
		}
	}
	return true
}

// pyLoadsLax is json.loads(s, strict=False), which takes control
// characters inside strings as they are.
func pyLoadsLax(s string) (any, error) {
	var b strings.Builder
	inStr, esc := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case !inStr:
			if c == '"' {
				inStr = true
			}
		case esc:
			esc = false
		case c == '\\':
			esc = true
		case c == '"':
			inStr = false
		case c < 0x20:
			b.WriteString(`\u00`)
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&0xf])
			continue
		}
		b.WriteByte(c)
	}
	return decodeJSON([]byte(b.String()))
}
