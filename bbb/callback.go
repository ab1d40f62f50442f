package bbb

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"unicode/utf8"

	"github.com/bbbcast/bbbcast/secret"
)

// End-of-meeting callbacks. When a meeting created with
// meta_endCallbackUrl ends, BBB sends a plain GET to that URL with
// "meetingID" (the external ID) and "recordingmarks" (true when the
// meeting has recording marks) added to its query, and retries when it
// gets no answer (after 30 s, 1 min, 2 min, 5 min). The request is not
// signed, so the URL carries its own proof: an HMAC token over the meeting
// ID and an optional nonce, made by a CallbackSigner that only the host
// application knows. The receiver must be idempotent, since BBB may call
// more than once.

// Query parameters added by EndCallbackURL.
const (
	CallbackTokenParam = "bbbcast_token"
	CallbackNonceParam = "bbbcast_nonce"
)

// MinCallbackKeyLen is the shortest key NewCallbackSigner accepts.
const MinCallbackKeyLen = 32

// maxCallbackNonceLen bounds a nonce, which travels in BBB's metadata.
const maxCallbackNonceLen = 256

// callbackDomain separates these tokens from any other use of the key.
const callbackDomain = "bbbcast/bbb end-callback v1"

var (
	// ErrCallbackKey is returned by NewCallbackSigner for a key shorter
	// than MinCallbackKeyLen bytes.
	ErrCallbackKey = errors.New("bbb: callback key must be at least 32 bytes")
	// ErrCallbackToken is matched by every *CallbackError: the callback
	// is not authenticated and must be refused (HTTP 403).
	ErrCallbackToken = errors.New("bbb: end callback not authenticated")
)

// CallbackError is why VerifyEndCallback refused a callback. It never
// holds the token or the key.
type CallbackError struct{ Reason string }

func (e *CallbackError) Error() string { return ErrCallbackToken.Error() + ": " + e.Reason }

// Unwrap lets errors.Is(err, ErrCallbackToken) match.
func (e *CallbackError) Unwrap() error { return ErrCallbackToken }

// CallbackSigner signs and verifies end-of-meeting callback URLs with a
// key of the host application, distinct from the BBB shared secret (which
// every application using the server, and a load balancer, may know). The
// signed URL is visible to whoever can read the meeting's metadata; it
// only lets its holder report the end of that meeting (and run). It is
// safe for concurrent use and prints without its key.
type CallbackSigner struct {
	key Secret
}

// NewCallbackSigner returns a signer using key, at least 32 random bytes
// kept by the host application and the same on every replica. The key is
// copied.
func NewCallbackSigner(key []byte) (*CallbackSigner, error) {
	if len(key) < MinCallbackKeyLen {
		return nil, ErrCallbackKey
	}
	return &CallbackSigner{key: secret.FromBytes(key)}, nil
}

// String describes the signer without its key.
func (s CallbackSigner) String() string { return "bbb.CallbackSigner{" + redacted + "}" }

// GoString describes the signer without its key, for %#v.
func (s CallbackSigner) GoString() string { return s.String() }

// Format prints the signer without its key whatever the verb, also when
// it is printed by value.
func (s CallbackSigner) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, s.String()) }

// LogValue describes the signer for log/slog without its key.
func (s CallbackSigner) LogValue() slog.Value { return slog.StringValue(s.String()) }

// EndCallbackURL returns base with the token proving that the callback
// comes for meetingID (and nonce) added to its query, ready to be passed
// as meta_endCallbackUrl when the meeting is created.
//
// nonce may be empty. A host that creates the same meeting ID more than
// once (one webinar started several times) should pass a value unique to
// each run, such as the run's database ID, and compare EndCallback.Nonce
// with the current run's: the URL of an earlier run, replayed, then names
// an old run instead of ending the new one.
//
// base must be an absolute http or https URL without fragment or
// credentials, and its query must not already hold the parameters BBB or
// the signer add (meetingID, recordingmarks, bbbcast_token,
// bbbcast_nonce). meetingID follows ValidateMeetingID.
func (s *CallbackSigner) EndCallbackURL(base, meetingID, nonce string) (string, error) {
	const call = "endCallbackUrl"
	if err := validateMeetingID(call, "meetingID", meetingID); err != nil {
		return "", err
	}
	if len(nonce) > maxCallbackNonceLen || !utf8.ValidString(nonce) {
		return "", &ParamError{Call: call, Param: "nonce", Reason: "must be UTF-8 of at most 256 bytes"}
	}
	if err := validateCallbackURL(call, "base", base); err != nil {
		return "", err
	}
	u, _ := url.Parse(base) // checked by validateCallbackURL
	q, _ := url.ParseQuery(u.RawQuery)
	for _, k := range [...]string{"meetingID", "recordingmarks", CallbackTokenParam, CallbackNonceParam} {
		if q.Has(k) {
			return "", &ParamError{Call: call, Param: "base", Reason: "query must not hold a " + k + " parameter"}
		}
	}
	var p params
	p.b = append(p.b, u.RawQuery...)
	p.addNonEmpty(CallbackNonceParam, nonce)
	p.add(CallbackTokenParam, s.token(meetingID, nonce))
	u.RawQuery = string(p.b)
	u.ForceQuery = false
	return u.String(), nil
}

// EndCallback is a verified end-of-meeting callback.
type EndCallback struct {
	MeetingID string // external meeting ID, as BBB sent it
	// Nonce is the nonce given to EndCallbackURL ("" when none): compare
	// it with the current run's before acting.
	Nonce string
	// RecordingMarks tells whether the meeting was recorded with marks,
	// so recordings are to be expected.
	RecordingMarks bool
}

// VerifyEndCallback checks the query of a callback request (r.URL.Query()
// of the GET BBB sent) against its token, in constant time. It needs
// exactly one meetingID and one token, at most one nonce, and refuses
// anything else with a *CallbackError matching ErrCallbackToken. It does
// not detect replays of a valid URL: compare Nonce with the current run
// and make the handler idempotent.
func (s *CallbackSigner) VerifyEndCallback(query url.Values) (EndCallback, error) {
	one := func(k string, needed bool) (string, error) {
		switch v := query[k]; {
		case len(v) == 1:
			return v[0], nil
		case len(v) == 0 && !needed:
			return "", nil
		case len(v) == 0:
			return "", &CallbackError{Reason: "missing " + k + " parameter"}
		default:
			return "", &CallbackError{Reason: "more than one " + k + " parameter"}
		}
	}
	tok, err := one(CallbackTokenParam, true)
	if err != nil {
		return EndCallback{}, err
	}
	meetingID, err := one("meetingID", true)
	if err != nil {
		return EndCallback{}, err
	}
	nonce, err := one(CallbackNonceParam, false)
	if err != nil {
		return EndCallback{}, err
	}
	marks, err := one("recordingmarks", false)
	if err != nil {
		return EndCallback{}, err
	}
	got, err := base64.RawURLEncoding.Strict().DecodeString(tok)
	if err != nil || len(got) != sha256.Size {
		return EndCallback{}, &CallbackError{Reason: "malformed token"}
	}
	if !hmac.Equal(got, s.mac(meetingID, nonce)) {
		return EndCallback{}, &CallbackError{Reason: "token does not match the meeting"}
	}
	return EndCallback{MeetingID: meetingID, Nonce: nonce, RecordingMarks: parseBool(marks)}, nil
}

func (s *CallbackSigner) token(meetingID, nonce string) string {
	return base64.RawURLEncoding.EncodeToString(s.mac(meetingID, nonce))
}

// mac is HMAC-SHA256 over the domain, then meetingID and nonce each
// prefixed by its length, so no two (meetingID, nonce) pairs share an
// encoding.
func (s *CallbackSigner) mac(meetingID, nonce string) []byte {
	m := hmac.New(sha256.New, s.key.Bytes())
	var n [4]byte
	m.Write([]byte(callbackDomain))
	for _, f := range [...]string{meetingID, nonce} {
		binary.BigEndian.PutUint32(n[:], uint32(len(f)))
		m.Write(n[:])
		m.Write([]byte(f))
	}
	return m.Sum(nil)
}
