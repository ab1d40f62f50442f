package bbb

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ServerCheck is what Client.Check found of a server.
type ServerCheck struct {
	// Version is what the API root answered; nil when it did not answer
	// as BBB.
	Version *VersionInfo
	// SecretOK: a signed call was answered without checksumError with
	// some algorithm.
	SecretOK bool
	// Algorithm is the client's configured checksum algorithm.
	Algorithm Algorithm
	// Accepted and Refused are the checksum algorithms (of SHA1, SHA256,
	// SHA384, SHA512, in that order) the server accepted, and answered
	// checksumError to. When it accepts none, a wrong secret cannot be
	// told from refused algorithms: both stay empty and SecretOK false.
	Accepted []Algorithm
	Refused  []Algorithm
	// RTT is the round trip of the signed call made with the client's own
	// algorithm.
	RTT time.Duration
}

// ErrAlgorithmRefused is matched (errors.Is) by an *AlgorithmRefusedError.
var ErrAlgorithmRefused = errors.New("bbb: checksum algorithm refused by the server")

// AlgorithmRefusedError is Check's error when the secret is right (another
// algorithm was accepted) but the server refuses the client's algorithm
// with checksumError: every call the client makes fails until WithChecksum
// selects one of Accepted (or the server's supportedChecksumAlgorithms
// lists Algorithm). It matches ErrAlgorithmRefused, not ErrChecksum, which
// Check keeps for a wrong secret.
type AlgorithmRefusedError struct {
	// Algorithm is the client's algorithm, which the server refuses.
	Algorithm Algorithm
	// Accepted lists the algorithms the server accepted, weakest first.
	Accepted []Algorithm
}

func (e *AlgorithmRefusedError) Error() string {
	return fmt.Sprintf("bbb: check: the secret is right but the server refuses %s checksums; it accepts %s (use WithChecksum)",
		e.Algorithm, joinAlgorithms(e.Accepted))
}

// Is makes errors.Is(err, ErrAlgorithmRefused) true.
func (e *AlgorithmRefusedError) Is(target error) bool { return target == ErrAlgorithmRefused }

// checkCall and checkMeetingID are the signed probe of Check:
// isMeetingRunning changes nothing and answers running=false for an ID no
// meeting has, after BBB has validated the checksum (it checks it before
// the parameters).
const (
	checkCall      = "isMeetingRunning"
	checkMeetingID = "bbbcast-check"
)

// Check tells whether the server can be used as the client is configured,
// and why not, for an operator facing checksumError answers. It makes no
// change on the server:
//
//  1. an unsigned GET of the API root (Version): a *TransportError means
//     the server cannot be reached; a *ResponseError that something else
//     answered (a proxy's HTML page, a base URL that is not BBB's);
//  2. isMeetingRunning for the meeting ID "bbbcast-check", signed with the
//     client's algorithm and timed (RTT), then with each of the other three
//     algorithms: SUCCESS means the algorithm is accepted, checksumError
//     that it is refused, and any other error is returned as is.
//
// The error is nil when the client's algorithm is accepted; an
// *AlgorithmRefusedError (matching ErrAlgorithmRefused) when another one
// is, so the secret is right; and the checksumError *APIError, wrapped in
// a message saying the secret is wrong or no algorithm is accepted
// (errors.Is(err, ErrChecksum) holds), when none is. Check always returns
// a non-nil *ServerCheck holding what was learned before it stopped.
// Like every error of the package, its errors never hold the secret, a
// checksum or a signed URL. The requests are retried as other reads are
// (WithRetries).
func (c *Client) Check(ctx context.Context) (*ServerCheck, error) {
	sc := &ServerCheck{Algorithm: c.alg}
	v, err := c.Version(ctx)
	if err != nil {
		return sc, err
	}
	sc.Version = v

	// The client's own algorithm first, for the round trip, then the others.
	order := make([]Algorithm, 0, len(Algorithms))
	order = append(order, c.alg)
	for _, a := range Algorithms {
		if a != c.alg {
			order = append(order, a)
		}
	}
	var accepted, refused [SHA512 + 1]bool
	var checksumErr error // the checksumError answered to the client's algorithm
	for _, alg := range order {
		began := time.Now()
		err := c.checkAlgorithm(ctx, alg)
		if alg == c.alg {
			sc.RTT = time.Since(began)
		}
		switch {
		case err == nil:
			accepted[alg] = true
		case errors.Is(err, ErrChecksum):
			refused[alg] = true
			if checksumErr == nil {
				checksumErr = err
			}
		default:
			sc.fill(accepted, refused)
			return sc, err
		}
	}
	sc.fill(accepted, refused)
	switch {
	case accepted[c.alg]:
		return sc, nil
	case sc.SecretOK:
		return sc, &AlgorithmRefusedError{Algorithm: c.alg, Accepted: sc.Accepted}
	}
	return sc, fmt.Errorf("bbb: check: the server answered checksumError to every checksum algorithm (%s): the shared secret is wrong, or the server accepts none of them: %w",
		joinAlgorithms(Algorithms), checksumErr)
}

// checkAlgorithm sends Check's probe signed with alg.
func (c *Client) checkAlgorithm(ctx context.Context, alg Algorithm) error {
	r := request{call: checkCall, idempotent: true}
	r.query.add("meetingID", checkMeetingID)
	body, status, ct, err := c.exec(ctx, &r, c.signedURLWith(alg, r.call, r.query.b))
	if err != nil {
		return err
	}
	_, err = parseResponse(r.call, body, status, ct)
	return err
}

// fill sets Accepted, Refused and SecretOK from the answers so far, in
// the order of Algorithms. Refused stays empty while nothing was accepted:
// a wrong secret is then as likely as refused algorithms.
func (sc *ServerCheck) fill(accepted, refused [SHA512 + 1]bool) {
	sc.Accepted, sc.Refused = nil, nil
	for _, a := range Algorithms {
		if accepted[a] {
			sc.Accepted = append(sc.Accepted, a)
		}
	}
	sc.SecretOK = len(sc.Accepted) > 0
	if !sc.SecretOK {
		return
	}
	for _, a := range Algorithms {
		if refused[a] {
			sc.Refused = append(sc.Refused, a)
		}
	}
}

// joinAlgorithms lists algs by name, comma-separated.
func joinAlgorithms(algs []Algorithm) string {
	names := make([]string, len(algs))
	for i, a := range algs {
		names[i] = a.String()
	}
	return strings.Join(names, ", ")
}
