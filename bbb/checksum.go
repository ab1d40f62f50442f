package bbb

import (
	"crypto/subtle"
	"encoding/hex"
	"slices"
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
	// The hash input (call, query without its checksum pair, secret) is
	// built on the stack when it fits, else in a pooled scratch buffer: two
	// separate paths, so that the stack array never escapes to the heap.
	n := len(call) + len(rawQuery) + len(secret)
	if n <= verifyStackSize {
		var stack [verifyStackSize]byte
		return verify(stack[:0], call, rawQuery, secret, allowed)
	}
	sp := getScratch()
	if cap(*sp) < n {
		*sp = make([]byte, 0, n)
	}
	err := verify((*sp)[:0], call, rawQuery, secret, allowed)
	putScratch(sp, (*sp)[:0])
	return err
}

// verifyStackSize is the hash input Verify builds on the stack: every
// usual request fits (a 12-parameter create is ~450 bytes with its secret).
const verifyStackSize = 1024

// verify is Verify with buf, an empty buffer for the hash input. It wipes
// the input once hashed, since it holds the secret.
func verify(buf []byte, call, rawQuery, secret string, allowed []Algorithm) error {
	buf = append(buf, call...)
	got, buf, err := appendWithoutChecksum(buf, rawQuery)
	if err != nil {
		return err
	}
	alg, ok := AlgorithmForLength(len(got))
	if !ok {
		return &ChecksumError{Reason: "checksum length matches no algorithm"}
	}
	if len(allowed) > 0 && !slices.Contains(allowed, alg) {
		return &ChecksumError{Reason: "algorithm " + alg.String() + " is not accepted"}
	}
	buf = append(buf, secret...)
	var digest [64]byte
	d := alg.digest(&digest, buf)
	clear(buf)
	// Both sides in hex: an upper-case checksum is refused, as BBB does.
	var want, have [128]byte
	hex.Encode(want[:], d)
	n := copy(have[:], got)
	if subtle.ConstantTimeCompare(want[:2*len(d)], have[:n]) != 1 {
		return &ChecksumError{Reason: "checksum does not match"}
	}
	return nil
}

// appendWithoutChecksum appends the raw query to buf without its checksum
// pair, the other pairs in their order and bytes, and returns the
// checksum's value. A query with no checksum, an empty one or two is
// refused.
func appendWithoutChecksum(buf []byte, rawQuery string) (checksum string, _ []byte, err error) {
	found, first := false, true
	for more := true; more; {
		var pair string
		pair, rawQuery, more = strings.Cut(rawQuery, "&")
		if key, val, _ := strings.Cut(pair, "="); key == "checksum" {
			if found {
				return "", buf, &ChecksumError{Reason: "more than one checksum parameter"}
			}
			found, checksum = true, val
			continue
		}
		if !first {
			buf = append(buf, '&')
		}
		first = false
		buf = append(buf, pair...)
	}
	if !found || checksum == "" {
		return "", buf, &ChecksumError{Reason: "missing checksum parameter"}
	}
	return checksum, buf, nil
}
