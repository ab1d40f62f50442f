package gateway

import "github.com/bbbcast/bbbcast/secret"

// Secret is a value that must not be printed: a SIPMediaGW token, an RTMP
// URL (its path holds the stream key). It is secret.Value: [REDACTED]
// through fmt (any verb, nested or not), slog and encoders; Reveal
// returns the value where it is needed.
type Secret = secret.Value

// NewSecret wraps s.
func NewSecret(s string) Secret { return secret.New(s) }
