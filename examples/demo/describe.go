package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/bbbcast/bbbcast/gateway"
	"github.com/bbbcast/bbbcast/webinar"
)

// This file turns what the library says (its errors, the reasons it
// stores) into sentences for the people using the portal. The library's
// own wording, written for developers ("title: at most 250 characters of
// valid UTF-8"), goes to the log, never to a page.

// serverTrouble is what a page says of an error it has no sentence for.
const serverTrouble = "Something went wrong on the portal's side; the details are in its log. Try again in a moment."

// sayError is the sentence a page shows for err, an error of the library
// or of the store. It logs err: at Info when the sentence says it all (a
// refused field, a busy gateway), at Error when the sentence is
// serverTrouble.
func (a *app) sayError(r *http.Request, err error) string {
	msg, known := explain(err)
	level := slog.LevelInfo
	if !known {
		level = slog.LevelError
	}
	a.logger.LogAttrs(r.Context(), level, "request refused", slog.String("method", r.Method),
		slog.String("path", r.URL.Path), slog.String("err", err.Error()))
	return msg
}

// explain says err in a sentence for people; known is false when the
// sentence is serverTrouble, the details being for the log only.
func explain(err error) (msg string, known bool) {
	var (
		nf *gateway.NoGatewayFreeError
		ie *webinar.InputError
		se *webinar.StateError
		ve *gateway.ValidationError
	)
	switch {
	case err == nil:
		return "", true
	case errors.As(err, &nf) && nf.GatewayID == 0 && nf.Gateways == 0:
		return "No gateway is enabled in this pool: an administrator adds them under Admin → Gateways.", true
	case errors.As(err, &ie):
		return inputSentence(ie), true
	case errors.Is(err, gateway.ErrInvalidSlot):
		return slotSentence, true
	case errors.As(err, &se):
		return fmt.Sprintf("Not possible while the webinar is %s.", stateLabel(se.From)), true
	case errors.As(err, &ve):
		return "The gateway was not saved: check the fields marked below.", true
	case errors.Is(err, gateway.ErrDuplicateServer):
		return duplicateServer, true
	case errors.Is(err, gateway.ErrNotFound):
		return "There is no such gateway.", true
	case errors.Is(err, context.DeadlineExceeded):
		return "BigBlueButton or the gateway took too long to answer. Try again in a moment.", true
	}
	if msg := webinar.Explain(err); msg != webinar.Unexplained {
		return msg, true // the library's sentences for people
	}
	return serverTrouble, false
}

// slotSentence is what the form says of a slot the library refuses.
const slotSentence = "This time slot cannot be booked: choose a date between 1970 and 2200, and a duration."

// duplicateServer is what the gateway form says of a server another
// gateway uses.
const duplicateServer = "Another gateway already uses this SIPMediaGW server (and gw_id): each server streams one webinar at a time."

// inputSentence says a field the webinar package refused.
func inputSentence(ie *webinar.InputError) string {
	switch ie.Field {
	case "title":
		return titleRule
	case "message":
		return fmt.Sprintf("Your message could not be sent: write at most %d characters, your name included.", webinar.MaxChatLen)
	case "slot":
		return "This time slot is over: choose one that ends in the future."
	}
	return "Something in the form was refused: check it and try again."
}

// titleRule is the rule of a webinar's title, in words.
var titleRule = fmt.Sprintf("Give a title of %d to %d characters, on one line.", webinar.MinTitleLen, webinar.MaxTitleLen)

// titleProblem checks a webinar title as the library does, saying what
// is wrong in words ("" when nothing is), so that the form shows it with
// the other fields' problems.
func titleProblem(title string) string {
	n := utf8.RuneCountInString(title)
	switch {
	case strings.TrimSpace(title) == "":
		return "Give the webinar a title."
	case !utf8.ValidString(title):
		return "The title has characters that cannot be read: type it again."
	case n > webinar.MaxTitleLen:
		return fmt.Sprintf("The title is too long: %d characters, at most %d.", n, webinar.MaxTitleLen)
	case strings.IndexFunc(title, unicode.IsControl) >= 0:
		return "Keep the title on one line, without tabs."
	case utf8.RuneCountInString(strings.TrimSpace(title)) < webinar.MinTitleLen:
		return fmt.Sprintf("The title is too short: at least %d characters.", webinar.MinTitleLen)
	}
	return ""
}

// chatProblem says why a chat message the library refused was refused.
func chatProblem(text string, err error) string {
	var ie *webinar.InputError
	if !errors.As(err, &ie) || ie.Field != "message" {
		msg, _ := explain(err)
		return msg
	}
	text = strings.TrimSpace(text)
	switch n := utf8.RuneCountInString(text); {
	case n == 0 || !utf8.ValidString(text):
		return "Write a message before sending it."
	case n > webinar.MaxChatLen:
		return fmt.Sprintf("Your message is too long: %d characters, at most %d.", n, webinar.MaxChatLen)
	}
	return inputSentence(ie) // too long once the author's name is added
}

// gatewayFieldSentence says in words a problem the gateway package found
// with a field of the gateway form. The library's wording (known ones
// mapped one by one) stays in the log; one it does not know yet gets the
// field's rule.
func gatewayFieldSentence(field, problem string) string {
	if s, ok := gatewayProblems[field+"\x00"+problem]; ok {
		return s
	}
	if s, ok := urlProblems[problem]; ok && strings.HasSuffix(strings.ToLower(field), "url") {
		return s
	}
	if s, ok := gatewayRules[field]; ok {
		return s
	}
	return "Check this field."
}

// gatewayRules state each field's rule: the sentence of a problem without
// a sentence of its own, a missing field's among them.
var gatewayRules = map[string]string{
	"name":              fmt.Sprintf("Give the gateway a name of at most %d characters.", gateway.MaxNameLen),
	"pool":              fmt.Sprintf("Give a pool name of at most %d characters, or none for the default pool.", gateway.MaxPoolLen),
	"order":             "Give a whole number: gateways with a lower order are booked first.",
	"rtmpURL":           "Give the RTMP address the stream goes to, with its stream key: rtmp://… or rtmps://….",
	"hlsURL":            "Give the address of the HLS playlist the audience plays: https://… (or http://…).",
	"server.url":        "Give the SIPMediaGW server's address: https://… (http://… with “Insecure” ticked).",
	"server.token":      fmt.Sprintf("Give the SIPMediaGW token: %d to %d characters, no spaces.", gateway.MinTokenLen, gateway.MaxTokenLen),
	"server.protocol":   "Choose one of the APIs listed.",
	"server.launcherID": "Give the gw_id created on the launcher's host (such as gw0), for the v1.8-launcher API only.",
}

// urlProblems are the problems the library finds with any URL, but a
// missing one (the field's rule says what to give).
var urlProblems = map[string]string{
	"not an absolute URL": "This is not a whole address: give it with its scheme and host, such as https://host.example/….",
	"must not contain white space, quotes, backslashes or $": "Remove the spaces, quotes, backslashes and $ signs from the address.",
	"scheme must be rtmp or rtmps":                           "The address must start with rtmp:// or rtmps://.",
	"scheme must be https or http":                           "The address must start with https:// or http://.",
	"scheme must be https":                                   "The address must start with https://.",
}

// gatewayProblems are the sentences of the library's known problems, by
// field and problem.
var gatewayProblems = map[string]string{
	"name\x00required": "Give the gateway a name.",
	"name\x00at most 200 characters of valid UTF-8":                      fmt.Sprintf("The name is too long: at most %d characters.", gateway.MaxNameLen),
	"pool\x00at most 100 characters of valid UTF-8":                      fmt.Sprintf("The pool name is too long: at most %d characters.", gateway.MaxPoolLen),
	"server.url\x00plain http needs the insecure flag":                   "This address is plain http: use https://, or tick “Insecure” for a test server.",
	"server.url\x00must not carry credentials, a query or a fragment":    "Remove the user name, password, ?query or #fragment: the token has a field of its own.",
	"server.token\x00required":                                           "Give the SIPMediaGW token.",
	"server.token\x00at most 256 characters":                             fmt.Sprintf("The token is too long: at most %d characters.", gateway.MaxTokenLen),
	"server.token\x00must not contain white space or control characters": "Remove the spaces from the token.",
	"server.token\x00the default token and tokens under 8 characters need the insecure flag": fmt.Sprintf(
		"This token is too weak: use %d characters or more (not the default 1234), or tick “Insecure” for a test server.", gateway.MinTokenLen),
	"server.protocol\x00must be legacy, v1.8 or v1.8-launcher":                                                                 "Choose one of the APIs listed.",
	"server.launcherID\x00required with the v1.8-launcher protocol: the gw_id created on the launcher's host":                  "The v1.8-launcher API needs the gw_id created on the launcher's host, such as gw0.",
	"server.launcherID\x00only for the v1.8-launcher protocol":                                                                 "Leave this empty: only the v1.8-launcher API uses a gw_id.",
	"server.launcherID\x00a Docker Compose project name: at most 63 of a-z, 0-9, '-' and '_', starting with a letter or digit": "Use at most 63 lower-case letters, digits, - and _, starting with a letter or a digit (such as gw0).",
}

// stateLabel is how the pages name a state.
func stateLabel(s webinar.State) string {
	switch s {
	case webinar.Scheduled:
		return "scheduled"
	case webinar.Starting:
		return "starting…"
	case webinar.Live:
		return "live"
	case webinar.StoppingLive:
		return "stopping the live…"
	case webinar.LiveStopped:
		return "live stopped (the meeting goes on)"
	case webinar.Ending:
		return "ending…"
	case webinar.Ended:
		return "ended"
	case webinar.Failed:
		return "failed"
	}
	return string(s)
}

// reasonSteps name, in words, the steps whose failure the library stores
// as "step: error" in a webinar's FailReason or LastError.
var reasonSteps = []struct{ prefix, words string }{
	{"BBB create", "BigBlueButton did not create the meeting."},
	{"BBB end", "BigBlueButton did not end the meeting."},
	{"SIPMediaGW start", "The gateway did not start the stream."},
	{"SIPMediaGW stop", "The gateway did not confirm that the stream stopped."},
	{"stopping the previous stream", "The stream the gateway still carried could not be stopped."},
	{"stopping the stream of an interrupted start", "The portal stopped during a start, and the stream of that start could not be stopped."},
	{"interrupted while starting", "The portal stopped while the webinar was starting."},
	{"booking a gateway", "No gateway could be booked for the webinar's slot."},
	{"gateway", "The webinar's gateway could not be used."},
	{"chat toggle", "The chat could not be shown or hidden in the stream."},
	{"restart", "The live could not be restarted."},
}

// liveStopReasons are the reasons the library gives for stopping a live
// at the end of its booking ("live stopped: reason").
var liveStopReasons = []struct{ prefix, words string }{
	{"the slot ended and its gateway is booked next", "its slot ended, and its gateway is booked for the next webinar."},
	{"the gateway is booked by the next webinar", "its slot ended, and its gateway is booked for the next webinar."},
	{"the live outlasted its slot", "it ran past the end of its slot for longer than the portal allows."},
}

// reasonInWords says in a sentence a reason the library stored (a
// webinar's FailReason or LastError); the stored text itself is the
// details, for those who want them.
func reasonInWords(stored string) string {
	if why, ok := strings.CutPrefix(stored, "live stopped: "); ok {
		for _, r := range liveStopReasons {
			if strings.HasPrefix(why, r.prefix) {
				return "The live was stopped: " + r.words
			}
		}
		return "The live was stopped by the portal."
	}
	for _, s := range reasonSteps {
		if stored == s.prefix || strings.HasPrefix(stored, s.prefix+":") {
			return s.words
		}
	}
	return "An error was reported."
}
