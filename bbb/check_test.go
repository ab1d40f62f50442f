package bbb_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bbbcast/bbbcast/bbb"
	"github.com/bbbcast/bbbcast/bbb/bbbtest"
)

// checkProbe is the query Check signs: the secret must never come out of
// it, nor any of its checksums.
const checkProbe = "meetingID=bbbcast-check"

// checkOpts make a retried call fast: the tests do not sleep.
var checkOpts = []bbb.Option{bbb.WithRetryWait(time.Millisecond, time.Millisecond)}

const hiddenVersion = `<response><returncode>SUCCESS</returncode><version>2.0</version><apiVersion>2.0</apiVersion></response>`

func TestClientCheck(t *testing.T) {
	t.Parallel()
	all := bbb.Algorithms
	tests := []struct {
		name string
		opts []bbbtest.Option
		// setup runs on the started server before the client is made;
		// it returns the client's secret when it is not the server's.
		setup func(*bbbtest.Server) string
		// down closes the server before Check.
		down bool

		wantErr      func(error) bool
		wantErrText  string // a part of the error's text
		wantVersion  string // "-" for no VersionInfo
		wantAlg      bbb.Algorithm
		wantAccepted []bbb.Algorithm
		wantRefused  []bbb.Algorithm
		wantProbes   int // signed calls the server answered (retries included)
	}{
		{
			name: "healthy", wantVersion: "3.0.0", wantAlg: bbb.SHA256,
			wantAccepted: all, wantProbes: 4,
		},
		{
			name: "healthy with sha1", opts: []bbbtest.Option{bbbtest.WithClientChecksum(bbb.SHA1)},
			wantVersion: "3.0.0", wantAlg: bbb.SHA1, wantAccepted: all, wantProbes: 4,
		},
		{
			name:        "own algorithm among fewer accepted",
			opts:        []bbbtest.Option{bbbtest.WithChecksumAlgorithms(bbb.SHA256, bbb.SHA512)},
			wantVersion: "3.0.0", wantAlg: bbb.SHA256,
			wantAccepted: []bbb.Algorithm{bbb.SHA256, bbb.SHA512}, wantRefused: []bbb.Algorithm{bbb.SHA1, bbb.SHA384},
			wantProbes: 4,
		},
		{
			name: "hidden version", wantVersion: "", wantAlg: bbb.SHA256, wantAccepted: all, wantProbes: 4,
			setup: func(s *bbbtest.Server) string {
				s.Fail("", bbbtest.Fault{Status: http.StatusOK, ContentType: "text/xml;charset=utf-8", Body: hiddenVersion})
				return ""
			},
		},
		{
			name: "a 503 on the signed call is retried", wantVersion: "3.0.0", wantAlg: bbb.SHA256,
			wantAccepted: all, wantProbes: 5,
			setup: func(s *bbbtest.Server) string {
				s.Fail("isMeetingRunning", bbbtest.Fault{Status: http.StatusServiceUnavailable, Times: 1})
				return ""
			},
		},
		{
			name: "wrong secret", wantVersion: "3.0.0", wantAlg: bbb.SHA256, wantProbes: 4,
			setup: func(*bbbtest.Server) string { return "not-the-server-secret" },
			wantErr: func(err error) bool {
				return errors.Is(err, bbb.ErrChecksum) && !errors.Is(err, bbb.ErrAlgorithmRefused)
			},
			wantErrText: "the shared secret is wrong",
		},
		{
			name: "client algorithm refused",
			opts: []bbbtest.Option{
				bbbtest.WithChecksumAlgorithms(bbb.SHA256, bbb.SHA512),
				bbbtest.WithClientChecksum(bbb.SHA1),
			},
			wantVersion: "3.0.0", wantAlg: bbb.SHA1,
			wantAccepted: []bbb.Algorithm{bbb.SHA256, bbb.SHA512}, wantRefused: []bbb.Algorithm{bbb.SHA1, bbb.SHA384},
			wantProbes: 4,
			wantErr: func(err error) bool {
				var are *bbb.AlgorithmRefusedError
				return errors.Is(err, bbb.ErrAlgorithmRefused) && !errors.Is(err, bbb.ErrChecksum) &&
					errors.As(err, &are) && are.Algorithm == bbb.SHA1 &&
					slices.Equal(are.Accepted, []bbb.Algorithm{bbb.SHA256, bbb.SHA512})
			},
			wantErrText: "refuses sha1 checksums; it accepts sha256, sha512",
		},
		{
			name: "BBB 2.5.7 refuses sha1", opts: []bbbtest.Option{bbbtest.WithVersion("2.5.7"), bbbtest.WithClientChecksum(bbb.SHA1)},
			wantVersion: "2.5.7", wantAlg: bbb.SHA1,
			wantAccepted: []bbb.Algorithm{bbb.SHA256}, wantRefused: []bbb.Algorithm{bbb.SHA1, bbb.SHA384, bbb.SHA512},
			wantProbes: 4,
			wantErr:    func(err error) bool { return errors.Is(err, bbb.ErrAlgorithmRefused) },
		},
		{
			name: "server down", down: true, wantVersion: "-", wantAlg: bbb.SHA256,
			wantErr: func(err error) bool { var te *bbb.TransportError; return errors.As(err, &te) },
		},
		{
			name: "HTML error page at the root", wantVersion: "-", wantAlg: bbb.SHA256,
			setup: func(s *bbbtest.Server) string {
				s.Fail("", bbbtest.Fault{Status: http.StatusBadGateway})
				return ""
			},
			wantErr:     isResponseError(http.StatusBadGateway),
			wantErrText: "HTML page instead of XML",
		},
		{
			name: "HTML page with 200 at the root", wantVersion: "-", wantAlg: bbb.SHA256,
			setup: func(s *bbbtest.Server) string {
				s.Fail("", bbbtest.Fault{Status: http.StatusOK, Body: "<!DOCTYPE html><html><body>Portal</body></html>"})
				return ""
			},
			wantErr:     isResponseError(http.StatusOK),
			wantErrText: "HTML page instead of XML",
		},
		{
			name: "HTML instead of XML on the signed call", wantVersion: "3.0.0", wantAlg: bbb.SHA256, wantProbes: 1,
			setup: func(s *bbbtest.Server) string {
				s.Fail("isMeetingRunning", bbbtest.Fault{Status: http.StatusOK, Body: "<html><body>Sign in</body></html>"})
				return ""
			},
			wantErr:     isResponseError(http.StatusOK),
			wantErrText: "HTML page instead of XML",
		},
		{
			name: "HTML 502 on the signed call, retried", wantVersion: "3.0.0", wantAlg: bbb.SHA256, wantProbes: 1 + bbb.DefaultRetries,
			setup: func(s *bbbtest.Server) string {
				s.Fail("isMeetingRunning", bbbtest.Fault{Status: http.StatusBadGateway})
				return ""
			},
			wantErr:     isResponseError(http.StatusBadGateway),
			wantErrText: "HTML page instead of XML",
		},
		{
			name: "HTML on another algorithm's call", wantVersion: "3.0.0", wantAlg: bbb.SHA256,
			wantAccepted: []bbb.Algorithm{bbb.SHA256}, wantProbes: 2,
			setup: func(s *bbbtest.Server) string {
				s.Fail("isMeetingRunning", bbbtest.Fault{Times: 1}) // no failure: the first answer is real
				s.Fail("isMeetingRunning", bbbtest.Fault{Status: http.StatusOK, Body: "<html></html>"})
				return ""
			},
			wantErr: isResponseError(http.StatusOK),
		},
		{
			name: "another FAILED answer", wantVersion: "3.0.0", wantAlg: bbb.SHA256, wantProbes: 1,
			setup: func(s *bbbtest.Server) string {
				s.Fail("isMeetingRunning", bbbtest.Fault{Key: "validationError", Message: "Meeting ID cannot contain ','"})
				return ""
			},
			wantErr: func(err error) bool { return errors.Is(err, bbb.ErrValidation) && !errors.Is(err, bbb.ErrChecksum) },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := bbbtest.NewServer(tt.opts...)
			t.Cleanup(srv.Close)
			secret := srv.Secret
			if tt.setup != nil {
				if s := tt.setup(srv); s != "" {
					secret = s
				}
			}
			c := checkClient(t, srv, secret)
			if tt.down {
				srv.Close()
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()

			sc, err := c.Check(ctx)
			t.Logf("%+v, %v", sc, err)

			if sc == nil {
				t.Fatal("Check returned a nil *ServerCheck")
			}
			switch {
			case tt.wantErr == nil && err != nil:
				t.Fatalf("Check: %v", err)
			case tt.wantErr != nil && (err == nil || !tt.wantErr(err)):
				t.Fatalf("Check error %T %v: not the one expected", err, err)
			}
			if err != nil {
				if !strings.Contains(err.Error(), tt.wantErrText) {
					t.Errorf("error %q does not say %q", err, tt.wantErrText)
				}
				assertNoSecret(t, err.Error(), srv, secret)
			}
			switch {
			case tt.wantVersion == "-" && sc.Version != nil:
				t.Errorf("Version %+v, want nil", sc.Version)
			case tt.wantVersion != "-" && (sc.Version == nil || sc.Version.BBBVersion != tt.wantVersion):
				t.Errorf("Version %+v, want BBBVersion %q", sc.Version, tt.wantVersion)
			}
			if sc.Algorithm != tt.wantAlg {
				t.Errorf("Algorithm %v, want %v", sc.Algorithm, tt.wantAlg)
			}
			if !slices.Equal(sc.Accepted, tt.wantAccepted) || !slices.Equal(sc.Refused, tt.wantRefused) {
				t.Errorf("Accepted %v Refused %v, want %v and %v", sc.Accepted, sc.Refused, tt.wantAccepted, tt.wantRefused)
			}
			if sc.SecretOK != (len(tt.wantAccepted) > 0) {
				t.Errorf("SecretOK %v with Accepted %v", sc.SecretOK, sc.Accepted)
			}
			if tt.wantProbes >= 1 && sc.RTT <= 0 {
				t.Errorf("RTT %v, want > 0", sc.RTT)
			}
			if tt.down {
				return
			}
			probes := srv.RequestsFor("isMeetingRunning")
			if len(probes) != tt.wantProbes {
				t.Errorf("%d signed calls, want %d: %+v", len(probes), tt.wantProbes, probes)
			}
			for _, p := range probes {
				if p.Method != http.MethodGet || !strings.HasPrefix(p.Query, checkProbe+"&checksum=") {
					t.Errorf("probe %s ?%s", p.Method, p.Query)
				}
			}
			if _, ok := srv.Meeting("bbbcast-check"); ok {
				t.Error("Check created a meeting")
			}
		})
	}
}

// TestClientCheckSignsEachAlgorithm checks that each probe is signed with
// its own algorithm (by the checksum's length), the client's first.
func TestClientCheckSignsEachAlgorithm(t *testing.T) {
	t.Parallel()
	tests := []struct {
		alg  bbb.Algorithm
		want []int
	}{
		{bbb.SHA1, []int{40, 64, 96, 128}},
		{bbb.SHA256, []int{64, 40, 96, 128}},
		{bbb.SHA384, []int{96, 40, 64, 128}},
		{bbb.SHA512, []int{128, 40, 64, 96}},
	}
	for _, tt := range tests {
		t.Run(tt.alg.String(), func(t *testing.T) {
			t.Parallel()
			srv := bbbtest.NewServer(bbbtest.WithClientChecksum(tt.alg))
			t.Cleanup(srv.Close)
			var seen []int
			mt := &recordingTransport{base: http.DefaultTransport, seen: func(r *http.Request) {
				if sum := r.URL.Query().Get("checksum"); sum != "" {
					seen = append(seen, len(sum))
				}
			}}
			c, err := bbb.NewClient(srv.URL, srv.Secret, bbb.WithInsecureHTTP(), bbb.WithChecksum(tt.alg),
				bbb.WithHTTPClient(&http.Client{Transport: mt}))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.Check(context.Background()); err != nil {
				t.Fatal(err)
			}
			if len(seen) != len(tt.want) {
				t.Fatalf("checksum lengths %v, want %v", seen, tt.want)
			}
			for i := range seen {
				if seen[i] != tt.want[i] {
					t.Fatalf("checksum lengths %v, want %v", seen, tt.want)
				}
			}
		})
	}
}

func TestClientCheckCancelled(t *testing.T) {
	t.Parallel()
	srv := bbbtest.NewServer()
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	sc, err := srv.Client().Check(ctx)
	if sc == nil || !errors.Is(err, context.Canceled) {
		t.Fatalf("Check with a cancelled context: %+v, %v", sc, err)
	}
	if sc.Version != nil || sc.SecretOK {
		t.Errorf("learned %+v from no request", sc)
	}
	var none context.Context
	if sc, err := srv.Client().Check(none); sc == nil || !errors.Is(err, bbb.ErrNilContext) {
		t.Fatalf("Check with a nil context: %+v, %v", sc, err)
	}
}

func TestAlgorithmRefusedError(t *testing.T) {
	t.Parallel()
	var err error = &bbb.AlgorithmRefusedError{Algorithm: bbb.SHA1, Accepted: []bbb.Algorithm{bbb.SHA256}}
	if !errors.Is(err, bbb.ErrAlgorithmRefused) || errors.Is(err, bbb.ErrChecksum) {
		t.Errorf("errors.Is: %v", err)
	}
	const want = "bbb: check: the secret is right but the server refuses sha1 checksums; it accepts sha256 (use WithChecksum)"
	if err.Error() != want {
		t.Errorf("Error() = %q, want %q", err, want)
	}
}

// checkClient is a client of srv with secret, retrying without waiting.
func checkClient(t *testing.T, srv *bbbtest.Server, secret string) *bbb.Client {
	t.Helper()
	if secret == srv.Secret {
		return srv.Client(checkOpts...)
	}
	opts := append([]bbb.Option{bbb.WithInsecureHTTP(), bbb.WithChecksum(srv.Client().Algorithm()),
		bbb.WithHTTPClient(srv.HTTPClient())}, checkOpts...)
	c, err := bbb.NewClient(srv.URL, secret, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// assertNoSecret fails when msg holds the secrets, a checksum of Check's
// probe or a signed URL.
func assertNoSecret(t *testing.T, msg string, srv *bbbtest.Server, secret string) {
	t.Helper()
	bad := []string{srv.Secret, secret, "checksum=", "?" + checkProbe, srv.URL + "/api/isMeetingRunning"}
	for _, s := range []string{srv.Secret, secret} {
		for _, alg := range bbb.Algorithms {
			bad = append(bad, bbb.Sign(alg, "isMeetingRunning", checkProbe, s))
		}
	}
	for _, b := range bad {
		if strings.Contains(msg, b) {
			t.Errorf("error %q holds %q", msg, b)
		}
	}
}

func isResponseError(status int) func(error) bool {
	return func(err error) bool {
		var re *bbb.ResponseError
		return errors.As(err, &re) && re.StatusCode == status
	}
}

// recordingTransport calls seen with each request before sending it.
type recordingTransport struct {
	base http.RoundTripper
	seen func(*http.Request)
}

func (r *recordingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	r.seen(req)
	return r.base.RoundTrip(req)
}
