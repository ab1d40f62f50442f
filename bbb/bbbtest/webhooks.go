package bbbtest

import (
	"encoding/json"
	"errors"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bbbcast/bbbcast/bbb"
)

// Webhook events the fake posts by itself. FireWebhook posts any event ID.
const (
	EventMeetingCreated  = "meeting-created"
	EventMeetingEnded    = "meeting-ended"
	EventUserJoined      = "user-joined"
	EventUserLeft        = "user-left"
	EventRapPublishEnded = "rap-publish-ended"
)

// ErrNoRecording is returned by FireWebhook for rap-publish-ended when the
// meeting has no recording.
var ErrNoRecording = errors.New("bbbtest: no recording of that meeting")

// webhookAlg is the checksum bbb-webhooks appends by default (SHA-1 of
// callbackURL + body + secret).
const webhookAlg = bbb.SHA1

// meetingRef is the meeting part every event carries.
func meetingRef(externalID, internalID string) map[string]any {
	return map[string]any{"internal-meeting-id": internalID, "external-meeting-id": externalID}
}

// webhookLocked queues event id, with attrs (a "meeting" entry at least),
// for every hook it concerns: hooks on every meeting and hooks on
// externalID, whose event filter is empty or names id. It returns how many
// hooks it was queued for. s.mu is held.
func (s *Server) webhookLocked(id, externalID, internalID string, attrs map[string]any, now time.Time) int {
	if len(s.hooks) == 0 {
		return 0
	}
	if attrs == nil {
		attrs = map[string]any{}
	}
	if _, ok := attrs["meeting"]; !ok {
		attrs["meeting"] = meetingRef(externalID, internalID)
	}
	ts := now.UnixMilli()
	ev, err := json.Marshal([]any{map[string]any{"data": map[string]any{
		"type": "event", "id": id, "attributes": attrs, "event": map[string]any{"ts": ts},
	}}})
	if err != nil {
		return 0
	}
	domain := s.host
	if u, err := url.Parse(s.host); err == nil && u.Hostname() != "" {
		domain = u.Hostname()
	}
	body := formBody("event", string(ev), "timestamp", strconv.FormatInt(ts, 10), "domain", domain)
	n := 0
	for _, h := range s.hooks {
		if h.MeetingID != "" && h.MeetingID != externalID {
			continue
		}
		if len(h.EventIDs) > 0 && !slices.Contains(h.EventIDs, id) {
			continue
		}
		o := outgoing{d: Delivery{
			Kind: DeliveryWebhook, URL: webhookURL(h.CallbackURL, body, s.Secret), MeetingID: externalID,
			Event: id, HookID: h.ID, Body: body, Attempt: 1,
		}, permanent: h.Permanent}
		if s.cfg.webhookBearer {
			o.d.URL = h.CallbackURL
			o.headers = map[string]string{"Authorization": "Bearer " + s.Secret}
		}
		s.queueLocked(o)
		n++
	}
	return n
}

// webhookURL appends bbb-webhooks' checksum to the callback URL.
func webhookURL(callbackURL, body, secret string) string {
	sep := "?"
	if strings.Contains(callbackURL, "?") {
		sep = "&"
	}
	return callbackURL + sep + "checksum=" + bbb.Sign(webhookAlg, callbackURL, body, secret)
}

func (s *Server) webhookMeetingCreatedLocked(m *meeting) {
	ref := meetingRef(m.id, m.internalID)
	ref["name"] = m.name
	ref["is-breakout"] = m.isBreakout
	ref["duration"] = m.duration
	ref["create-time"] = m.createMs
	ref["create-date"] = javaDate(m.createTime)
	ref["moderator-pass"] = m.moderatorPW
	ref["viewer-pass"] = m.attendeePW
	ref["record"] = m.record
	ref["voice-conf"] = m.voiceBridge
	ref["dial-number"] = m.dialNumber
	ref["max-users"] = m.maxUsers
	ref["metadata"] = kvMap(m.meta)
	s.webhookLocked(EventMeetingCreated, m.id, m.internalID, map[string]any{"meeting": ref}, s.clock.Now())
}

func userAttrs(id string, a *attendee) map[string]any {
	u := map[string]any{"internal-user-id": a.internalID, "external-user-id": a.userID}
	if id == EventUserJoined {
		u["name"] = a.fullName
		u["role"] = a.role
		u["presenter"] = a.presenter
		u["guest"] = a.guest
	}
	return map[string]any{"user": u}
}

func (s *Server) webhookUserLocked(id string, m *meeting, a *attendee) {
	s.webhookLocked(id, m.id, m.internalID, userAttrs(id, a), s.clock.Now())
}

func recordingAttrs(r *recording) map[string]any {
	pb := map[string]any{}
	if len(r.Playback) > 0 {
		p := r.Playback[0]
		pb = map[string]any{"format": p.Type, "link": p.URL, "processing-time": p.ProcessingTime,
			"duration": int64(r.EndTime.Sub(r.StartTime) / time.Millisecond), "size": p.Size}
	}
	return map[string]any{
		"meeting":   meetingRef(r.MeetingID, r.InternalMeetingID),
		"record-id": r.RecordID, "success": true, "step-time": 0, "workflow": "presentation",
		"recording": map[string]any{
			"name": r.Name, "is-breakout": r.IsBreakout, "start-time": millis(r.StartTime),
			"end-time": millis(r.EndTime), "size": r.Size, "raw-size": r.RawSize,
			"metadata": kvMap(r.meta), "playback": pb,
		},
	}
}

// webhookRecordingLocked posts rap-publish-ended for rec. s.mu is held.
func (s *Server) webhookRecordingLocked(rec *recording, now time.Time) {
	s.webhookLocked(EventRapPublishEnded, rec.MeetingID, rec.InternalMeetingID, recordingAttrs(rec), now)
}

// FireWebhook posts webhook event (an event ID such as "meeting-ended")
// about a meeting to the hooks it concerns, as bbb-webhooks would, and
// returns how many hooks it was posted to; WaitDeliveries tells when they
// were. The meeting must be known (also one ended less than a minute ago),
// except for rap-publish-ended, which needs a recording of the meeting
// (the latest added). user-joined and user-left need userID, the user ID
// or internal user ID of an attendee; other events ignore it and carry
// only the meeting's IDs, except meeting-created, which carries the
// meeting's details as when it was created.
func (s *Server) FireWebhook(event, meetingID, userID string) (int, error) {
	now := s.clock.Now()
	s.lock(now)
	defer s.unlock()
	if event == EventRapPublishEnded {
		for _, r := range slices.Backward(s.recordings) {
			if r.MeetingID == meetingID {
				return s.webhookLocked(event, r.MeetingID, r.InternalMeetingID, recordingAttrs(r), now), nil
			}
		}
		return 0, ErrNoRecording
	}
	m := s.meetings[meetingID]
	if m == nil {
		return 0, ErrNoMeeting
	}
	switch event {
	case EventMeetingCreated:
		before := len(s.outbox)
		s.webhookMeetingCreatedLocked(m)
		return len(s.outbox) - before, nil
	case EventUserJoined, EventUserLeft:
		i := m.findAttendee(userID)
		if userID == "" || i < 0 {
			return 0, ErrNoUser
		}
		return s.webhookLocked(event, m.id, m.internalID, userAttrs(event, m.attendees[i]), now), nil
	}
	return s.webhookLocked(event, m.id, m.internalID, nil, now), nil
}
