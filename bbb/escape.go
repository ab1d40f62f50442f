package bbb

// appendQueryEscape appends s to dst escaped for a query component. It
// escapes everything but ALPHA / DIGIT / "-" / "." / "_" / "~" and writes a
// space as "+", exactly like url.QueryEscape, so "!'()*" are escaped too:
// browsers and proxies rewrite those characters, which would break the
// checksum the server recomputes over the raw query.
func appendQueryEscape(dst []byte, s string) []byte {
	for len(s) > 0 {
		i := 0
		for i < len(s) && unreserved(s[i]) {
			i++
		}
		dst = append(dst, s[:i]...)
		if i == len(s) {
			break
		}
		if c := s[i]; c == ' ' {
			dst = append(dst, '+')
		} else {
			dst = append(dst, '%', upperHex[c>>4], upperHex[c&0x0f])
		}
		s = s[i+1:]
	}
	return dst
}

const upperHex = "0123456789ABCDEF"

func unreserved(c byte) bool { return unreservedTable[c] }

var unreservedTable = func() (t [256]bool) {
	for c := range t {
		t[c] = 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			c == '-' || c == '.' || c == '_' || c == '~'
	}
	return t
}()
