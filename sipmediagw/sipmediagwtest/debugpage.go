package sipmediagwtest

import (
	"html"
	"net/http"
	"sort"
	"strings"
)

// writeDebugPage answers as web.py does when a handler raises while
// web.config.debug is on (the launcher's default): HTTP 500 with the
// "djangoerror" page. The page lists the request's environment (the
// Authorization header, hence the token, and QUERY_STRING), its input and
// the handler's local variables, among which the token once the "Bearer "
// prefix is cut. priorType is the Content-Type the handler had already set
// ("" for none): web.py does not clear it, so the answer carries two
// Content-Type headers, that one first.
func (s *Server) writeDebugPage(e *exchange, excType, excValue, priorType string) {
	r := e.r
	var b strings.Builder
	b.Grow(4096)
	w := func(parts ...string) {
		for _, p := range parts {
			b.WriteString(p)
		}
	}
	esc := html.EscapeString
	path := esc(r.URL.Path)
	w(`<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN" "http://www.w3.org/TR/html4/loose.dtd">`, "\n",
		`<html lang="en">`, "\n<head>\n",
		`  <meta http-equiv="content-type" content="text/html; charset=utf-8" />`, "\n",
		`  <meta name="robots" content="NONE,NOARCHIVE" />`, "\n",
		"  <title>", esc(excType), " at ", path, "</title>\n</head>\n<body>\n\n")
	w(`<div id="summary">`, "\n  <h1>", esc(excType), " at ", path, "</h1>\n  <h2>", esc(excValue), "</h2>\n",
		"  <table><tr>\n    <th>Python</th>\n    <td>/usr/lib/python3/dist-packages/json/decoder.py in raw_decode, line 355</td>\n",
		"  </tr><tr>\n    <th>Web</th>\n    <td>", esc(r.Method), " http://", esc(r.Host), path, "</td>\n  </tr></table>\n</div>\n")

	auth := strings.Join(r.Header.Values("Authorization"), ", ")
	w(`<div id="traceback">`, "\n<h2>Traceback <span>(innermost first)</span></h2>\n",
		`<ul class="traceback">`, "\n", `<li class="frame">`, "\n<code>/opt/SIPMediaGW/HTTPLauncher.py</code> in <code>inner</code>\n")
	w(`<table class="vars"><thead><tr><th>Variable</th><th>Value</th></tr></thead>`, "\n<tbody>\n")
	varRow := func(k, v string) {
		w("<tr><td>", esc(k), `</td><td class="code"><div>`, esc(v), "</div></td></tr>\n")
	}
	varRow("auth", pyRepr(strings.TrimPrefix(auth, "Bearer ")))
	varRow("authReq", "False")
	w("</tbody>\n</table>\n</li>\n</ul>\n</div>\n\n")

	w(`<div id="requestinfo">`, "\n")
	if priorType != "" {
		w("<h2>Response so far</h2>\n<h3>HEADERS</h3>\n")
		dictTable(&b, [][2]string{{"Content-Type", priorType}})
		w("\n<h3>BODY</h3>\n", `<p class="req" style="padding-bottom: 2em"><code>`, "\n\n</code></p>\n\n")
	}
	w("<h2>Request information</h2>\n\n<h3>INPUT</h3>\n")
	var input [][2]string
	seen := map[string]int{}
	for _, p := range parseQuery(r.URL.RawQuery) {
		if i, ok := seen[p.k]; ok {
			input[i][1] = pyRepr(p.v)
			continue
		}
		seen[p.k] = len(input)
		input = append(input, [2]string{p.k, pyRepr(p.v)})
	}
	dictTable(&b, input)
	w("\n<h3 id=\"cookie-info\">COOKIES</h3>\n<p>No data.</p>\n\n<h3 id=\"meta-info\">META</h3>\n")
	dictTable(&b, [][2]string{
		{"fullpath", pyRepr(r.URL.RequestURI())},
		{"home", pyRepr("http://" + r.Host)},
		{"method", pyRepr(r.Method)},
		{"path", pyRepr(r.URL.Path)},
		{"query", pyRepr(queryPrefix(r.URL.RawQuery))},
		{"status", pyRepr("500 Internal Server Error")},
	})
	w("\n<h3 id=\"meta-info\">ENVIRONMENT</h3>\n")
	env := [][2]string{
		{"PATH_INFO", pyRepr(r.URL.Path)},
		{"QUERY_STRING", pyRepr(r.URL.RawQuery)},
		{"REMOTE_ADDR", pyRepr(hostOnly(r.RemoteAddr))},
		{"REQUEST_METHOD", pyRepr(r.Method)},
		{"SERVER_PROTOCOL", pyRepr(r.Proto)},
		{"SERVER_SOFTWARE", pyRepr("Cheroot/10.0.0 Server")},
	}
	for k, vs := range r.Header {
		name := "HTTP_" + strings.ReplaceAll(strings.ToUpper(k), "-", "_")
		switch name {
		case "HTTP_CONTENT_TYPE":
			name = "CONTENT_TYPE"
		case "HTTP_CONTENT_LENGTH":
			name = "CONTENT_LENGTH"
		}
		env = append(env, [2]string{name, pyRepr(strings.Join(vs, ", "))})
	}
	if r.Host != "" {
		env = append(env, [2]string{"HTTP_HOST", pyRepr(r.Host)})
	}
	sort.Slice(env, func(i, j int) bool { return env[i][0] < env[j][0] })
	dictTable(&b, env)
	w("</div>\n\n", `<div id="explanation">`, "\n  <p>\n    You're seeing this error because you have <code>web.config.debug</code>\n",
		"    set to <code>True</code>. Set that to <code>False</code> if you don't want to see this.\n  </p>\n</div>\n\n</body>\n</html>\n")

	h := e.w.Header()
	h.Del("Content-Type")
	if priorType != "" {
		h.Add("Content-Type", priorType)
	}
	h.Add("Content-Type", "text/html")
	body := b.String()
	h.Set("Content-Length", itoa(len(body)))
	e.w.WriteHeader(http.StatusInternalServerError)
	_, _ = e.w.Write([]byte(body))
	e.status = http.StatusInternalServerError
}

// dictTable renders web.py's Variable/Value table.
func dictTable(b *strings.Builder, items [][2]string) {
	if len(items) == 0 {
		b.WriteString("<p>No data.</p>\n")
		return
	}
	b.WriteString(`<table class="req"><thead><tr><th>Variable</th><th>Value</th></tr></thead>` + "\n<tbody>\n")
	for _, kv := range items {
		b.WriteString("<tr><td>" + html.EscapeString(kv[0]) + `</td><td class="code"><div>` + html.EscapeString(kv[1]) + "</div></td></tr>\n")
	}
	b.WriteString("</tbody>\n</table>\n")
}

// pyRepr quotes s as Python's repr of a str does for printable text.
func pyRepr(s string) string {
	q := byte('\'')
	if strings.Contains(s, "'") && !strings.Contains(s, `"`) {
		q = '"'
	}
	var b strings.Builder
	b.WriteByte(q)
	for _, r := range s {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == rune(q):
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			b.WriteString(`\x`)
			b.WriteByte(hexDigits[r>>4])
			b.WriteByte(hexDigits[r&0xf])
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte(q)
	return b.String()
}

func queryPrefix(raw string) string {
	if raw == "" {
		return ""
	}
	return "?" + raw
}

func hostOnly(addr string) string {
	if i := strings.LastIndexByte(addr, ':'); i > 0 {
		return strings.Trim(addr[:i], "[]")
	}
	return addr
}
