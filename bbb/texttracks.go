package bbb

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"mime/multipart"
	"net/textproto"
	"path"
	"strings"
	"unicode/utf8"
)

// Text track kinds accepted by putRecordingTextTrack.
const (
	TextTrackSubtitles = "subtitles"
	TextTrackCaptions  = "captions"
)

// Sentinels of the text-track calls.
var (
	// ErrNoCaptions is the answer of getRecordingTextTracks for a recording
	// without text tracks. GetRecordingTextTracks turns it into an empty
	// list; it is exported for callers of other clients and fakes.
	ErrNoCaptions = &APIError{Key: "noCaptionsFound"}
	// ErrTextTrackUploadFailed is an upload the server could not store.
	ErrTextTrackUploadFailed = &APIError{Key: "upload_text_track_failed"}
)

// TextTrack is a subtitle or caption track of a recording.
type TextTrack struct {
	Href   string `json:"href"`   // where the WebVTT file is served
	Kind   string `json:"kind"`   // TextTrackSubtitles or TextTrackCaptions
	Label  string `json:"label"`  // shown in the player's menu
	Lang   string `json:"lang"`   // language tag, e.g. "en-US"
	Source string `json:"source"` // "upload", "live" (from the meeting), …
}

// TextTrackUpload is a text track to add to a recording.
type TextTrackUpload struct {
	RecordID string
	Kind     string // TextTrackSubtitles or TextTrackCaptions
	// Lang is the track's language: a lower-case ISO 639 code of 2 or 3
	// letters, optionally followed by "_" or "-" and an upper-case ISO 3166
	// region or a 3-digit area code, e.g. "fr", "en_US", "pt-BR", "es-419".
	Lang string
	// Label is shown in the player's menu; the server derives it from Lang
	// when empty.
	Label string
	// FileName is the uploaded file's name, without directories
	// ("track.vtt" when empty). Its extension tells the server the format
	// (.vtt for WebVTT, .srt for SubRip); the content is converted to WebVTT.
	FileName string
	// Content is the file's content and must not be empty.
	Content []byte
}

// GetRecordingTextTracks lists the text tracks of a recording. A recording
// without tracks gives an empty list; an unknown recording gives an error
// matching ErrNoRecordings. The answer is JSON, unlike the other calls.
func (c *Client) GetRecordingTextTracks(ctx context.Context, recordID string) ([]TextTrack, error) {
	const call = "getRecordingTextTracks"
	if err := validateRecordIDs(call, []string{recordID}, true); err != nil {
		return nil, err
	}
	r := request{call: call, idempotent: true}
	r.query.add("recordID", recordID)
	resp, err := c.doJSON(ctx, &r)
	if err != nil {
		if errors.Is(err, ErrNoCaptions) {
			return []TextTrack{}, nil
		}
		return nil, err
	}
	tracks, err := decodeTracks(resp.Tracks)
	if err != nil {
		return nil, &ResponseError{Call: call, StatusCode: resp.status, ContentType: resp.contentType,
			Reason: "malformed tracks: " + err.Error()}
	}
	return tracks, nil
}

// decodeTracks reads the tracks member: an array, or a page object
// holding the array in "content" (as the Spring-based recording API
// serialises it).
func decodeTracks(raw json.RawMessage) ([]TextTrack, error) {
	raw = bytes.TrimSpace(raw)
	tracks := []TextTrack{}
	switch {
	case len(raw) == 0 || bytes.Equal(raw, []byte("null")):
		return tracks, nil
	case raw[0] == '{':
		var page struct {
			Content []TextTrack `json:"content"`
		}
		if err := json.Unmarshal(raw, &page); err != nil {
			return nil, err
		}
		if page.Content != nil {
			tracks = page.Content
		}
		return tracks, nil
	default:
		if err := json.Unmarshal(raw, &tracks); err != nil {
			return nil, err
		}
		if tracks == nil {
			tracks = []TextTrack{}
		}
		return tracks, nil
	}
}

// PutRecordingTextTrack uploads a subtitle or caption file for a
// recording. The file travels as multipart/form-data in part "file"; the
// other parameters are in the signed URL only. The server processes the
// track asynchronously: it is listed by GetRecordingTextTracks once
// converted. It is never retried.
func (c *Client) PutRecordingTextTrack(ctx context.Context, p *TextTrackUpload) error {
	const call = "putRecordingTextTrack"
	if p == nil {
		return &ParamError{Call: call, Param: "params", Reason: "required"}
	}
	if err := p.validate(call); err != nil {
		return err
	}
	name := p.FileName
	if name == "" {
		name = "track.vtt"
	}
	body, contentType, err := textTrackBody(name, p.Content)
	if err != nil {
		return &ParamError{Call: call, Param: "file", Reason: "cannot be encoded: " + err.Error()}
	}
	r := request{call: call, method: "POST", body: body, contentType: contentType}
	r.query.add("recordID", p.RecordID)
	r.query.add("kind", p.Kind)
	r.query.add("lang", p.Lang)
	r.query.addNonEmpty("label", p.Label)
	resp, err := c.doJSON(ctx, &r)
	if err != nil {
		return err
	}
	if resp.MessageKey == ErrTextTrackUploadFailed.Key {
		return &APIError{Call: call, Key: resp.MessageKey, Message: resp.Message}
	}
	return nil
}

func (p *TextTrackUpload) validate(call string) error {
	if err := validateRecordIDs(call, []string{p.RecordID}, true); err != nil {
		return err
	}
	if p.Kind != TextTrackSubtitles && p.Kind != TextTrackCaptions {
		return &ParamError{Call: call, Param: "kind", Reason: "must be subtitles or captions"}
	}
	if !validTrackLang(p.Lang) {
		return &ParamError{Call: call, Param: "lang",
			Reason: `must be a language code with an optional region, such as "en", "en_US" or "pt-BR"`}
	}
	if !utf8.ValidString(p.Label) || strings.ContainsFunc(p.Label, isControl) {
		return &ParamError{Call: call, Param: "label", Reason: "must be UTF-8 text without control characters"}
	}
	if strings.ContainsAny(p.FileName, `/\`) || strings.ContainsFunc(p.FileName, isControl) ||
		!utf8.ValidString(p.FileName) || p.FileName == "." || p.FileName == ".." {
		return &ParamError{Call: call, Param: "file", Reason: "file name must be a base name without control characters"}
	}
	if len(p.Content) == 0 {
		return &ParamError{Call: call, Param: "file", Reason: "content is empty"}
	}
	return nil
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// validTrackLang accepts what BBB's locale parser does: ll or lll in lower
// case, optionally "_" or "-" and RR in upper case or three digits.
func validTrackLang(s string) bool {
	lang, region, hasRegion := strings.Cut(s, "_")
	if !hasRegion {
		lang, region, hasRegion = strings.Cut(s, "-")
	}
	if len(lang) < 2 || len(lang) > 3 {
		return false
	}
	for i := 0; i < len(lang); i++ {
		if lang[i] < 'a' || lang[i] > 'z' {
			return false
		}
	}
	if !hasRegion {
		return true
	}
	switch len(region) {
	case 2:
		return 'A' <= region[0] && region[0] <= 'Z' && 'A' <= region[1] && region[1] <= 'Z'
	case 3:
		for i := range 3 {
			if region[i] < '0' || region[i] > '9' {
				return false
			}
		}
		return true
	}
	return false
}

var quoteEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`)

// textTrackBody builds the multipart/form-data body with the file in part
// "file".
func textTrackBody(name string, content []byte) (body []byte, contentType string, err error) {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	h := make(textproto.MIMEHeader, 2)
	h.Set("Content-Disposition", `form-data; name="file"; filename="`+quoteEscaper.Replace(name)+`"`)
	h.Set("Content-Type", textTrackContentType(name))
	part, err := w.CreatePart(h)
	if err != nil {
		return nil, "", err
	}
	if _, err := part.Write(content); err != nil {
		return nil, "", err
	}
	if err := w.Close(); err != nil {
		return nil, "", err
	}
	return b.Bytes(), w.FormDataContentType(), nil
}

func textTrackContentType(name string) string {
	switch strings.ToLower(path.Ext(name)) {
	case ".vtt":
		return "text/vtt"
	case ".srt":
		return "application/x-subrip"
	}
	return "application/octet-stream"
}

// jsonResponse is the envelope of the JSON calls:
// {"response": {"returncode": …, "messageKey": …, "message": …, …}}.
type jsonResponse struct {
	ReturnCode string          `json:"returncode"`
	MessageKey string          `json:"messageKey"`
	Message    string          `json:"message"`
	RecordID   string          `json:"recordId"`
	Tracks     json.RawMessage `json:"tracks"`

	status      int
	contentType string
}

// doJSON sends r and parses a JSON envelope, with the error types of do.
func (c *Client) doJSON(ctx context.Context, r *request) (*jsonResponse, error) {
	body, status, ct, err := c.send(ctx, r)
	if err != nil {
		return nil, err
	}
	return parseJSONResponse(r.call, body, status, ct)
}

func parseJSONResponse(call string, body string, status int, contentType string) (*jsonResponse, error) {
	bad := func(reason string) error {
		return &ResponseError{Call: call, StatusCode: status, ContentType: contentType, Reason: reason}
	}
	trimmed := strings.TrimSpace(body)
	if len(trimmed) == 0 {
		return nil, bad("empty body")
	}
	if trimmed[0] == '<' {
		if looksLikeHTML(trimmed) {
			return nil, bad("HTML page instead of JSON")
		}
		// An XML envelope (some servers answer errors such as a checksum
		// failure in XML): its FAILED answer is still an *APIError.
		if _, err := parseResponse(call, body, status, contentType); err != nil {
			return nil, err
		}
		return nil, bad("XML answer instead of JSON")
	}
	var env struct {
		Response *jsonResponse `json:"response"`
	}
	if err := json.Unmarshal([]byte(trimmed), &env); err != nil {
		return nil, bad("malformed JSON: " + err.Error())
	}
	resp := env.Response
	if resp == nil {
		return nil, bad(`no "response" object`)
	}
	resp.status, resp.contentType = status, contentType
	switch resp.ReturnCode {
	case "SUCCESS":
		if status < 200 || status > 299 {
			if resp.MessageKey != "" {
				// BBB answers a failed upload with SUCCESS, a failure key
				// and HTTP 500.
				return nil, &APIError{Call: call, Key: resp.MessageKey, Message: resp.Message}
			}
			return nil, bad("SUCCESS with a non-2xx status")
		}
		return resp, nil
	case "FAILED":
		return nil, &APIError{Call: call, Key: resp.MessageKey, Message: resp.Message}
	default:
		return nil, bad("no SUCCESS or FAILED returncode")
	}
}
