package bbbtest

import (
	"context"
	"time"

	"github.com/bbbcast/bbbcast/bbb"
)

// DefaultRecordingDelay is how long an ended recorded meeting's recording
// stays "processing" before it is published (WithRecordingDelay).
const DefaultRecordingDelay = 500 * time.Millisecond

// Sizes of the recordings the fake produces: a raw size and a playback
// size per second of meeting, on top of a fixed part, so that they are
// plausible and grow with the meeting.
const (
	recordingRawBase      = 512 << 10
	recordingRawPerSecond = 16 << 10
	recordingBase         = 256 << 10
	recordingPerSecond    = 8 << 10
)

// recordingReadyMeta is the create metadata naming the recording-ready
// callback (lower-cased, as the fake keeps metadata keys).
const recordingReadyMeta = "bbb-recording-ready-url"

// produceRecordingLocked starts the recording of m, which ends at now,
// when m was created with record=true and was recorded at least once
// (autoStartRecording, or SetRecording): a "processing" recording appears
// at once and is published after WithRecordingDelay on the server's clock.
// s.mu is held.
func (s *Server) produceRecordingLocked(m *meeting, now time.Time) {
	if !m.record || !m.recordingMarks || m.isBreakout {
		return
	}
	rec := &recording{Recording: Recording{
		RecordID: m.internalID, MeetingID: m.id, InternalMeetingID: m.internalID, Name: m.name,
		State: "processing", StartTime: m.createTime, EndTime: now, Participants: m.joins,
	}}
	readyURL := ""
	for _, c := range m.meta {
		rec.meta = setKV(rec.meta, c.k, c.v)
		if c.k == recordingReadyMeta {
			readyURL = c.v
		}
	}
	// BBB adds these to the meeting's own metadata.
	rec.meta = setKV(rec.meta, "isBreakout", "false")
	rec.meta = setKV(rec.meta, "meetingId", m.id)
	rec.meta = setKV(rec.meta, "meetingName", m.name)
	replaced := false
	for i, old := range s.recordings {
		if old.RecordID == rec.RecordID {
			s.recordings[i], replaced = rec, true
		}
	}
	if !replaced {
		s.recordings = append(s.recordings, rec)
	}

	s.cbMu.Lock()
	defer s.cbMu.Unlock()
	if s.closed {
		return
	}
	s.scheduleLocked(timerRecording, s.cfg.recordingDelay, func() { s.publishProduced(rec, readyURL) })
}

// publishProduced publishes a recording produced by the fake, unless it
// was deleted, replaced or changed meanwhile, then sends its
// recording-ready callback and rap-publish-ended webhooks.
func (s *Server) publishProduced(rec *recording, readyURL string) {
	now := s.clock.Now()
	s.lock(now)
	current := false
	for _, r := range s.recordings {
		current = current || r == rec
	}
	if !current || rec.State != "processing" {
		s.unlock()
		return
	}
	secs := int64(rec.EndTime.Sub(rec.StartTime) / time.Second)
	rec.State = "published"
	rec.RawSize = recordingRawBase + recordingRawPerSecond*secs
	size := recordingBase + recordingPerSecond*secs
	rec.Size = size
	base := s.host + "/playback/presentation/2.3/" + rec.RecordID
	thumbs := s.host + "/presentation/" + rec.RecordID + "/presentation/" + rec.RecordID + "/thumbnails/thumb-"
	rec.Playback = []Playback{{
		Type: "presentation", URL: base,
		Length:         int((rec.EndTime.Sub(rec.StartTime) + 30*time.Second) / time.Minute),
		ProcessingTime: int(s.cfg.recordingDelay / time.Millisecond),
		Size:           size,
		Preview: []Image{
			{URL: thumbs + "1.png", Alt: "Welcome", Width: 176, Height: 136},
			{URL: thumbs + "2.png", Alt: "", Width: 176, Height: 136},
		},
	}}
	if readyURL != "" {
		if tok, err := bbb.SignRecordingReady(rec.MeetingID, rec.RecordID, s.Secret, bbb.HS256); err == nil {
			s.queueLocked(outgoing{d: Delivery{
				Kind: DeliveryRecordingReady, URL: readyURL, MeetingID: rec.MeetingID, RecordID: rec.RecordID,
				Body: formBody(bbb.RecordingReadyParam, tok),
			}})
		}
	}
	s.webhookRecordingLocked(rec, now)
	s.unlock()
	s.events.Broadcast()
}

// WaitRecording blocks until the recording recordID exists in state
// ("processing", "published", …), then returns it. It returns ctx's error
// if ctx ends first.
func (s *Server) WaitRecording(ctx context.Context, recordID, state string) (Recording, error) {
	var out Recording
	err := s.events.WaitUntil(ctx, func() bool {
		s.mu.RLock()
		defer s.mu.RUnlock()
		for _, r := range s.recordings {
			if r.RecordID == recordID && r.State == state {
				out = r.snapshot()
				return true
			}
		}
		return false
	})
	return out, err
}
