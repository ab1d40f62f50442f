package main

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

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
		a.pages.fail(w, r, http.StatusInternalServerError, describe(err))
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
	Errors      map[string]string
}

func (a *app) defaultForm() webinarForm {
	start := a.clock.Now().In(a.loc).Truncate(time.Minute)
	start = start.Add(time.Duration(5-start.Minute()%5) * time.Minute) // the next 5 minutes
	return webinarForm{Date: start.Format("2006-01-02"), Time: start.Format("15:04"), Minutes: 60,
		ChatEnabled: true, ChatShown: true}
}

func (a *app) formOf(wb webinar.Webinar) webinarForm {
	s := wb.Slot.Start.In(a.loc)
	return webinarForm{ID: wb.ID, Title: wb.Title, Date: s.Format("2006-01-02"), Time: s.Format("15:04"),
		Minutes: int(wb.Slot.End.Sub(wb.Slot.Start) / time.Minute), ChatEnabled: wb.ChatEnabled, ChatShown: wb.ChatShown}
}

// parseForm reads the form and its slot, recording what is wrong.
func (a *app) parseWebinarForm(r *http.Request) (webinarForm, gateway.Slot) {
	f := webinarForm{
		Title:       strings.TrimSpace(r.PostFormValue("title")),
		Date:        r.PostFormValue("date"),
		Time:        r.PostFormValue("time"),
		ChatEnabled: r.PostFormValue("chat") == "on",
		ChatShown:   r.PostFormValue("chat_shown") == "on",
		Errors:      map[string]string{},
	}
	if f.Title == "" {
		f.Errors["title"] = "Give the webinar a title."
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

// formError places err under the form field it concerns.
func formError(f *webinarForm, err error) string {
	var ie *webinar.InputError
	if errors.As(err, &ie) {
		switch field := strings.ToLower(ie.Field); {
		case strings.Contains(field, "title"):
			f.Errors["title"] = ie.Reason
			return ""
		case strings.Contains(field, "slot"), strings.Contains(field, "start"), strings.Contains(field, "end"):
			f.Errors["date"] = ie.Reason
			return ""
		}
	}
	return describe(err)
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
			ChatEnabled: f.ChatEnabled, ChatShown: f.ChatShown})
		if err == nil {
			http.Redirect(w, r, "/webinars/"+wb.ID+"?done=created", http.StatusSeeOther)
			return
		}
		pageErr = formError(&f, err)
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
		a.pages.fail(w, r, http.StatusInternalServerError, describe(err))
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
		_, err := a.svc.Update(r.Context(), u, wb.ID, c)
		if err == nil {
			http.Redirect(w, r, "/webinars/"+wb.ID+"?done=saved", http.StatusSeeOther)
			return
		}
		pageErr = formError(&f, err)
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
		a.actionFailed(w, r, wb, err)
		return
	}
	http.Redirect(w, r, "/webinars/"+wb.ID+"?done="+action, http.StatusSeeOther)
}

func (a *app) actionFailed(w http.ResponseWriter, r *http.Request, wb webinar.Webinar, err error) {
	v := a.pages.view(r, wb.Title, "webinars", a.viewOf(r.Context(), wb, true))
	v.Error = describe(err)
	a.pages.render(w, http.StatusConflict, "webinar", v)
}
