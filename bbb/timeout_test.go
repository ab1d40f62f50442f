package bbb

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// Every attempt is bounded, whatever HTTP client is given: WithTimeout,
// else 10 s, else the given client's own shorter Timeout.
func TestAttemptTimeoutWhateverClient(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		opts []Option
		want time.Duration
	}{
		{"default", nil, DefaultTimeout},
		{"a client without timeout", []Option{WithHTTPClient(&http.Client{})}, DefaultTimeout},
		{"a client with a longer one", []Option{WithHTTPClient(&http.Client{Timeout: time.Hour})}, DefaultTimeout},
		{"a client with a shorter one", []Option{WithHTTPClient(&http.Client{Timeout: 3 * time.Second})}, 3 * time.Second},
		{"WithTimeout", []Option{WithTimeout(time.Second)}, time.Second},
		{"WithTimeout and a client without", []Option{WithHTTPClient(&http.Client{}), WithTimeout(time.Second)}, time.Second},
		{"WithTimeout(0)", []Option{WithTimeout(0), WithHTTPClient(&http.Client{})}, DefaultTimeout},
	} {
		c, err := NewClient("https://bbb.example.org/bigbluebutton", "secret", tc.opts...)
		if err != nil {
			t.Fatal(err)
		}
		if got := c.rc.HTTPClient.Timeout; got != tc.want {
			t.Errorf("%s: attempts bounded by %s, want %s", tc.name, got, tc.want)
		}
	}
}

// A server that never answers: the call ends at the attempt's bound, with
// a plain http.Client given.
func TestHangingServerTimesOut(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	c, err := NewClient(srv.URL+"/bigbluebutton", "secret", WithInsecureHTTP(), WithRetries(0),
		WithHTTPClient(&http.Client{}), WithTimeout(100*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err = c.IsMeetingRunning(ctx, "m1")
	var te *TransportError
	if !errors.As(err, &te) || ctx.Err() != nil {
		t.Fatalf("got %v (test deadline hit: %v), want the attempt's timeout", err, ctx.Err())
	}
}

// A nil context is refused before anything is sent.
func TestNilContextRefused(t *testing.T) {
	t.Parallel()
	c, err := NewClient("https://bbb.example.org/bigbluebutton", "secret")
	if err != nil {
		t.Fatal(err)
	}
	var none context.Context
	if _, err := c.IsMeetingRunning(none, "meeting-1"); !errors.Is(err, ErrNilContext) {
		t.Errorf("IsMeetingRunning: %v", err)
	}
	if _, err := c.Create(none, &CreateParams{Name: "Webinar", MeetingID: "meeting-1"}); !errors.Is(err, ErrNilContext) {
		t.Errorf("Create: %v", err)
	}
}
