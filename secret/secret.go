package secret

import (
	"crypto/subtle"
	"fmt"
	"log/slog"
	"unsafe"
)

// Redacted is what a Value prints as.
const Redacted = "[REDACTED]"

// Value is a credential. The zero Value is empty.
//
// It holds a pointer to a string: fmt prints a pointer it meets inside
// another value as an address, even for a verb it refuses (%q of a
// pointer prints the pointer's %v), except a pointer to a slice, an array,
// a struct or a map, which it follows. Hence a string, not bytes.
type Value struct{ p *string }

// New wraps s.
func New(s string) Value { return Value{p: &s} }

// FromBytes wraps a copy of b.
func FromBytes(b []byte) Value { return New(string(b)) }

// Reveal returns the value ("" for the zero Value).
func (v Value) Reveal() string {
	if v.p == nil {
		return ""
	}
	return *v.p
}

// Bytes returns the value's bytes without a copy, for a key or a hash:
// they are read-only (a Value's string never changes).
func (v Value) Bytes() []byte {
	s := v.Reveal()
	if s == "" {
		return nil
	}
	return unsafe.Slice(unsafe.StringData(s), len(s))
}

// IsZero reports whether the value is empty.
func (v Value) IsZero() bool { return len(v.Bytes()) == 0 }

// Equal reports whether both hold the same value, in constant time.
func (v Value) Equal(o Value) bool { return subtle.ConstantTimeCompare(v.Bytes(), o.Bytes()) == 1 }

// String returns [REDACTED].
func (v Value) String() string { return Redacted }

// GoString returns [REDACTED], for %#v.
func (v Value) GoString() string { return Redacted }

// Format prints [REDACTED] whatever the verb and flags.
func (v Value) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(Redacted)) }

// LogValue returns [REDACTED] for log/slog.
func (v Value) LogValue() slog.Value { return slog.StringValue(Redacted) }

// MarshalText returns [REDACTED], so that JSON and other encoders do not
// write the value.
func (v Value) MarshalText() ([]byte, error) { return []byte(Redacted), nil }

// UnmarshalText sets the value from text, so that a host reads its
// credentials from a configuration file into Values.
func (v *Value) UnmarshalText(text []byte) error {
	*v = FromBytes(text)
	return nil
}
