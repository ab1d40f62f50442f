package sipmediagw

import (
	"errors"
	"fmt"

	"github.com/bbbcast/bbbcast/internal/ctxguard"
)

// Outcomes a caller branches on. Every error the client returns for a
// server's answer matches one of them with errors.Is, or is a
// *ResponseError (an answer that could not be read) or a *TransportError.
var (
	// ErrBusy: the server (legacy) or every gateway (v1.8 proxy) is in
	// use. Try another gateway or later.
	ErrBusy = errors.New("sipmediagw: no free resources")
	// ErrLaunchFailed: the server tried and the streaming container did
	// not come up. A failed start is followed by a stop unless
	// WithCleanupAfterFailedStart(false) is given.
	ErrLaunchFailed = errors.New("sipmediagw: the gateway failed to launch")
	// ErrUnauthorized: the token was refused.
	ErrUnauthorized = errors.New("sipmediagw: unauthorized (check the token)")
	// ErrNotRunning: nothing runs for that session. Stop never returns it
	// (stopping what does not run is success).
	ErrNotRunning = errors.New("sipmediagw: no stream running for that session")
	// ErrNotSupported: the server's version has no such operation (chat
	// on a v1.8.4 launcher, progress before v1.7).
	ErrNotSupported = errors.New("sipmediagw: operation not supported by this server")
	// ErrStopFailed: the server could not stop the stream (its Docker
	// daemon did not answer, for instance); the container may still run.
	ErrStopFailed = errors.New("sipmediagw: the server could not stop the stream")
	// ErrRejected: the server refused the request as malformed (a 400 or
	// 422 answer, or a legacy {"Error": …} body).
	ErrRejected = errors.New("sipmediagw: request rejected by the server")
	// ErrInvalidParam is matched by every *ParamError.
	ErrInvalidParam = errors.New("sipmediagw: invalid parameter")
	// ErrNilContext: a call was given a nil context; nothing was sent.
	ErrNilContext = ctxguard.ErrNil
)

// Configuration errors returned by NewClient.
var (
	ErrInvalidBaseURL = errors.New("sipmediagw: invalid base URL")
	ErrInsecureURL    = errors.New("sipmediagw: base URL is plain http (use WithInsecureHTTP to allow it)")
	ErrWeakToken      = errors.New("sipmediagw: token is the default or shorter than 8 characters (use WithInsecureToken to allow it)")
)

// ParamError reports a parameter refused before any request was sent. It
// names the parameter, never its value (an RTMP URL holds a stream key).
type ParamError struct {
	Op     string
	Param  string
	Reason string
}

func (e *ParamError) Error() string {
	return fmt.Sprintf("sipmediagw: %s: parameter %s: %s", e.Op, e.Param, e.Reason)
}

// Unwrap lets errors.Is(err, ErrInvalidParam) match.
func (e *ParamError) Unwrap() error { return ErrInvalidParam }

// OpError is a refusal by the server: Err is one of the outcome sentinels
// (ErrBusy, ErrLaunchFailed, …), Detail the server's own words when they
// are safe to show (never a body that could hold the token).
type OpError struct {
	Op         string
	StatusCode int
	Detail     string
	Err        error
}

func (e *OpError) Error() string {
	msg := fmt.Sprintf("sipmediagw: %s: %v", e.Op, e.Err)
	if e.Detail != "" {
		msg += " (" + e.Detail + ")"
	}
	return msg
}

// Unwrap returns the outcome sentinel.
func (e *OpError) Unwrap() error { return e.Err }

// ResponseError is an answer the client could not read: an HTML page (the
// legacy server's debug page, which shows the token), non-JSON, an
// unexpected shape or status. It keeps the status and content type, never
// the body.
type ResponseError struct {
	Op          string
	StatusCode  int
	ContentType string
	Reason      string
}

func (e *ResponseError) Error() string {
	ct := e.ContentType
	if ct == "" {
		ct = "no content type"
	}
	return fmt.Sprintf("sipmediagw: %s: unexpected answer (HTTP %d, %s): %s", e.Op, e.StatusCode, ct, e.Reason)
}

// TransportError is a failure to get any answer: connection, TLS, timeout
// or a cancelled context. Unwrap gives the cause; the URL is left out.
type TransportError struct {
	Op  string
	Err error
}

func (e *TransportError) Error() string { return fmt.Sprintf("sipmediagw: %s: %v", e.Op, e.Err) }

// Unwrap returns the cause.
func (e *TransportError) Unwrap() error { return e.Err }
