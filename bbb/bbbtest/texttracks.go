package bbbtest

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
)

// TextTrack is a subtitle or caption track of a recording, as
// getRecordingTextTracks lists it. Tests can seed tracks in
// Recording.TextTracks; putRecordingTextTrack adds one.
type TextTrack struct {
	Href   string `json:"href"`
	Kind   string `json:"kind"` // "subtitles" or "captions"
	Label  string `json:"label"`
	Lang   string `json:"lang"`
	Source string `json:"source"` // "upload" for putRecordingTextTrack
	// Content is the uploaded file (not part of the API's answer).
	Content []byte `json:"-"`
}

// writeJSON sends the JSON envelope of the text-track calls:
// {"response": {"returncode": …, …}}.
func (s *Server) writeJSON(e *exchange, status int, resp map[string]any) {
	b, _ := json.Marshal(map[string]any{"response": resp})
	h := e.w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-cache")
	e.w.WriteHeader(status)
	_, _ = e.w.Write(b)
	e.status = status
	if k, ok := resp["messageKey"].(string); ok {
		e.key = k
	}
}

func (s *Server) jsonFail(e *exchange, key, msg string) {
	s.writeJSON(e, http.StatusOK, map[string]any{"returncode": "FAILED", "messageKey": key, "message": msg})
}

func (s *Server) findRecordingLocked(id string) *recording {
	for _, r := range s.recordings {
		if r.RecordID == id {
			return r
		}
	}
	return nil
}

// ---- getRecordingTextTracks ----

func (s *Server) handleGetRecordingTextTracks(e *exchange) {
	id := e.q.value("recordID")
	if id == "" {
		s.jsonFail(e, "missingParamRecordID", "You must specify a recordID.")
		return
	}
	s.mu.RLock()
	r := s.findRecordingLocked(id)
	var tracks []TextTrack
	if r != nil {
		tracks = append(tracks, r.TextTracks...)
	}
	s.mu.RUnlock()
	switch {
	case r == nil:
		s.jsonFail(e, "noRecordings", "No recording was found for "+id)
	case len(tracks) == 0:
		s.jsonFail(e, "noCaptionsFound", "No captions found for "+id)
	default:
		s.writeJSON(e, http.StatusOK, map[string]any{"returncode": "SUCCESS", "tracks": tracks})
	}
}

// ---- putRecordingTextTrack ----

func (s *Server) handlePutRecordingTextTrack(e *exchange) {
	q := e.q
	id, kind, lang, label := q.value("recordID"), q.value("kind"), q.value("lang"), q.value("label")
	switch {
	case id == "":
		s.jsonFail(e, "missingParamRecordID", "You must specify a recordID.")
		return
	case kind != "subtitles" && kind != "captions":
		s.jsonFail(e, "invalidKind", "Invalid kind parameter, expected='subtitles|captions' actual="+kind)
		return
	case !validTrackLang(lang):
		s.jsonFail(e, "invalidLang", "Malformed lang param, received="+lang)
		return
	}
	content, ok := readFilePart(e.r)
	if !ok {
		s.jsonFail(e, "empty_uploaded_text_track", "Empty uploaded text track.")
		return
	}
	if label == "" {
		label = lang
	}
	s.mu.Lock()
	r := s.findRecordingLocked(id)
	if r == nil {
		s.mu.Unlock()
		s.jsonFail(e, "noRecordings", "No recording was found for "+id)
		return
	}
	track := TextTrack{
		Href:    s.host + "/presentation/" + id + "/caption_" + lang + ".vtt",
		Kind:    kind,
		Label:   label,
		Lang:    lang,
		Source:  "upload",
		Content: content,
	}
	replaced := false
	for i, t := range r.TextTracks {
		if t.Kind == kind && t.Lang == lang {
			r.TextTracks[i], replaced = track, true
		}
	}
	if !replaced {
		r.TextTracks = append(r.TextTracks, track)
	}
	s.mu.Unlock()
	s.writeJSON(e, http.StatusOK, map[string]any{
		"returncode": "SUCCESS", "messageKey": "upload_text_track_success",
		"message": "Text track uploaded successfully", "recordId": id,
	})
}

// readFilePart reads the "file" part of a multipart/form-data body, which
// readBodyParams parsed.
func readFilePart(r *http.Request) ([]byte, bool) {
	if r.Method != http.MethodPost || r.MultipartForm == nil || len(r.MultipartForm.File["file"]) == 0 {
		return nil, false
	}
	f, err := r.MultipartForm.File["file"][0].Open()
	if err != nil {
		return nil, false
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxBody))
	return b, err == nil && len(b) > 0
}

// validTrackLang is BBB's check of a track language: ll or lll, then
// optionally "_" or "-" and an upper-case region or a 3-digit area.
func validTrackLang(s string) bool {
	lang, region, hasRegion := strings.Cut(s, "_")
	if !hasRegion {
		lang, region, hasRegion = strings.Cut(s, "-")
	}
	if len(lang) < 2 || len(lang) > 3 || strings.IndexFunc(lang, func(r rune) bool { return r < 'a' || r > 'z' }) >= 0 {
		return false
	}
	if !hasRegion {
		return true
	}
	switch len(region) {
	case 2:
		return strings.IndexFunc(region, func(r rune) bool { return r < 'A' || r > 'Z' }) < 0
	case 3:
		return strings.IndexFunc(region, func(r rune) bool { return r < '0' || r > '9' }) < 0
	}
	return false
}
