// Package bbb is a client for the BigBlueButton server API (BBB 2.4 to
// 3.x, and load balancers such as Scalelite that speak it), plus the pieces
// a server or callback receiver needs: checksum signing and verification,
// signed end-of-meeting callback URLs, recording-ready JWTs and webhook
// checksums.
//
// # Calls
//
// Every server-to-server call is a method of Client taking a context first:
// Create (and CreateWithDocuments), Join (redirect=false), End,
// IsMeetingRunning, GetMeetingInfo, GetMeetings, GetRecordings,
// PublishRecordings, DeleteRecordings, UpdateRecordings,
// GetRecordingTextTracks, PutRecordingTextTrack, InsertDocument,
// SendChatMessage, CreateHook, DestroyHook, ListHooks, Version and Check.
// JoinURL and CreateURL build signed URLs without any request.
//
// Parameters are typed structs whose `url` tags name BBB's parameters; a
// *bool sends an explicit false. Answers are typed structs.
//
// # Errors
//
// A FAILED answer is an *APIError whose Key is BBB's messageKey; match it
// with errors.Is against ErrNotFound, ErrIDNotUnique, ErrChecksum and the
// other sentinels. An answer that is not BBB's (a proxy's HTML 502 page,
// an empty body) is a *ResponseError with the HTTP status; a network
// failure is a *TransportError. Invalid parameters are refused before any
// request with a *ParamError matching ErrInvalidParam.
//
// # Checking a server
//
// Client.Check tells an operator why a server answers checksumError, with
// no side effect: it GETs the API root (a *TransportError: the server is
// down; a *ResponseError: something else answers there, such as a proxy's
// HTML page), then signs isMeetingRunning for an unused meeting ID with
// the client's algorithm and with each of the other three. The
// *ServerCheck it returns holds the version, the round trip and the
// algorithms accepted and refused. The error is nil when the client's
// algorithm is accepted, an *AlgorithmRefusedError (ErrAlgorithmRefused)
// when only others are, so the secret is right, and a checksumError
// (ErrChecksum) when none is: the secret is wrong.
//
// # Retries, timeouts, logging
//
// Each attempt is bounded by a timeout (10 s by default). Reads are retried
// on connection errors and 5xx answers; calls that change state are never
// retried, so a meeting is not ended or a chat message posted twice.
// Nothing is logged unless WithLogger is given, and then never the
// query string, a checksum, a password or the secret: the shared secret
// prints as [REDACTED] everywhere.
//
// # Checksums
//
// A request is signed with hex(hash(call + query + secret)); the server
// picks the hash by the checksum's length. Sign and Verify implement both
// sides exactly, so a fake or a proxy can verify requests the way BBB does.
package bbb
