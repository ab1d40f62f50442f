package bbb

import "github.com/bbbcast/bbbcast/secret"

// redacted is what a secret prints as, in every format.
const redacted = secret.Redacted

// Secret holds a credential, such as the shared secret in a host's
// configuration. It is secret.Value: [REDACTED] through fmt (any verb,
// nested or not), slog, encoders and errors; Reveal returns the value for
// the one place that needs it.
type Secret = secret.Value

// NewSecret wraps s.
func NewSecret(s string) Secret { return secret.New(s) }
