package bbb_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bbbcast/bbbcast/bbb"
)

func TestClientVerifyRecordingReady(t *testing.T) {
	t.Parallel()
	const secret = "client-secret-0123456789"
	c, err := bbb.NewClient("https://bbb.example.org/bigbluebutton/", secret)
	require.NoError(t, err)
	sign := func(alg, key string) string {
		tok, err := bbb.SignRecordingReady("meeting-1", "record-1", key, alg)
		require.NoError(t, err)
		return tok
	}
	for _, tc := range []struct {
		name    string
		token   string
		allowed []string
		ok      bool
	}{
		{"HS256", sign(bbb.HS256, secret), nil, true},
		{"HS512, as Scalelite", sign(bbb.HS512, secret), nil, true},
		{"HS384 not allowed by default", sign(bbb.HS384, secret), nil, false},
		{"HS384 allowed", sign(bbb.HS384, secret), []string{bbb.HS384}, true},
		{"HS256 not in allowed", sign(bbb.HS256, secret), []string{bbb.HS512}, false},
		{"another secret", sign(bbb.HS256, "another-secret"), nil, false},
		{"garbage", "a.b.c", nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := c.VerifyRecordingReady(tc.token, tc.allowed...)
			if !tc.ok {
				require.ErrorIs(t, err, bbb.ErrInvalidJWT)
				assert.NotContains(t, err.Error(), secret)
				assert.False(t, strings.Contains(err.Error(), tc.token) && len(tc.token) > 10, "the token is not in the error")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, &bbb.RecordingReady{MeetingID: "meeting-1", RecordID: "record-1"}, got)
		})
	}
}
