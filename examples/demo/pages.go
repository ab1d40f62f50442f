package main

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// pages renders the portal's server-side pages.
type pages struct {
	a     *app
	pages map[string]*template.Template // by file name, each with the layout
}

func newPages(a *app) (*pages, error) {
	funcs := template.FuncMap{
		"when":     a.when,
		"datetime": func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"clock":    func(t time.Time) string { return t.In(a.loc).Format("15:04") },
		"until":    a.until,
		"field":    newField,
	}
	names, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		return nil, err
	}
	p := &pages{a: a, pages: map[string]*template.Template{}}
	for _, n := range names {
		base := path.Base(n)
		if base == "layout.html" {
			continue
		}
		t, err := template.New(base).Funcs(funcs).ParseFS(templateFiles, "templates/layout.html", n)
		if err != nil {
			return nil, err
		}
		p.pages[strings.TrimSuffix(base, ".html")] = t
	}
	return p, nil
}

// view is what every page's template gets.
type view struct {
	Title   string
	Nav     string    // the section the page belongs to: live, webinars, admin, signin
	User    *demoUser // nil when signed out
	Path    string    // the page's path and query, for sign-in's "next"
	Here    string    // the page's path alone, where a refresh goes
	Fake    bool      // running on the fakes
	Notice  string    // a success message
	Error   string    // an error message for the whole page
	Refresh int       // seconds before the page reloads itself (0: never)
	Data    any
}

func (p *pages) view(r *http.Request, title, nav string, data any) *view {
	v := &view{Title: title, Nav: nav, Path: r.URL.RequestURI(), Here: r.URL.Path, Fake: p.a.fakes != nil, Data: data}
	if u, ok := p.a.userOf(r); ok {
		du, _ := findUser(u.ID)
		v.User = &du
	}
	v.Notice = noticeText(r.URL.Query().Get("done"))
	return v
}

// render writes page name with v, with status.
func (p *pages) render(w http.ResponseWriter, status int, name string, v *view) {
	var buf bytes.Buffer
	if err := p.pages[name].ExecuteTemplate(&buf, "layout", v); err != nil {
		p.a.logger.Error("render", "page", name, "err", err)
		http.Error(w, "the page could not be rendered", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", "default-src 'self'; media-src 'self' blob: http: https:; "+
		"connect-src 'self' http: https:; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; "+
		"form-action 'self'; frame-ancestors 'none'")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// fail shows an error page.
func (p *pages) fail(w http.ResponseWriter, r *http.Request, status int, msg string) {
	v := p.view(r, http.StatusText(status), "", nil)
	v.Error = msg
	p.render(w, status, "error", v)
}

// when formats a slot's start and end for people.
func (a *app) when(start, end time.Time) string {
	s, e := start.In(a.loc), end.In(a.loc)
	if s.YearDay() == e.YearDay() && s.Year() == e.Year() {
		return fmt.Sprintf("%s, %s–%s", s.Format("Mon 2 Jan 2006"), s.Format("15:04"), e.Format("15:04 MST"))
	}
	return fmt.Sprintf("%s – %s", s.Format("Mon 2 Jan 2006 15:04"), e.Format("Mon 2 Jan 2006 15:04 MST"))
}

// notices are the success messages a redirect names with ?done=.
var notices = map[string]string{
	"created":      "Webinar created: a gateway is booked for its slot.",
	"saved":        "Changes saved.",
	"deleted":      "Webinar deleted.",
	"start":        "Starting the webinar: creating the meeting, then starting the stream…",
	"stop-live":    "Stopping the live stream; the meeting goes on.",
	"restart-live": "Restarting the live stream…",
	"end":          "Ending the webinar…",
	"show-chat":    "The chat will show in the stream.",
	"hide-chat":    "The chat will be hidden from the stream.",
	"sent":         "Message sent to the meeting's public chat.",
	"gateway":      "Gateway saved.",
}

func noticeText(key string) string { return notices[key] }

// routes registers the pages on mux.
func (p *pages) routes(mux *http.ServeMux) {
	a := p.a
	origin := a.base
	if u, err := url.Parse(a.base); err == nil {
		origin = u.Scheme + "://" + u.Host
	}
	guard, err := newSameOrigin(origin)
	if err != nil {
		a.logger.Warn("the public URL's origin is not trusted: only requests to its own host pass", "err", err)
	}
	handle := func(pattern string, h http.HandlerFunc) { mux.Handle(pattern, guard.wrap(h)) }

	handle("GET /{$}", a.home)
	handle("GET /signin", a.signInPage)
	handle("POST /signin", a.signIn)
	handle("POST /signout", a.signOut)

	handle("GET /live/{id}", a.livePage)
	handle("GET /live/{id}/status", a.liveStatus)
	handle("POST /live/{id}/chat", a.liveChat)

	handle("GET /webinars", a.myWebinars)
	handle("GET /webinars/new", a.newWebinarPage)
	handle("POST /webinars/new", a.createWebinar)
	handle("GET /webinars/{id}", a.webinarPage)
	handle("GET /webinars/{id}/edit", a.editWebinarPage)
	handle("POST /webinars/{id}/edit", a.updateWebinar)
	handle("POST /webinars/{id}/do/{action}", a.webinarAction)
	handle("GET /webinars/{id}/join", a.joinPage)
	handle("POST /webinars/{id}/join", a.join)

	handle("GET /admin/gateways", a.gatewaysPage)
	handle("GET /admin/gateways/new", a.newGatewayPage)
	handle("POST /admin/gateways/new", a.createGateway)
	handle("GET /admin/gateways/{gid}", a.editGatewayPage)
	handle("POST /admin/gateways/{gid}", a.updateGateway)
	handle("GET /admin/capacity", a.capacityPage)
	handle("GET /admin/health", a.healthPage)
	handle("POST /admin/health/faults/{fault}", a.setFault)

	static, _ := fs.Sub(staticFiles, "static")
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	mux.HandleFunc("GET /assets/hls.min.js", a.hlsAsset)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		p.fail(w, r, http.StatusNotFound, "There is no page at this address.")
	})
}

// hlsAsset serves hls.js as `make demo` installed it from npm.
func (a *app) hlsAsset(w http.ResponseWriter, r *http.Request) {
	if a.hlsJS == "" {
		http.Error(w, "hls.js is not installed: run `make demo` (or `npm ci --prefix examples/demo`)", http.StatusNotFound)
		return
	}
	w.Header().Set("Cache-Control", "public, max-age=3600")
	http.ServeFile(w, r, a.hlsJS)
}

// formField is one labelled input of a form, with its error.
type formField struct{ Name, Label, Value, Hint, Error string }

func newField(name, label, value, hint string, errs map[string]string) formField {
	return formField{Name: name, Label: label, Value: value, Hint: hint, Error: errs[name]}
}

// until formats the end of an interval of a day: the next midnight is
// 24:00 of the day.
func (a *app) until(t time.Time) string {
	if l := t.In(a.loc); l.Hour() == 0 && l.Minute() == 0 {
		return "24:00"
	}
	return t.In(a.loc).Format("15:04")
}
