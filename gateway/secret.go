package gateway

import (
	"fmt"
	"log/slog"
)

const redacted = "[REDACTED]"

// Secret is a value that must not be printed: a SIPMediaGW token, an RTMP
// URL (its path holds the stream key). It prints as [REDACTED] with fmt
// (whatever the verb, even inside other values: the text sits behind a
// pointer, which fmt prints as an address), slog and text encoders.
// Reveal returns the value where it is needed.
type Secret struct{ p *string }

// NewSecret wraps s.
func NewSecret(s string) Secret { return Secret{p: &s} }

// Reveal returns the value ("" for the zero Secret).
func (s Secret) Reveal() string {
	if s.p == nil {
		return ""
	}
	return *s.p
}

// IsZero reports whether the secret is empty.
func (s Secret) IsZero() bool { return s.Reveal() == "" }

// Equal reports whether both hold the same value.
func (s Secret) Equal(o Secret) bool { return s.Reveal() == o.Reveal() }

// String returns [REDACTED].
func (s Secret) String() string { return redacted }

// GoString returns [REDACTED].
func (s Secret) GoString() string { return redacted }

// Format prints [REDACTED] whatever the verb.
func (s Secret) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(redacted)) }

// LogValue returns [REDACTED].
func (s Secret) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalText returns [REDACTED], so JSON and other encoders do not
// serialise the value by accident.
func (s Secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }
