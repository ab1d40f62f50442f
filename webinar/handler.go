package webinar

import (
	"encoding/json"
	"errors"
	"html/template"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/bbbcast/bbbcast/bbb"
	"github.com/bbbcast/bbbcast/gateway"
	"github.com/bbbcast/bbbcast/sipmediagw"
)

// maxFormBytes bounds the body of the handler's POSTs.
const maxFormBytes = 8 << 10

// Handler serves the HTTP side of the Service. It uses only paths
// relative to where it is mounted, so a host mounts it under any prefix,
// the one Config.PublicURL names as the outside sees it:
//
//	mux.Handle("/webinar/", http.StripPrefix("/webinar", svc.Handler(users)))
//
// which Mount does. users tells who the request's user is, from the host's session (false
// for an anonymous request). The routes:
//
//	GET  /callback/end                BBB's end-of-meeting callback (signed URL)
//	POST /callback/recording          BBB's recording-ready callback (signed URL, form field
//	                                  signed_parameters: a JWT signed with the BBB secret)
//	GET  /callback/check, /bot/check  Check's probes of PublicURL (the first signed as a callback)
//	GET  /bot/{id}/{secret}/{room}    the streaming bot's join page (the URL is a credential)
//	POST /bot/{id}/{secret}/{room}    the page's form: 303 to the BBB viewer join URL
//	POST /webinars/{id}/chat          form field "message": 204
//	POST /webinars/{id}/{action}      start, stop-live, restart-live, end: 202 with the stored
//	                                  step, the rest runs in the background; show-chat, hide-chat:
//	                                  200; JSON {id, state, failReason, chatShown, chatVisible}, or
//	                                  {error} with a sentence to show
//	GET  /webinars/{id}/join          303 to the presenter's BBB join URL of the running meeting, or a
//	                                  page with a form that POSTs here when it does not run
//	POST /webinars/{id}/join          starts the webinar when scheduled or failed, then 303 to the
//	                                  presenter's BBB join URL, or a page saying why not (Explain)
//
// No GET changes anything. Every POST, PUT, PATCH or DELETE goes through
// net/http's CrossOriginProtection: a browser's request from another
// origin (another site, a sibling subdomain, another port) is refused
// with 403, whatever the cookies; PublicURL's origin is trusted (a
// reverse proxy may rewrite Host), and so are Config.TrustedOrigins.
// Requests without the browser's headers (Sec-Fetch-Site, Origin) pass:
// they cannot carry a victim's cookies from another origin.
func (s *Service) Handler(users func(*http.Request) (User, bool)) http.Handler {
	h := &handler{s: s, users: users}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /callback/end", h.endCallback)
	mux.HandleFunc("POST "+recordingCallbackPath, h.recordingCallback)
	mux.HandleFunc("GET /callback/check", h.checkProbe)
	mux.HandleFunc("GET /bot/check", h.checkProbe)
	mux.HandleFunc("GET /bot/{id}/{secret}/{room}", h.botPage)
	mux.HandleFunc("POST /bot/{id}/{secret}/{room}", h.botJoin)
	mux.HandleFunc("POST /webinars/{id}/chat", h.chat)
	mux.HandleFunc("POST /webinars/{id}/{action}", h.action)
	mux.HandleFunc("GET /webinars/{id}/join", h.presenterRejoin)
	mux.HandleFunc("POST /webinars/{id}/join", h.presenterJoin)
	return s.originCheck.Handler(mux)
}

// Mount serves Handler(users) on mux under the path of Config.PublicURL
// (https://portal.example.org/webinar mounts it at /webinar/; a PublicURL
// without a path mounts it at the root). It is the one-line form of
//
//	mux.Handle(path+"/", http.StripPrefix(path, svc.Handler(users)))
func (s *Service) Mount(mux *http.ServeMux, users func(*http.Request) (User, bool)) {
	path := ""
	if u, err := url.Parse(s.publicURL); err == nil {
		path = strings.TrimRight(u.Path, "/")
	}
	mux.Handle(path+"/", http.StripPrefix(path, s.Handler(users)))
}

type handler struct {
	s     *Service
	users func(*http.Request) (User, bool)
}

// statusOf maps an error of the Service to an HTTP status and a message
// safe to show (Explain's sentence); 5xx messages are generic.
func statusOf(err error) (int, string) {
	msg := Explain(err)
	var ie *InputError
	switch {
	case errors.As(err, &ie):
		return http.StatusBadRequest, msg
	case errors.Is(err, ErrBadCredential), errors.Is(err, ErrNotFound):
		return http.StatusNotFound, "not found"
	case errors.Is(err, ErrForbidden):
		return http.StatusForbidden, msg
	case errors.Is(err, gateway.ErrNoGatewayFree), errors.Is(err, ErrOutsideWindow), errors.Is(err, ErrGatewayBusy),
		errors.Is(err, ErrChatClosed), errors.Is(err, ErrInvalidState), errors.Is(err, ErrBusy), errors.Is(err, ErrConflict):
		return http.StatusConflict, msg
	case errors.Is(err, ErrNotConfigured), errors.Is(err, ErrClosed):
		return http.StatusServiceUnavailable, msg
	case errors.Is(err, ErrStartFailed):
		return http.StatusBadGateway, msg
	case errors.Is(err, sipmediagw.ErrNotSupported):
		return http.StatusNotImplemented, msg
	}
	return http.StatusBadGateway, "the operation failed"
}

// fail answers err as JSON, logging what is not the client's fault.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, id string, err error) {
	code, msg := statusOf(err)
	if code >= 500 {
		h.s.logger.LogAttrs(r.Context(), slog.LevelError, "webinar: request failed",
			slog.String("webinar", id), slog.String("route", r.Pattern), slog.String("error", err.Error()))
	}
	writeJSON(w, code, map[string]string{"error": msg})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// endCallback receives BBB's unsigned GET at the end of a meeting. Only
// a failure that a retry may cure (BBB unreachable, another process
// driving the webinar) gets a 5xx, which makes BBB call again.
func (h *handler) endCallback(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if h.s.callbacks == nil {
		http.Error(w, "not configured", http.StatusServiceUnavailable)
		return
	}
	cb, err := h.s.callbacks.VerifyEndCallback(r.URL.Query())
	if err != nil {
		// The URL holds the token: only the reason is logged.
		h.s.logger.LogAttrs(r.Context(), slog.LevelWarn, "webinar: end callback refused", slog.String("error", err.Error()))
		http.Error(w, http.StatusText(http.StatusForbidden), http.StatusForbidden)
		return
	}
	wb, err := h.s.MeetingEnded(r.Context(), cb.MeetingID)
	switch {
	case err == nil:
		h.s.logger.LogAttrs(r.Context(), slog.LevelInfo, "webinar: end callback", slog.String("meeting", cb.MeetingID), slog.String("state", string(wb.State)))
	case retryable(err):
		h.s.logger.LogAttrs(r.Context(), slog.LevelWarn, "webinar: end callback to retry",
			slog.String("meeting", cb.MeetingID), slog.String("error", err.Error()))
		http.Error(w, "try again later", http.StatusServiceUnavailable)
		return
	case errors.Is(err, ErrNotFound):
		h.s.logger.LogAttrs(r.Context(), slog.LevelInfo, "webinar: end callback for an unknown meeting", slog.String("meeting", cb.MeetingID))
	default:
		h.s.logger.LogAttrs(r.Context(), slog.LevelError, "webinar: end callback failed",
			slog.String("meeting", cb.MeetingID), slog.String("error", err.Error()))
	}
	w.WriteHeader(http.StatusOK)
}

// retryable reports whether an error of MeetingEnded may go away when BBB
// calls again.
func retryable(err error) bool {
	var te *bbb.TransportError
	var re *bbb.ResponseError
	var ae *bbb.APIError
	return errors.As(err, &te) || errors.As(err, &re) || errors.As(err, &ae) ||
		errors.Is(err, ErrBusy) || errors.Is(err, ErrConflict)
}

// botHeaders are set on every answer of the bot routes: the URL is a
// credential.
func botHeaders(w http.ResponseWriter) {
	hd := w.Header()
	hd.Set("Cache-Control", "no-store")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("X-Robots-Tag", "noindex, nofollow")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("X-Frame-Options", "DENY")
}

// botPage is a static join form both bot generations can use: v1.5/1.6
// click #okcookie, type into #id_name; v1.7+ type into Greenlight's
// #joinFormName; all click button[type='submit']. Both fields are
// visible text inputs (a headless browser cannot type into a hidden
// one), empty but for a placeholder (a bot types its name after any
// value there), and both are submitted; botJoin keeps the one typed in.
// No script, no style: the CSP allows nothing but the form.
const botPage = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="robots" content="noindex, nofollow">
<meta name="referrer" content="no-referrer">
<title>Webinar streaming</title>
</head>
<body>
<p>This page sets no cookies. <button type="button" id="okcookie">OK</button></p>
<form method="post">
<p><label for="id_name">Name</label> <input type="text" id="id_name" name="name" placeholder="streaming" maxlength="100" autocomplete="off"></p>
<p><label for="joinFormName">Display name</label> <input type="text" id="joinFormName" name="joinFormName" placeholder="streaming" maxlength="100" autocomplete="off"></p>
<p><button type="submit">Join</button></p>
</form>
</body>
</html>
`

const notStartedPage = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Not started</title>
</head>
<body>
<p>The webinar has not started.</p>
</body>
</html>
`

// botError answers a refused bot request: 404 for a bad credential (never
// confirming that the webinar exists), 409 when the meeting does not run.
func (h *handler) botError(w http.ResponseWriter, r *http.Request, err error) {
	code, _ := statusOf(err)
	switch {
	case errors.Is(err, ErrBadCredential) || code == http.StatusNotFound:
		http.NotFound(w, r)
	case errors.Is(err, ErrInvalidState):
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
		w.WriteHeader(http.StatusConflict)
		_, _ = w.Write([]byte(notStartedPage))
	default:
		// The path is a credential: the webinar ID only.
		h.s.logger.LogAttrs(r.Context(), slog.LevelError, "webinar: bot page failed",
			slog.String("webinar", r.PathValue("id")), slog.String("error", err.Error()))
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
	}
}

func (h *handler) botPage(w http.ResponseWriter, r *http.Request) {
	botHeaders(w)
	join, err := h.s.BotJoinURL(r.Context(), r.PathValue("id"), r.PathValue("secret"), r.PathValue("room"), BotForm{})
	if err != nil {
		h.botError(w, r, err)
		return
	}
	// Browsers check form-action on the redirects that follow a
	// submission too: allow BBB's origin, and https for a load balancer
	// (Scalelite) sending the bot on to another server.
	formAction := "'self' https:"
	if u, err := url.Parse(join); err == nil && u.Host != "" {
		formAction += " " + u.Scheme + "://" + u.Host
	}
	w.Header().Set("Content-Security-Policy", "default-src 'none'; base-uri 'none'; form-action "+formAction+"; frame-ancestors 'none'")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write([]byte(botPage))
}

// botForm reads what the bot typed: the field it typed in tells its
// generation (BotFieldName, #id_name: v1.5/v1.6; BotFieldGreenlight:
// v1.7+), and the name typed there, unless it is BotName, is the name
// it joins with.
func botForm(r *http.Request) BotForm {
	form := BotForm{Name: BotName}
	for _, k := range [...]string{BotFieldName, BotFieldGreenlight} {
		v := strings.TrimSpace(r.PostFormValue(k))
		if v == "" {
			continue
		}
		if form.Field == "" {
			form.Field = k
		}
		if v != BotName && form.Name == BotName {
			form.Name = v
		}
	}
	return form
}

func (h *handler) botJoin(w http.ResponseWriter, r *http.Request) {
	botHeaders(w)
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	join, err := h.s.BotJoinURL(r.Context(), r.PathValue("id"), r.PathValue("secret"), r.PathValue("room"), botForm(r))
	if err != nil {
		h.botError(w, r, err)
		return
	}
	http.Redirect(w, r, join, http.StatusSeeOther)
}

// user returns the request's signed-in user, refusing anonymous requests.
func (h *handler) user(w http.ResponseWriter, r *http.Request) (User, bool) {
	u, ok := h.users(r)
	if !ok || u.ID == "" {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "sign in first"})
		return User{}, false
	}
	return u, true
}

// refuseCrossOrigin answers what CrossOriginProtection refused.
func refuseCrossOrigin(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusForbidden, map[string]string{"error": "cross-site request refused"})
}

func (h *handler) chat(w http.ResponseWriter, r *http.Request) {
	u, ok := h.user(w, r)
	if !ok {
		return
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "application/x-www-form-urlencoded" && mt != "multipart/form-data" {
		writeJSON(w, http.StatusUnsupportedMediaType, map[string]string{"error": "send a form"})
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	var err error
	if mt == "multipart/form-data" {
		err = r.ParseMultipartForm(maxFormBytes)
	} else {
		err = r.ParseForm()
	}
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeJSON(w, http.StatusRequestEntityTooLarge, map[string]string{"error": "message too large"})
			return
		}
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "bad form"})
		return
	}
	id := r.PathValue("id")
	if err := h.s.PostChat(r.Context(), u, id, r.PostFormValue("message")); err != nil {
		h.fail(w, r, id, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// actionView is what a presenter action answers: no secret, no session
// handle, no bot room.
type actionView struct {
	ID          string `json:"id"`
	State       State  `json:"state"`
	FailReason  string `json:"failReason"`
	ChatShown   bool   `json:"chatShown"`
	ChatVisible bool   `json:"chatVisible"`
}

var actions = map[string]bool{"start": true, "stop-live": true, "restart-live": true, "end": true, "show-chat": true, "hide-chat": true}

func (h *handler) action(w http.ResponseWriter, r *http.Request) {
	action := r.PathValue("action")
	if !actions[action] {
		http.NotFound(w, r)
		return
	}
	u, ok := h.user(w, r)
	if !ok {
		return
	}
	ctx, id := r.Context(), r.PathValue("id")
	var wb Webinar
	var err error
	switch action {
	case "start":
		wb, err = h.s.Start(ctx, u, id)
	case "stop-live":
		wb, err = h.s.StopLive(ctx, u, id)
	case "restart-live":
		wb, err = h.s.RestartLive(ctx, u, id)
	case "end":
		wb, err = h.s.End(ctx, u, id)
	default: // show-chat, hide-chat
		wb, err = h.s.SetChatShown(ctx, u, id, action == "show-chat")
	}
	if err != nil {
		h.fail(w, r, id, err)
		return
	}
	code := http.StatusAccepted // the rest runs in the background
	if action == "show-chat" || action == "hide-chat" {
		code = http.StatusOK
	}
	writeJSON(w, code, actionView{ID: wb.ID, State: wb.State, FailReason: wb.FailReason,
		ChatShown: wb.ChatShown, ChatVisible: wb.ChatVisible})
}

// presenterRejoin sends a presenter back to the running meeting. It
// starts nothing: when the meeting does not run, it answers a page with
// a form that POSTs to the same URL (presenterJoin), which starts it.
func (h *handler) presenterRejoin(w http.ResponseWriter, r *http.Request) {
	u, ok := h.user(w, r)
	if !ok {
		return
	}
	id := r.PathValue("id")
	link, err := h.s.PresenterLink(r.Context(), u, id)
	if errors.Is(err, ErrNotStarted) {
		page(w, http.StatusOK, startPage, nil)
		return
	}
	h.joinOr(w, r, id, link, err)
}

// presenterJoin sends a presenter to BBB, starting the webinar when it
// is scheduled or failed.
func (h *handler) presenterJoin(w http.ResponseWriter, r *http.Request) {
	u, ok := h.user(w, r)
	if !ok {
		return
	}
	id := r.PathValue("id")
	link, err := h.s.PresenterJoinURL(r.Context(), u, id)
	h.joinOr(w, r, id, link, err)
}

// joinOr redirects to link, or answers a page with Explain's sentence:
// a browser navigates there.
func (h *handler) joinOr(w http.ResponseWriter, r *http.Request, id, link string, err error) {
	if err != nil {
		code, msg := statusOf(err)
		if code >= 500 {
			h.s.logger.LogAttrs(r.Context(), slog.LevelError, "webinar: request failed",
				slog.String("webinar", id), slog.String("route", r.Pattern), slog.String("error", err.Error()))
		}
		page(w, code, refusedPage, msg)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	http.Redirect(w, r, link, http.StatusSeeOther)
}

// page answers a small HTML page: no script, no style.
func page(w http.ResponseWriter, code int, t *template.Template, data any) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	_ = t.Execute(w, data)
}

// startPage offers to start the webinar: a POST, never a GET, changes it.
var startPage = template.Must(template.New("start").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Start the webinar</title>
</head>
<body>
<h1>The webinar has not started</h1>
<form method="post"><p><button type="submit">Start the webinar and join</button></p></form>
</body>
</html>
`))

// refusedPage shows why a presenter could not join.
var refusedPage = template.Must(template.New("refused").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>The webinar cannot be joined</title>
</head>
<body>
<h1>The webinar cannot be joined</h1>
<p role="alert">{{.}}</p>
</body>
</html>
`))
