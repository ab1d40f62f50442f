package bbb

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// An API call never follows a redirect, and its error never quotes the
// Location (which may echo the checksum); BBB's pre-2.7 join errors,
// redirects with errors=[…], are API errors.
func TestRedirectsAreErrors(t *testing.T) {
	t.Parallel()
	var followed bool
	var location string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/elsewhere" {
			followed = true
			return
		}
		w.Header().Set("Location", strings.ReplaceAll(location, "QUERY", r.URL.RawQuery))
		w.WriteHeader(http.StatusFound)
	}))
	defer srv.Close()
	c, err := NewClient(srv.URL+"/bigbluebutton", "0123456789abcdef", WithInsecureHTTP(), WithRetries(0))
	if err != nil {
		t.Fatal(err)
	}
	joinErrors := url.QueryEscape(`[{"key":"maxParticipantsReached","message":"The number of participants allowed for this meeting has been reached."}]`)
	errorsOf := func(key, message string) string {
		return url.QueryEscape(`[{"message":"` + message + `","key":"` + key + `"}]`)
	}
	for _, tc := range []struct {
		name, location string
		key            string // the APIError's key, if one
	}{
		{"elsewhere", srv.URL + "/elsewhere?QUERY", ""},
		{"unparseable", "http://[::1%zz/x?QUERY", ""},
		{"a join refused before 2.7", srv.URL + "/html5client/join?errors=" + joinErrors, "maxParticipantsReached"},
		{"a stale createTime before 2.7", srv.URL + "/html5client/join?errors=" + errorsOf("mismatchCreateTimeParam", "The createTime parameter submitted mismatches with the current meeting."), "mismatchCreateTimeParam"},
		{"an unknown meeting before 2.7", "/?errors=" + errorsOf("notFound", "We could not find a meeting with that meeting ID - perhaps the meeting is not yet running?"), "notFound"},
		{"a wrong password before 2.7", srv.URL + "/logout?a=1&errors=" + errorsOf("invalidPassword", "You either did not supply a password or the password supplied is neither the attendee or moderator password for this conference."), "invalidPassword"},
		{"errors that are not JSON", srv.URL + "/html5client/join?errors=nope&QUERY", ""},
	} {
		location = tc.location
		_, err := c.Join(context.Background(), &JoinParams{FullName: "Ada", MeetingID: "m1", Role: RoleModerator})
		var ae *APIError
		var re *ResponseError
		switch {
		case tc.key != "":
			if !errors.As(err, &ae) || ae.Key != tc.key {
				t.Errorf("%s: %v, want the API error %s", tc.name, err, tc.key)
			}
		case !errors.As(err, &re) || re.StatusCode != http.StatusFound:
			t.Errorf("%s: %v, want a *ResponseError of the 302", tc.name, err)
		}
		if err != nil && strings.Contains(err.Error(), "checksum") {
			t.Errorf("%s: the error quotes the checksum: %v", tc.name, err)
		}
	}
	if followed {
		t.Error("a redirect was followed")
	}
}
