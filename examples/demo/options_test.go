package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// demoEnv are the variables parseOptions reads.
var demoEnv = []string{"DEMO_ADDR", "DEMO_DATA", "DEMO_PUBLIC_URL", "DEMO_ASSETS", "DEMO_TIMEZONE",
	"BBB_URL", "BBB_SECRET", "DEMO_CHAT_RELAY", "DEMO_CALLBACK_KEY", "DEMO_CA_FILE"}

// clearEnv unsets the demo's variables for the test (which therefore
// cannot run in parallel).
func clearEnv(t *testing.T) {
	for _, k := range demoEnv {
		t.Setenv(k, "") // restores the value after the test
		os.Unsetenv(k)
	}
}

// TestParseOptionsDefaults runs without the environment: not parallel.
func TestParseOptionsDefaults(t *testing.T) {
	clearEnv(t)
	var stderr bytes.Buffer
	o, err := parseOptions(nil, &stderr)
	if err != nil {
		t.Fatal(err)
	}
	want := options{Addr: "127.0.0.1:8080", Data: "demo-data", Assets: "examples/demo", Timezone: "Local",
		FakeGateways: 2, FakeStartDelay: 2 * time.Second}
	if o != want {
		t.Errorf("defaults:\n got %+v\nwant %+v", o, want)
	}
	if stderr.Len() != 0 {
		t.Errorf("stderr: %q", stderr.String())
	}
}

// TestParseOptionsEnv: the variables set the defaults, the flags win.
func TestParseOptionsEnv(t *testing.T) {
	clearEnv(t)
	env := map[string]string{
		"DEMO_ADDR": "0.0.0.0:9999", "DEMO_DATA": "/tmp/d", "DEMO_PUBLIC_URL": "https://demo.example",
		"DEMO_ASSETS": "/srv/assets", "DEMO_TIMEZONE": "Europe/Paris", "BBB_URL": "https://bbb.example/bigbluebutton",
		"BBB_SECRET": "s3cret", "DEMO_CHAT_RELAY": "bot", "DEMO_CALLBACK_KEY": strings.Repeat("k", 32),
		"DEMO_CA_FILE": "/etc/portal-ca.pem",
	}
	for k, v := range env {
		t.Setenv(k, v)
	}

	o, err := parseOptions(nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	want := options{Addr: "0.0.0.0:9999", Data: "/tmp/d", PublicURL: "https://demo.example", Assets: "/srv/assets",
		Timezone: "Europe/Paris", BBBURL: "https://bbb.example/bigbluebutton", BBBSecret: "s3cret", ChatRelay: "bot",
		FakeGateways: 2, FakeStartDelay: 2 * time.Second, CallbackKey: strings.Repeat("k", 32), CAFile: "/etc/portal-ca.pem"}
	if o != want {
		t.Errorf("from the environment:\n got %+v\nwant %+v", o, want)
	}

	o, err = parseOptions([]string{"-addr", "127.0.0.1:1", "-data", "x", "-public-url", "http://p", "-assets", "a",
		"-timezone", "UTC", "-bbb-url", "https://other.example/bigbluebutton", "-bbb-secret", "flag-secret",
		"-chat-relay", "bbb", "-ca-file", "ca.pem"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	want = options{Addr: "127.0.0.1:1", Data: "x", PublicURL: "http://p", Assets: "a", Timezone: "UTC",
		BBBURL: "https://other.example/bigbluebutton", BBBSecret: "flag-secret", ChatRelay: "bbb",
		FakeGateways: 2, FakeStartDelay: 2 * time.Second, CallbackKey: strings.Repeat("k", 32), CAFile: "ca.pem"}
	if o != want {
		t.Errorf("flags over the environment:\n got %+v\nwant %+v", o, want)
	}
}

// TestParseOptionsEnvErrors: the variables are checked as the flags are.
func TestParseOptionsEnvErrors(t *testing.T) {
	cases := []struct {
		name  string
		env   map[string]string
		args  []string
		wants []string
	}{
		{"BBB_URL without secret", map[string]string{"BBB_URL": "https://bbb.example/bigbluebutton"}, nil,
			[]string{"-bbb-url", "BBB_SECRET"}},
		{"-bbb-url without secret", nil, []string{"-bbb-url", "https://bbb.example/bigbluebutton"},
			[]string{"-bbb-url", "BBB_SECRET"}},
		{"empty BBB_SECRET", map[string]string{"BBB_SECRET": ""}, []string{"-bbb-url", "https://bbb.example/bigbluebutton"},
			[]string{"-bbb-url", "BBB_SECRET"}},
		{"DEMO_CHAT_RELAY", map[string]string{"DEMO_CHAT_RELAY": "pigeon"}, nil, []string{"-chat-relay", `"pigeon"`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			clearEnv(t)
			for k, v := range c.env {
				t.Setenv(k, v)
			}
			_, err := parseOptions(c.args, io.Discard)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range c.wants {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not name %q", err, w)
				}
			}
		})
	}
	t.Run("BBB_SECRET alone", func(t *testing.T) {
		clearEnv(t)
		t.Setenv("BBB_SECRET", "from-env")
		o, err := parseOptions([]string{"-bbb-url", "https://bbb.example/bigbluebutton"}, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		if o.BBBSecret != "from-env" {
			t.Errorf("BBBSecret %q", o.BBBSecret)
		}
	})
}

// TestParseOptionsFlags only passes flags that no variable overrides, so
// it runs in parallel.
func TestParseOptionsFlags(t *testing.T) {
	t.Parallel()
	o, err := parseOptions([]string{"-fake-gateways", "5", "-fake-start-delay", "150ms", "-chat-relay", "bot",
		"-addr", "127.0.0.1:0", "-data", "d", "-timezone", "UTC"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if o.FakeGateways != 5 || o.FakeStartDelay != 150*time.Millisecond || o.ChatRelay != "bot" ||
		o.Addr != "127.0.0.1:0" || o.Data != "d" || o.Timezone != "UTC" {
		t.Errorf("flags: %+v", o)
	}
	for n, arg := range map[int]string{0: "0", 20: "20"} {
		o, err := parseOptions([]string{"-fake-gateways", arg, "-chat-relay", ""}, io.Discard)
		if err != nil || o.FakeGateways != n {
			t.Errorf("-fake-gateways %s: %d, %v", arg, o.FakeGateways, err)
		}
	}
}

func TestParseOptionsErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		args   []string
		wants  []string // in the error
		stderr string   // in what the flag package wrote
	}{
		{"unknown chat relay", []string{"-chat-relay", "pigeon"}, []string{"-chat-relay", `"pigeon"`, "bot", "bbb"}, ""},
		{"chat relay case", []string{"-chat-relay", "BBB"}, []string{"-chat-relay", `"BBB"`}, ""},
		{"too many fake gateways", []string{"-fake-gateways", "21"}, []string{"-fake-gateways", "between 0 and 20"}, ""},
		{"negative fake gateways", []string{"-fake-gateways", "-1"}, []string{"-fake-gateways", "between 0 and 20"}, ""},
		{"fake gateways not a number", []string{"-fake-gateways", "two"}, []string{"-fake-gateways", `"two"`}, "-fake-gateways"},
		{"bad start delay", []string{"-fake-start-delay", "soon"}, []string{"-fake-start-delay", `"soon"`}, "Usage"},
		{"extra argument", []string{"-chat-relay", "bbb", "serve"}, []string{"unexpected argument", `"serve"`}, ""},
		{"argument before flags", []string{"serve", "-addr", ":1"}, []string{"unexpected argument", `"serve"`}, ""},
		{"unknown flag", []string{"-port", "80"}, []string{"-port"}, "flag provided but not defined"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var stderr bytes.Buffer
			_, err := parseOptions(c.args, &stderr)
			if err == nil {
				t.Fatalf("%q: no error", c.args)
			}
			for _, w := range c.wants {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%q: error %q does not name %q", c.args, err, w)
				}
			}
			if c.stderr != "" && !strings.Contains(stderr.String(), c.stderr) {
				t.Errorf("%q: stderr %q lacks %q", c.args, stderr.String(), c.stderr)
			}
		})
	}
	t.Run("help", func(t *testing.T) {
		t.Parallel()
		var stderr bytes.Buffer
		_, err := parseOptions([]string{"-h"}, &stderr)
		if !errors.Is(err, flag.ErrHelp) {
			t.Fatalf("-h: %v", err)
		}
		for _, f := range []string{"-addr", "-bbb-url", "-bbb-secret", "-chat-relay", "-fake-gateways", "BBB_SECRET", "DEMO_ADDR"} {
			if !strings.Contains(stderr.String(), f) {
				t.Errorf("usage lacks %s:\n%s", f, stderr.String())
			}
		}
	})
}

// TestNewAppErrors: what newApp refuses names the option.
func TestNewAppErrors(t *testing.T) {
	t.Parallel()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	cases := []struct {
		name string
		o    options
		want string
	}{
		{"time zone", options{Data: t.TempDir(), Timezone: "Mars/Olympus", FakeGateways: 1}, "-timezone"},
		{"short callback key", options{Data: t.TempDir(), Timezone: "UTC", FakeGateways: 1, CallbackKey: "short"}, "DEMO_CALLBACK_KEY"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, err := newApp(context.Background(), c.o, "http://127.0.0.1:1", logger)
			if err == nil {
				a.Close()
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not name %s", err, c.want)
			}
		})
	}
}

// TestCallbackKeyKept: the generated key survives a restart, private.
func TestCallbackKeyKept(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	k1, err := callbackKey(options{Data: dir})
	if err != nil {
		t.Fatal(err)
	}
	k2, err := callbackKey(options{Data: dir})
	if err != nil {
		t.Fatal(err)
	}
	if len(k1) != 32 || !bytes.Equal(k1, k2) {
		t.Errorf("keys %x and %x", k1, k2)
	}
	st, err := os.Stat(filepath.Join(dir, "callback.key"))
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("callback.key mode %v", st.Mode().Perm())
	}
	given := strings.Repeat("x", 40)
	if k, err := callbackKey(options{Data: dir, CallbackKey: given}); err != nil || string(k) != given {
		t.Errorf("given key: %q, %v", k, err)
	}
}

// TestRun serves the portal until its context ends.
func TestRun(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	o := options{Addr: "127.0.0.1:0", Data: t.TempDir(), Assets: t.TempDir(), Timezone: "UTC", FakeGateways: 1}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, o, slog.New(slog.NewTextHandler(io.Discard, nil)), pw)
		pw.Close()
	}()
	sc := bufio.NewScanner(pr)
	if !sc.Scan() {
		t.Fatalf("no output: %v", <-done)
	}
	line := sc.Text()
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	if !strings.HasPrefix(line, "bbbcast demo (fake BigBlueButton and SIPMediaGW") {
		t.Fatalf("first line %q", line)
	}
	i := strings.Index(line, " on http://")
	if i < 0 {
		t.Fatalf("no URL in %q", line)
	}
	u := strings.TrimSpace(line[i+len(" on "):])
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET %s: %s", u, resp.Status)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not return after its context ended")
	}
}
