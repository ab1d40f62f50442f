package gateway

import (
	"fmt"
	"log/slog"
)

const redacted = "[REDACTED]"

// Secret is a string that must not be printed: a SIPMediaGW token, an RTMP
// URL (its path holds the stream key). It prints as [REDACTED] with fmt,
// slog and encoders; convert it with string(s) where the value is needed.
type Secret string

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
