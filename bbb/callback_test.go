package bbb_test

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"testing"

	"github.com/bbbcast/bbbcast/bbb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var cbKey = []byte("0123456789abcdef0123456789abcdef-test-key")

func cbSigner(t *testing.T) *bbb.CallbackSigner {
	t.Helper()
	s, err := bbb.NewCallbackSigner(cbKey)
	require.NoError(t, err)
	return s
}

// cbBBBCall returns the query BBB sends to an end callback URL: the URL's
// own parameters re-encoded (as Java's URIBuilder does) plus recordingmarks
// and meetingID.
func cbBBBCall(t *testing.T, callbackURL, meetingID string, marks bool) url.Values {
	t.Helper()
	u, err := url.Parse(callbackURL)
	require.NoError(t, err)
	q := u.Query()
	q.Add("recordingmarks", fmt.Sprint(marks))
	q.Add("meetingID", meetingID)
	u.RawQuery = q.Encode()
	got, err := url.Parse(u.String())
	require.NoError(t, err)
	return got.Query()
}

func TestEndCallbackRoundTrip(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, base, meetingID, nonce string
		marks                        bool
	}{
		{"no nonce", "https://app.example.org/bbb/ended", "webinar-42", "", false},
		{"nonce and marks", "https://app.example.org/bbb/ended", "webinar-42", "run-7", true},
		{"base with a query", "https://app.example.org/cb?tenant=univ&x=a+b", "Cours d'ete 1", "7f3a", false},
		{"http on loopback", "http://127.0.0.1:8080/cb", "room", "é nonce & co", true},
		{"meeting ID with punctuation", "https://app.example.org/cb", `a!@#$%^&*()_-+=[]{};:.'"<>?\|/ z`, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := cbSigner(t)
			u, err := s.EndCallbackURL(tt.base, tt.meetingID, tt.nonce)
			require.NoError(t, err)
			assert.True(t, strings.HasPrefix(u, tt.base), "the base is kept: %s", u)
			parsed, err := url.Parse(u)
			require.NoError(t, err)
			assert.Equal(t, tt.nonce != "", parsed.Query().Has(bbb.CallbackNonceParam))
			assert.False(t, parsed.Query().Has("meetingID"), "BBB adds the meeting ID itself")

			got, err := s.VerifyEndCallback(cbBBBCall(t, u, tt.meetingID, tt.marks))
			require.NoError(t, err)
			assert.Equal(t, bbb.EndCallback{MeetingID: tt.meetingID, Nonce: tt.nonce, RecordingMarks: tt.marks}, got)

			again, err := s.EndCallbackURL(tt.base, tt.meetingID, tt.nonce)
			require.NoError(t, err)
			assert.Equal(t, u, again, "deterministic")
		})
	}
}

func TestEndCallbackRefusals(t *testing.T) {
	t.Parallel()
	s := cbSigner(t)
	other, err := bbb.NewCallbackSigner(bytes.Repeat([]byte{7}, 32))
	require.NoError(t, err)

	good, err := s.EndCallbackURL("https://app.example.org/cb", "webinar-42", "run-2")
	require.NoError(t, err)
	goodQuery := cbBBBCall(t, good, "webinar-42", false)
	token := goodQuery.Get(bbb.CallbackTokenParam)
	noNonce, err := s.EndCallbackURL("https://app.example.org/cb", "webinar-42", "")
	require.NoError(t, err)
	otherKey, err := other.EndCallbackURL("https://app.example.org/cb", "webinar-42", "run-2")
	require.NoError(t, err)

	edit := func(f func(q url.Values)) url.Values {
		q := url.Values{}
		for k, v := range goodQuery {
			q[k] = append([]string(nil), v...)
		}
		f(q)
		return q
	}
	tests := []struct {
		name string
		q    url.Values
	}{
		{"other meeting", edit(func(q url.Values) { q.Set("meetingID", "webinar-43") })},
		{"old run replayed", edit(func(q url.Values) { q.Set(bbb.CallbackNonceParam, "run-1") })},
		{"nonce removed", edit(func(q url.Values) { q.Del(bbb.CallbackNonceParam) })},
		{"nonce added", cbBBBCall(t, noNonce+"&"+bbb.CallbackNonceParam+"=run-2", "webinar-42", false)},
		{"token of another key", cbBBBCall(t, otherKey, "webinar-42", false)},
		{"no token", edit(func(q url.Values) { q.Del(bbb.CallbackTokenParam) })},
		{"empty token", edit(func(q url.Values) { q.Set(bbb.CallbackTokenParam, "") })},
		{"two tokens", edit(func(q url.Values) { q.Add(bbb.CallbackTokenParam, token) })},
		{"no meeting ID", edit(func(q url.Values) { q.Del("meetingID") })},
		{"two meeting IDs", edit(func(q url.Values) { q.Add("meetingID", "webinar-43") })},
		{"two nonces", edit(func(q url.Values) { q.Add(bbb.CallbackNonceParam, "run-2") })},
		{"padded token", edit(func(q url.Values) { q.Set(bbb.CallbackTokenParam, token+"=") })},
		{"standard base64", edit(func(q url.Values) {
			q.Set(bbb.CallbackTokenParam, strings.NewReplacer("-", "+", "_", "/").Replace(token)+"+")
		})},
		{"truncated token", edit(func(q url.Values) { q.Set(bbb.CallbackTokenParam, token[:20]) })},
		{"flipped bit", edit(func(q url.Values) {
			b := []byte(token)
			if b[0] == 'A' {
				b[0] = 'B'
			} else {
				b[0] = 'A'
			}
			q.Set(bbb.CallbackTokenParam, string(b))
		})},
		{"empty query", url.Values{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := s.VerifyEndCallback(tt.q)
			require.Error(t, err)
			assert.ErrorIs(t, err, bbb.ErrCallbackToken)
			var ce *bbb.CallbackError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, bbb.EndCallback{}, got)
			assert.NotContains(t, err.Error(), token)
			assert.NotContains(t, err.Error(), string(cbKey))
		})
	}
}

func TestEndCallbackURLRefusesBadInput(t *testing.T) {
	t.Parallel()
	s := cbSigner(t)
	tests := []struct {
		name, base, meetingID, nonce, param string
	}{
		{"relative base", "/cb", "webinar-42", "", "base"},
		{"no scheme", "app.example.org/cb", "webinar-42", "", "base"},
		{"other scheme", "ftp://app.example.org/cb", "webinar-42", "", "base"},
		{"fragment", "https://app.example.org/cb#x", "webinar-42", "", "base"},
		{"credentials", "https://u:p@app.example.org/cb", "webinar-42", "", "base"},
		{"meetingID already there", "https://app.example.org/cb?meetingID=x", "webinar-42", "", "base"},
		{"recordingmarks already there", "https://app.example.org/cb?recordingmarks=true", "webinar-42", "", "base"},
		{"token already there", "https://app.example.org/cb?bbbcast_token=x", "webinar-42", "", "base"},
		{"nonce already there", "https://app.example.org/cb?bbbcast_nonce=x", "webinar-42", "", "base"},
		{"malformed query", "https://app.example.org/cb?a=%zz", "webinar-42", "", "base"},
		{"empty meeting ID", "https://app.example.org/cb", "", "", "meetingID"},
		{"meeting ID with a comma", "https://app.example.org/cb", "a,b", "", "meetingID"},
		{"long nonce", "https://app.example.org/cb", "webinar-42", strings.Repeat("n", 257), "nonce"},
		{"invalid UTF-8 nonce", "https://app.example.org/cb", "webinar-42", "\xff", "nonce"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			u, err := s.EndCallbackURL(tt.base, tt.meetingID, tt.nonce)
			var pe *bbb.ParamError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, tt.param, pe.Param)
			assert.Empty(t, u)
		})
	}
}

func TestNewCallbackSigner(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, 16, 31} {
		_, err := bbb.NewCallbackSigner(make([]byte, n))
		require.ErrorIs(t, err, bbb.ErrCallbackKey, "%d bytes", n)
	}
	key := bytes.Repeat([]byte{'k'}, 32)
	s, err := bbb.NewCallbackSigner(key)
	require.NoError(t, err)
	u1, err := s.EndCallbackURL("https://a.example/cb", "m1", "")
	require.NoError(t, err)
	key[0] = 'x' // the signer keeps its own copy
	u2, err := s.EndCallbackURL("https://a.example/cb", "m1", "")
	require.NoError(t, err)
	assert.Equal(t, u1, u2)
}

func TestCallbackSignerDoesNotPrintItsKey(t *testing.T) {
	t.Parallel()
	s := cbSigner(t)
	var logged bytes.Buffer
	slog.New(slog.NewTextHandler(&logged, nil)).Info("signer", "s", s)
	for _, out := range []string{
		s.String(), fmt.Sprint(s), fmt.Sprintf("%v %+v %#v %s %q %x", s, s, s, s, s, s),
		fmt.Sprintf("%v %+v %#v", *s, *s, *s), logged.String(),
	} {
		assert.NotContains(t, out, string(cbKey))
		assert.NotContains(t, out, fmt.Sprintf("%x", cbKey))
		assert.NotContains(t, out, fmt.Sprint(cbKey))
	}
	assert.Contains(t, s.String(), "REDACTED")
}

func TestCallbackErrorMatchesOnlyItsSentinel(t *testing.T) {
	t.Parallel()
	err := error(&bbb.CallbackError{Reason: "x"})
	assert.ErrorIs(t, err, bbb.ErrCallbackToken)
	assert.False(t, errors.Is(err, bbb.ErrInvalidParam))
	assert.Equal(t, "bbb: end callback not authenticated: x", err.Error())
}

// A host signs the end callback URL when it creates the meeting and
// verifies the GET that BBB sends when the meeting ends.
func ExampleCallbackSigner() {
	signer, err := bbb.NewCallbackSigner([]byte("a key of at least 32 random bytes, kept secret"))
	if err != nil {
		panic(err)
	}
	endURL, err := signer.EndCallbackURL("https://portal.example.org/bbb/ended", "webinar-42", "run-1")
	if err != nil {
		panic(err)
	}
	// Pass endURL as meta_endCallbackUrl to create. When the meeting ends,
	// BBB calls it with meetingID and recordingmarks added:
	query, _ := url.ParseQuery(strings.SplitN(endURL, "?", 2)[1] + "&meetingID=webinar-42&recordingmarks=false")

	cb, err := signer.VerifyEndCallback(query)
	if err != nil {
		fmt.Println("refused:", errors.Is(err, bbb.ErrCallbackToken))
		return
	}
	fmt.Println(cb.MeetingID, cb.Nonce, cb.RecordingMarks)

	query.Set("meetingID", "webinar-43")
	_, err = signer.VerifyEndCallback(query)
	fmt.Println("forged:", errors.Is(err, bbb.ErrCallbackToken))
	// Output:
	// webinar-42 run-1 false
	// forged: true
}
