package bbbtest

import (
	"net/url"
	"strings"
)

// query reads parameters straight from a raw query string without building
// a map, the way a servlet container does: '+' is a space, the first
// occurrence of a name wins, a value that cannot be unescaped is taken
// as is.
type query string

// get returns the first value of key and whether key is present.
func (q query) get(key string) (string, bool) {
	raw := string(q)
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		k, v, _ := strings.Cut(pair, "=")
		if k == key || needsUnescape(k) && unescape(k) == key {
			return unescape(v), true
		}
	}
	return "", false
}

// value returns the first value of key, or "" when absent.
func (q query) value(key string) string {
	v, _ := q.get(key)
	return v
}

// each calls fn for every pair, in order, with key and value unescaped.
func (q query) each(fn func(key, value string)) {
	raw := string(q)
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		fn(unescape(k), unescape(v))
	}
}

// values returns every pair but the checksum as url.Values.
func (q query) values() url.Values {
	vals := url.Values{}
	q.each(func(k, v string) {
		if k != "checksum" {
			vals[k] = append(vals[k], v)
		}
	})
	return vals
}

func needsUnescape(s string) bool { return strings.ContainsAny(s, "%+") }

func unescape(s string) string {
	if !needsUnescape(s) {
		return s
	}
	u, err := url.QueryUnescape(s)
	if err != nil {
		return s
	}
	return u
}

// redactedKeys are the parameters whose values the request log hides.
var redactedKeys = map[string]bool{
	"checksum":    true,
	"password":    true,
	"attendeePW":  true,
	"moderatorPW": true,
}

// Redacted is what the request log shows instead of a checksum or a
// password.
const Redacted = "REDACTED"

// redactQuery returns rawQuery with the values of redactedKeys replaced by
// Redacted, every other byte kept.
func redactQuery(rawQuery string) string {
	if rawQuery == "" {
		return ""
	}
	parts := strings.Split(rawQuery, "&")
	for i, pair := range parts {
		k, _, _ := strings.Cut(pair, "=")
		if redactedKeys[k] || needsUnescape(k) && redactedKeys[unescape(k)] {
			parts[i] = k + "=" + Redacted
		}
	}
	return strings.Join(parts, "&")
}
