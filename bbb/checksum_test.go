package bbb

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The vector of BBB's API documentation.
const (
	docSecret = "639259d4-9dd8-4b25-bf01-95f9567eaf4b"
	docQuery  = "name=Test+Meeting&meetingID=abc123&attendeePW=111222&moderatorPW=333444"
	docSHA1   = "1fcbb0c4fc1f039f73aa6d697d2db9ba7f803f17"
)

func TestSignDocumentationVector(t *testing.T) {
	t.Parallel()
	assert.Equal(t, docSHA1, Sign(SHA1, "create", docQuery, docSecret))
	require.NoError(t, Verify("create", docQuery+"&checksum="+docSHA1, docSecret))
}

func TestSignVerifyRoundTrip(t *testing.T) {
	t.Parallel()
	for _, alg := range Algorithms {
		t.Run(alg.String(), func(t *testing.T) {
			t.Parallel()
			sum := Sign(alg, "create", docQuery, docSecret)
			assert.Len(t, sum, alg.HexLen())
			assert.Equal(t, strings.ToLower(sum), sum)
			got, ok := AlgorithmForLength(len(sum))
			require.True(t, ok)
			assert.Equal(t, alg, got)
			require.NoError(t, Verify("create", docQuery+"&checksum="+sum, docSecret))
			require.NoError(t, Verify("create", docQuery+"&checksum="+sum, docSecret, alg))
		})
	}
}

func TestVerify(t *testing.T) {
	t.Parallel()
	sum := Sign(SHA256, "create", docQuery, docSecret)
	sum1 := Sign(SHA1, "create", docQuery, docSecret)
	empty := Sign(SHA256, "getMeetings", "", docSecret)
	first, rest, _ := strings.Cut(docQuery, "&")
	tests := []struct {
		name    string
		call    string
		query   string
		allowed []Algorithm
		reason  string // "" when valid
	}{
		{"checksum last", "create", docQuery + "&checksum=" + sum, nil, ""},
		{"checksum first", "create", "checksum=" + sum + "&" + docQuery, nil, ""},
		{"checksum in the middle", "create", first + "&checksum=" + sum + "&" + rest, nil, ""},
		{"empty query", "getMeetings", "checksum=" + empty, nil, ""},
		{"sha1 allowed", "create", docQuery + "&checksum=" + sum1, []Algorithm{SHA1, SHA256}, ""},
		{"sha1 not allowed", "create", docQuery + "&checksum=" + sum1, []Algorithm{SHA256}, "not accepted"},
		{"missing", "create", docQuery, nil, "missing"},
		{"empty value", "create", docQuery + "&checksum=", nil, "missing"},
		{"duplicate", "create", docQuery + "&checksum=" + sum + "&checksum=" + sum, nil, "more than one"},
		{"wrong call", "join", docQuery + "&checksum=" + sum, nil, "does not match"},
		{"tampered query", "create", strings.Replace(docQuery, "abc123", "abc124", 1) + "&checksum=" + sum, nil, "does not match"},
		{"re-encoded space", "create", strings.Replace(docQuery, "+", "%20", 1) + "&checksum=" + sum, nil, "does not match"},
		{"upper-case hex", "create", docQuery + "&checksum=" + strings.ToUpper(sum), nil, "does not match"},
		{"odd length", "create", docQuery + "&checksum=" + sum[:63], nil, "length"},
		{"wrong secret", "create", docQuery + "&checksum=" + Sign(SHA256, "create", docQuery, "other"), nil, "does not match"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := Verify(tt.call, tt.query, docSecret, tt.allowed...)
			if tt.reason == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.True(t, errors.Is(err, ErrChecksum), "matches ErrChecksum")
			var ce *ChecksumError
			require.ErrorAs(t, err, &ce)
			assert.Contains(t, ce.Reason, tt.reason)
			assert.NotContains(t, err.Error(), docSecret)
		})
	}
}

func TestAlgorithmNames(t *testing.T) {
	t.Parallel()
	for _, a := range Algorithms {
		got, err := ParseAlgorithm(strings.ToUpper(a.String()))
		require.NoError(t, err)
		assert.Equal(t, a, got)
	}
	_, err := ParseAlgorithm("md5")
	require.Error(t, err)
	_, ok := AlgorithmForLength(32)
	assert.False(t, ok)
	assert.Equal(t, "Algorithm(9)", Algorithm(9).String())
}

func TestQueryEscapeIsStrict(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"Test Meeting":  "Test+Meeting",
		"it's (me)!*":   "it%27s+%28me%29%21%2A",
		"a&b=c?d/e:f@g": "a%26b%3Dc%3Fd%2Fe%3Af%40g",
		"-_.~AZaz09":    "-_.~AZaz09",
		"é":             "%C3%A9",
		"100%":          "100%25",
		"+":             "%2B",
	}
	for in, want := range tests {
		got := string(appendQueryEscape(nil, in))
		assert.Equal(t, want, got, in)
	}
}

// Verifying a usual request allocates nothing, whichever the algorithm
// and wherever the checksum pair is.
func TestVerifyAllocatesNothing(t *testing.T) {
	for _, alg := range Algorithms {
		sum := Sign(alg, "create", docQuery, docSecret)
		first, rest, _ := strings.Cut(docQuery, "&")
		for _, q := range []string{docQuery + "&checksum=" + sum, "checksum=" + sum + "&" + docQuery, first + "&checksum=" + sum + "&" + rest} {
			allocs := testing.AllocsPerRun(50, func() {
				if err := Verify("create", q, docSecret, alg); err != nil {
					t.Fatal(err)
				}
			})
			assert.Zero(t, allocs, "%s: %s", alg, q)
		}
	}
}

// A query too long for Verify's stack buffer is checked the same way.
func TestVerifyLongQuery(t *testing.T) {
	t.Parallel()
	query := "meetingID=m&welcome=" + strings.Repeat("x", 3*verifyStackSize)
	for _, alg := range Algorithms {
		sum := Sign(alg, "create", query, docSecret)
		require.NoError(t, Verify("create", query+"&checksum="+sum, docSecret))
		require.NoError(t, Verify("create", "checksum="+sum+"&"+query, docSecret, alg))
		for _, bad := range []string{
			query + "x&checksum=" + sum,
			query + "&checksum=" + sum + "&checksum=" + sum,
			query + "&checksum=" + strings.ToUpper(sum),
			query + "&checksum=" + sum[1:],
			query,
		} {
			require.ErrorIs(t, Verify("create", bad, docSecret), ErrChecksum)
		}
		require.ErrorIs(t, Verify("create", query+"&checksum="+sum, docSecret+"x"), ErrChecksum)
	}
}
