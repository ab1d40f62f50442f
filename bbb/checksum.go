package bbb

import (
	"crypto/subtle"
	"strings"
)

// Sign returns the checksum of an API call: the lower-case hex hash of the
// call name (the path after /api/, such as "create" or "hooks/create"), the
// raw query string exactly as sent (without the checksum pair), and the
// shared secret.
func Sign(alg Algorithm, call, rawQuery, secret string) string {
	if !alg.valid() {
		panic("bbb: Sign with invalid algorithm " + alg.String())
	}
	buf := make([]byte, 0, len(call)+len(rawQuery)+len(secret))
	buf = append(append(append(buf, call...), rawQuery...), secret...)
	return string(alg.sum(make([]byte, 0, alg.HexLen()), buf))
}

// Verify checks the checksum of a request the way a BBB server does: the
// "checksum" pair is found anywhere in the raw query and removed, the
// algorithm is chosen by the checksum's length and must be in allowed (all
// four when allowed is empty), and the rest of the raw query is hashed as
// received, with a constant-time comparison. A request with no checksum,
// two checksums, or an upper-case or unknown-length checksum is refused.
// The error is a *ChecksumError matching ErrChecksum.
func Verify(call, rawQuery, secret string, allowed ...Algorithm) error {
	got, rest, err := splitChecksum(rawQuery)
	if err != nil {
		return err
	}
	alg, ok := AlgorithmForLength(len(got))
	if !ok {
		return &ChecksumError{Reason: "checksum length matches no algorithm"}
	}
	if len(allowed) > 0 && !containsAlg(allowed, alg) {
		return &ChecksumError{Reason: "algorithm " + alg.String() + " is not accepted"}
	}
	var stack [256]byte
	buf := append(append(append(stack[:0], call...), rest...), secret...)
	want := alg.sum(make([]byte, 0, 128), buf)
	if subtle.ConstantTimeCompare(want, []byte(got)) != 1 {
		return &ChecksumError{Reason: "checksum does not match"}
	}
	return nil
}

func containsAlg(list []Algorithm, a Algorithm) bool {
	for _, x := range list {
		if x == a {
			return true
		}
	}
	return false
}

// splitChecksum takes the checksum pair out of a raw query string, leaving
// the other pairs in their order and bytes.
func splitChecksum(rawQuery string) (checksum, rest string, err error) {
	found := false
	var b strings.Builder
	b.Grow(len(rawQuery))
	first := true
	for more := true; more; {
		var pair string
		pair, rawQuery, more = strings.Cut(rawQuery, "&")
		if key, val, _ := strings.Cut(pair, "="); key == "checksum" {
			if found {
				return "", "", &ChecksumError{Reason: "more than one checksum parameter"}
			}
			found, checksum = true, val
			continue
		}
		if !first {
			b.WriteByte('&')
		}
		first = false
		b.WriteString(pair)
	}
	if !found || checksum == "" {
		return "", "", &ChecksumError{Reason: "missing checksum parameter"}
	}
	return checksum, b.String(), nil
}
