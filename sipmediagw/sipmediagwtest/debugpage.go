package sipmediagwtest

import (
	"html"
	"net/http"
	"sort"
	"strings"
)

// launcherFile is where the fake's HTTPLauncher.py runs from.
const launcherFile = "/opt/SIPMediaGW/HTTPLauncher.py"

// pyExceptionClasses qualifies the exceptions the launcher meets as web.py
// titles them, str(type(exc)).
var pyExceptionClasses = map[string]string{
	"JSONDecodeError": "json.decoder.JSONDecodeError",
}

// writeDebugPage answers as web.py does when a handler raises while
// web.config.debug is on (the launcher's default): HTTP 500 with the
// "djangoerror" page, streamed like every answer. The page lists the
// traceback with each frame's local variables — web.py's _delegate holds
// the launcher module's globals, allowedToken (the token) among them, and
// the authorize decorator the token it compared — then the request's
// input, context and environment (the Authorization header and the
// query). priorType is the Content-Type the handler had already set (""
// for none): web.py does not clear it, so the answer carries two
// Content-Type headers, that one first.
func (s *Server) writeDebugPage(e *exchange, excType, excValue, priorType string) {
	r := e.r
	var b strings.Builder
	b.Grow(8192)
	w := func(parts ...string) {
		for _, p := range parts {
			b.WriteString(p)
		}
	}
	esc := html.EscapeString
	class := excType
	if q, ok := pyExceptionClasses[excType]; ok {
		class = q
	}
	title := esc("<class '"+class+"'>") + " at " + esc(r.URL.Path)
	frames := s.debugFrames(e, excType)
	w(`<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN" "http://www.w3.org/TR/html4/loose.dtd">`, "\n",
		`<html lang="en">`, "\n<head>\n",
		`  <meta http-equiv="content-type" content="text/html; charset=utf-8" />`, "\n",
		`  <meta name="robots" content="NONE,NOARCHIVE" />`, "\n",
		"  <title>", title, "</title>\n</head>\n<body>\n\n")
	w(`<div id="summary">`, "\n  <h1>", title, "</h1>\n  <h2>", esc(excValue), "</h2>\n",
		"  <table><tr>\n    <th>Python</th>\n    <td>", esc(frames[0].file), " in ", esc(frames[0].function), "</td>\n",
		"  </tr><tr>\n    <th>Web</th>\n    <td>", esc(r.Method), " http://", esc(r.Host), esc(r.URL.Path), "</td>\n  </tr></table>\n</div>\n")
	w(`<div id="traceback">`, "\n<h2>Traceback <span>(innermost first)</span></h2>\n", `<ul class="traceback">`, "\n")
	for _, f := range frames {
		w(`<li class="frame">`, "\n<code>", esc(f.file), "</code> in <code>", esc(f.function), "</code>\n")
		if len(f.vars) > 0 {
			dictTable(&b, "vars", f.vars)
		}
		w("</li>\n")
	}
	w("</ul>\n</div>\n\n", `<div id="requestinfo">`, "\n")
	var headers string
	if priorType != "" {
		w("<h2>Response so far</h2>\n<h3>HEADERS</h3>\n")
		dictTable(&b, "req", [][2]string{{"Content-Type", pyStrRepr(priorType)}})
		w("\n<h3>BODY</h3>\n", `<p class="req" style="padding-bottom: 2em"><code>`, "\n\n</code></p>\n\n")
		headers = "[('Content-Type', " + pyStrRepr(priorType) + ")]"
	} else {
		headers = "[]"
	}
	w("<h2>Request information</h2>\n\n<h3>INPUT</h3>\n")
	input := map[string]string{}
	for _, p := range webInput(r, e.body) {
		input[p.k] = pyStrRepr(p.v)
	}
	dictTable(&b, "req", sortedItems(input))
	w("\n<h3 id=\"cookie-info\">COOKIES</h3>\n<p>No data.</p>\n\n<h3 id=\"meta-info\">META</h3>\n")
	home := pyStrRepr("http://" + r.Host)
	meta := map[string]string{
		"app_stack": "[<web.application.application object at 0x7f0c1f158f10>]",
		"fullpath":  pyStrRepr(r.URL.RequestURI()),
		"headers":   headers,
		"home":      home, "homedomain": home, "realhome": home,
		"homepath": "''",
		"host":     pyStrRepr(r.Host),
		"ip":       pyStrRepr(hostOnly(r.RemoteAddr)),
		"method":   pyStrRepr(r.Method),
		"output":   "''",
		"path":     pyStrRepr(r.URL.Path),
		"protocol": "'http'",
		"query":    pyStrRepr(queryPrefix(r.URL.RawQuery)),
		"status":   "'200 OK'",
	}
	if r.Method == http.MethodPost {
		meta["data"] = pyBytesRepr(e.body)
	}
	dictTable(&b, "req", sortedItems(meta))
	w("\n<h3 id=\"meta-info\">ENVIRONMENT</h3>\n")
	port := "80"
	if i := strings.LastIndexByte(r.Host, ':'); i >= 0 {
		port = r.Host[i+1:]
	}
	env := map[string]string{
		"ACTUAL_SERVER_PROTOCOL": "'HTTP/1.1'",
		"PATH_INFO":              pyStrRepr(r.URL.Path),
		"QUERY_STRING":           pyStrRepr(r.URL.RawQuery),
		"REMOTE_ADDR":            pyStrRepr(hostOnly(r.RemoteAddr)),
		"REMOTE_PORT":            pyStrRepr(r.RemoteAddr[strings.LastIndexByte(r.RemoteAddr, ':')+1:]),
		"REQUEST_METHOD":         pyStrRepr(r.Method),
		"REQUEST_URI":            pyStrRepr(r.URL.RequestURI()),
		"SCRIPT_NAME":            "''",
		"SERVER_NAME":            "'localhost'",
		"SERVER_PORT":            pyStrRepr(port),
		"SERVER_PROTOCOL":        pyStrRepr(r.Proto),
		"SERVER_SOFTWARE":        "'Cheroot/9.0.0 Server'",
		"wsgi.multithread":       "True",
		"wsgi.url_scheme":        "'http'",
		"wsgi.version":           "(1, 0)",
	}
	for k, vs := range r.Header {
		name := "HTTP_" + strings.ReplaceAll(strings.ToUpper(k), "-", "_")
		switch name {
		case "HTTP_CONTENT_TYPE":
			name = "CONTENT_TYPE"
		case "HTTP_CONTENT_LENGTH":
			name = "CONTENT_LENGTH"
		}
		env[name] = pyStrRepr(strings.Join(vs, ", "))
	}
	if r.Host != "" {
		env["HTTP_HOST"] = pyStrRepr(r.Host)
	}
	if r.Method == http.MethodPost {
		env["CONTENT_LENGTH"] = pyStrRepr(itoa(len(e.body)))
	}
	dictTable(&b, "req", sortedItems(env))
	w("</div>\n\n", `<div id="explanation">`, "\n  <p>\n    You're seeing this error because you have <code>web.config.debug</code>\n",
		"    set to <code>True</code>. Set that to <code>False</code> if you don't want to see this.\n  </p>\n</div>\n\n</body>\n</html>\n")

	h := e.w.Header()
	h.Del("Content-Type")
	if priorType != "" {
		h.Add("Content-Type", priorType)
	}
	h.Add("Content-Type", "text/html")
	if !e.chunked {
		h.Set("Content-Length", itoa(b.Len()))
	}
	e.w.WriteHeader(http.StatusInternalServerError)
	if f, ok := e.w.(http.Flusher); ok && e.chunked {
		f.Flush()
	}
	_, _ = e.w.Write([]byte(b.String()))
	e.status = http.StatusInternalServerError
}

// pyFrame is one frame of a debug page's traceback.
type pyFrame struct {
	file, function string
	vars           [][2]string // name, repr
}

// debugFrames is the traceback of the launcher's exception, innermost
// first: json's frames for a JSONDecodeError, the handler, its authorize
// wrapper for the GET methods, and web.py's dispatch.
func (s *Server) debugFrames(e *exchange, excType string) []pyFrame {
	const decoder = "<json.decoder.JSONDecoder object at 0x7f2da5eb6910>"
	var frames []pyFrame
	if excType == "JSONDecodeError" {
		frames = append(frames,
			pyFrame{"/usr/lib/python3.11/json/decoder.py", "raw_decode", [][2]string{{"idx", "0"}, {"self", decoder}}},
			pyFrame{"/usr/lib/python3.11/json/decoder.py", "decode", [][2]string{{"self", decoder}}},
			pyFrame{"/usr/lib/python3.11/json/__init__.py", "loads", [][2]string{{"cls", "None"}, {"kw", "{}"}}})
	}
	class := map[string]string{"/start": "Start", "/stop": "Stop", "/progress": "Progress", "/chat": "Chat"}[e.r.URL.Path]
	self := "<HTTPLauncher." + class + " object at 0x7f2da4dec610>"
	method := "GET"
	if e.r.Method == http.MethodPost {
		method = "POST"
	}
	handler := pyFrame{launcherFile, method, [][2]string{{"self", self}}}
	if method == "GET" {
		var data []string
		for _, p := range webInput(e.r, nil) {
			data = append(data, pyStrRepr(p.k)+": "+pyStrRepr(p.v))
		}
		handler.vars = append([][2]string{{"args", "None"}, {"data", "<Storage {" + strings.Join(data, ", ") + "}>"}}, handler.vars...)
	}
	frames = append(frames, handler)
	tocall := "<bound method " + class + "." + method + " of " + self + ">"
	if method == "GET" {
		auth := strings.Join(e.r.Header.Values("Authorization"), ", ")
		frames = append(frames, pyFrame{launcherFile, "inner", [][2]string{
			{"args", "(" + self + ",)"}, {"auth", pyStrRepr(strings.TrimPrefix(auth, "Bearer "))}, {"authReq", "False"},
			{"func", "<function " + class + ".GET at 0x7f2da4f880e0>"}, {"kwargs", "{}"},
		}})
		tocall = "<bound method authorize.<locals>.inner of " + self + ">"
	}
	app := "<web.application.application object at 0x7f2da4f8f390>"
	classes := "'Chat': <class 'HTTPLauncher.Chat'>,\n"
	if s.version == V17 {
		classes += " 'Progress': <class 'HTTPLauncher.Progress'>,\n"
	}
	fvars := "{" + classes +
		" 'Start': <class 'HTTPLauncher.Start'>,\n 'Stop': <class 'HTTPLauncher.Stop'>,\n" +
		" '__file__': '" + launcherFile + "',\n '__name__': 'HTTPLauncher',\n" +
		" 'allowedToken': " + pyStrRepr(s.Token) + ",\n" +
		" 'app': " + app + ",\n 'authorize': <function authorize at 0x7f0c1f15c2c0>,\n" +
		" 'json': <module 'json' from '/usr/lib/python3.11/json/__init__.py'>,\n 'os': <module 'os' (frozen)>,\n" +
		" 're': <module 're' from '/usr/lib/python3.11/re/__init__.py'>,\n" +
		" 'subprocess': <module 'subprocess' from '/usr/lib/python3.11/subprocess.py'>,\n" +
		" 'web': <module 'web' from '/usr/lib/python3/dist-packages/web/__init__.py'>}"
	webpy := "/usr/lib/python3/dist-packages/web/application.py"
	frames = append(frames,
		pyFrame{webpy, "handle_class", [][2]string{{"args", "[]"}, {"cls", "<class 'HTTPLauncher." + class + "'>"}, {"meth", pyStrRepr(method)}, {"tocall", tocall}}},
		pyFrame{webpy, "_delegate", [][2]string{{"args", "[]"}, {"cls", "<class 'HTTPLauncher." + class + "'>"}, {"f", pyStrRepr(class)}, {"fvars", fvars}, {"self", app}}},
		pyFrame{webpy, "handle", [][2]string{{"args", "[]"}, {"fn", pyStrRepr(class)}, {"self", app}}},
		pyFrame{webpy, "process", [][2]string{{"processors", "[]"}, {"self", app}}})
	return frames
}

// webInput is web.input(): the query, then a POSTed form's fields.
func webInput(r *http.Request, body []byte) params {
	in := parseQuery(r.URL.RawQuery)
	if r.Method == http.MethodPost && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		in = append(in, parseQuery(string(body))...)
	}
	return in
}

func sortedItems(m map[string]string) [][2]string {
	out := make([][2]string, 0, len(m))
	for k, v := range m {
		out = append(out, [2]string{k, v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i][0] < out[j][0] })
	return out
}

// dictTable renders web.py's Variable/Value table.
func dictTable(b *strings.Builder, class string, items [][2]string) {
	if len(items) == 0 {
		b.WriteString("<p>No data.</p>\n")
		return
	}
	b.WriteString(`<table class="` + class + `"><thead><tr><th>Variable</th><th>Value</th></tr></thead>` + "\n<tbody>\n")
	for _, kv := range items {
		b.WriteString("<tr><td>" + html.EscapeString(kv[0]) + `</td><td class="code"><div>` + html.EscapeString(kv[1]) + "</div></td></tr>\n")
	}
	b.WriteString("</tbody>\n</table>\n")
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
