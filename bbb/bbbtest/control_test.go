package bbbtest_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/bbbcast/bbbcast/bbb/bbbtest"
)

// ctl sends a control request (body "" for none) and decodes the JSON
// answer into a map.
func ctl(t testing.TB, srv *bbbtest.Server, method, path, body string, headers ...string) (int, map[string]any, answer) {
	t.Helper()
	var b []byte
	if body != "" {
		b = []byte(body)
	}
	base := strings.TrimSuffix(srv.URL, bbbtest.BasePath)
	a := do(t, srv, method, base+bbbtest.ControlPath+path, "application/json", b, headers...)
	if ct := a.header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("%s %s: Content-Type %q: %s", method, path, ct, a.body)
	}
	var v map[string]any
	if err := json.Unmarshal(a.body, &v); err != nil {
		t.Fatalf("%s %s: %v: %s", method, path, err, a.body)
	}
	return a.status, v, a
}

// ctlOK sends a control request that must succeed.
func ctlOK(t testing.TB, srv *bbbtest.Server, method, path, body string) map[string]any {
	t.Helper()
	status, v, a := ctl(t, srv, method, path, body)
	if status != http.StatusOK {
		t.Fatalf("%s %s: HTTP %d %s", method, path, status, a.body)
	}
	return v
}

func TestControlMeetingsAndUsers(t *testing.T) {
	t.Parallel()
	srv := start(t)
	create(t, srv, "ctl", "attendeePW", "ap", "moderatorPW", "mp", "meta_course", "Go")
	ada := mustJoin(t, srv, "ctl", "Ada", "MODERATOR")

	bob := ctlOK(t, srv, http.MethodPost, "/join", `{"meetingID":"ctl","fullName":"Bob","role":"viewer"}`)["userID"].(string)
	if !strings.HasPrefix(bob, "w_") {
		t.Fatalf("userID %q", bob)
	}
	list := ctlOK(t, srv, http.MethodGet, "/meetings", "")["meetings"].([]any)
	if len(list) != 1 {
		t.Fatalf("meetings %v", list)
	}
	m := list[0].(map[string]any)
	for k, want := range map[string]any{
		"meetingID": "ctl", "meetingName": "Meeting ctl", "attendeePW": "ap", "moderatorPW": "mp",
		"running": true, "ended": false, "participantCount": 2.0,
	} {
		if m[k] != want {
			t.Errorf("%s = %v, want %v", k, m[k], want)
		}
	}
	if md := m["metadata"].(map[string]any); md["course"] != "Go" {
		t.Errorf("metadata %v", md)
	}
	var names []string
	for _, a := range m["attendees"].([]any) {
		a := a.(map[string]any)
		names = append(names, a["fullName"].(string)+"/"+a["role"].(string)+"/"+a["userID"].(string))
	}
	if got, want := strings.Join(names, " "), "Ada/MODERATOR/"+ada+" Bob/VIEWER/"+bob; got != want {
		t.Errorf("attendees %s, want %s", got, want)
	}

	ctlOK(t, srv, http.MethodPost, "/leave", `{"meetingID":"ctl","userID":"`+bob+`"}`)
	if got, _ := srv.Meeting("ctl"); len(got.Attendees) != 1 {
		t.Errorf("after leave: %+v", got.Attendees)
	}
	ctlOK(t, srv, http.MethodPost, "/end", `{"meetingID":"ctl"}`)
	one := ctlOK(t, srv, http.MethodGet, "/meeting?meetingID=ctl", "")
	if one["ended"] != true || one["running"] != false {
		t.Errorf("after end: %v", one)
	}
	if running(t, srv, "ctl") {
		t.Error("still running after end")
	}
}

func TestControlErrors(t *testing.T) {
	t.Parallel()
	srv := start(t)
	create(t, srv, "live")
	create(t, srv, "gone")
	if err := srv.EndMeeting("gone"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, method, path, body string
		headers                  []string
		status                   int
		err                      string
	}{
		{"unknown endpoint", "GET", "/nope", "", nil, 404, "no such control endpoint"},
		{"wrong method", "GET", "/join", "", nil, 405, "method not allowed"},
		{"bad JSON", "POST", "/join", `{"meetingID":`, nil, 400, "bad JSON body"},
		{"two values", "POST", "/end", `{"meetingID":"live"} {}`, nil, 400, "more than one value"},
		{"unknown field", "POST", "/join", `{"meetingID":"live","fullName":"A","role":"VIEWER","x":1}`, nil, 400, "unknown field"},
		{"missing fields", "POST", "/join", `{"meetingID":"live"}`, nil, 400, "missing fullName; missing role"},
		{"invalid role", "POST", "/join", `{"meetingID":"live","fullName":"A","role":"owner"}`, nil, 400, "role must be"},
		{"join unknown meeting", "POST", "/join", `{"meetingID":"nope","fullName":"A","role":"VIEWER"}`, nil, 404, "no such meeting"},
		{"join ended meeting", "POST", "/join", `{"meetingID":"gone","fullName":"A","role":"VIEWER"}`, nil, 409, "has ended"},
		{"leave unknown user", "POST", "/leave", `{"meetingID":"live","userID":"w_nobody"}`, nil, 404, "no such user"},
		{"end ended meeting", "POST", "/end", `{"meetingID":"gone"}`, nil, 409, "has ended"},
		{"end without meetingID", "POST", "/end", `{}`, nil, 400, "missing meetingID"},
		{"meeting without meetingID", "GET", "/meeting", "", nil, 400, "missing meetingID"},
		{"unknown meeting", "GET", "/meeting?meetingID=nope", "", nil, 404, "no such meeting"},
		{"fault without call", "POST", "/faults", `{"status":502}`, nil, 400, "missing call"},
		{"fault bad delay", "POST", "/faults", `{"call":"create","delay":"soon"}`, nil, 400, "invalid delay"},
		{"fault bad status", "POST", "/faults", `{"call":"create","status":42}`, nil, 400, "invalid status"},
		{"fault doing nothing", "POST", "/faults", `{"call":"create","times":1}`, nil, 400, "does nothing"},
		{"recording without meeting", "POST", "/recordings", `{"name":"x"}`, nil, 400, "missing meetingID"},
		{"recording bad state", "POST", "/recordings", `{"meetingID":"m","state":"lost"}`, nil, 400, "invalid state"},
		{"cross-site origin", "POST", "/end", `{"meetingID":"live"}`, []string{"Origin", "http://evil.example"}, 403, "cross-site"},
		{"cross-site fetch", "POST", "/reset", "", []string{"Sec-Fetch-Site", "cross-site"}, 403, "cross-site"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			status, v, a := ctl(t, srv, tt.method, tt.path, tt.body, tt.headers...)
			if status != tt.status || !strings.Contains(v["error"].(string), tt.err) {
				t.Errorf("HTTP %d %s, want %d %q", status, a.body, tt.status, tt.err)
			}
			if status == http.StatusMethodNotAllowed && a.header.Get("Allow") != "POST" {
				t.Errorf("Allow %q", a.header.Get("Allow"))
			}
		})
	}
	if m, _ := srv.Meeting("live"); m.Ended || len(m.Attendees) != 0 {
		t.Errorf("a refused request changed the meeting: %+v", m)
	}
}

func TestControlFaults(t *testing.T) {
	t.Parallel()
	srv := start(t)
	ctlOK(t, srv, http.MethodPost, "/faults", `{"call":"getMeetings","status":502,"times":1}`)
	if a := get(t, srv, "getMeetings", ""); a.status != http.StatusBadGateway {
		t.Errorf("first getMeetings: HTTP %d", a.status)
	}
	get(t, srv, "getMeetings", "").ok(t)

	ctlOK(t, srv, http.MethodPost, "/faults", `{"call":"*","key":"tooBusy","message":"Try later"}`)
	get(t, srv, "create", q("name", "x", "meetingID", "xx")).failed(t, "tooBusy")
	ctlOK(t, srv, http.MethodDelete, "/faults", "")
	create(t, srv, "xx")

	// The control API itself is never faulted.
	ctlOK(t, srv, http.MethodPost, "/faults", `{"call":"*","status":500}`)
	ctlOK(t, srv, http.MethodGet, "/meetings", "")
}

func TestControlRecordingsHooksReset(t *testing.T) {
	t.Parallel()
	srv := start(t)
	id := ctlOK(t, srv, http.MethodPost, "/recordings", `{"meetingID":"rec","name":"Lecture","startTime":1709546400000,
		"endTime":1709550000000,"participants":3,"rawSize":9000,"size":4000,"metadata":{"Course":"Go"},
		"playback":[{"type":"presentation","url":"https://bbb.example/playback/1","length":60,"size":4000,
		"preview":[{"url":"https://bbb.example/thumb-1.png","alt":"Welcome","width":176,"height":136}]}]}`)["recordID"].(string)
	r := get(t, srv, "getRecordings", q("meetingID", "rec")).ok(t)
	if got := r.get("recordings", "recording", "recordID"); got != id {
		t.Errorf("getRecordings recordID %q, want %q", got, id)
	}
	for _, tt := range []struct {
		path []string
		want string
	}{
		{[]string{"metadata", "course"}, "Go"},
		{[]string{"rawSize"}, "9000"},
		{[]string{"size"}, "4000"},
		{[]string{"playback", "format", "size"}, "4000"},
		{[]string{"playback", "format", "preview", "images", "image"}, "https://bbb.example/thumb-1.png"},
	} {
		if got := r.get(append([]string{"recordings", "recording"}, tt.path...)...); got != tt.want {
			t.Errorf("getRecordings %v = %q, want %q", tt.path, got, tt.want)
		}
	}
	recs := ctlOK(t, srv, http.MethodGet, "/recordings", "")["recordings"].([]any)
	if len(recs) != 1 {
		t.Fatalf("recordings %v", recs)
	}
	got, _ := json.Marshal(recs[0])
	for _, want := range []string{`"state":"published"`, `"startTime":1709546400000`, `"rawSize":9000`, `"size":4000`,
		`"preview":[{"alt":"Welcome","height":136,"url":"https://bbb.example/thumb-1.png","width":176}]`} {
		if !strings.Contains(string(got), want) {
			t.Errorf("control recording %s lacks %s", got, want)
		}
	}

	get(t, srv, "hooks/create", q("callbackURL", "https://portal.example/hook", "meetingID", "rec")).ok(t)
	hooks := ctlOK(t, srv, http.MethodGet, "/hooks", "")["hooks"].([]any)
	if len(hooks) != 1 || hooks[0].(map[string]any)["callbackURL"] != "https://portal.example/hook" {
		t.Errorf("hooks %v", hooks)
	}

	create(t, srv, "mm")
	ctlOK(t, srv, http.MethodPost, "/reset", "")
	if len(srv.Meetings()) != 0 || len(srv.Recordings()) != 0 || len(srv.Hooks()) != 0 {
		t.Error("state left after reset")
	}
}

func TestControlInfo(t *testing.T) {
	t.Parallel()
	srv := start(t, bbbtest.WithVersion("2.7.3"), bbbtest.WithPublicURL("http://bbb.test:8090"))
	for _, path := range []string{"", "/"} {
		v := ctlOK(t, srv, http.MethodGet, path, "")
		if v["version"] != "2.7.3" || v["url"] != srv.URL || v["publicURL"] != "http://bbb.test:8090/bigbluebutton" {
			t.Errorf("%q: %v", path, v)
		}
	}
}

func TestControlHandlerMounted(t *testing.T) {
	t.Parallel()
	srv := start(t)
	create(t, srv, "elsewhere")
	mux := http.NewServeMux()
	mux.Handle("/admin/", http.StripPrefix("/admin", srv.ControlHandler()))
	ts := httptest.NewServer(mux)
	defer ts.Close()
	resp, err := ts.Client().Get(ts.URL + "/admin/meetings")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var v struct {
		Meetings []struct {
			MeetingID string `json:"meetingID"`
		} `json:"meetings"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		t.Fatal(err)
	}
	if len(v.Meetings) != 1 || v.Meetings[0].MeetingID != "elsewhere" {
		t.Errorf("%+v", v)
	}
}

func TestControlDeliveriesAndCallbacks(t *testing.T) {
	t.Parallel()
	rcv := newReceiver(t, http.StatusOK)
	down := newReceiver(t, http.StatusServiceUnavailable)
	srv := start(t)
	get(t, srv, "hooks/create", q("callbackURL", rcv.URL+"/hook", "eventID", "meeting-created")).ok(t)
	create(t, srv, "sent", "meta_endCallbackUrl", down.URL+"/ended")
	mustJoin(t, srv, "sent", "Ada", "MODERATOR")
	get(t, srv, "end", q("meetingID", "sent")).ok(t)
	if _, err := srv.WaitDeliveries(ctx(t), 1); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.WaitCallbacks(ctx(t), 1); err != nil {
		t.Fatal(err)
	}

	dl := ctlOK(t, srv, http.MethodGet, "/deliveries", "")["deliveries"].([]any)
	if len(dl) != 1 {
		t.Fatalf("deliveries %v", dl)
	}
	d := dl[0].(map[string]any)
	for k, want := range map[string]any{"kind": "webhook", "event": "meeting-created", "meetingID": "sent", "statusCode": 200.0, "hookID": 1.0} {
		if d[k] != want {
			t.Errorf("delivery %s = %v, want %v", k, d[k], want)
		}
	}
	if u, _ := d["url"].(string); !strings.HasPrefix(u, rcv.URL+"/hook?checksum=") {
		t.Errorf("delivery url %q", u)
	}
	if b, _ := d["body"].(string); !strings.Contains(b, "event=") {
		t.Errorf("delivery body %q", b)
	}

	cbs := ctlOK(t, srv, http.MethodGet, "/callbacks", "")["callbacks"].([]any)
	if len(cbs) != 1 {
		t.Fatalf("callbacks %v", cbs)
	}
	c := cbs[0].(map[string]any)
	for k, want := range map[string]any{"meetingID": "sent", "attempt": 1.0, "statusCode": 503.0, "nextRetry": 30000.0} {
		if c[k] != want {
			t.Errorf("callback %s = %v, want %v", k, c[k], want)
		}
	}
	if u, _ := c["url"].(string); u != down.URL+"/ended?meetingID=sent&recordingmarks=false" {
		t.Errorf("callback url %q", u)
	}
}
