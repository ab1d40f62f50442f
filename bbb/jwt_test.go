package bbb_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/bbbcast/bbbcast/bbb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const jwtSecret = "639259d4-9dd8-4b25-bf01-95f9567eaf4b"

// jwtMake builds a token from raw header and payload JSON, signed
// independently of the package (signAlg "" leaves the signature empty).
func jwtMake(header, payload, signAlg, secret string) string {
	enc := base64.RawURLEncoding
	signing := enc.EncodeToString([]byte(header)) + "." + enc.EncodeToString([]byte(payload))
	var h func() hash.Hash
	switch signAlg {
	case "HS256":
		h = sha256.New
	case "HS384":
		h = sha512.New384
	case "HS512":
		h = sha512.New
	default:
		return signing + "."
	}
	m := hmac.New(h, []byte(secret))
	m.Write([]byte(signing))
	return signing + "." + enc.EncodeToString(m.Sum(nil))
}

const jwtClaims = `{"meeting_id":"webinar-42","record_id":"183f0bf3a0982a127bdb8161e0c44eb696b3e75c-1530718721124"}`

func TestVerifyRecordingReadyAccepts(t *testing.T) {
	t.Parallel()
	want := &bbb.RecordingReady{MeetingID: "webinar-42", RecordID: "183f0bf3a0982a127bdb8161e0c44eb696b3e75c-1530718721124"}
	tests := []struct {
		name    string
		token   string
		allowed []string
	}{
		// ruby-jwt, as BBB's post_publish script uses it, writes {"alg":"HS256"}.
		{"BBB HS256", jwtMake(`{"alg":"HS256"}`, jwtClaims, "HS256", jwtSecret), nil},
		{"typ JWT", jwtMake(`{"typ":"JWT","alg":"HS256"}`, jwtClaims, "HS256", jwtSecret), nil},
		{"Scalelite HS512", jwtMake(`{"alg":"HS512"}`, jwtClaims, "HS512", jwtSecret), nil},
		{"HS384 when allowed", jwtMake(`{"alg":"HS384"}`, jwtClaims, "HS384", jwtSecret), []string{bbb.HS384}},
		{"extra claims and spaces", jwtMake(`{ "alg" : "HS256" }`,
			`{ "meeting_id": "webinar-42", "record_id": "183f0bf3a0982a127bdb8161e0c44eb696b3e75c-1530718721124", "iat": 1, "exp": 99999999999 }`,
			"HS256", jwtSecret), nil},
		{"nbf in the past", jwtMake(`{"alg":"HS256"}`,
			`{"meeting_id":"webinar-42","record_id":"183f0bf3a0982a127bdb8161e0c44eb696b3e75c-1530718721124","nbf":1000}`, "HS256", jwtSecret), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := bbb.VerifyRecordingReady(tt.token, jwtSecret, tt.allowed...)
			require.NoError(t, err)
			assert.Equal(t, want, got)
		})
	}
}

func TestVerifyRecordingReadyRefuses(t *testing.T) {
	t.Parallel()
	good := jwtMake(`{"alg":"HS256"}`, jwtClaims, "HS256", jwtSecret)
	parts := strings.Split(good, ".")
	enc := base64.RawURLEncoding
	tests := []struct {
		name    string
		token   string
		allowed []string
	}{
		{"empty", "", nil},
		{"one part", parts[0], nil},
		{"two parts", parts[0] + "." + parts[1], nil},
		{"four parts", good + ".x", nil},
		{"alg none unsigned", jwtMake(`{"alg":"none"}`, jwtClaims, "", jwtSecret), nil},
		{"alg none allowed by mistake", jwtMake(`{"alg":"none"}`, jwtClaims, "", jwtSecret), []string{"none", bbb.HS256}},
		{"alg None signed", jwtMake(`{"alg":"None"}`, jwtClaims, "HS256", jwtSecret), nil},
		{"RS256", jwtMake(`{"alg":"RS256"}`, jwtClaims, "HS256", jwtSecret), nil},
		{"HS384 by default", jwtMake(`{"alg":"HS384"}`, jwtClaims, "HS384", jwtSecret), nil},
		{"HS512 not allowed", jwtMake(`{"alg":"HS512"}`, jwtClaims, "HS512", jwtSecret), []string{bbb.HS256}},
		{"alg and signature disagree", jwtMake(`{"alg":"HS512"}`, jwtClaims, "HS256", jwtSecret), nil},
		{"no alg", jwtMake(`{"typ":"JWT"}`, jwtClaims, "HS256", jwtSecret), nil},
		{"alg not a string", jwtMake(`{"alg":256}`, jwtClaims, "HS256", jwtSecret), nil},
		{"crit header", jwtMake(`{"alg":"HS256","crit":["b64"],"b64":false}`, jwtClaims, "HS256", jwtSecret), nil},
		{"header not JSON", jwtMake(`alg=HS256`, jwtClaims, "HS256", jwtSecret), nil},
		{"header an array", jwtMake(`["HS256"]`, jwtClaims, "HS256", jwtSecret), nil},
		{"header null", jwtMake(`null`, jwtClaims, "HS256", jwtSecret), nil},
		{"wrong secret", jwtMake(`{"alg":"HS256"}`, jwtClaims, "HS256", "other"), nil},
		{"payload changed", parts[0] + "." + enc.EncodeToString([]byte(`{"meeting_id":"other","record_id":"r"}`)) + "." + parts[2], nil},
		{"signature stripped", parts[0] + "." + parts[1] + ".", nil},
		{"signature truncated", parts[0] + "." + parts[1] + "." + parts[2][:20], nil},
		{"padding", parts[0] + "=." + parts[1] + "." + parts[2], nil},
		{"standard alphabet", parts[0] + "." + parts[1] + "." + strings.NewReplacer("-", "+", "_", "/").Replace(parts[2]) + "+", nil},
		{"space inside", parts[0] + " ." + parts[1] + "." + parts[2], nil},
		{"payload not JSON", jwtMake(`{"alg":"HS256"}`, `meeting_id=1`, "HS256", jwtSecret), nil},
		{"payload trailing data", jwtMake(`{"alg":"HS256"}`, jwtClaims+`{}`, "HS256", jwtSecret), nil},
		{"payload an array", jwtMake(`{"alg":"HS256"}`, `[1]`, "HS256", jwtSecret), nil},
		{"no meeting_id", jwtMake(`{"alg":"HS256"}`, `{"record_id":"r"}`, "HS256", jwtSecret), nil},
		{"empty meeting_id", jwtMake(`{"alg":"HS256"}`, `{"meeting_id":"","record_id":"r"}`, "HS256", jwtSecret), nil},
		{"numeric meeting_id", jwtMake(`{"alg":"HS256"}`, `{"meeting_id":42,"record_id":"r"}`, "HS256", jwtSecret), nil},
		{"no record_id", jwtMake(`{"alg":"HS256"}`, `{"meeting_id":"m"}`, "HS256", jwtSecret), nil},
		{"expired", jwtMake(`{"alg":"HS256"}`, `{"meeting_id":"m","record_id":"r","exp":946684800}`, "HS256", jwtSecret), nil},
		{"exp not a number", jwtMake(`{"alg":"HS256"}`, `{"meeting_id":"m","record_id":"r","exp":"soon"}`, "HS256", jwtSecret), nil},
		{"not valid yet", jwtMake(`{"alg":"HS256"}`, `{"meeting_id":"m","record_id":"r","nbf":99999999999}`, "HS256", jwtSecret), nil},
		{"too long", jwtMake(`{"alg":"HS256"}`, `{"meeting_id":"`+strings.Repeat("m", 20000)+`","record_id":"r"}`, "HS256", jwtSecret), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := bbb.VerifyRecordingReady(tt.token, jwtSecret, tt.allowed...)
			require.Error(t, err)
			assert.Nil(t, got)
			assert.ErrorIs(t, err, bbb.ErrInvalidJWT)
			var je *bbb.JWTError
			require.ErrorAs(t, err, &je)
			assert.NotContains(t, err.Error(), jwtSecret)
			if len(parts[2]) > 0 {
				assert.NotContains(t, err.Error(), parts[2])
			}
		})
	}
}

func TestVerifyRecordingReadyEmptySecret(t *testing.T) {
	t.Parallel()
	tok := jwtMake(`{"alg":"HS256"}`, jwtClaims, "HS256", "")
	_, err := bbb.VerifyRecordingReady(tok, "")
	require.ErrorIs(t, err, bbb.ErrEmptySecret)
}

func TestSignRecordingReady(t *testing.T) {
	t.Parallel()
	for _, alg := range []string{"", bbb.HS256, bbb.HS384, bbb.HS512} {
		t.Run("alg "+alg, func(t *testing.T) {
			t.Parallel()
			tok, err := bbb.SignRecordingReady("webinar-42", "rec-1", jwtSecret, alg)
			require.NoError(t, err)
			want := alg
			if want == "" {
				want = bbb.HS256
			}
			header, err := base64.RawURLEncoding.DecodeString(strings.SplitN(tok, ".", 2)[0])
			require.NoError(t, err)
			assert.JSONEq(t, `{"alg":"`+want+`","typ":"JWT"}`, string(header))
			got, err := bbb.VerifyRecordingReady(tok, jwtSecret, want)
			require.NoError(t, err)
			assert.Equal(t, &bbb.RecordingReady{MeetingID: "webinar-42", RecordID: "rec-1"}, got)
		})
	}
	t.Run("same token as an independent signer", func(t *testing.T) {
		t.Parallel()
		tok, err := bbb.SignRecordingReady("webinar-42", "183f0bf3a0982a127bdb8161e0c44eb696b3e75c-1530718721124", jwtSecret, bbb.HS256)
		require.NoError(t, err)
		assert.Equal(t, jwtMake(`{"alg":"HS256","typ":"JWT"}`, jwtClaims, "HS256", jwtSecret), tok)
	})
	t.Run("refusals", func(t *testing.T) {
		t.Parallel()
		_, err := bbb.SignRecordingReady("m", "r", "", "")
		assert.ErrorIs(t, err, bbb.ErrEmptySecret)
		for _, tc := range []struct{ meeting, record, alg, param string }{
			{"m", "r", "none", "alg"},
			{"m", "r", "RS256", "alg"},
			{"", "r", "", "meeting_id"},
			{"m", "", "", "record_id"},
			{"\xff", "r", "", "meeting_id"},
		} {
			_, err := bbb.SignRecordingReady(tc.meeting, tc.record, jwtSecret, tc.alg)
			var pe *bbb.ParamError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, tc.param, pe.Param)
		}
	})
}

func FuzzVerifyRecordingReady(f *testing.F) {
	good := jwtMake(`{"alg":"HS256"}`, jwtClaims, "HS256", jwtSecret)
	f.Add(good, "webinar-42", "rec-1", "HS256")
	f.Add(jwtMake(`{"alg":"HS512"}`, jwtClaims, "HS512", jwtSecret), "m", "r", "HS512")
	f.Add(jwtMake(`{"alg":"none"}`, jwtClaims, "", jwtSecret), "é", "\x00", "HS384")
	f.Add("..", "", "", "")
	f.Add("a.b.c", "m", "r", "none")
	f.Add(good+"=", "m,n", "r/1", "hs256")
	// Each refusal before the signature check: two parts, a payload that
	// is not base64url, a header that is not JSON, without alg, with an
	// algorithm not accepted.
	f.Add("a.b", "m", "r", "HS384")
	f.Add("e30.not base64.e30", "m", "r", "")
	f.Add(jwtMake(`x`, jwtClaims, "HS256", jwtSecret), "m", "r", "")
	f.Add(jwtMake(`{}`, jwtClaims, "HS256", jwtSecret), "m", "r", "")
	f.Add(jwtMake(`{"alg":"RS256"}`, jwtClaims, "HS256", jwtSecret), "m", "r", "RS256")
	f.Fuzz(func(t *testing.T, token, meetingID, recordID, alg string) {
		// Arbitrary input must never panic, and only a correctly signed
		// token may pass.
		if got, err := bbb.VerifyRecordingReady(token, jwtSecret); err == nil {
			if got == nil || got.MeetingID == "" || got.RecordID == "" {
				t.Fatalf("accepted without claims: %q", token)
			}
			parts := strings.Split(token, ".")
			if len(parts) != 3 {
				t.Fatalf("accepted %d parts", len(parts))
			}
		} else if !errors.Is(err, bbb.ErrInvalidJWT) {
			t.Fatalf("error does not match ErrInvalidJWT: %v", err)
		}

		// A token produced by SignRecordingReady always verifies.
		signed, err := bbb.SignRecordingReady(meetingID, recordID, jwtSecret, alg)
		if err != nil {
			if meetingID != "" && recordID != "" && utf8.ValidString(meetingID) && utf8.ValidString(recordID) &&
				(alg == "" || alg == "HS256" || alg == "HS384" || alg == "HS512") {
				t.Fatalf("sign refused valid input: %v", err)
			}
			return
		}
		got, err := bbb.VerifyRecordingReady(signed, jwtSecret, bbb.HS256, bbb.HS384, bbb.HS512)
		if err != nil {
			t.Fatalf("own token refused: %v", err)
		}
		if got.MeetingID != meetingID || got.RecordID != recordID {
			t.Fatalf("claims changed: %+v", got)
		}
		if _, err := bbb.VerifyRecordingReady(signed, jwtSecret+"x", bbb.HS256, bbb.HS384, bbb.HS512); err == nil {
			t.Fatal("verified with another secret")
		}
	})
}

// A recording-ready handler reads the signed_parameters form field and
// verifies it with the shared secret.
func ExampleVerifyRecordingReady() {
	// What BBB posts (here produced by SignRecordingReady, as a fake does).
	signed, _ := bbb.SignRecordingReady("webinar-42", "183f0bf3a0982a127bdb8161e0c44eb696b3e75c-1530718721124", "shared-secret", bbb.HS256)

	rr, err := bbb.VerifyRecordingReady(signed, "shared-secret")
	if err != nil {
		fmt.Println("refused")
		return
	}
	fmt.Println(rr.MeetingID, rr.RecordID)

	_, err = bbb.VerifyRecordingReady(signed, "another secret")
	fmt.Println(errors.Is(err, bbb.ErrInvalidJWT))
	// Output:
	// webinar-42 183f0bf3a0982a127bdb8161e0c44eb696b3e75c-1530718721124
	// true
}
