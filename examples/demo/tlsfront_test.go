package main

import (
	"context"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bbbcast/bbbcast/gateway"
	"github.com/bbbcast/bbbcast/webinar"
)

// tlsFront is a TLS reverse proxy on loopback, with a self-signed
// certificate, in front of a demo started later (setTarget).
type tlsFront struct {
	*httptest.Server
	target atomic.Pointer[url.URL]
	caFile string // its certificate, PEM
}

func newTLSFront(t *testing.T) *tlsFront {
	t.Helper()
	f := &tlsFront{}
	f.Server = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		httputil.NewSingleHostReverseProxy(f.target.Load()).ServeHTTP(w, r)
	}))
	t.Cleanup(f.Close)
	f.caFile = filepath.Join(t.TempDir(), "front.pem")
	cert := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: f.Certificate().Raw})
	if err := os.WriteFile(f.caFile, cert, 0o600); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *tlsFront) setTarget(t *testing.T, local string) {
	u, err := url.Parse(local)
	if err != nil {
		t.Fatal(err)
	}
	f.target.Store(u)
}

// startBehindFront starts a demo whose public URL is the front's.
func startBehindFront(t *testing.T, trust bool) (*demoServer, *tlsFront) {
	t.Helper()
	front := newTLSFront(t)
	d := startDemo(t, func(o *options) {
		o.PublicURL = front.URL
		if trust {
			o.CAFile = front.caFile
		}
	})
	front.setTarget(t, d.Local)
	return d, front
}

// liveThroughService starts a webinar as Ada through the library, and
// waits for the stand-in bot.
func liveThroughService(t *testing.T, d *demoServer) webinar.Webinar {
	t.Helper()
	ctx := context.Background()
	ada, _ := findUser("ada")
	w, err := d.app.svc.Create(ctx, ada.User, webinar.Draft{Title: "Behind a TLS front", ChatEnabled: true,
		Slot: gateway.Slot{Start: slotStart(time.Now()), End: slotStart(time.Now().Add(time.Hour))}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.app.svc.Start(ctx, ada.User, w.ID); err != nil {
		t.Fatal(err)
	}
	d.settle()
	return d.webinar(t, w.ID)
}

// botInMeeting reports whether the stand-in bot is in w's meeting.
func botInMeeting(d *demoServer, w webinar.Webinar) bool {
	m, ok := d.app.fakes.bbb.Meeting(w.MeetingID)
	if !ok {
		return false
	}
	for _, at := range m.Attendees {
		if at.FullName == webinar.BotName {
			return true
		}
	}
	return false
}

// TestStandInBotBehindTLSFront: with a public URL behind a TLS front
// whose certificate -ca-file names, the stand-in bot joins; without it,
// the log says what to do, and never the bot page's URL.
func TestStandInBotBehindTLSFront(t *testing.T) {
	t.Parallel()
	for _, trust := range []bool{true, false} {
		t.Run(map[bool]string{true: "trusted", false: "untrusted"}[trust], func(t *testing.T) {
			t.Parallel()
			d, _ := startBehindFront(t, trust)
			w := liveThroughService(t, d)
			if w.State != webinar.Live {
				t.Fatalf("webinar %s: %s", w.State, w.FailReason)
			}
			if got := botInMeeting(d, w); got != trust {
				t.Errorf("bot in the meeting: %t, want %t\n%s", got, trust, d.logs.String())
			}
			logs := d.logs.String()
			if strings.Contains(logs, w.BotSecret.Reveal()) || strings.Contains(logs, "/bot/") {
				t.Errorf("the bot page's URL reached the log:\n%s", logs)
			}
			if !trust && !strings.Contains(logs, "give its CA with -ca-file (DEMO_CA_FILE)") {
				t.Errorf("the log does not say what to do:\n%s", logs)
			}
		})
	}
}

// TestHealthBehindTLSFront: the health check reaches the public URL
// through the front, trusting -ca-file.
func TestHealthBehindTLSFront(t *testing.T) {
	t.Parallel()
	d, _ := startBehindFront(t, true)
	r := d.app.svc.Check(context.Background())
	if r.Severity() != webinar.SeverityOK {
		t.Errorf("behind a trusted TLS front:\n%s", r)
	}
}
