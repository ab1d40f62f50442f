// Package httpretry holds the HTTP plumbing the API clients share: a
// go-retryablehttp client that retries only requests marked safe to
// repeat, never logs (its logger prints URLs, secrets included) and keeps
// the last answer when it gives up; and redaction of URLs from errors.
package httpretry
