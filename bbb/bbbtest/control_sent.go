package bbbtest

import "net/http"

// What the server sent on its own, as the control API lists it: a suite
// in another language checks there what reached (or failed to reach) its
// receivers.

type controlDelivery struct {
	Kind        string `json:"kind"`
	URL         string `json:"url"`
	MeetingID   string `json:"meetingID"`
	RecordID    string `json:"recordID,omitempty"`
	Event       string `json:"event,omitempty"`
	HookID      int    `json:"hookID,omitempty"`
	Body        string `json:"body"`
	Time        int64  `json:"time"`
	StatusCode  int    `json:"statusCode"`
	Error       string `json:"error,omitempty"`
	Attempt     int    `json:"attempt"`
	NextRetry   int64  `json:"nextRetry"` // milliseconds, 0 for none
	HookRemoved bool   `json:"hookRemoved,omitempty"`
}

type controlCallback struct {
	MeetingID  string `json:"meetingID"`
	URL        string `json:"url"`
	Attempt    int    `json:"attempt"`
	Time       int64  `json:"time"`
	StatusCode int    `json:"statusCode"`
	Error      string `json:"error,omitempty"`
	NextRetry  int64  `json:"nextRetry"` // milliseconds, 0 for none
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func (s *Server) controlDeliveries(*http.Request) (any, error) {
	list := s.Deliveries()
	out := make([]controlDelivery, 0, len(list))
	for _, d := range list {
		out = append(out, controlDelivery{
			Kind: d.Kind, URL: d.URL, MeetingID: d.MeetingID, RecordID: d.RecordID, Event: d.Event, HookID: d.HookID,
			Body: d.Body, Time: millis(d.Time), StatusCode: d.StatusCode, Error: errText(d.Err),
			Attempt: d.Attempt, NextRetry: d.NextRetry.Milliseconds(), HookRemoved: d.HookRemoved,
		})
	}
	return map[string][]controlDelivery{"deliveries": out}, nil
}

func (s *Server) controlCallbacks(*http.Request) (any, error) {
	list := s.Callbacks()
	out := make([]controlCallback, 0, len(list))
	for _, c := range list {
		out = append(out, controlCallback{
			MeetingID: c.MeetingID, URL: c.URL, Attempt: c.Attempt, Time: millis(c.Time),
			StatusCode: c.StatusCode, Error: errText(c.Err), NextRetry: c.NextRetry.Milliseconds(),
		})
	}
	return map[string][]controlCallback{"callbacks": out}, nil
}
