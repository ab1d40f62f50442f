package bbb

import (
	"errors"
	"fmt"

	"github.com/bbbcast/bbbcast/internal/ctxguard"
)

// Sentinels for the messageKeys a caller commonly branches on. An *APIError
// matches the sentinel of its key with errors.Is; keys not listed here still
// reach the caller in APIError.Key, since BBB's set of keys is open.
var (
	ErrChecksum                 = &APIError{Key: "checksumError"}
	ErrNotFound                 = &APIError{Key: "notFound"}
	ErrIDNotUnique              = &APIError{Key: "idNotUnique"}
	ErrInvalidMeetingIdentifier = &APIError{Key: "invalidMeetingIdentifier"}
	ErrInvalidPassword          = &APIError{Key: "invalidPassword"}
	ErrMissingMeetingID         = &APIError{Key: "missingParamMeetingID"}
	ErrMissingFullName          = &APIError{Key: "missingParamFullName"}
	ErrMismatchCreateTime       = &APIError{Key: "mismatchCreateTimeParam"}
	ErrMeetingForciblyEnded     = &APIError{Key: "meetingForciblyEnded"}
	ErrMaxParticipants          = &APIError{Key: "maxParticipantsReached"}
	ErrValidation               = &APIError{Key: "validationError"}
	ErrParam                    = &APIError{Key: "paramError"}
	ErrNoRecordings             = &APIError{Key: "noRecordings"}
)

// APIError is a FAILED answer from the server. Key is BBB's stable
// messageKey; Message is human text that varies between versions.
type APIError struct {
	Call    string // the API call that failed, e.g. "create"
	Key     string
	Message string
}

func (e *APIError) Error() string {
	switch {
	case e.Call != "" && e.Message != "":
		return fmt.Sprintf("bbb: %s: %s: %s", e.Call, e.Key, e.Message)
	case e.Call != "":
		return fmt.Sprintf("bbb: %s: %s", e.Call, e.Key)
	case e.Message != "":
		return fmt.Sprintf("bbb: %s: %s", e.Key, e.Message)
	}
	return "bbb: " + e.Key
}

// Is reports whether target is an *APIError with the same Key, so
// errors.Is(err, bbb.ErrNotFound) matches any notFound answer.
func (e *APIError) Is(target error) bool {
	t, ok := target.(*APIError)
	return ok && t.Key == e.Key
}

// ResponseError is an answer that is not a BBB response: a proxy's HTML error
// page, an empty body, truncated XML. It keeps the HTTP status and the
// content type, never the body, which may echo the request.
type ResponseError struct {
	Call        string
	StatusCode  int
	ContentType string
	Reason      string // what was wrong with the body
}

// ErrNotSupported is matched by a ResponseError for HTTP 404: the server does
// not know the call (too old a version, or a base URL that is not BBB's).
var ErrNotSupported = errors.New("bbb: call not supported by the server")

// Is makes errors.Is(err, ErrNotSupported) true for a 404 answer.
func (e *ResponseError) Is(target error) bool {
	return target == ErrNotSupported && e.StatusCode == 404
}

func (e *ResponseError) Error() string {
	ct := e.ContentType
	if ct == "" {
		ct = "no content type"
	}
	return fmt.Sprintf("bbb: %s: unexpected answer (HTTP %d, %s): %s", e.Call, e.StatusCode, ct, e.Reason)
}

// TransportError wraps a failure to get any answer: DNS, connection,
// TLS, timeout, cancelled context. Unwrap gives the cause.
type TransportError struct {
	Call string
	Err  error
}

func (e *TransportError) Error() string { return fmt.Sprintf("bbb: %s: %v", e.Call, e.Err) }

// Unwrap returns the underlying network or context error.
func (e *TransportError) Unwrap() error { return e.Err }

// ErrInvalidParam is matched by every *ParamError.
var ErrInvalidParam = errors.New("bbb: invalid parameter")

// ErrNilContext: a call was given a nil context; nothing was sent.
var ErrNilContext = ctxguard.ErrNil

// ParamError reports a parameter refused before any request was sent.
// It names the parameter, never its value, which may be a secret.
type ParamError struct {
	Call   string
	Param  string
	Reason string
}

func (e *ParamError) Error() string {
	return fmt.Sprintf("bbb: %s: parameter %s: %s", e.Call, e.Param, e.Reason)
}

// Unwrap lets errors.Is(err, ErrInvalidParam) match.
func (e *ParamError) Unwrap() error { return ErrInvalidParam }

// Configuration errors returned by NewClient.
var (
	ErrEmptySecret    = errors.New("bbb: empty shared secret")
	ErrInvalidBaseURL = errors.New("bbb: invalid base URL")
	ErrInsecureURL    = errors.New("bbb: base URL is not https (use WithInsecureHTTP to allow it)")
	// ErrInvalidAlgorithm: WithChecksum was given a value that is not
	// one of Algorithms.
	ErrInvalidAlgorithm = errors.New("bbb: invalid checksum algorithm")
)

// ChecksumError is why Verify refused a request. It matches ErrChecksum,
// so a server can answer BBB's checksumError.
type ChecksumError struct{ Reason string }

func (e *ChecksumError) Error() string { return "bbb: checksum: " + e.Reason }

// Is makes errors.Is(err, ErrChecksum) true.
func (e *ChecksumError) Is(target error) bool { return target == ErrChecksum }
