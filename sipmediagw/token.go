package sipmediagw

import (
	"fmt"
	"log/slog"
)

const redacted = "[REDACTED]"

// token is the bearer token; it prints as [REDACTED] everywhere.
type token struct{ v string }

func (t token) String() string               { return redacted }
func (t token) GoString() string             { return redacted }
func (t token) Format(f fmt.State, _ rune)   { _, _ = f.Write([]byte(redacted)) }
func (t token) LogValue() slog.Value         { return slog.StringValue(redacted) }
func (t token) MarshalText() ([]byte, error) { return []byte(redacted), nil }

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
