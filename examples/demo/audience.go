package main

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/bbbcast/bbbcast/gateway"
	"github.com/bbbcast/bbbcast/webinar"
)

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

// home lists the live events: on air now, then the coming ones.
func (a *app) home(w http.ResponseWriter, r *http.Request) {
	now := a.clock.Now()
	list, err := a.svc.List(r.Context(), webinar.Query{
		Window: &gateway.Slot{Start: now.Add(-24 * time.Hour), End: now.Add(30 * 24 * time.Hour)},
	})
	if err != nil {
		a.pages.fail(w, r, http.StatusInternalServerError, a.sayError(r, err))
		return
	}
	var data struct{ Live, Coming []webinar.Webinar }
	for _, wb := range list {
		switch {
		case wb.State == webinar.Live:
			data.Live = append(data.Live, wb)
		case !wb.State.Over() && wb.Slot.End.After(now):
			data.Coming = append(data.Coming, wb)
		}
	}
	v := a.pages.view(r, "Live events", "live", data)
	v.Refresh = 15
	a.pages.render(w, http.StatusOK, "home", v)
}

func (a *app) signInPage(w http.ResponseWriter, r *http.Request) {
	data := struct {
		Users []demoUser
		Next  string
	}{demoUsers, localPath(r.URL.Query().Get("next"), "/")}
	a.pages.render(w, http.StatusOK, "signin", a.pages.view(r, "Sign in", "signin", data))
}

// liveView is the live page's data.
type liveView struct {
	Event    webinar.LiveEvent
	State    string
	OnAir    bool
	Over     bool   // the webinar has ended: nothing more will play
	OffAir   string // what the player's place says while the stream is off air
	ChatOpen bool   // the chat is enabled and the webinar live: messages go through
	ChatWait string // why the chat form waits, when it does
	HLSReady bool   // hls.js is installed
	Message  string
}

func (a *app) liveView(r *http.Request) (liveView, error) {
	ev, err := a.svc.LiveEvent(r.Context(), r.PathValue("id"))
	if err != nil {
		return liveView{}, err
	}
	lv := liveView{
		Event:    ev,
		State:    stateLabel(ev.State),
		OnAir:    ev.State == webinar.Live,
		Over:     ev.State == webinar.Ended || ev.State == webinar.Ending,
		ChatOpen: ev.ChatEnabled && ev.State == webinar.Live,
		ChatWait: "The chat opens while the webinar is live.",
		HLSReady: a.hlsJS != "",
	}
	lv.OffAir = offAirText(ev.State)
	if lv.Over {
		lv.ChatWait = "The chat is closed: the webinar has ended."
	}
	return lv, nil
}

// offAirText is what the live page says in place of the player, by state.
func offAirText(s webinar.State) string {
	const waits = " This page starts the player when it is on air."
	switch s {
	case webinar.Scheduled:
		return "The webinar has not started yet." + waits
	case webinar.Starting:
		return "The webinar is starting." + waits
	case webinar.StoppingLive, webinar.LiveStopped:
		return "The live is paused: the presenters may start it again." + waits
	case webinar.Failed:
		return "The stream had a problem and is off air." + waits
	case webinar.Ending, webinar.Ended:
		return "This webinar has ended. " + noReplay
	}
	return "The stream is not on air." + waits
}

// livePage is the audience's page: the player and the chat.
func (a *app) livePage(w http.ResponseWriter, r *http.Request) {
	lv, err := a.liveView(r)
	if errors.Is(err, webinar.ErrNotFound) {
		a.pages.fail(w, r, http.StatusNotFound, "There is no such live event.")
		return
	}
	if err != nil {
		a.pages.fail(w, r, http.StatusInternalServerError, a.sayError(r, err))
		return
	}
	a.pages.render(w, http.StatusOK, "live", a.pages.view(r, lv.Event.Title, "live", lv))
}

// liveStatus is what the live page's script polls: the state, whether the
// stream is on air and whether the chat is open.
func (a *app) liveStatus(w http.ResponseWriter, r *http.Request) {
	lv, err := a.liveView(r)
	if err != nil {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "not found"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"state": string(lv.Event.State), "label": lv.State, "onAir": lv.OnAir, "over": lv.Over,
		"offAir": lv.OffAir, "chat": lv.Event.ChatEnabled, "chatOpen": lv.ChatOpen, "chatWait": lv.ChatWait,
		"hls": lv.Event.HLSURL,
	})
}

// liveChat posts the audience's message into the meeting's public chat.
// A script asks for JSON and stays on the page; a plain form gets the
// page back.
func (a *app) liveChat(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	wantsJSON := strings.Contains(r.Header.Get("Accept"), "application/json")
	u, ok := a.userOf(r)
	text := r.PostFormValue("message")
	var err error
	if !ok {
		err = webinar.ErrForbidden
	} else {
		err = a.svc.PostChat(r.Context(), u, id, text)
	}
	var msg string
	if err != nil {
		a.sayError(r, err) // logs it
		msg = chatProblem(text, err)
		if !ok {
			msg = "Sign in to chat."
		}
	}
	if wantsJSON {
		if err != nil {
			writeJSON(w, chatStatus(err), map[string]string{"error": msg})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"sent": r.PostFormValue("message")})
		return
	}
	if err != nil {
		lv, lerr := a.liveView(r)
		if lerr != nil {
			a.pages.fail(w, r, http.StatusNotFound, "There is no such live event.")
			return
		}
		lv.Message = text
		v := a.pages.view(r, lv.Event.Title, "live", lv)
		v.Path, v.Here = "/live/"+url.PathEscape(id), "/live/"+url.PathEscape(id) // sign-in comes back to the page
		v.Error = msg
		a.pages.render(w, chatStatus(err), "live", v)
		return
	}
	http.Redirect(w, r, "/live/"+url.PathEscape(id)+"?done=sent", http.StatusSeeOther)
}

func chatStatus(err error) int {
	var ie *webinar.InputError
	switch {
	case errors.As(err, &ie):
		return http.StatusBadRequest
	case errors.Is(err, webinar.ErrForbidden):
		return http.StatusForbidden
	case errors.Is(err, webinar.ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, webinar.ErrChatClosed), errors.Is(err, webinar.ErrInvalidState):
		return http.StatusConflict
	}
	return http.StatusBadGateway
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
