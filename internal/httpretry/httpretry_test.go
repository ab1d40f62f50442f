package httpretry_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/hashicorp/go-retryablehttp"
	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bbbcast/bbbcast/internal/httpretry"
)

func TestOnlyIdempotentRequestsAreRetried(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		idempotent bool
		answer     httpmock.Responder
		attempts   int
		status     int // of the answer passed through, 0 for an error
	}{
		{"idempotent 503", true, httpmock.NewStringResponder(503, "busy"), 3, 503},
		{"idempotent connection error", true, httpmock.NewErrorResponder(errors.New("reset")), 3, 0},
		{"idempotent 404 is final", true, httpmock.NewStringResponder(404, "no"), 1, 404},
		{"state change 503", false, httpmock.NewStringResponder(503, "busy"), 1, 503},
		{"state change connection error", false, httpmock.NewErrorResponder(errors.New("reset")), 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			mt := httpmock.NewMockTransport()
			mt.RegisterResponder("POST", "https://api.example.org/x", tt.answer)
			c := httpretry.New(httpretry.Config{HTTPClient: &http.Client{Transport: mt}, Retries: 2, WaitMin: time.Millisecond, WaitMax: time.Millisecond})
			ctx := context.Background()
			if tt.idempotent {
				ctx = httpretry.Idempotent(ctx)
			}
			req, err := retryablehttp.NewRequestWithContext(ctx, "POST", "https://api.example.org/x", []byte("body"))
			require.NoError(t, err)
			resp, err := c.Do(req)
			assert.Equal(t, tt.attempts, mt.GetTotalCallCount())
			if tt.status == 0 {
				require.Error(t, err)
				return
			}
			require.NoError(t, err, "the last answer is passed through")
			defer resp.Body.Close()
			assert.Equal(t, tt.status, resp.StatusCode)
		})
	}
}

func TestRedactURLError(t *testing.T) {
	t.Parallel()
	err := &url.Error{Op: "Get", URL: "https://api.example.org/x?checksum=SECRET", Err: errors.New("connection refused")}
	red := httpretry.RedactURLError(err)
	assert.Equal(t, "Get: connection refused", red.Error())
	assert.NotContains(t, red.Error(), "SECRET")
	assert.ErrorIs(t, httpretry.RedactURLError(&url.Error{Op: "Get", URL: "u", Err: context.Canceled}), context.Canceled)
	plain := errors.New("plain")
	assert.Equal(t, plain, httpretry.RedactURLError(plain))
}
