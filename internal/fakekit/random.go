package fakekit

import "crypto/rand"

// Alphabets for RandomString.
const (
	LowerAlnum = "abcdefghijklmnopqrstuvwxyz0123456789"
	Alnum      = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	Digits     = "0123456789"
)

// RandomString returns n characters drawn uniformly from alphabet (at most
// 256 characters) with crypto/rand, as servers make passwords and tokens.
func RandomString(n int, alphabet string) string {
	out := make([]byte, 0, n)
	limit := byte(256 - 256%len(alphabet))
	var buf [64]byte
	for len(out) < n {
		if _, err := rand.Read(buf[:]); err != nil {
			panic("fakekit: crypto/rand: " + err.Error())
		}
		for _, b := range buf {
			if b < limit && len(out) < n {
				out = append(out, alphabet[int(b)%len(alphabet)])
			}
		}
	}
	return string(out)
}
