package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bbbcast/bbbcast/bbb"
)

func TestCheckLoopback(t *testing.T) {
	t.Parallel()
	tests := []struct {
		addr string
		ok   bool
	}{
		{"127.0.0.1:8090", true},
		{"127.0.0.2:0", true},
		{"[::1]:8090", true},
		{"localhost:8090", true},
		{"LOCALHOST:8090", true},
		{"0.0.0.0:8090", false},
		{":8090", false},
		{"[::]:8090", false},
		{"10.0.0.1:8090", false},
		{"bbb.example:8090", false},
		{"127.0.0.1", false}, // no port
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			t.Parallel()
			if err := checkLoopback(tt.addr); (err == nil) != tt.ok {
				t.Errorf("checkLoopback(%q) = %v, want ok %v", tt.addr, err, tt.ok)
			}
		})
	}
}

func TestParseAlgorithms(t *testing.T) {
	t.Parallel()
	tests := []struct {
		list string
		want []bbb.Algorithm
		err  string
	}{
		{"sha1,sha256,sha384,sha512", []bbb.Algorithm{bbb.SHA1, bbb.SHA256, bbb.SHA384, bbb.SHA512}, ""},
		{"SHA1", []bbb.Algorithm{bbb.SHA1}, ""},
		{" sha512 , sha1 ", []bbb.Algorithm{bbb.SHA512, bbb.SHA1}, ""},
		{"md5", nil, "unknown algorithm"},
		{" , ", nil, "no algorithm"},
	}
	for _, tt := range tests {
		t.Run(tt.list, func(t *testing.T) {
			t.Parallel()
			got, err := parseAlgorithms(tt.list)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Errorf("error %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || len(got) != len(tt.want) {
				t.Fatalf("%v, %v; want %v", got, err, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("%v, want %v", got, tt.want)
				}
			}
		})
	}
}

func TestRunRefuses(t *testing.T) {
	t.Parallel()
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { busy.Close() })
	tests := []struct {
		name string
		args []string
		err  string
	}{
		{"all interfaces", []string{"-addr", ":0"}, "not a loopback address"},
		{"remote address", []string{"-addr", "0.0.0.0:0"}, "-allow-remote"},
		{"address in use", []string{"-addr", busy.Addr().String()}, "failed to listen"},
		{"bad version", []string{"-addr", "127.0.0.1:0", "-version", "three"}, "three"},
		{"bad algorithm", []string{"-addr", "127.0.0.1:0", "-checksum", "sha1,md5"}, "md5"},
		{"bad public URL", []string{"-addr", "127.0.0.1:0", "-public-url", "bbb.test:8090"}, "public URL"},
		{"extra argument", []string{"serve"}, "unexpected argument"},
		{"unknown flag", []string{"-port", "1"}, "flag provided but not defined"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := run(context.Background(), tt.args, io.Discard, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("run(%q) = %v, want an error with %q", tt.args, err, tt.err)
			}
		})
	}
}

var startLine = regexp.MustCompile(`^fakebbb: URL: (http://\S+)/bigbluebutton/ Secret: (\S+) \(BBB (\S+), control (\S+), listening on (\S+)\)$`)

// serve runs the command until the test ends and returns its start line's
// submatches: URL base, secret, version, control URL, listening address.
func serve(t *testing.T, args ...string) []string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, args, pw, io.Discard)
		pw.Close()
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
	})
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("start line: %v (%v)", err, <-done)
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	m := startLine.FindStringSubmatch(strings.TrimSuffix(line, "\n"))
	if m == nil {
		t.Fatalf("start line %q", line)
	}
	return m[1:]
}

func noRedirect() *http.Client {
	return &http.Client{
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

func TestRunServes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		args      []string
		alg       bbb.Algorithm
		refused   bbb.Algorithm
		version   string
		redirects string // prefix of join's Location, "" for the listening address
	}{
		{"defaults", []string{"-addr", "127.0.0.1:0", "-secret", "s3cret"}, bbb.SHA1, 0, "3.0.0", ""},
		{"SHA-256 only, 2.7, public URL", []string{"-addr", "localhost:0", "-secret", "s3cret", "-checksum", "sha256",
			"-version", "2.7.3", "-public-url", "http://bbb.test:8090/"}, bbb.SHA256, bbb.SHA1, "2.7.3", "http://bbb.test:8090"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := serve(t, tt.args...)
			base, secret, version, control, listen := m[0], m[1], m[2], m[3], "http://"+m[4]
			if secret != "s3cret" || version != tt.version {
				t.Errorf("start line: %q", m)
			}
			redirects := tt.redirects
			if redirects == "" {
				redirects = base
			}
			if control != redirects+"/_control/" {
				t.Errorf("control %q", control)
			}
			c := noRedirect()
			signed := func(alg bbb.Algorithm, call, q string) *http.Response {
				t.Helper()
				resp, err := c.Get(listen + "/bigbluebutton/api/" + call + "?" + q + "&checksum=" + bbb.Sign(alg, call, q, "s3cret"))
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { resp.Body.Close() })
				return resp
			}
			if resp := signed(tt.alg, "create", "name=Demo&meetingID=demo"); resp.StatusCode != http.StatusOK {
				t.Fatalf("create: HTTP %d", resp.StatusCode)
			}
			resp := signed(tt.alg, "join", "fullName=Ada&meetingID=demo&role=MODERATOR")
			if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusFound ||
				!strings.HasPrefix(loc, redirects+"/html5client/join?sessionToken=") {
				t.Errorf("join: HTTP %d Location %q", resp.StatusCode, loc)
			}
			if tt.refused != 0 {
				b, _ := io.ReadAll(signed(tt.refused, "getMeetings", "").Body)
				if !strings.Contains(string(b), "checksumError") {
					t.Errorf("%v accepted: %s", tt.refused, b)
				}
			}
			r, err := c.Get(listen + "/_control/meetings")
			if err != nil {
				t.Fatal(err)
			}
			defer r.Body.Close()
			var v struct {
				Meetings []struct {
					MeetingID string `json:"meetingID"`
				} `json:"meetings"`
			}
			if err := json.NewDecoder(r.Body).Decode(&v); err != nil || len(v.Meetings) != 1 || v.Meetings[0].MeetingID != "demo" {
				t.Errorf("control meetings: %+v %v", v, err)
			}
		})
	}
}

// -permanent-hook registers a hook at start; -webhook-bearer signs its
// deliveries with the secret as a bearer token instead of a checksum.
func TestRunWebhookFlags(t *testing.T) {
	t.Parallel()
	got := make(chan *http.Request, 4)
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := bbb.VerifyWebhook(r, "", "s3cret"); err != nil {
			w.WriteHeader(http.StatusForbidden)
		}
		got <- r
	}))
	t.Cleanup(rcv.Close)
	m := serve(t, "-addr", "127.0.0.1:0", "-secret", "s3cret", "-webhook-bearer", "-permanent-hook", rcv.URL+"/hook")
	base, control := m[0], m[3]

	resp, err := http.Get(control + "hooks")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `"callbackURL":"`+rcv.URL+`/hook","meetingID":"","eventIDs":[],"permanentHook":true`) {
		t.Fatalf("hooks: %s", body)
	}
	q := "name=M1&meetingID=m1"
	resp, err = http.Get(base + "/bigbluebutton/api/create?" + q + "&checksum=" + bbb.Sign(bbb.SHA1, "create", q, "s3cret"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	select {
	case r := <-got:
		if r.Header.Get("Authorization") != "Bearer s3cret" || r.URL.RawQuery != "" {
			t.Errorf("delivery: Authorization %q, query %q", r.Header.Get("Authorization"), r.URL.RawQuery)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no delivery")
	}
}
