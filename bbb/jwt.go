package bbb

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"errors"
	"hash"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Recording-ready callbacks. When the recording of a meeting created with
// meta_bbb-recording-ready-url is published, BBB POSTs a form whose field
// "signed_parameters" is a JWT of {"meeting_id", "record_id"} signed with
// the shared secret: HS256 from BBB itself, HS512 seen behind Scalelite.

// RecordingReadyParam is the form field holding the token.
const RecordingReadyParam = "signed_parameters"

// JWT algorithms accepted by VerifyRecordingReady and SignRecordingReady.
const (
	HS256 = "HS256"
	HS384 = "HS384"
	HS512 = "HS512"
)

// maxJWTLen bounds the token parsed: BBB's are about 200 bytes.
const maxJWTLen = 16 << 10

// jwtLeeway tolerates clock skew on the optional exp and nbf claims.
const jwtLeeway = time.Minute

// ErrInvalidJWT is matched by every *JWTError.
var ErrInvalidJWT = errors.New("bbb: invalid recording-ready token")

// JWTError is why a recording-ready token was refused. It never holds the
// token or the secret.
type JWTError struct{ Reason string }

func (e *JWTError) Error() string { return ErrInvalidJWT.Error() + ": " + e.Reason }

// Unwrap lets errors.Is(err, ErrInvalidJWT) match.
func (e *JWTError) Unwrap() error { return ErrInvalidJWT }

// RecordingReady is the content of a verified recording-ready callback.
type RecordingReady struct {
	MeetingID string // meeting_id: the external meeting ID
	RecordID  string // record_id
}

type recordingReadyClaims struct {
	MeetingID string `json:"meeting_id"`
	RecordID  string `json:"record_id"`
}

func jwtHash(alg string) func() hash.Hash {
	switch alg {
	case HS256:
		return sha256.New
	case HS384:
		return sha512.New384
	case HS512:
		return sha512.New
	}
	return nil
}

// VerifyRecordingReady verifies the signed_parameters of a recording-ready
// callback with the shared secret and returns its claims. The header's alg
// must be in allowed (HS256 and HS512 when none is given); "none" and
// every other algorithm are refused, the signature is compared in
// constant time, and malformed input is refused with a *JWTError matching
// ErrInvalidJWT. The claims meeting_id and record_id must be non-empty
// strings; exp and nbf are enforced when present (with a minute of
// leeway), though BBB sends neither.
func VerifyRecordingReady(signedParameters, secret string, allowed ...string) (*RecordingReady, error) {
	if secret == "" {
		return nil, ErrEmptySecret
	}
	if len(allowed) == 0 {
		allowed = []string{HS256, HS512}
	}
	if len(signedParameters) > maxJWTLen {
		return nil, &JWTError{Reason: "token too long"}
	}
	h64, rest, ok1 := strings.Cut(signedParameters, ".")
	p64, s64, ok2 := strings.Cut(rest, ".")
	if !ok1 || !ok2 || strings.Contains(s64, ".") {
		return nil, &JWTError{Reason: "not a compact JWS of three parts"}
	}
	header, err := jwtDecodePart(h64)
	if err != nil {
		return nil, &JWTError{Reason: "header is not base64url"}
	}
	payload, err := jwtDecodePart(p64)
	if err != nil {
		return nil, &JWTError{Reason: "payload is not base64url"}
	}
	sig, err := jwtDecodePart(s64)
	if err != nil {
		return nil, &JWTError{Reason: "signature is not base64url"}
	}

	var hdr map[string]json.RawMessage
	if err := json.Unmarshal(header, &hdr); err != nil || hdr == nil {
		return nil, &JWTError{Reason: "header is not a JSON object"}
	}
	var alg string
	if err := json.Unmarshal(hdr["alg"], &alg); err != nil || alg == "" {
		return nil, &JWTError{Reason: "header has no alg"}
	}
	if _, crit := hdr["crit"]; crit {
		return nil, &JWTError{Reason: "critical header extensions are not supported"}
	}
	newHash := jwtHash(alg)
	if newHash == nil || !containsString(allowed, alg) {
		return nil, &JWTError{Reason: "algorithm is not accepted"}
	}
	mac := hmac.New(newHash, []byte(secret))
	mac.Write([]byte(signedParameters[:len(h64)+1+len(p64)]))
	if !hmac.Equal(sig, mac.Sum(nil)) {
		return nil, &JWTError{Reason: "signature does not match"}
	}

	var claims map[string]json.RawMessage
	if err := json.Unmarshal(payload, &claims); err != nil || claims == nil {
		return nil, &JWTError{Reason: "payload is not a JSON object"}
	}
	var out RecordingReady
	for _, c := range [...]struct {
		name string
		dst  *string
	}{{"meeting_id", &out.MeetingID}, {"record_id", &out.RecordID}} {
		if err := json.Unmarshal(claims[c.name], c.dst); err != nil || *c.dst == "" {
			return nil, &JWTError{Reason: "claim " + c.name + " is not a non-empty string"}
		}
	}
	if err := jwtCheckTimes(claims, time.Now()); err != nil {
		return nil, err
	}
	return &out, nil
}

func jwtCheckTimes(claims map[string]json.RawMessage, now time.Time) error {
	sec := float64(now.Unix())
	leeway := jwtLeeway.Seconds()
	for _, name := range [...]string{"exp", "nbf"} {
		raw, ok := claims[name]
		if !ok {
			continue
		}
		var n json.Number
		if err := json.Unmarshal(raw, &n); err != nil {
			return &JWTError{Reason: "claim " + name + " is not a number"}
		}
		t, err := n.Float64()
		if err != nil {
			return &JWTError{Reason: "claim " + name + " is not a number"}
		}
		switch {
		case name == "exp" && sec > t+leeway:
			return &JWTError{Reason: "token expired"}
		case name == "nbf" && sec+leeway < t:
			return &JWTError{Reason: "token not valid yet"}
		}
	}
	return nil
}

// jwtDecodePart decodes unpadded base64url, refusing padding, other
// alphabets and non-canonical trailing bits.
func jwtDecodePart(s string) ([]byte, error) {
	if s == "" {
		return nil, errors.New("empty part")
	}
	return base64.RawURLEncoding.Strict().DecodeString(s)
}

func containsString(list []string, s string) bool {
	return slices.Contains(list, s)
}

// SignRecordingReady returns the signed_parameters BBB would send for a
// recording of meetingID: a JWT of {"meeting_id", "record_id"} signed with
// secret using alg (HS256 as BBB does, HS384, or HS512 as Scalelite does;
// "" means HS256). It serves fakes and tests.
func SignRecordingReady(meetingID, recordID, secret, alg string) (string, error) {
	const call = "recordingReady"
	if secret == "" {
		return "", ErrEmptySecret
	}
	if alg == "" {
		alg = HS256
	}
	newHash := jwtHash(alg)
	if newHash == nil {
		return "", &ParamError{Call: call, Param: "alg", Reason: "must be HS256, HS384 or HS512"}
	}
	for _, f := range [...]struct{ name, v string }{{"meeting_id", meetingID}, {"record_id", recordID}} {
		if f.v == "" || !utf8.ValidString(f.v) {
			return "", &ParamError{Call: call, Param: f.name, Reason: "must be non-empty UTF-8"}
		}
	}
	header, err := json.Marshal(struct {
		Alg string `json:"alg"`
		Typ string `json:"typ"`
	}{alg, "JWT"})
	if err != nil {
		return "", err
	}
	payload, err := json.Marshal(recordingReadyClaims{MeetingID: meetingID, RecordID: recordID})
	if err != nil {
		return "", err
	}
	enc := base64.RawURLEncoding
	signing := enc.EncodeToString(header) + "." + enc.EncodeToString(payload)
	mac := hmac.New(newHash, []byte(secret))
	mac.Write([]byte(signing))
	return signing + "." + enc.EncodeToString(mac.Sum(nil)), nil
}
