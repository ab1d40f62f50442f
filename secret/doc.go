// Package secret holds credentials (the BBB shared secret, the end
// callback key, a SIPMediaGW token, an RTMP URL with its stream key, the
// bot page's secret) so that they cannot be printed by accident.
//
// A Value prints as [REDACTED] whatever the verb of fmt (%v, %+v, %#v,
// %s, %q, %x, …), through log/slog, encoding/json and other text
// encoders, and in errors that format it. Its bytes sit behind a pointer,
// so that a Value inside another value, even in an unexported field that
// fmt cannot call methods of, prints as an address, never as the bytes.
// Reveal gives the value to the one place that needs it.
//
// bbb.Secret and gateway.Secret are this type.
package secret
