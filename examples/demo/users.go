package main

import (
	"net/http"
	"net/url"
	"path"
	"strings"

	"github.com/bbbcast/bbbcast/webinar"
)

// demoUser is one of the people a visitor can act as: the demo has no
// passwords, a host portal has its own sign-in.
type demoUser struct {
	webinar.User
	Role string // what the person does in the tour
}

// demoUsers are the people of the demo, in the order the sign-in page
// lists them.
var demoUsers = []demoUser{
	{User: webinar.User{ID: "ada", Name: "Ada Lovelace", Affiliations: []string{"faculty"}},
		Role: "presenter: creates and runs webinars"},
	{User: webinar.User{ID: "sam", Name: "Sam Student", Affiliations: []string{"student"}},
		Role: "audience: watches and chats"},
	{User: webinar.User{ID: "grace", Name: "Grace Hopper", Affiliations: []string{"staff"}, Superuser: true},
		Role: "administrator: manages gateways, sees every webinar"},
}

func findUser(id string) (demoUser, bool) {
	for _, u := range demoUsers {
		if u.ID == id {
			return u, true
		}
	}
	return demoUser{}, false
}

// userCookie holds the ID of the person the visitor acts as. It is
// HttpOnly and SameSite=Lax: together with sameOrigin on every POST, a
// cross-site form cannot act for the visitor.
const userCookie = "demo_user"

// userOf is the visitor's user, false when signed out. It is also the
// webinar handler's view of the session.
func (a *app) userOf(r *http.Request) (webinar.User, bool) {
	c, err := r.Cookie(userCookie)
	if err != nil {
		return webinar.User{}, false
	}
	u, ok := findUser(c.Value)
	return u.User, ok
}

func (a *app) signIn(w http.ResponseWriter, r *http.Request) {
	u, ok := findUser(r.PostFormValue("user"))
	if !ok {
		a.pages.fail(w, r, http.StatusBadRequest, "Pick one of the people listed.")
		return
	}
	http.SetCookie(w, &http.Cookie{Name: userCookie, Value: u.ID, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil, MaxAge: 7 * 24 * 3600})
	http.Redirect(w, r, localPath(r.PostFormValue("next"), "/"), http.StatusSeeOther)
}

func (a *app) signOut(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: userCookie, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, MaxAge: -1})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// localPath returns p, as http.Redirect will send it (its path cleaned),
// when it is a path of this site, def otherwise: a "next" parameter never
// sends the visitor elsewhere. Browsers read a backslash as a slash, so
// "/./\evil.example", cleaned to "/\evil.example", would be another host:
// a backslash anywhere is refused.
func localPath(p, def string) string {
	if p == "" || p[0] != '/' || strings.HasPrefix(p, "//") || strings.ContainsRune(p, '\\') {
		return def
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return def
	}
	clean := path.Clean(u.EscapedPath())
	if strings.HasSuffix(u.Path, "/") && clean != "/" {
		clean += "/"
	}
	if !strings.HasPrefix(clean, "/") || strings.HasPrefix(clean, "//") {
		return def
	}
	if u.RawQuery != "" {
		clean += "?" + u.RawQuery
	}
	if u.Fragment != "" {
		clean += "#" + u.EscapedFragment()
	}
	return clean
}

// sameOrigin refuses, with net/http's CrossOriginProtection, the POSTs a
// browser sends from another origin (another site, a sibling subdomain,
// another port), trusting the portal's public origin (a reverse proxy
// may rewrite Host), and bounds their bodies.
type sameOrigin struct{ cop *http.CrossOriginProtection }

func newSameOrigin(publicOrigin string) (sameOrigin, error) {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "cross-site request refused", http.StatusForbidden)
	}))
	return sameOrigin{cop}, cop.AddTrustedOrigin(publicOrigin)
}

func (so sameOrigin) wrap(next http.Handler) http.Handler {
	return so.cop.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
		}
		next.ServeHTTP(w, r)
	}))
}

// securityHeaders sets the headers every answer of the portal carries.
// The webinar handler and the test stream set their own on top.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}
