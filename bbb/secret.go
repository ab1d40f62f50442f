package bbb

import (
	"fmt"
	"log/slog"
)

// redacted is what a secret prints as, in every format.
const redacted = "[REDACTED]"

// Secret holds a credential. It prints as [REDACTED] with fmt (any verb),
// slog and String, so it cannot reach a log or an error by accident; Reveal
// returns the value for the one place that needs it.
type Secret struct{ v []byte }

// NewSecret wraps s.
func NewSecret(s string) Secret { return Secret{v: []byte(s)} }

// Reveal returns the secret's value.
func (s Secret) Reveal() string { return string(s.v) }

// IsZero reports whether the secret is empty.
func (s Secret) IsZero() bool { return len(s.v) == 0 }

// String returns [REDACTED].
func (s Secret) String() string { return redacted }

// GoString returns [REDACTED], for %#v.
func (s Secret) GoString() string { return redacted }

// Format prints [REDACTED] whatever the verb.
func (s Secret) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(redacted)) }

// LogValue returns [REDACTED] for log/slog.
func (s Secret) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalText returns [REDACTED], so encoders do not serialise the value.
func (s Secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }
