package httpretry

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// Config is what New needs.
type Config struct {
	HTTPClient *http.Client // used as is
	Retries    int
	WaitMin    time.Duration
	WaitMax    time.Duration
}

type idempotentKey struct{}

// Idempotent marks ctx's request as safe to repeat: only such requests
// are retried.
func Idempotent(ctx context.Context) context.Context {
	return context.WithValue(ctx, idempotentKey{}, true)
}

// New returns a retrying client for cfg.
func New(cfg Config) *retryablehttp.Client {
	return &retryablehttp.Client{
		HTTPClient:   cfg.HTTPClient,
		Logger:       nil,
		RetryWaitMin: cfg.WaitMin,
		RetryWaitMax: cfg.WaitMax,
		RetryMax:     max(cfg.Retries, 0),
		CheckRetry: func(ctx context.Context, resp *http.Response, err error) (bool, error) {
			if ok, _ := ctx.Value(idempotentKey{}).(bool); !ok {
				return false, nil
			}
			return retryablehttp.DefaultRetryPolicy(ctx, resp, err)
		},
		Backoff:      retryablehttp.DefaultBackoff,
		ErrorHandler: retryablehttp.PassthroughErrorHandler,
	}
}

// RedactURLError replaces a *url.Error by its operation and cause, so the
// URL (query strings with checksums, tokens, stream keys) never reaches an
// error message.
func RedactURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}
