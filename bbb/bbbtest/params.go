package bbbtest

import (
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
)

// A POST's body, as bbb-web's servlet container and validation see it.
//
//   - Parameters: a form body's fields (application/x-www-form-urlencoded,
//     or the text fields of multipart/form-data) are parameters after the
//     query string's, the first occurrence of a name winning.
//   - Content type: from 2.6.18, 2.7.8 and 3.0 (the ContentTypeConstraint
//     of bbb-common-web, bigbluebutton issue #20384), a POST with a body
//     must have a type its call supports, compared on the media type, or
//     it gets unsupportedContentType (HTTP 200 FAILED; join redirects with
//     the error). Earlier releases read any body.
//   - Checksum: it always covers the URL's query string, never the body.
//     When every parameter, checksum included, is in the body, 3.0 checks
//     the checksum of an empty query string (its API documentation says
//     so); up to 2.7 ValidationService rebuilt the query string from the
//     parameters instead, names sorted and values encoded as Java's
//     URLEncoder does. (2.4 and 2.5 were read in the sources; for 2.6 and
//     2.7 no source of that file was at hand.)

// Media types a POST body may have per call, from bbb-common-web's
// getSupportedContentTypes: every request with a checksum takes forms,
// create (CreateMeeting) also XML, insertDocument only application/xml.
var (
	formContentTypes   = []string{"application/x-www-form-urlencoded", "multipart/form-data"}
	createContentTypes = []string{"application/x-www-form-urlencoded", "multipart/form-data", "application/xml", "text/xml"}
	insertContentTypes = []string{"application/xml"}
)

const msgUnsupportedContentType = "POST request Content-Type is missing or unsupported"

// checksContentType reports whether release v refuses a POST body of a
// type its call does not support.
func (v version) checksContentType() bool {
	switch {
	case v.atLeast(v30):
		return true
	case v.major == 2 && v.minor == 7:
		return v.patch >= 8
	case v.major == 2 && v.minor == 6:
		return v.patch >= 18
	}
	return false
}

// postContentTypes returns the media types call's POST body may have, nil
// for the hooks calls, which bbb-webhooks serves without that check.
func postContentTypes(call string) []string {
	switch {
	case call == "create":
		return createContentTypes
	case call == "insertDocument":
		return insertContentTypes
	case strings.HasPrefix(call, "hooks/"), call == "guestWait", call == "getJoinUrl":
		return nil
	}
	return formContentTypes
}

// hasBody reports whether r carries a body, as the newest validator
// decides it: a positive length, or a chunked one.
func hasBody(r *http.Request) bool {
	return r.ContentLength > 0 || len(r.TransferEncoding) > 0
}

// readBodyParams applies the release's Content-Type rule to a POST, then
// reads a form body's parameters into e.form (raw, URL-encoded). It
// answers the request itself and returns false when the type is refused
// or the body cannot be read.
func (s *Server) readBodyParams(e *exchange) bool {
	r := e.r
	if r.Method != http.MethodPost || !hasBody(r) {
		return true
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if s.version.checksContentType() {
		if types := postContentTypes(e.call); types != nil && !slices.Contains(types, mt) {
			if e.call == "join" {
				s.joinFail(e, "unsupportedContentType", msgUnsupportedContentType)
			} else {
				s.fail(e, "unsupportedContentType", msgUnsupportedContentType)
			}
			return false
		}
	}
	switch mt {
	case "application/x-www-form-urlencoded":
		body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
		if err != nil || len(body) > maxBody {
			s.fail(e, "validationError", "Could not read the request body")
			return false
		}
		e.form, e.bodyRead = string(body), true
	case "multipart/form-data":
		e.bodyRead = true
		if err := r.ParseMultipartForm(maxBody); err != nil {
			break // not multipart after all: no parameters
		}
		names := make([]string, 0, len(r.MultipartForm.Value))
		for k := range r.MultipartForm.Value {
			names = append(names, k)
		}
		sort.Strings(names)
		var b strings.Builder
		for _, k := range names {
			for _, v := range r.MultipartForm.Value[k] {
				if b.Len() > 0 {
					b.WriteByte('&')
				}
				b.WriteString(url.QueryEscape(k) + "=" + url.QueryEscape(v))
			}
		}
		e.form = b.String()
	}
	if e.form != "" {
		if e.q == "" {
			e.q = query(e.form)
		} else {
			e.q = query(string(e.q) + "&" + e.form)
		}
	}
	return true
}

// signedQuery returns the query string whose checksum the release checks,
// with the request's checksum as its checksum parameter: the URL's query
// string as is when it carries the checksum, else (the checksum in the
// body) the URL's query string without it, or on releases before 3.0 with
// no query string at all, the parameters rebuilt by name.
func (s *Server) signedQuery(e *exchange) string {
	raw := e.r.URL.RawQuery
	if e.form == "" {
		return raw
	}
	if _, ok := query(raw).get("checksum"); ok {
		return raw
	}
	sum, _ := query(e.form).get("checksum")
	signed := raw
	if raw == "" && !s.version.atLeast(v30) {
		signed = rebuiltQuery(e.q)
	}
	if signed == "" {
		return "checksum=" + url.QueryEscape(sum)
	}
	return signed + "&checksum=" + url.QueryEscape(sum)
}

// rebuiltQuery is ValidationService.buildQueryStringFromParamsMap: every
// parameter but the checksum, names sorted, the first value of each,
// encoded as Java's URLEncoder encodes.
func rebuiltQuery(q query) string {
	first := map[string]string{}
	q.each(func(k, v string) {
		if _, seen := first[k]; !seen && k != "checksum" {
			first[k] = v
		}
	})
	names := make([]string, 0, len(first))
	for k := range first {
		names = append(names, k)
	}
	sort.Strings(names)
	var b strings.Builder
	for i, k := range names {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(k + "=" + javaURLEncode(first[k]))
	}
	return b.String()
}

// javaURLEncode is java.net.URLEncoder.encode(s, "UTF-8"): letters,
// digits and .-*_ stay, a space is '+', every other byte is %XX.
func javaURLEncode(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '.', c == '-', c == '*', c == '_':
			b.WriteByte(c)
		case c == ' ':
			b.WriteByte('+')
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
}
