package bbb

import (
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/require"
)

// Shared fixtures of the transport-level tests: a client whose transport is
// an httpmock.MockTransport of its own, so tests run in parallel.
const (
	mockBase   = "https://bbb.example.org/bigbluebutton"
	mockSecret = "0123456789abcdef-shared-secret"
)

func newMockClient(t *testing.T, opts ...Option) (*Client, *httpmock.MockTransport) {
	t.Helper()
	mt := httpmock.NewMockTransport()
	opts = append([]Option{WithHTTPClient(&http.Client{Transport: mt}), WithRetryWait(time.Millisecond, time.Millisecond)}, opts...)
	c, err := NewClient(mockBase, mockSecret, opts...)
	require.NoError(t, err)
	return c, mt
}

// seen records the requests a responder got.
type seen struct {
	mu   sync.Mutex
	reqs []*http.Request
	body [][]byte
}

func (s *seen) last(t *testing.T) (*http.Request, url.Values) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	require.NotEmpty(t, s.reqs, "no request was sent")
	r := s.reqs[len(s.reqs)-1]
	return r, r.URL.Query()
}

// answer registers an XML answer for call that first checks the request's
// checksum the way BBB does; a bad checksum gets BBB's checksumError.
func answer(t *testing.T, mt *httpmock.MockTransport, method, call string, status int, body string) *seen {
	t.Helper()
	s := &seen{}
	mt.RegisterResponder(method, mockBase+"/api/"+call, func(r *http.Request) (*http.Response, error) {
		var b []byte
		if r.Body != nil {
			b, _ = readAllString(r)
		}
		s.mu.Lock()
		s.reqs = append(s.reqs, r)
		s.body = append(s.body, b)
		s.mu.Unlock()
		if err := Verify(call, r.URL.RawQuery, mockSecret); err != nil {
			return xmlResp(200, failed("checksumError", "Checksums do not match")), nil
		}
		return xmlResp(status, body), nil
	})
	return s
}

func readAllString(r *http.Request) ([]byte, error) {
	var sb strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := r.Body.Read(buf)
		sb.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return []byte(sb.String()), nil
}

func xmlResp(status int, body string) *http.Response {
	r := httpmock.NewStringResponse(status, body)
	r.Header.Set("Content-Type", "text/xml;charset=utf-8")
	return r
}

func success(inner string) string {
	return "<response><returncode>SUCCESS</returncode>" + inner + "</response>"
}

func failed(key, msg string) string {
	return "<response><returncode>FAILED</returncode><messageKey>" + key + "</messageKey><message>" + msg + "</message></response>"
}

func ptr[T any](v T) *T { return &v }
