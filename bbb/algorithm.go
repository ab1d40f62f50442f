package bbb

import (
	"crypto/sha1" //nolint:gosec // BBB still accepts (and some servers require) sha1 checksums.
	"crypto/sha256"
	"crypto/sha512"
	"fmt"
	"strings"
)

// Algorithm is a checksum hash function accepted by BigBlueButton.
type Algorithm uint8

// The checksum algorithms BigBlueButton knows. A server tells them apart by
// the length of the hex checksum (40, 64, 96 or 128 characters).
const (
	SHA1 Algorithm = iota + 1
	SHA256
	SHA384
	SHA512
)

// Algorithms lists every algorithm, weakest first.
var Algorithms = []Algorithm{SHA1, SHA256, SHA384, SHA512}

var algorithmNames = [...]string{SHA1: "sha1", SHA256: "sha256", SHA384: "sha384", SHA512: "sha512"}

// String returns the lower-case name BBB uses in supportedChecksumAlgorithms.
func (a Algorithm) String() string {
	if a.valid() {
		return algorithmNames[a]
	}
	return fmt.Sprintf("Algorithm(%d)", uint8(a))
}

func (a Algorithm) valid() bool { return a >= SHA1 && a <= SHA512 }

// HexLen is the length of a checksum of this algorithm in hex characters.
func (a Algorithm) HexLen() int {
	switch a {
	case SHA1:
		return 2 * sha1.Size
	case SHA256:
		return 2 * sha256.Size
	case SHA384:
		return 2 * sha512.Size384
	case SHA512:
		return 2 * sha512.Size
	}
	return 0
}

// ParseAlgorithm maps a name such as "sha256" (any case) to its Algorithm.
func ParseAlgorithm(name string) (Algorithm, error) {
	for _, a := range Algorithms {
		if strings.EqualFold(name, algorithmNames[a]) {
			return a, nil
		}
	}
	return 0, fmt.Errorf("bbb: unknown checksum algorithm %q", name)
}

// AlgorithmForLength returns the algorithm a BBB server infers from a hex
// checksum of n characters, and false when no algorithm has that length.
func AlgorithmForLength(n int) (Algorithm, bool) {
	for _, a := range Algorithms {
		if a.HexLen() == n {
			return a, true
		}
	}
	return 0, false
}

// sum hashes the concatenation of parts and appends the lower-case hex digest
// to dst. The parts are joined in a scratch buffer first: one contiguous
// input lets the hash use its fastest block function, and the one-shot Sum
// functions keep the state on the stack. The scratch copy is wiped, since it
// holds the secret.
func (a Algorithm) sum(dst []byte, parts ...[]byte) []byte {
	data := parts[0]
	var sp *[]byte
	if len(parts) > 1 {
		sp = getScratch()
		data = (*sp)[:0]
		for _, p := range parts {
			data = append(data, p...)
		}
	}
	switch a {
	case SHA1:
		d := sha1.Sum(data) //nolint:gosec // see the import
		dst = appendHex(dst, d[:])
	case SHA256:
		d := sha256.Sum256(data)
		dst = appendHex(dst, d[:])
	case SHA384:
		d := sha512.Sum384(data)
		dst = appendHex(dst, d[:])
	case SHA512:
		d := sha512.Sum512(data)
		dst = appendHex(dst, d[:])
	default:
		panic("bbb: invalid algorithm " + a.String())
	}
	if sp != nil {
		clear(data)
		putScratch(sp, data)
	}
	return dst
}

// digest hashes data into d and returns the digest, d[:size]: no
// allocation, the hash state staying on the stack.
func (a Algorithm) digest(d *[64]byte, data []byte) []byte {
	switch a {
	case SHA1:
		s := sha1.Sum(data) //nolint:gosec // see the import
		return d[:copy(d[:], s[:])]
	case SHA256:
		s := sha256.Sum256(data)
		return d[:copy(d[:], s[:])]
	case SHA384:
		s := sha512.Sum384(data)
		return d[:copy(d[:], s[:])]
	case SHA512:
		s := sha512.Sum512(data)
		return d[:copy(d[:], s[:])]
	}
	panic("bbb: invalid algorithm " + a.String())
}

const hexDigits = "0123456789abcdef"

func appendHex(dst, src []byte) []byte {
	for _, b := range src {
		dst = append(dst, hexDigits[b>>4], hexDigits[b&0x0f])
	}
	return dst
}
