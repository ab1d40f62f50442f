package sipmediagw

import (
	"fmt"

	"github.com/bbbcast/bbbcast/secret"
)

const redacted = secret.Redacted

// DefaultToken is the token a SIPMediaGW install ships with.
const DefaultToken = "1234"

// MinTokenLen is the shortest token accepted without WithInsecureToken.
const MinTokenLen = 8

func checkToken(p Protocol, t string, allowWeak bool) error {
	if p == V18Launcher {
		return nil // the launcher has no authentication at all
	}
	for i := 0; i < len(t); i++ {
		if c := t[i]; c <= ' ' || c == 0x7f {
			return fmt.Errorf("sipmediagw: token contains white space or control characters")
		}
	}
	if !allowWeak && (t == DefaultToken || len(t) < MinTokenLen) {
		return ErrWeakToken
	}
	if t == "" {
		return fmt.Errorf("sipmediagw: empty token")
	}
	return nil
}
