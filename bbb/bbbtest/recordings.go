package bbbtest

import (
	"sort"
	"strings"
	"time"
)

// Recording is a recording known to the server. Tests add them with
// AddRecording; getRecordings, publishRecordings, deleteRecordings and
// updateRecordings work on them.
type Recording struct {
	// RecordID defaults to the internal meeting ID derived from MeetingID
	// and StartTime, as BBB names recordings.
	RecordID          string
	MeetingID         string // external meeting ID
	InternalMeetingID string // defaults to RecordID
	Name              string // defaults to MeetingID
	IsBreakout        bool
	// State is "published" (the default), "unpublished", "deleted",
	// "processing" or "processed".
	State        string
	StartTime    time.Time
	EndTime      time.Time
	Participants int
	// RawSize and Size are the bytes of the raw recording and of all its
	// playback formats; 0 leaves them out of getRecordings.
	RawSize int64
	Size    int64
	// Metadata keys are lower-cased when added, as BBB returns them.
	Metadata map[string]string
	Playback []Playback
	// TextTracks are the recording's subtitles and captions.
	TextTracks []TextTrack
}

// Playback is one playback format of a recording.
type Playback struct {
	Type           string // "presentation", "video", …
	URL            string
	Length         int   // minutes
	ProcessingTime int   // milliseconds
	Size           int64 // bytes; 0 leaves it out of getRecordings
	Preview        []Image
}

// Image is a preview thumbnail of a playback format.
type Image struct {
	URL           string
	Alt           string
	Width, Height int
}

// Published reports whether the recording is in the published state.
func (r Recording) Published() bool { return r.State == "published" }

type recording struct {
	Recording
	meta []kv
}

func (r *recording) snapshot() Recording {
	out := r.Recording
	out.Metadata = kvMap(r.meta)
	out.Playback = clonePlayback(r.Playback)
	out.TextTracks = append([]TextTrack(nil), r.TextTracks...)
	return out
}

func clonePlayback(list []Playback) []Playback {
	out := append([]Playback(nil), list...)
	for i := range out {
		out[i].Preview = append([]Image(nil), out[i].Preview...)
	}
	return out
}

// AddRecording stores a recording and returns its record ID. A recording
// with the same ID replaces the previous one.
func (s *Server) AddRecording(r Recording) string {
	if r.StartTime.IsZero() {
		r.StartTime = s.clock.Now()
	}
	if r.EndTime.IsZero() {
		r.EndTime = r.StartTime
	}
	if r.RecordID == "" {
		r.RecordID = internalMeetingID(r.MeetingID, r.StartTime.UnixMilli())
	}
	if r.InternalMeetingID == "" {
		r.InternalMeetingID = r.RecordID
	}
	if r.Name == "" {
		r.Name = r.MeetingID
	}
	if r.State == "" {
		r.State = "published"
	}
	rec := &recording{Recording: r}
	keys := make([]string, 0, len(r.Metadata))
	for k := range r.Metadata {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		rec.meta = setKV(rec.meta, strings.ToLower(k), r.Metadata[k])
	}
	rec.Metadata = nil
	rec.Playback = clonePlayback(r.Playback)
	rec.TextTracks = append([]TextTrack(nil), r.TextTracks...)
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, old := range s.recordings {
		if old.RecordID == r.RecordID {
			s.recordings[i] = rec
			return r.RecordID
		}
	}
	s.recordings = append(s.recordings, rec)
	return r.RecordID
}

// Recordings returns copies of the recordings, in the order they were
// added.
func (s *Server) Recordings() []Recording {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]Recording, 0, len(s.recordings))
	for _, r := range s.recordings {
		out = append(out, r.snapshot())
	}
	return out
}

func csvSet(s string) map[string]bool {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	set := map[string]bool{}
	for p := range strings.SplitSeq(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			set[p] = true
		}
	}
	return set
}

// ---- getRecordings ----

func (s *Server) handleGetRecordings(e *exchange) {
	q := e.q
	meetingIDs := csvSet(q.value("meetingID"))
	recordIDs := csvSet(q.value("recordID"))
	states := csvSet(q.value("state"))
	if states == nil {
		states = map[string]bool{"published": true, "unpublished": true}
	}
	var metaFilter []kv
	q.each(func(k, v string) {
		if key, ok := strings.CutPrefix(k, "meta_"); ok {
			metaFilter = append(metaFilter, kv{strings.ToLower(key), v})
		}
	})
	offset, hasOffset := q.get("offset")
	limit, hasLimit := q.get("limit")
	paged := hasOffset || hasLimit
	off := max(atoiOr(offset, 0), 0)
	lim := atoiOr(limit, 100)
	if lim <= 0 || lim > 100 {
		lim = 100
	}

	x := newXMLWriter()
	defer x.release()
	s.mu.RLock()
	var list []*recording
	for _, r := range s.recordings {
		if meetingIDs != nil && !meetingIDs[r.MeetingID] && !meetingIDs[r.RecordID] {
			continue
		}
		if recordIDs != nil && !recordIDs[r.RecordID] {
			continue
		}
		if !states["any"] && !states[r.State] {
			continue
		}
		if !metaMatches(r.meta, metaFilter) {
			continue
		}
		list = append(list, r)
	}
	total := len(list)
	if paged {
		list = list[min(off, len(list)):]
		list = list[:min(lim, len(list))]
	}
	x.start("SUCCESS")
	if len(list) == 0 {
		s.mu.RUnlock()
		x.empty("recordings")
		x.text("messageKey", "noRecordings")
		x.text("message", "There are no recordings for the meeting(s).")
		x.end()
		s.writeXML(e, x)
		e.key = "noRecordings"
		return
	}
	x.open("recordings")
	for _, r := range list {
		writeRecording(x, r)
	}
	s.mu.RUnlock()
	x.close("recordings")
	if paged {
		x.int("totalElements", int64(total))
	}
	x.end()
	s.writeXML(e, x)
}

func metaMatches(meta, filter []kv) bool {
	for _, f := range filter {
		found := false
		for _, m := range meta {
			if m.k == f.k && m.v == f.v {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

func writeRecording(x *xmlWriter, r *recording) {
	x.open("recording")
	x.text("recordID", r.RecordID)
	x.text("meetingID", r.MeetingID)
	x.text("internalMeetingID", r.InternalMeetingID)
	x.text("name", r.Name)
	x.bool("isBreakout", r.IsBreakout)
	x.bool("published", r.Published())
	x.text("state", r.State)
	x.int("startTime", millis(r.StartTime))
	x.int("endTime", millis(r.EndTime))
	x.int("participants", int64(r.Participants))
	if r.RawSize > 0 {
		x.int("rawSize", r.RawSize)
	}
	x.open("metadata")
	for _, c := range r.meta {
		if validXMLName(c.k) {
			x.text(c.k, c.v)
		}
	}
	x.close("metadata")
	if r.Size > 0 {
		x.int("size", r.Size)
	}
	x.open("playback")
	for _, p := range r.Playback {
		x.open("format")
		x.text("type", p.Type)
		x.text("url", p.URL)
		x.int("processingTime", int64(p.ProcessingTime))
		x.int("length", int64(p.Length))
		if p.Size > 0 {
			x.int("size", p.Size)
		}
		if len(p.Preview) > 0 {
			x.open("preview")
			x.open("images")
			for _, im := range p.Preview {
				x.image(im)
			}
			x.close("images")
			x.close("preview")
		}
		x.close("format")
	}
	x.close("playback")
	x.close("recording")
}

// recordingsParam reads the recordID list of publish/delete/update and
// finds the recordings, answering the failure itself.
func (s *Server) recordingsParam(e *exchange) ([]*recording, bool) {
	ids := csvSet(e.q.value("recordID"))
	if ids == nil {
		s.fail(e, "missingParamRecordID", "You must specify one or more a recordID(s).")
		return nil, false
	}
	var found []*recording
	for _, r := range s.recordings {
		if ids[r.RecordID] {
			found = append(found, r)
		}
	}
	if len(found) == 0 {
		s.fail(e, "notFound", "We could not find recordings")
		return nil, false
	}
	return found, true
}

func (s *Server) answerFlag(e *exchange, tag string, v bool) {
	x := newXMLWriter()
	defer x.release()
	x.start("SUCCESS")
	x.bool(tag, v)
	x.end()
	s.writeXML(e, x)
}

// ---- publishRecordings ----

func (s *Server) handlePublishRecordings(e *exchange) {
	pub, ok := e.q.get("publish")
	if !ok || pub == "" {
		// BBB checks recordID first.
		if csvSet(e.q.value("recordID")) == nil {
			s.fail(e, "missingParamRecordID", "You must specify one or more a recordID(s).")
			return
		}
		s.fail(e, "missingParamPublish", "You must specify a publish value true or false.")
		return
	}
	publish := parseJavaBool(pub)
	s.mu.Lock()
	found, ok := s.recordingsParam(e)
	if !ok {
		s.mu.Unlock()
		return
	}
	for _, r := range found {
		if r.State == "deleted" {
			continue
		}
		if publish {
			r.State = "published"
		} else {
			r.State = "unpublished"
		}
	}
	s.mu.Unlock()
	s.answerFlag(e, "published", publish)
}

// ---- deleteRecordings ----

func (s *Server) handleDeleteRecordings(e *exchange) {
	s.mu.Lock()
	found, ok := s.recordingsParam(e)
	if !ok {
		s.mu.Unlock()
		return
	}
	for _, r := range found {
		r.State = "deleted"
	}
	s.mu.Unlock()
	s.answerFlag(e, "deleted", true)
}

// ---- updateRecordings ----

func (s *Server) handleUpdateRecordings(e *exchange) {
	s.mu.Lock()
	found, ok := s.recordingsParam(e)
	if !ok {
		s.mu.Unlock()
		return
	}
	e.q.each(func(k, v string) {
		key, ok := strings.CutPrefix(k, "meta_")
		if !ok || key == "" {
			return
		}
		key = strings.ToLower(key)
		for _, r := range found {
			if v == "" {
				r.meta = deleteKV(r.meta, key)
			} else {
				r.meta = setKV(r.meta, key, v)
			}
		}
	})
	s.mu.Unlock()
	s.answerFlag(e, "updated", true)
}
