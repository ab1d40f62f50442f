package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bbbcast/bbbcast/bbb"
	"github.com/bbbcast/bbbcast/gateway"
	"github.com/bbbcast/bbbcast/webinar"
)

// requireUser returns the signed-in user, or sends the visitor to the
// sign-in page.
func (a *app) requireUser(w http.ResponseWriter, r *http.Request) (webinar.User, bool) {
	u, ok := a.userOf(r)
	if !ok {
		http.Redirect(w, r, "/signin?next="+urlQueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
	}
	return u, ok
}

// myWebinars lists the webinars the user manages (all of them for an
// administrator).
func (a *app) myWebinars(w http.ResponseWriter, r *http.Request) {
	u, ok := a.requireUser(w, r)
	if !ok {
		return
	}
	q := webinar.Query{User: u.ID}
	if u.Superuser {
		q.User = ""
	}
	list, err := a.svc.List(r.Context(), q)
	if err != nil {
		a.pages.fail(w, r, http.StatusInternalServerError, a.sayError(r, err))
		return
	}
	views := make([]webinarView, len(list))
	for i, wb := range list {
		views[i] = a.viewOf(r.Context(), wb, false)
	}
	data := struct {
		Webinars  []webinarView
		CanCreate bool
	}{views, webinar.PodPolicy{}.CanCreate(u)}
	a.pages.render(w, http.StatusOK, "webinars", a.pages.view(r, "My webinars", "webinars", data))
}

// webinarForm is the create and edit form.
type webinarForm struct {
	ID          string
	Title       string
	Date        string // 2006-01-02
	Time        string // 15:04
	Minutes     int
	ChatEnabled bool
	ChatShown   bool
	// Welcome is the BBB meeting's welcome message; Record records the
	// meeting. Both go in the webinar's meeting parameters.
	Welcome string
	Record  bool
	Errors  map[string]string
}

// maxWelcomeLen bounds the welcome message, in characters.
const maxWelcomeLen = 1000

// meetingOf returns base (the stored meeting parameters, nil for none)
// with the form's welcome message and recording choice; nil when that
// leaves none.
func (f *webinarForm) meetingOf(base *bbb.CreateParams) *bbb.CreateParams {
	var p bbb.CreateParams
	if base != nil {
		p = *base
	}
	p.Welcome, p.Record, p.AutoStartRecording = f.Welcome, nil, nil
	if f.Record {
		// The stream runs from the start: so does the recording.
		p.Record, p.AutoStartRecording = bbb.Bool(true), bbb.Bool(true)
	}
	if reflect.ValueOf(p).IsZero() {
		return nil
	}
	return &p
}

func (a *app) defaultForm() webinarForm {
	start := a.clock.Now().In(a.loc).Truncate(time.Minute)
	start = start.Add(time.Duration(5-start.Minute()%5) * time.Minute) // the next 5 minutes
	return webinarForm{Date: start.Format("2006-01-02"), Time: start.Format("15:04"), Minutes: 60,
		ChatEnabled: true, ChatShown: true}
}

func (a *app) formOf(wb webinar.Webinar) webinarForm {
	s := wb.Slot.Start.In(a.loc)
	f := webinarForm{ID: wb.ID, Title: wb.Title, Date: s.Format("2006-01-02"), Time: s.Format("15:04"),
		Minutes: int(wb.Slot.End.Sub(wb.Slot.Start) / time.Minute), ChatEnabled: wb.ChatEnabled, ChatShown: wb.ChatShown}
	if m := wb.Meeting; m != nil {
		f.Welcome, f.Record = m.Welcome, m.Record != nil && *m.Record
	}
	return f
}

// parseWebinarForm reads the form and its slot, recording what is wrong
// with every field, the title's length included, so that one submission
// shows every problem.
func (a *app) parseWebinarForm(r *http.Request) (webinarForm, gateway.Slot) {
	f := webinarForm{
		Title:       strings.TrimSpace(r.PostFormValue("title")),
		Date:        r.PostFormValue("date"),
		Time:        r.PostFormValue("time"),
		ChatEnabled: r.PostFormValue("chat") == "on",
		ChatShown:   r.PostFormValue("chat_shown") == "on",
		Welcome:     strings.TrimSpace(strings.ReplaceAll(r.PostFormValue("welcome"), "\r\n", "\n")),
		Record:      r.PostFormValue("record") == "on",
		Errors:      map[string]string{},
	}
	if msg := titleProblem(f.Title); msg != "" {
		f.Errors["title"] = msg
	}
	if n := utf8.RuneCountInString(f.Welcome); n > maxWelcomeLen {
		f.Errors["welcome"] = fmt.Sprintf("The welcome message is too long: %d characters, at most %d.", n, maxWelcomeLen)
	}
	start, err := time.ParseInLocation("2006-01-02 15:04", f.Date+" "+f.Time, a.loc)
	if err != nil {
		f.Errors["date"] = "Give a date and a start time."
	}
	f.Minutes, err = strconv.Atoi(r.PostFormValue("minutes"))
	if err != nil || f.Minutes < 5 || f.Minutes > 24*60 {
		f.Errors["minutes"] = "Between 5 minutes and 24 hours."
	}
	return f, gateway.Slot{Start: start, End: start.Add(time.Duration(f.Minutes) * time.Minute)}
}

// formError places err, in words, under the form field it concerns, and
// returns the page's error when it concerns none.
func (a *app) formError(r *http.Request, f *webinarForm, err error) string {
	msg := a.sayError(r, err)
	var ie *webinar.InputError
	switch {
	case errors.As(err, &ie) && ie.Field == "title":
		f.Errors["title"] = msg
		if p := titleProblem(f.Title); p != "" {
			f.Errors["title"] = p
		}
	case errors.As(err, &ie) && ie.Field == "slot", errors.Is(err, gateway.ErrInvalidSlot):
		f.Errors["date"] = msg
	case errors.As(err, &ie) && ie.Field == "meeting.welcome":
		f.Errors["welcome"] = msg
	default:
		return msg
	}
	return ""
}

// creator returns the signed-in user when they may create webinars.
func (a *app) creator(w http.ResponseWriter, r *http.Request) (webinar.User, bool) {
	u, ok := a.requireUser(w, r)
	if ok && !(webinar.PodPolicy{}).CanCreate(u) {
		a.pages.fail(w, r, http.StatusForbidden, "Only staff and faculty create webinars: sign in as Ada Lovelace.")
		return u, false
	}
	return u, ok
}

func (a *app) newWebinarPage(w http.ResponseWriter, r *http.Request) {
	if _, ok := a.creator(w, r); !ok {
		return
	}
	a.pages.render(w, http.StatusOK, "webinar_form", a.pages.view(r, "New webinar", "webinars", a.defaultForm()))
}

func (a *app) createWebinar(w http.ResponseWriter, r *http.Request) {
	u, ok := a.creator(w, r)
	if !ok {
		return
	}
	f, slot := a.parseWebinarForm(r)
	var pageErr string
	if len(f.Errors) == 0 {
		wb, err := a.svc.Create(r.Context(), u, webinar.Draft{Title: f.Title, Slot: slot,
			ChatEnabled: f.ChatEnabled, ChatShown: f.ChatShown, Meeting: f.meetingOf(nil)})
		if err == nil {
			http.Redirect(w, r, "/webinars/"+wb.ID+"?done=created", http.StatusSeeOther)
			return
		}
		pageErr = a.formError(r, &f, err)
	}
	v := a.pages.view(r, "New webinar", "webinars", f)
	v.Error = pageErr
	a.pages.render(w, http.StatusUnprocessableEntity, "webinar_form", v)
}

// managed returns the webinar of the path if the user may manage it.
func (a *app) managed(w http.ResponseWriter, r *http.Request) (webinar.User, webinar.Webinar, bool) {
	u, ok := a.requireUser(w, r)
	if !ok {
		return u, webinar.Webinar{}, false
	}
	wb, err := a.svc.Get(r.Context(), r.PathValue("id"))
	switch {
	case errors.Is(err, webinar.ErrNotFound):
		a.pages.fail(w, r, http.StatusNotFound, "There is no such webinar.")
		return u, wb, false
	case err != nil:
		a.pages.fail(w, r, http.StatusInternalServerError, a.sayError(r, err))
		return u, wb, false
	case !(webinar.PodPolicy{}).CanManage(u, &wb):
		a.pages.fail(w, r, http.StatusForbidden, "Only the webinar's owners and administrators manage it.")
		return u, wb, false
	}
	return u, wb, true
}

func (a *app) webinarPage(w http.ResponseWriter, r *http.Request) {
	_, wb, ok := a.managed(w, r)
	if !ok {
		return
	}
	view := a.viewOf(r.Context(), wb, true)
	v := a.pages.view(r, wb.Title, "webinars", view)
	switch {
	case view.StateClass == "busy":
		v.Refresh = 2
	case wb.State == webinar.Live && !view.hasAttendee(webinar.BotName):
		v.Refresh = 2 // the bot joins just after the stream starts
	}
	a.pages.render(w, http.StatusOK, "webinar", v)
}

func (a *app) editWebinarPage(w http.ResponseWriter, r *http.Request) {
	_, wb, ok := a.managed(w, r)
	if !ok {
		return
	}
	a.pages.render(w, http.StatusOK, "webinar_form", a.pages.view(r, "Edit "+wb.Title, "webinars", a.formOf(wb)))
}

func (a *app) updateWebinar(w http.ResponseWriter, r *http.Request) {
	u, wb, ok := a.managed(w, r)
	if !ok {
		return
	}
	f, slot := a.parseWebinarForm(r)
	f.ID = wb.ID
	var pageErr string
	if len(f.Errors) == 0 {
		c := webinar.Changes{Title: &f.Title, ChatEnabled: &f.ChatEnabled, ChatShown: &f.ChatShown}
		if !slot.Start.Equal(wb.Slot.Start) || !slot.End.Equal(wb.Slot.End) {
			c.Slot = &slot
		}
		// Sent only when changed: the parameters cannot change while the
		// meeting runs, and the other fields still can.
		if m := f.meetingOf(wb.Meeting); !reflect.DeepEqual(m, wb.Meeting) {
			c.Meeting = m
			if m == nil {
				c.Meeting = &bbb.CreateParams{} // removes them
			}
		}
		_, err := a.svc.Update(r.Context(), u, wb.ID, c)
		if err == nil {
			http.Redirect(w, r, "/webinars/"+wb.ID+"?done=saved", http.StatusSeeOther)
			return
		}
		pageErr = a.formError(r, &f, err)
	}
	v := a.pages.view(r, "Edit "+wb.Title, "webinars", f)
	v.Error = pageErr
	a.pages.render(w, http.StatusUnprocessableEntity, "webinar_form", v)
}

// webinarAction runs a button of the webinar page. The slow ones (start,
// stop, restart, end) store their first step and go on in the service's
// background: the page shows their progress.
func (a *app) webinarAction(w http.ResponseWriter, r *http.Request) {
	u, wb, ok := a.managed(w, r)
	if !ok {
		return
	}
	action := r.PathValue("action")
	ctx := r.Context()
	var err error
	switch action {
	case "start":
		_, err = a.svc.Start(ctx, u, wb.ID)
	case "stop-live":
		_, err = a.svc.StopLive(ctx, u, wb.ID)
	case "restart-live":
		_, err = a.svc.RestartLive(ctx, u, wb.ID)
	case "end":
		_, err = a.svc.End(ctx, u, wb.ID)
	case "show-chat", "hide-chat":
		_, err = a.svc.SetChatShown(ctx, u, wb.ID, action == "show-chat")
	case "delete":
		if err = a.svc.Delete(ctx, u, wb.ID); err == nil {
			http.Redirect(w, r, "/webinars?done=deleted", http.StatusSeeOther)
			return
		}
	default:
		a.pages.fail(w, r, http.StatusNotFound, "There is no such action.")
		return
	}
	if err != nil {
		if fresh, gerr := a.svc.Get(ctx, wb.ID); gerr == nil {
			wb = fresh
		}
		a.actionFailed(w, r, wb, action, err)
		return
	}
	http.Redirect(w, r, "/webinars/"+wb.ID+"?done="+action, http.StatusSeeOther)
}

func (a *app) actionFailed(w http.ResponseWriter, r *http.Request, wb webinar.Webinar, action string, err error) {
	v := a.pages.view(r, wb.Title, "webinars", a.viewOf(r.Context(), wb, true))
	v.Error = a.sayError(r, err)
	var se *webinar.StateError
	if action == "delete" && errors.Is(err, webinar.ErrInvalidState) && !errors.As(err, &se) {
		v.Error = "End the webinar before deleting it."
	}
	a.pages.render(w, http.StatusConflict, "webinar", v)
}

// joinable returns the signed-in presenter and their webinar when it can
// still be joined, else answers the request itself (a sign-in redirect, a
// refusal, or a page saying the webinar has ended) and reports false.
func (a *app) joinable(w http.ResponseWriter, r *http.Request) (webinar.User, webinar.Webinar, bool) {
	u, wb, ok := a.managed(w, r)
	if ok && (wb.State.Over() || wb.State == webinar.Ending) {
		a.joinRefused(w, r, wb, http.StatusConflict, "This webinar has ended: there is no meeting to join. "+noReplay)
		ok = false
	}
	return u, wb, ok
}

// joinPage sends a presenter into the webinar's running meeting, or says
// in a page why not: the webinar has not started (with a button that
// starts it), has ended, or is not theirs. It replaces, for the demo's
// pages, the library's join route (/webinar/webinars/{id}/join), whose
// refusals are JSON (signed out) or a bare page.
func (a *app) joinPage(w http.ResponseWriter, r *http.Request) {
	u, wb, ok := a.joinable(w, r)
	if !ok {
		return
	}
	link, err := a.svc.PresenterLink(r.Context(), u, wb.ID)
	switch {
	case errors.Is(err, webinar.ErrNotStarted):
		a.renderJoin(w, r, wb, http.StatusOK, joinView{WebinarID: wb.ID, CanStart: true,
			Message: "The webinar's meeting is not running yet. Start the webinar to join it: the live stream starts too."})
	case err != nil:
		a.joinRefused(w, r, wb, joinStatus(err), a.sayError(r, err))
	default:
		toMeeting(w, r, link)
	}
}

// join starts the webinar when it is scheduled or failed, then sends the
// presenter into its meeting; a refusal or a failure is a page in words.
func (a *app) join(w http.ResponseWriter, r *http.Request) {
	u, wb, ok := a.joinable(w, r)
	if !ok {
		return
	}
	link, err := a.svc.PresenterJoinURL(r.Context(), u, wb.ID)
	if err != nil {
		if fresh, gerr := a.svc.Get(r.Context(), wb.ID); gerr == nil {
			wb = fresh
		}
		msg := a.sayError(r, err)
		if errors.Is(err, webinar.ErrStartFailed) && wb.FailReason != "" {
			msg = "The webinar could not start: " + reasonInWords(wb.FailReason)
		}
		a.joinRefused(w, r, wb, joinStatus(err), msg)
		return
	}
	toMeeting(w, r, link)
}

// joinView is the join page's data.
type joinView struct {
	WebinarID string
	Message   string
	CanStart  bool // offer to start the webinar and join
}

func (a *app) renderJoin(w http.ResponseWriter, r *http.Request, wb webinar.Webinar, status int, jv joinView) {
	a.pages.render(w, status, "join", a.pages.view(r, "Join "+wb.Title, "webinars", jv))
}

func (a *app) joinRefused(w http.ResponseWriter, r *http.Request, wb webinar.Webinar, status int, msg string) {
	v := a.pages.view(r, "Join "+wb.Title, "webinars", joinView{WebinarID: wb.ID})
	v.Error = msg
	a.pages.render(w, status, "join", v)
}

// toMeeting redirects to a BBB join link, a credential: not cached, not
// sent as a referrer.
func toMeeting(w http.ResponseWriter, r *http.Request, link string) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	http.Redirect(w, r, link, http.StatusSeeOther)
}

// joinStatus is the status of a refused join.
func joinStatus(err error) int {
	switch {
	case errors.Is(err, webinar.ErrForbidden):
		return http.StatusForbidden
	case errors.Is(err, webinar.ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, webinar.ErrStartFailed), errors.Is(err, context.DeadlineExceeded):
		return http.StatusBadGateway
	}
	if _, known := explain(err); !known {
		return http.StatusBadGateway
	}
	return http.StatusConflict
}
