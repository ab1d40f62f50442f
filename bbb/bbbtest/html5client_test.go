package bbbtest_test

import (
	"bytes"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bbbcast/bbbcast/bbb/bbbtest"
)

// hnode is an element of a parsed client page.
type hnode struct {
	tag   string
	attr  map[string]string
	parts []any // string or *hnode, in document order
}

// text is the element's text content.
func (n *hnode) text() string {
	var b strings.Builder
	for _, p := range n.parts {
		switch p := p.(type) {
		case string:
			b.WriteString(p)
		case *hnode:
			b.WriteString(p.text())
		}
	}
	return b.String()
}

// all returns the descendants that match, in document order.
func (n *hnode) all(match func(*hnode) bool) []*hnode {
	var out []*hnode
	for _, p := range n.parts {
		if c, ok := p.(*hnode); ok {
			if match(c) {
				out = append(out, c)
			}
			out = append(out, c.all(match)...)
		}
	}
	return out
}

func (n *hnode) tags(tag string) []*hnode {
	return n.all(func(c *hnode) bool { return c.tag == tag })
}

// one returns the only descendant that matches, failing the test
// otherwise.
func (n *hnode) one(t testing.TB, what string, match func(*hnode) bool) *hnode {
	t.Helper()
	found := n.all(match)
	if len(found) != 1 {
		t.Fatalf("%d elements %s, want 1", len(found), what)
	}
	return found[0]
}

func (n *hnode) byID(t testing.TB, id string) *hnode {
	t.Helper()
	return n.one(t, "#"+id, func(c *hnode) bool { return c.attr["id"] == id })
}

// children returns the element's child elements.
func (n *hnode) children() []*hnode {
	var out []*hnode
	for _, p := range n.parts {
		if c, ok := p.(*hnode); ok {
			out = append(out, c)
		}
	}
	return out
}

var scriptElement = regexp.MustCompile(`(?s)<script\b.*?</script>`)

// parseHTML parses a client page with encoding/xml in its lenient HTML
// mode; the script, whose code is not markup, is left out.
func parseHTML(t testing.TB, body []byte) *hnode {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(scriptElement.ReplaceAll(body, nil)))
	dec.Strict, dec.AutoClose, dec.Entity = false, xml.HTMLAutoClose, xml.HTMLEntity
	root := &hnode{attr: map[string]string{}}
	stack := []*hnode{root}
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("parsing the page: %v\n%s", err, body)
		}
		top := stack[len(stack)-1]
		switch tok := tok.(type) {
		case xml.StartElement:
			n := &hnode{tag: tok.Name.Local, attr: map[string]string{}}
			for _, a := range tok.Attr {
				n.attr[a.Name.Local] = a.Value
			}
			top.parts = append(top.parts, n)
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			top.parts = append(top.parts, string(tok))
		}
	}
	return root
}

// room is a user's open meeting room page.
type room struct {
	url   string // the join redirect's client URL
	token string
	hint  string // the forms' meeting field
	page  answer
}

// enter joins like a browser: join, then the client URL of its redirect.
func enter(t testing.TB, srv *bbbtest.Server, meetingID, name, role string) room {
	t.Helper()
	a := get(t, srv, "join", q("fullName", name, "meetingID", meetingID, "role", role))
	if a.status != http.StatusFound {
		t.Fatalf("join: HTTP %d", a.status)
	}
	r := room{url: a.header.Get("Location")}
	u, err := url.Parse(r.url)
	if err != nil {
		t.Fatal(err)
	}
	r.token = u.Query().Get("sessionToken")
	r.page = do(t, srv, http.MethodGet, r.url, "", nil)
	if r.page.status != http.StatusOK {
		t.Fatalf("room: HTTP %d %s", r.page.status, r.page.body)
	}
	doc := parseHTML(t, r.page.body)
	r.hint = doc.byID(t, "send").one(t, "meeting field of the chat form", func(n *hnode) bool {
		return n.tag == "input" && n.attr["name"] == "meeting" && n.attr["type"] == "hidden"
	}).attr["value"]
	return r
}

// host is the server's origin, where the client pages live.
func host(srv *bbbtest.Server) string { return strings.TrimSuffix(srv.URL, bbbtest.BasePath) }

// post sends a request to a client page; headers are name, value pairs.
func post(t testing.TB, srv *bbbtest.Server, method, path, contentType, body string, headers ...string) answer {
	t.Helper()
	return do(t, srv, method, host(srv)+path, contentType, []byte(body), headers...)
}

const formType = "application/x-www-form-urlencoded"

func form(pairs ...string) string { return q(pairs...) }

func TestHTML5ClientRoom(t *testing.T) {
	t.Parallel()
	srv, mock := startMock(t)
	get(t, srv, "create", q("name", "Town <hall> & co", "meetingID", "r1")).ok(t)
	alice := enter(t, srv, "r1", "Alice", "MODERATOR")

	// Before anyone chats.
	doc := parseHTML(t, alice.page.body)
	if n := doc.byID(t, "chat"); len(n.children()) != 0 {
		t.Errorf("chat of a new meeting: %q", n.text())
	}
	if got := doc.byID(t, "no-chat").text(); got != "No messages yet." {
		t.Errorf("empty chat says %q", got)
	}

	mustJoin(t, srv, "r1", "Bob", "viewer")
	mock.Add(5 * time.Second)
	if err := srv.PostChat("r1", "Bob", "hi <script>alert(1)</script>"); err != nil {
		t.Fatal(err)
	}
	mock.Add(time.Hour + 2*time.Second)
	get(t, srv, "sendChatMessage", q("meetingID", "r1", "message", "Welcome & enjoy", "userName", "Portal"))

	// Reloading shows the news and adds nobody.
	var page answer
	for range 3 {
		page = do(t, srv, http.MethodGet, alice.url, "", nil)
	}
	if m, _ := srv.Meeting("r1"); len(m.Attendees) != 2 {
		t.Fatalf("attendees after reloads: %+v", m.Attendees)
	}
	if page.status != http.StatusOK || page.header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("room: HTTP %d %q", page.status, page.header.Get("Content-Type"))
	}
	body := string(page.body)
	if !strings.HasPrefix(body, "<!doctype html>\n") {
		t.Errorf("no doctype: %.40q", body)
	}
	if strings.Contains(body, "<script>alert") || !strings.Contains(body, "hi &lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Error("the chat message is not escaped")
	}
	doc = parseHTML(t, page.body)
	if got := doc.tags("html"); len(got) != 1 || got[0].attr["lang"] != "en" {
		t.Error(`no <html lang="en">`)
	}
	doc.one(t, "viewport meta", func(n *hnode) bool {
		return n.tag == "meta" && n.attr["name"] == "viewport" && n.attr["content"] == "width=device-width, initial-scale=1"
	})
	refresh := doc.one(t, "refresh meta", func(n *hnode) bool { return n.tag == "meta" && n.attr["http-equiv"] == "refresh" })
	if c := refresh.attr["content"]; !strings.HasPrefix(c, "3; url=/html5client/join?") || !strings.Contains(c, "sessionToken="+alice.token) {
		t.Errorf("refresh %q", c)
	}
	main := doc.one(t, "main", func(n *hnode) bool { return n.tag == "main" })
	if got := doc.tags("title")[0].text(); got != "Town <hall> & co" {
		t.Errorf("title %q", got)
	}
	if got := main.tags("h1"); len(got) != 1 || got[0].text() != "Town <hall> & co" {
		t.Errorf("%d h1, first %q", len(got), got[0].text())
	}
	if got := main.tags("p")[0].text(); got != "Alice joined the meeting as MODERATOR." {
		t.Errorf("user line %q", got)
	}
	// The modals' headings are in <template>s, not in the page.
	if got := len(main.all(func(n *hnode) bool { return n.tag == "h2" && !inTemplate(main, n) })); got != 2 {
		t.Errorf("%d h2, want 2", got)
	}

	var people []string
	for _, li := range doc.byID(t, "people").children() {
		people = append(people, li.text())
	}
	if want := []string{"Alice (you) – MODERATOR, presenter", "Bob – VIEWER"}; strings.Join(people, "|") != strings.Join(want, "|") {
		t.Errorf("attendees %q, want %q", people, want)
	}
	if got := doc.byID(t, "people-count").text(); got != "2" {
		t.Errorf("attendee count %q", got)
	}

	chat := doc.byID(t, "chat")
	if chat.tag != "ol" || chat.attr["aria-live"] != "polite" {
		t.Errorf("chat is <%s aria-live=%q>", chat.tag, chat.attr["aria-live"])
	}
	type line struct{ sender, clock, datetime, text string }
	var lines []line
	for _, li := range chat.children() {
		tm := li.tags("time")
		if len(tm) != 1 {
			t.Fatalf("chat line %q without one <time>", li.text())
		}
		lines = append(lines, line{li.tags("span")[0].text(), tm[0].text(), tm[0].attr["datetime"], li.tags("p")[0].text()})
	}
	want := []line{
		{"Bob", "10:00:05 UTC", "2024-03-04T10:00:05Z", "hi <script>alert(1)</script>"},
		{"Portal", "11:00:07 UTC", "2024-03-04T11:00:07Z", "Welcome & enjoy"},
	}
	if len(lines) != len(want) {
		t.Fatalf("chat %+v, want %+v", lines, want)
	}
	for i := range want {
		if lines[i] != want[i] {
			t.Errorf("chat line %d: %+v, want %+v", i, lines[i], want[i])
		}
	}
	if n := doc.all(func(n *hnode) bool { return n.attr["id"] == "no-chat" }); len(n) != 0 {
		t.Error(`"No messages yet." beside messages`)
	}

	// The forms.
	forms := doc.tags("form")
	if len(forms) != 2 {
		t.Fatalf("%d forms, want 2", len(forms))
	}
	fields := func(f *hnode) url.Values {
		v := url.Values{}
		for _, in := range f.tags("input") {
			v.Set(in.attr["name"], in.attr["value"])
		}
		return v
	}
	leave, send := forms[0], forms[1]
	if leave.attr["method"] != "post" || leave.attr["action"] != "/html5client/leave" ||
		fields(leave).Get("sessionToken") != alice.token || !strings.Contains(leave.text(), "Leave") {
		t.Errorf("leave form %+v %v", leave.attr, fields(leave))
	}
	if send.attr["method"] != "post" || send.attr["action"] != "/html5client/chat" || fields(send).Get("sessionToken") != alice.token {
		t.Errorf("chat form %+v %v", send.attr, fields(send))
	}
	label := send.one(t, "label", func(n *hnode) bool { return n.tag == "label" })
	input := send.one(t, "message field", func(n *hnode) bool { return n.tag == "textarea" && n.attr["name"] == "message" })
	if label.attr["for"] == "" || label.attr["for"] != input.attr["id"] || input.attr["maxlength"] != "500" {
		t.Errorf("label %+v, field %+v", label.attr, input.attr)
	}
}

func TestHTML5ClientHeaders(t *testing.T) {
	t.Parallel()
	srv := start(t)
	create(t, srv, "h1")
	alice := enter(t, srv, "h1", "Alice", "MODERATOR")
	nonceAttr := regexp.MustCompile(`<style nonce="([^"]+)">`)
	nonces := map[string]bool{}
	tests := []struct {
		name   string
		a      answer
		status int
		html   bool
	}{
		{"room", alice.page, http.StatusOK, true},
		{"room again", do(t, srv, http.MethodGet, alice.url, "", nil), http.StatusOK, true},
		{"unknown token", do(t, srv, http.MethodGet, host(srv)+"/html5client/join?sessionToken=nope", "", nil), http.StatusUnauthorized, true},
		{"chat posted", post(t, srv, http.MethodPost, "/html5client/chat", formType, form("sessionToken", alice.token, "message", "hi")), http.StatusSeeOther, false},
		{"chat refused", post(t, srv, http.MethodPost, "/html5client/chat", formType, form("sessionToken", alice.token)), http.StatusBadRequest, true},
		{"left", post(t, srv, http.MethodPost, "/html5client/leave", formType, form("sessionToken", alice.token)), http.StatusOK, true},
	}
	for _, tt := range tests {
		h := tt.a.header
		if tt.a.status != tt.status {
			t.Errorf("%s: HTTP %d, want %d", tt.name, tt.a.status, tt.status)
		}
		if h.Get("Cache-Control") != "no-store" || h.Get("Referrer-Policy") != "same-origin" || h.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: headers %v", tt.name, h)
		}
		if !tt.html {
			continue
		}
		m := nonceAttr.FindSubmatch(tt.a.body)
		if m == nil {
			t.Errorf("%s: no nonce'd style", tt.name)
			continue
		}
		nonce := string(m[1])
		if nonces[nonce] {
			t.Errorf("%s: nonce %s used twice", tt.name, nonce)
		}
		nonces[nonce] = true
		want := "default-src 'none'; script-src 'nonce-" + nonce + "'; style-src 'nonce-" + nonce +
			"'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
		if got := h.Get("Content-Security-Policy"); got != want {
			t.Errorf("%s: CSP %q, want %q", tt.name, got, want)
		}
		if bytes.Contains(tt.a.body, []byte("<script")) && !bytes.Contains(tt.a.body, []byte(`<script nonce="`+nonce+`">`)) {
			t.Errorf("%s: a script without the nonce", tt.name)
		}
	}
}

// chatCase is the server and the user of a TestHTML5ClientChat case.
type chatCase struct {
	srv   *bbbtest.Server
	alice room
}

// msg is a chat form body from Alice with message m.
func msg(m string) func(testing.TB, chatCase) string {
	return func(_ testing.TB, c chatCase) string {
		return form("sessionToken", c.alice.token, "meeting", c.alice.hint, "message", m)
	}
}

// hdrs is a fixed list of request headers.
func hdrs(pairs ...string) func(chatCase) []string {
	return func(chatCase) []string { return pairs }
}

func endMeeting(t *testing.T, c chatCase) {
	t.Helper()
	if err := c.srv.EndMeeting("c1"); err != nil {
		t.Fatal(err)
	}
}

func TestHTML5ClientChat(t *testing.T) {
	t.Parallel()
	emoji := "\U0001F600" // two UTF-16 units, as Java counts
	const hello = "Hello <all> & welcome"
	tests := []struct {
		name    string
		method  string // POST when empty
		path    string // /html5client/chat when empty
		ctype   string // URL-encoded when empty
		body    func(testing.TB, chatCase) string
		headers func(chatCase) []string
		setup   func(*testing.T, chatCase)
		status  int
		stored  string // the message stored, "" for none
	}{
		{name: "posts", status: http.StatusSeeOther, stored: hello},
		{name: "trimmed as the client sends it", body: msg("  hi \n"), status: http.StatusSeeOther, stored: "hi"},
		{name: "500 characters", body: msg(strings.Repeat("é", 500)), status: http.StatusSeeOther, stored: strings.Repeat("é", 500)},
		{name: "250 emoji are 500 Java chars", body: msg(strings.Repeat(emoji, 250)), status: http.StatusSeeOther, stored: strings.Repeat(emoji, 250)},
		{name: "same-origin browser", headers: func(c chatCase) []string {
			return []string{"Sec-Fetch-Site", "same-origin", "Origin", host(c.srv)}
		}, status: http.StatusSeeOther, stored: hello},
		{name: "empty", body: msg(""), status: http.StatusBadRequest},
		{name: "blank", body: msg(" \t "), status: http.StatusBadRequest},
		{name: "no message", body: func(_ testing.TB, c chatCase) string { return form("sessionToken", c.alice.token) }, status: http.StatusBadRequest},
		{name: "501 characters", body: msg(strings.Repeat("a", 501)), status: http.StatusBadRequest},
		{name: "251 emoji", body: msg(strings.Repeat(emoji, 251)), status: http.StatusBadRequest},
		{name: "unknown token", body: func(testing.TB, chatCase) string { return form("sessionToken", "nope", "message", "hi") }, status: http.StatusUnauthorized},
		{name: "no token", body: func(testing.TB, chatCase) string { return form("message", "hi") }, status: http.StatusUnauthorized},
		{name: "token in the URL only", body: func(testing.TB, chatCase) string { return form("message", "hi") }, path: "?sessionToken=",
			status: http.StatusUnauthorized},
		{name: "cross-site", headers: hdrs("Sec-Fetch-Site", "cross-site"), status: http.StatusForbidden},
		{name: "same-site", headers: hdrs("Sec-Fetch-Site", "same-site"), status: http.StatusForbidden},
		{name: "not from a page", headers: hdrs("Sec-Fetch-Site", "none"), status: http.StatusForbidden},
		{name: "foreign Origin", headers: hdrs("Origin", "http://evil.example"), status: http.StatusForbidden},
		{name: "null Origin", headers: hdrs("Origin", "null"), status: http.StatusForbidden},
		{name: "same-origin with a foreign Origin", headers: hdrs("Sec-Fetch-Site", "same-origin", "Origin", "http://evil.example"),
			status: http.StatusForbidden},
		{name: "GET", method: http.MethodGet, status: http.StatusMethodNotAllowed},
		{name: "JSON", ctype: "application/json", status: http.StatusUnsupportedMediaType},
		{name: "body over 8 KiB", body: msg(strings.Repeat("a", 9<<10)), status: http.StatusRequestEntityTooLarge},
		{name: "user left", setup: func(t *testing.T, c chatCase) {
			m, _ := c.srv.Meeting("c1")
			if err := c.srv.UserLeaves("c1", m.Attendees[0].UserID); err != nil {
				t.Fatal(err)
			}
		}, status: http.StatusForbidden},
		{name: "guest waiting", body: func(t testing.TB, c chatCase) string {
			create(t, c.srv, "lobby", "guestPolicy", "ASK_MODERATOR")
			r := get(t, c.srv, "join", q("fullName", "G", "meetingID", "lobby", "role", "VIEWER", "guest", "true", "redirect", "false")).ok(t)
			return form("sessionToken", r.get("session_token"), "message", "hi")
		}, status: http.StatusForbidden},
		{name: "ended meeting", setup: endMeeting, status: http.StatusNotFound},
		{name: "ended meeting, no meeting field", setup: endMeeting, body: func(_ testing.TB, c chatCase) string {
			return form("sessionToken", c.alice.token, "message", "hi")
		}, status: http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, mock := startMock(t)
			create(t, srv, "c1")
			c := chatCase{srv: srv, alice: enter(t, srv, "c1", "Alice", "VIEWER")}
			mock.Add(90 * time.Second)
			if tt.setup != nil {
				tt.setup(t, c)
			}
			method, path, ctype := http.MethodPost, "/html5client/chat", formType
			body := form("sessionToken", c.alice.token, "meeting", c.alice.hint, "message", hello)
			if tt.method != "" {
				method = tt.method
			}
			if tt.path != "" {
				path += tt.path + c.alice.token
			}
			if tt.ctype != "" {
				ctype = tt.ctype
			}
			if tt.body != nil {
				body = tt.body(t, c)
			}
			var headers []string
			if tt.headers != nil {
				headers = tt.headers(c)
			}
			a := post(t, srv, method, path, ctype, body, headers...)
			if a.status != tt.status {
				t.Fatalf("HTTP %d, want %d: %s", a.status, tt.status, a.body)
			}
			got := append(srv.Chat("c1"), srv.Chat("lobby")...)
			if tt.stored == "" {
				if len(got) != 0 {
					t.Fatalf("stored %+v", got)
				}
				if !strings.Contains(a.header.Get("Content-Type"), "text/html") || !bytes.Contains(a.body, []byte("<main")) {
					t.Errorf("refusal is not an HTML page: %q %s", a.header.Get("Content-Type"), a.body)
				}
				if tt.status == http.StatusMethodNotAllowed && a.header.Get("Allow") != http.MethodPost {
					t.Errorf("Allow %q", a.header.Get("Allow"))
				}
				return
			}
			want := bbbtest.ChatMessage{UserName: "Alice", Message: tt.stored, Time: mock.Now()}
			if len(got) != 1 || got[0] != want {
				t.Fatalf("chat %+v, want %+v", got, want)
			}
			loc, err := url.Parse(a.header.Get("Location"))
			if err != nil || loc.Path != "/html5client/join" || loc.Query().Get("sessionToken") != c.alice.token ||
				loc.Query().Get("meeting") != c.alice.hint {
				t.Fatalf("Location %q", a.header.Get("Location"))
			}
			page := do(t, srv, http.MethodGet, host(srv)+loc.RequestURI(), "", nil)
			lines := parseHTML(t, page.body).byID(t, "chat").children()
			if len(lines) != 1 || lines[0].tags("p")[0].text() != tt.stored || lines[0].tags("span")[0].text() != "Alice" {
				t.Errorf("room after the post: %s", page.body)
			}
			if m, _ := srv.Meeting("c1"); len(m.Attendees) != 1 {
				t.Errorf("attendees %+v", m.Attendees)
			}
		})
	}
}

func TestHTML5ClientLeave(t *testing.T) {
	t.Parallel()
	srv, mock := startMock(t, bbbtest.WithEmptyMeetingExpiry(time.Minute))
	create(t, srv, "l1")
	alice := enter(t, srv, "l1", "Alice", "MODERATOR")
	bob := enter(t, srv, "l1", "Bob", "VIEWER")
	names := func() []string {
		m, ok := srv.Meeting("l1")
		if !ok {
			return nil
		}
		var out []string
		for _, a := range m.Attendees {
			out = append(out, a.FullName)
		}
		return out
	}
	leave := form("sessionToken", alice.token, "meeting", alice.hint)

	// Refusals leave Alice in the meeting.
	for _, tt := range []struct {
		name    string
		method  string
		body    string
		headers []string
		status  int
	}{
		{"unknown token", http.MethodPost, form("sessionToken", "nope"), nil, http.StatusUnauthorized},
		{"cross-site", http.MethodPost, leave, []string{"Sec-Fetch-Site", "cross-site"}, http.StatusForbidden},
		{"foreign Origin", http.MethodPost, leave, []string{"Origin", "https://evil.example"}, http.StatusForbidden},
		{"GET", http.MethodGet, "", nil, http.StatusMethodNotAllowed},
	} {
		if a := post(t, srv, tt.method, "/html5client/leave", formType, tt.body, tt.headers...); a.status != tt.status {
			t.Errorf("%s: HTTP %d, want %d", tt.name, a.status, tt.status)
		}
	}
	if got := strings.Join(names(), ","); got != "Alice,Bob" {
		t.Fatalf("attendees after refused leaves: %s", got)
	}

	// Leaving twice is fine; the page links back to the room.
	for range 2 {
		a := post(t, srv, http.MethodPost, "/html5client/leave", formType, leave,
			"Sec-Fetch-Site", "same-origin", "Origin", host(srv))
		if a.status != http.StatusOK {
			t.Fatalf("leave: HTTP %d %s", a.status, a.body)
		}
		doc := parseHTML(t, a.body)
		if got := doc.tags("main")[0].tags("p")[0].text(); got != "You left the meeting." {
			t.Errorf("leave page says %q", got)
		}
		if links := doc.tags("a"); len(links) != 1 || links[0].text() != "Rejoin" ||
			!strings.HasPrefix(links[0].attr["href"], "/html5client/join?") || !strings.Contains(links[0].attr["href"], "sessionToken="+alice.token) {
			t.Errorf("leave page links %v", links)
		}
		if got := strings.Join(names(), ","); got != "Bob" {
			t.Fatalf("attendees after Alice left: %s", got)
		}
	}
	// Alice may not chat from outside.
	if a := post(t, srv, http.MethodPost, "/html5client/chat", formType, form("sessionToken", alice.token, "message", "hi")); a.status != http.StatusForbidden {
		t.Errorf("chat after leaving: HTTP %d", a.status)
	}

	// Opening the room again rejoins, once.
	for range 2 {
		if a := do(t, srv, http.MethodGet, alice.url, "", nil); a.status != http.StatusOK {
			t.Fatalf("rejoin: HTTP %d", a.status)
		}
	}
	if got := strings.Join(names(), ","); got != "Bob,Alice" {
		t.Fatalf("attendees after the rejoin: %s", got)
	}

	// When the last user leaves, the empty meeting expires as after UserLeaves.
	for _, r := range []room{alice, bob} {
		post(t, srv, http.MethodPost, "/html5client/leave", formType, form("sessionToken", r.token))
	}
	if m, ok := srv.Meeting("l1"); !ok || len(m.Attendees) != 0 || m.Running {
		t.Fatalf("meeting after everyone left: %+v", m)
	}
	mock.Add(time.Minute)
	if _, ok := srv.Meeting("l1"); ok {
		t.Error("the emptied meeting did not expire")
	}
}

func TestHTML5ClientEnded(t *testing.T) {
	t.Parallel()
	srv, mock := startMock(t)
	create(t, srv, "e1")
	alice := enter(t, srv, "e1", "Alice", "MODERATOR")
	roomURL := host(srv) + "/html5client/join?" + url.Values{"sessionToken": {alice.token}, "meeting": {alice.hint}}.Encode()
	if a := do(t, srv, http.MethodGet, roomURL, "", nil); a.status != http.StatusOK {
		t.Fatalf("room with its meeting field: HTTP %d", a.status)
	}
	if err := srv.EndMeeting("e1"); err != nil {
		t.Fatal(err)
	}
	says := func(a answer) string {
		return parseHTML(t, a.body).tags("main")[0].tags("p")[0].text()
	}
	// The refreshing room learns the meeting ended.
	a := do(t, srv, http.MethodGet, roomURL, "", nil)
	if a.status != http.StatusGone || says(a) != "The meeting has ended." {
		t.Errorf("ended room: HTTP %d %q", a.status, says(a))
	}
	// join's client URL alone has no meeting to tell: the token is gone.
	if a := do(t, srv, http.MethodGet, alice.url, "", nil); a.status != http.StatusUnauthorized {
		t.Errorf("join's client URL after the end: HTTP %d", a.status)
	}
	// So do the forms, which carry the meeting field too.
	leave := post(t, srv, http.MethodPost, "/html5client/leave", formType, form("sessionToken", alice.token, "meeting", alice.hint))
	if leave.status != http.StatusNotFound || says(leave) != "The meeting has ended." {
		t.Errorf("leave after the end: HTTP %d %q", leave.status, says(leave))
	}
	// Once BBB forgot the meeting, the token is just unknown.
	mock.Add(time.Minute)
	if a := do(t, srv, http.MethodGet, roomURL, "", nil); a.status != http.StatusUnauthorized {
		t.Errorf("a minute after the end: HTTP %d", a.status)
	}
}

// inTemplate reports whether n is inside a <template> under root.
func inTemplate(root, n *hnode) bool {
	for _, tpl := range root.tags("template") {
		if tpl == n {
			return true
		}
		for _, d := range tpl.all(func(*hnode) bool { return true }) {
			if d == n {
				return true
			}
		}
	}
	return false
}
