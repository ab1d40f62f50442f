package bbb

// appendQueryEscape appends s to dst escaped for a query component. It
// escapes everything but ALPHA / DIGIT / "-" / "." / "_" / "~" and writes a
// space as "+", exactly like url.QueryEscape, so "!'()*" are escaped too:
// browsers and proxies rewrite those characters, which would break the
// checksum the server recomputes over the raw query.
func appendQueryEscape(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case unreserved(c):
			dst = append(dst, c)
		case c == ' ':
			dst = append(dst, '+')
		default:
			dst = append(dst, '%', upperHex[c>>4], upperHex[c&0x0f])
		}
	}
	return dst
}

const upperHex = "0123456789ABCDEF"

func unreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}
