package main

import (
	"bytes"
	"context"
	"encoding/json"
	"html"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/bbbcast/bbbcast/webinar"
)

// healthRows are the results of the health page, as "severity: message".
func healthRows(t *testing.T, v *visitor) string {
	t.Helper()
	res := v.get("/admin/health")
	if res.status != http.StatusOK {
		t.Fatalf("health page: %d\n%s", res.status, pageError(res.body))
	}
	return html.UnescapeString(res.body)
}

func TestHealthPage(t *testing.T) {
	t.Parallel()
	d := startDemo(t, nil)
	grace := d.signedIn(t, "grace")

	body := healthRows(t, grace)
	wantContains(t, "health page", body, "all 8 checks passed", "the secret is right", "Fake gateway 1", "Fake gateway 2",
		"the service answers at PublicURL with the same callback key", "Break the fakes", "BBB: the shared secret is wrong")
	wantAbsent(t, "health page", body, `<span class="badge failed">error</span>`)
	for _, gw := range d.app.fakes.gws {
		wantAbsent(t, "health page", body, gw.Token)
	}
	wantAbsent(t, "health page", body, "rtmp://", "bbbcast_token")

	res := grace.get("/admin/health?format=json")
	var doc struct {
		Status  string `json:"status"`
		Results []struct{ Kind, Status, Message string }
	}
	if err := json.Unmarshal([]byte(res.body), &doc); err != nil {
		t.Fatalf("JSON report: %v\n%s", err, res.body)
	}
	if doc.Status != string(webinar.SeverityOK) || len(doc.Results) != 8 {
		t.Errorf("JSON report: status %q, %d results\n%s", doc.Status, len(doc.Results), res.body)
	}

	for _, who := range []string{"ada", "sam"} {
		v := d.signedIn(t, who)
		if res := v.get("/admin/health"); res.status != http.StatusForbidden {
			t.Errorf("%s GET /admin/health: %d, want 403", who, res.status)
		}
		if res := v.post("/admin/health/faults/bbb-secret", url.Values{"on": {"1"}}); res.status != http.StatusForbidden {
			t.Errorf("%s breaks a fake: %d, want 403", who, res.status)
		}
	}
	if d.app.fakes.faultOn("bbb-secret") {
		t.Error("a non-admin turned a failure on")
	}
	if res := grace.post("/admin/health/faults/no-such", url.Values{"on": {"1"}}); res.status != http.StatusNotFound {
		t.Errorf("unknown failure: %d, want 404", res.status)
	}
}

// TestHealthFaults turns each failure of the fakes on and finds it said
// in words, then off and finds the report clean again.
func TestHealthFaults(t *testing.T) {
	t.Parallel()
	cases := []struct {
		fault string
		live  bool // a webinar streams when the check runs
		says  []string
	}{
		{fault: "bbb-secret", says: []string{"the shared secret is wrong"}},
		{fault: "bbb-html", says: []string{"HTML page at the API root instead of BBB's XML (HTTP 200)"}},
		{fault: "bbb-proxy", says: []string{"instead of BBB's XML (HTTP 502)"}},
		{fault: "gateway-token", says: []string{"the server refuses the token"}},
		{fault: "gateway-crash", says: []string{"does not answer as SIPMediaGW"}},
		{fault: "hls", live: true, says: []string{"answers 404 while webinar"}},
		{fault: "callback", says: []string{"not mounted at PublicURL's path"}},
	}
	for _, tc := range cases {
		t.Run(tc.fault, func(t *testing.T) {
			t.Parallel()
			d := startDemo(t, nil)
			grace := d.signedIn(t, "grace")
			if tc.live {
				ada := d.signedIn(t, "ada")
				d.act(t, ada, d.newWebinar(t, ada, "Health under load"), "start")
			}
			if res := grace.post("/admin/health/faults/"+tc.fault, url.Values{"on": {"1"}}); res.status != http.StatusSeeOther || res.location != "/admin/health" {
				t.Fatalf("break: %d %q", res.status, res.location)
			}
			body := healthRows(t, grace)
			wantContains(t, tc.fault, body, tc.says...)
			wantContains(t, tc.fault, body, `<span class="badge failed">error</span>`, "Repair")

			grace.post("/admin/health/faults/"+tc.fault, url.Values{"on": {"0"}})
			body = healthRows(t, grace)
			wantAbsent(t, tc.fault+" repaired", body, `<span class="badge failed">error</span>`)
		})
	}
}

func TestCheckCommand(t *testing.T) {
	t.Parallel()
	o := options{Addr: "127.0.0.1:0", Data: t.TempDir(), Assets: ".", Timezone: "UTC", FakeGateways: 1}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	var out bytes.Buffer
	sev, err := runCheck(context.Background(), o, logger, &out)
	if err != nil {
		t.Fatal(err)
	}
	if sev != webinar.SeverityOK {
		t.Errorf("the fakes are not healthy:\n%s", out.String())
	}
	wantContains(t, "text report", out.String(), "health check at", "all 6 checks passed", "bbb", "sipmediagw", "callback")

	o.JSON = true
	out.Reset()
	if _, err := runCheck(context.Background(), o, logger, &out); err != nil {
		t.Fatal(err)
	}
	var doc struct{ Status string }
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil || doc.Status == "" {
		t.Errorf("JSON report: %v\n%s", err, out.String())
	}

	// In fake mode, a taken address is a demo running: its page is the way.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	o.Addr = ln.Addr().String()
	if _, err := runCheck(context.Background(), o, logger, io.Discard); err == nil || !strings.Contains(err.Error(), "/admin/health") {
		t.Errorf("a taken address in fake mode: %v", err)
	}
}
