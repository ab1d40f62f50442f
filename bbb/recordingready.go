package bbb

// VerifyRecordingReady verifies the signed_parameters of a recording-ready
// callback with the client's shared secret, as the package function
// VerifyRecordingReady does with a secret given: allowed lists the
// accepted algorithms (HS256 and HS512 when none is given), and a refused
// token is a *JWTError matching ErrInvalidJWT that holds neither the token
// nor the secret. The claims' meeting_id is the external meeting ID: the
// caller compares it with the meeting it expects.
func (c *Client) VerifyRecordingReady(signedParameters string, allowed ...string) (*RecordingReady, error) {
	return VerifyRecordingReady(signedParameters, c.secret.Reveal(), allowed...)
}
