package bbb

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewClientValidatesConfiguration(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, base, secret string
		opts               []Option
		want               error
		wantBase           string
	}{
		{"canonical", "https://bbb.example.org/bigbluebutton", "s", nil, nil, "https://bbb.example.org/bigbluebutton/api/"},
		{"trailing slash", "https://bbb.example.org/bigbluebutton/", "s", nil, nil, "https://bbb.example.org/bigbluebutton/api/"},
		{"api suffix", "https://bbb.example.org/bigbluebutton/api", "s", nil, nil, "https://bbb.example.org/bigbluebutton/api/"},
		{"api slash", "https://bbb.example.org/bigbluebutton/api/", "s", nil, nil, "https://bbb.example.org/bigbluebutton/api/"},
		{"root path", "https://lb.example.org", "s", nil, nil, "https://lb.example.org/api/"},
		{"http allowed", "http://127.0.0.1:8080/bigbluebutton", "s", []Option{WithInsecureHTTP()}, nil, "http://127.0.0.1:8080/bigbluebutton/api/"},
		{"http refused", "http://bbb.example.org/bigbluebutton", "s", nil, ErrInsecureURL, ""},
		{"empty secret", "https://bbb.example.org/bigbluebutton", "", nil, ErrEmptySecret, ""},
		{"ftp", "ftp://bbb.example.org/", "s", nil, ErrInvalidBaseURL, ""},
		{"no host", "https:///bigbluebutton", "s", nil, ErrInvalidBaseURL, ""},
		{"query", "https://bbb.example.org/bigbluebutton?x=1", "s", nil, ErrInvalidBaseURL, ""},
		{"credentials", "https://u:p@bbb.example.org/bigbluebutton", "s", nil, ErrInvalidBaseURL, ""},
		{"unparsable", "https://bbb example.org/%zz", "s", nil, ErrInvalidBaseURL, ""},
		{"bad algorithm", "https://bbb.example.org/", "s", []Option{WithChecksum(Algorithm(7))}, ErrInvalidAlgorithm, ""},
		{"zero algorithm", "https://bbb.example.org/", "s", []Option{WithChecksum(0)}, ErrInvalidAlgorithm, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := NewClient(tt.base, tt.secret, tt.opts...)
			switch {
			case tt.want != nil:
				require.ErrorIs(t, err, tt.want)
				assert.Nil(t, c)
			default:
				require.NoError(t, err)
				assert.Equal(t, tt.wantBase, c.BaseURL())
				assert.Equal(t, SHA256, c.Algorithm())
			}
		})
	}
}

func TestSecretNeverPrinted(t *testing.T) {
	t.Parallel()
	c, _ := newMockClient(t)
	s := NewSecret(mockSecret)
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("x", "client", c, "secret", s)
	outputs := []string{fmt.Sprint(c), logs.String(), s.String()}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%t", "%e", "%g", "%c", "%U", "%o", "%b"} {
		outputs = append(outputs, fmt.Sprintf(verb, c), fmt.Sprintf(verb, *c), fmt.Sprintf(verb, s),
			fmt.Sprintf(verb, struct{ C *Client }{c}), fmt.Sprintf(verb, []any{c, s}))
	}
	// The secret in every shape fmt could give it.
	leaks := []string{mockSecret, fmt.Sprintf("%x", mockSecret), fmt.Sprintf("%X", mockSecret),
		strings.Trim(fmt.Sprint([]byte(mockSecret)), "[]"), fmt.Sprintf("%q", mockSecret)}
	for _, out := range outputs {
		for _, leak := range leaks {
			assert.NotContains(t, out, leak)
		}
	}
	assert.Equal(t, mockSecret, s.Reveal())
	assert.False(t, s.IsZero())
	text, _ := s.MarshalText()
	assert.Equal(t, "[REDACTED]", string(text))
}

func TestErrorKinds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		status int
		ctype  string
		body   string
		check  func(t *testing.T, err error)
	}{
		{"FAILED answer", 200, "text/xml", failed("notFound", "A meeting with that ID does not exist"), func(t *testing.T, err error) {
			var ae *APIError
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, "notFound", ae.Key)
			assert.Equal(t, "getMeetingInfo", ae.Call)
			assert.ErrorIs(t, err, ErrNotFound)
			assert.NotErrorIs(t, err, ErrIDNotUnique)
			assert.Contains(t, err.Error(), "A meeting with that ID does not exist")
		}},
		{"unknown key", 200, "text/xml", failed("someNewKey", "new"), func(t *testing.T, err error) {
			var ae *APIError
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, "someNewKey", ae.Key)
		}},
		{"HTML 502", 502, "text/html", "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>", func(t *testing.T, err error) {
			var re *ResponseError
			require.ErrorAs(t, err, &re)
			assert.Equal(t, 502, re.StatusCode)
			assert.Contains(t, err.Error(), "HTML")
			assert.Contains(t, err.Error(), "502")
			assert.NotContains(t, err.Error(), "nginx")
		}},
		{"HTML with doctype", 200, "text/html", "<!DOCTYPE html><html><body><p>oops</body></html>", func(t *testing.T, err error) {
			var re *ResponseError
			require.ErrorAs(t, err, &re)
			assert.Contains(t, re.Reason, "HTML")
		}},
		{"empty body", 200, "text/xml", "  ", func(t *testing.T, err error) {
			var re *ResponseError
			require.ErrorAs(t, err, &re)
			assert.Contains(t, re.Reason, "empty")
		}},
		{"truncated", 200, "text/xml", "<response><returncode>SUCC", func(t *testing.T, err error) {
			var re *ResponseError
			require.ErrorAs(t, err, &re)
			assert.Contains(t, re.Reason, "malformed")
		}},
		{"wrong root", 200, "text/xml", "<error>nope</error>", func(t *testing.T, err error) {
			var re *ResponseError
			require.ErrorAs(t, err, &re)
			assert.Contains(t, re.Reason, "not <response>")
		}},
		{"no returncode", 200, "text/xml", "<response><x/></response>", func(t *testing.T, err error) {
			var re *ResponseError
			require.ErrorAs(t, err, &re)
		}},
		{"404 is not supported", 404, "text/html", "<html><body>Not Found</body></html>", func(t *testing.T, err error) {
			assert.ErrorIs(t, err, ErrNotSupported)
		}},
		{"SUCCESS with 500", 500, "text/xml", success(""), func(t *testing.T, err error) {
			var re *ResponseError
			require.ErrorAs(t, err, &re)
			assert.Equal(t, 500, re.StatusCode)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := newMockClient(t, WithRetries(0))
			mt.RegisterResponder("GET", mockBase+"/api/getMeetingInfo", func(*http.Request) (*http.Response, error) {
				r := httpmock.NewStringResponse(tt.status, tt.body)
				r.Header.Set("Content-Type", tt.ctype)
				return r, nil
			})
			_, err := c.GetMeetingInfo(context.Background(), "m-1")
			require.Error(t, err)
			tt.check(t, err)
			assert.NotContains(t, err.Error(), "checksum=")
		})
	}
}

func TestTransportErrorsAreRedacted(t *testing.T) {
	t.Parallel()
	c, mt := newMockClient(t, WithRetries(0))
	mt.RegisterResponder("GET", mockBase+"/api/getMeetings", httpmock.ConnectionFailure)
	_, err := c.GetMeetings(context.Background())
	var te *TransportError
	require.ErrorAs(t, err, &te)
	assert.NotContains(t, err.Error(), "checksum")
	assert.NotContains(t, err.Error(), mockSecret)
	assert.Equal(t, "getMeetings", te.Call)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = c.GetMeetings(ctx)
	require.ErrorIs(t, err, context.Canceled)
	require.ErrorAs(t, err, &te)
}

func TestRetriesOnlyWhatIsSafeToRepeat(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		name     string
		method   string
		call     string
		do       func(c *Client) error
		attempts int
	}{
		{"getMeetings is retried", "GET", "getMeetings", func(c *Client) error { _, err := c.GetMeetings(ctx); return err }, 3},
		{"isMeetingRunning is retried", "GET", "isMeetingRunning", func(c *Client) error { _, err := c.IsMeetingRunning(ctx, "m-1"); return err }, 3},
		{"getMeetingInfo is retried", "GET", "getMeetingInfo", func(c *Client) error { _, err := c.GetMeetingInfo(ctx, "m-1"); return err }, 3},
		{"create is not", "GET", "create", func(c *Client) error {
			_, err := c.Create(ctx, &CreateParams{Name: "Webinar", MeetingID: "m-1"})
			return err
		}, 1},
		{"create with documents is not", "POST", "create", func(c *Client) error {
			_, err := c.CreateWithDocuments(ctx, &CreateParams{Name: "Webinar", MeetingID: "m-1"}, []Document{{URL: "https://x.example/a.pdf"}})
			return err
		}, 1},
		{"end is not", "GET", "end", func(c *Client) error { return c.End(ctx, "m-1", "") }, 1},
		{"join is not", "GET", "join", func(c *Client) error {
			_, err := c.Join(ctx, &JoinParams{FullName: "a", MeetingID: "m-1", Role: RoleViewer})
			return err
		}, 1},
		{"sendChatMessage is not", "GET", "sendChatMessage", func(c *Client) error {
			return c.SendChatMessage(ctx, &ChatMessage{MeetingID: "m-1", Message: "hi"})
		}, 1},
		{"insertDocument is not", "POST", "insertDocument", func(c *Client) error {
			return c.InsertDocument(ctx, "m-1", []Document{{URL: "https://x.example/a.pdf"}})
		}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := newMockClient(t, WithRetries(2))
			mt.RegisterResponder(tt.method, mockBase+"/api/"+tt.call, httpmock.NewStringResponder(503, "<html>busy</html>"))
			err := tt.do(c)
			var re *ResponseError
			require.ErrorAs(t, err, &re, "the last answer is passed through")
			assert.Equal(t, 503, re.StatusCode)
			assert.Equal(t, tt.attempts, mt.GetTotalCallCount())
		})
	}
}

func TestRetryRecovers(t *testing.T) {
	t.Parallel()
	c, mt := newMockClient(t)
	calls := 0
	mt.RegisterResponder("GET", mockBase+"/api/getMeetings", func(r *http.Request) (*http.Response, error) {
		calls++
		if calls == 1 {
			return nil, errors.New("connection reset by peer")
		}
		if calls == 2 {
			return httpmock.NewStringResponse(502, "<html>bad gateway</html>"), nil
		}
		return xmlResp(200, success("<meetings/><messageKey>noMeetings</messageKey>")), nil
	})
	ms, err := c.GetMeetings(context.Background())
	require.NoError(t, err)
	assert.Empty(t, ms)
	assert.Equal(t, 3, calls)
}

func TestLogging(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, mt := newMockClient(t, WithLogger(logger), WithRetries(0))
	answer(t, mt, "GET", "isMeetingRunning", 200, success("<running>true</running>"))
	mt.RegisterResponder("GET", mockBase+"/api/getMeetings", httpmock.ConnectionFailure)
	_, err := c.IsMeetingRunning(context.Background(), "m-1")
	require.NoError(t, err)
	_, err = c.GetMeetings(context.Background())
	require.Error(t, err)
	out := logs.String()
	assert.Contains(t, out, "call=isMeetingRunning")
	assert.Contains(t, out, "status=200")
	assert.Contains(t, out, "bbb request failed")
	for _, leak := range []string{mockSecret, "checksum", "meetingID=m-1"} {
		assert.NotContains(t, out, leak)
	}
}

func TestUserAgent(t *testing.T) {
	t.Parallel()
	c, mt := newMockClient(t, WithUserAgent("portal/2"))
	s := answer(t, mt, "GET", "isMeetingRunning", 200, success("<running>false</running>"))
	_, err := c.IsMeetingRunning(context.Background(), "m-1")
	require.NoError(t, err)
	r, _ := s.last(t)
	assert.Equal(t, "portal/2", r.Header.Get("User-Agent"))
}

func TestURLSignsAnyCall(t *testing.T) {
	t.Parallel()
	c, err := NewClient(mockBase, mockSecret, WithChecksum(SHA1))
	require.NoError(t, err)
	u := c.URL("getMeetings", "")
	assert.True(t, strings.HasPrefix(u, mockBase+"/api/getMeetings?checksum="))
	_, q, _ := strings.Cut(u, "?")
	require.NoError(t, Verify("getMeetings", q, mockSecret, SHA1))
	u = c.URL("hooks/list", "meetingID=x")
	_, q, _ = strings.Cut(u, "?")
	require.NoError(t, Verify("hooks/list", q, mockSecret))
}
