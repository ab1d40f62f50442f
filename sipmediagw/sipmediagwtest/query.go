package sipmediagwtest

import (
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// pair is one name=value of a query string.
type pair struct{ k, v string }

// params is a parsed query string, in order.
type params []pair

// parseQuery splits a query as Python's parse_qsl(keep_blank_values=True)
// does since 3.10: on "&" only, "+" as a space, malformed %-escapes kept
// as they are, a name without "=" present with an empty value.
func parseQuery(raw string) params {
	var out params
	for raw != "" {
		var part string
		part, raw, _ = strings.Cut(raw, "&")
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		out = append(out, pair{pyUnquote(k), pyUnquote(v)})
	}
	return out
}

// last returns the last value of k, as web.input() keeps it.
func (p params) last(k string) (string, bool) {
	for _, v := range slices.Backward(p) {
		if v.k == k {
			return v.v, true
		}
	}
	return "", false
}

func (p params) has(k string) bool {
	_, ok := p.last(k)
	return ok
}

// pyUnquote is urllib.parse.unquote_plus with errors="replace".
func pyUnquote(s string) string {
	if !strings.ContainsAny(s, "%+") {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '+':
			b = append(b, ' ')
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
		default:
			b = append(b, c)
		}
	}
	if !utf8.Valid(b) {
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	return string(b)
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}

func itoa(n int) string { return strconv.Itoa(n) }
