package bbb

import (
	"encoding/json"
	"net/http"
	"net/url"
)

// locationHeader is where heldRedirects keeps a redirect's Location.
const locationHeader = "X-Bbbcast-Location"

// heldRedirects hands 3xx answers to the client without their Location,
// so that net/http neither follows them (with the signed query) nor quotes
// an unreadable Location in an error; redirected reads it back.
type heldRedirects struct{ base http.RoundTripper }

func (t heldRedirects) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(r)
	if err == nil && resp.StatusCode >= 300 && resp.StatusCode <= 399 {
		if loc := resp.Header.Get("Location"); loc != "" {
			resp.Header.Del("Location")
			resp.Header.Set(locationHeader, loc)
		}
	}
	return resp, err
}

// redirected is the error of a 3xx answer to an API call. Before 2.7, BBB
// answers a join it refuses with a redirect to the client carrying
// errors=[{"key","message"}]: that is an *APIError. Anything else is a
// *ResponseError that never quotes the Location, which may echo the
// request's checksum.
func redirected(call string, resp *http.Response) error {
	if u, err := url.Parse(resp.Header.Get(locationHeader)); err == nil {
		var list []struct {
			Key     string `json:"key"`
			Message string `json:"message"`
		}
		if raw := u.Query().Get("errors"); raw != "" && json.Unmarshal([]byte(raw), &list) == nil && len(list) > 0 && list[0].Key != "" {
			return &APIError{Call: call, Key: list[0].Key, Message: list[0].Message}
		}
	}
	return &ResponseError{Call: call, StatusCode: resp.StatusCode, ContentType: resp.Header.Get("Content-Type"),
		Reason: "a redirect (API calls do not follow them)"}
}
