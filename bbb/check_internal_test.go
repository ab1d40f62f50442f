package bbb

import (
	"net/url"
	"strings"
	"testing"
)

// TestSignedURLWith checks that signedURL is signedURLWith of the client's
// algorithm, and that each algorithm's URL verifies as BBB verifies it.
func TestSignedURLWith(t *testing.T) {
	t.Parallel()
	c, _ := newMockClient(t, WithChecksum(SHA384))
	const call, query = "isMeetingRunning", "meetingID=bbbcast-check"
	if got, want := c.signedURL(call, []byte(query)), c.signedURLWith(SHA384, call, []byte(query)); got != want {
		t.Fatalf("signedURL %q, signedURLWith %q", got, want)
	}
	for _, alg := range Algorithms {
		t.Run(alg.String(), func(t *testing.T) {
			t.Parallel()
			for _, q := range []string{query, ""} {
				raw := c.signedURLWith(alg, call, []byte(q))
				u, err := url.Parse(raw)
				if err != nil {
					t.Fatal(err)
				}
				if !strings.HasPrefix(raw, c.BaseURL()+call+"?") {
					t.Errorf("URL %q", raw)
				}
				if err := Verify(call, u.RawQuery, mockSecret, alg); err != nil {
					t.Errorf("query %q: %v", q, err)
				}
				if n := len(u.Query().Get("checksum")); n != alg.HexLen() {
					t.Errorf("checksum of %d characters", n)
				}
			}
		})
	}
}
