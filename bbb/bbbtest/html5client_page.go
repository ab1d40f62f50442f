package bbbtest

import (
	"bytes"
	"crypto/rand"
	_ "embed" // the client page template
	"html/template"
	"net/http"
	"net/url"
	"time"
)

// The HTML5 client's pages are rendered from one embedded template: the
// meeting room (join), and a short message page for everything else
// (guest lobby, errors, left, ended).

//go:embed html5client.html
var clientPageSource string

var clientPageTemplate = template.Must(template.New("html5client").Parse(clientPageSource))

// clientRefreshSeconds is how often the meeting room fetches itself again.
const clientRefreshSeconds = 3

// clientPage is the data of one rendered client page.
type clientPage struct {
	Title string // <title>, and <h1> of a message page
	Text  string // a message page's paragraph
	Link  *clientLink
	Room  *roomView // the meeting room; nil for a message page
	// Reload, in seconds, makes a message page load itself again (the
	// guest lobby); 0 for never.
	Reload int
	Nonce  string // the CSP nonce of the page's <style> and <script>
}

// clientLink is a message page's way onwards ("Rejoin", "Back to the
// meeting").
type clientLink struct {
	URL  string
	Text string
}

// roomView is what the meeting room shows, copied under the lock.
type roomView struct {
	Meeting     string // the meeting's name
	User        string
	Role        string // MODERATOR or VIEWER
	Token       string // the session token, for the forms
	MeetingHint string // the internal meeting ID, see roomURL
	URL         string // the room's own URL, fetched again to refresh
	Refresh     int    // seconds between refreshes
	MaxMessage  int    // the message field's maxlength
	Attendees   []attendeeView
	Chat        []chatView
	UI          clientUI // the controls a bot drives, see clientUIFor
}

type attendeeView struct {
	Name      string
	Role      string
	Presenter bool
	You       bool
}

type chatView struct {
	Sender   string
	Clock    string // HH:MM:SS in UTC
	DateTime string // RFC 3339 in UTC, for <time datetime>
	Text     string
}

// roomLocked copies what sess's meeting room shows. s.mu is held.
func roomLocked(sess *session) *roomView {
	m := sess.meeting
	v := &roomView{
		Meeting: m.name, User: sess.fullName, Role: sess.role,
		Token: sess.token, MeetingHint: m.internalID, URL: roomURL(sess.token, m.internalID),
		Refresh: clientRefreshSeconds, MaxMessage: maxChatMessage,
		Attendees: make([]attendeeView, 0, len(m.attendees)),
		Chat:      make([]chatView, 0, len(m.chat)),
	}
	for _, a := range m.attendees {
		v.Attendees = append(v.Attendees, attendeeView{
			Name: a.fullName, Role: a.role, Presenter: a.presenter, You: a.internalID == sess.internalID,
		})
	}
	for _, c := range m.chat {
		t := c.Time.UTC()
		v.Chat = append(v.Chat, chatView{
			Sender: c.UserName, Clock: t.Format(time.TimeOnly), DateTime: t.Format(time.RFC3339), Text: c.Message,
		})
	}
	return v
}

// roomURL is the meeting room of a session: join's client URL plus the
// internal meeting ID, which lets the page say "the meeting has ended"
// once BBB forgot the session (the end drops a meeting's sessions).
func roomURL(token, internalMeetingID string) string {
	return "/html5client/join?" + url.Values{"sessionToken": {token}, "meeting": {internalMeetingID}}.Encode()
}

// clientCSP is the Content-Security-Policy of the client's pages: nothing
// but their own nonce'd style and script, fetches of the room itself, and
// forms posted to this server.
func clientCSP(nonce string) string {
	return "default-src 'none'; script-src 'nonce-" + nonce + "'; style-src 'nonce-" + nonce +
		"'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
}

// setClientHeaders sets the headers every answer of the client's pages
// carries: their URLs hold the session token, so nothing is cached and
// no other origin gets them as a referrer. The policy is same-origin, not
// no-referrer: with no-referrer, browsers send the room's own form POSTs
// with "Origin: null", which the cross-origin check must refuse.
func setClientHeaders(h http.Header) {
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Content-Type-Options", "nosniff")
}

// renderClientPage sends p with the client's headers and status.
func renderClientPage(w http.ResponseWriter, status int, p clientPage) {
	p.Nonce = rand.Text()
	var b bytes.Buffer
	if err := clientPageTemplate.Execute(&b, p); err != nil {
		// The template is fixed and its data plain strings: not reached.
		http.Error(w, "bbbtest: rendering the client page: "+err.Error(), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	setClientHeaders(h)
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", clientCSP(p.Nonce))
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}

// writeClientPage sends a message page: a heading (title) and one
// paragraph.
func writeClientPage(w http.ResponseWriter, status int, title, text string) {
	renderClientPage(w, status, clientPage{Title: title, Text: text})
}

// writeClientPageLink sends a message page with a link onwards.
func writeClientPageLink(w http.ResponseWriter, status int, title, text, linkURL, linkText string) {
	renderClientPage(w, status, clientPage{Title: title, Text: text, Link: &clientLink{URL: linkURL, Text: linkText}})
}
