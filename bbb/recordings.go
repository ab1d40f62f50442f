package bbb

import (
	"context"
	"strings"
	"time"

	"github.com/bbbcast/bbbcast/bbb/internal/xmltree"
)

// Recording states, as getRecordings reports them and accepts them in
// GetRecordingsParams.States.
const (
	RecordingProcessing  = "processing"
	RecordingProcessed   = "processed"
	RecordingPublished   = "published"
	RecordingUnpublished = "unpublished"
	RecordingDeleted     = "deleted"
	// RecordingAnyState selects recordings in every state.
	RecordingAnyState = "any"
)

// MaxRecordingsLimit is the largest page BBB serves (its rule for limit).
const MaxRecordingsLimit = 100

// GetRecordingsParams filters getRecordings. Every filter is optional: the
// zero value (or a nil pointer) lists the published and unpublished
// recordings of every meeting.
type GetRecordingsParams struct {
	// MeetingIDs selects the recordings of these meetings (external IDs).
	MeetingIDs []string `url:"meetingID,comma,omitempty"`
	// RecordIDs selects recordings by ID. BBB also matches a prefix of an
	// ID, which selects every recording of a meeting's internal ID.
	RecordIDs []string `url:"recordID,comma,omitempty"`
	// States selects recordings by state: RecordingProcessing,
	// RecordingProcessed, RecordingPublished, RecordingUnpublished,
	// RecordingDeleted, or RecordingAnyState for all of them. BBB lists
	// published and unpublished recordings when it is empty.
	States []string `url:"state,comma,omitempty"`
	// Meta selects recordings whose metadata has all these values.
	Meta Metadata `url:"meta,omitempty"`
	// Offset skips that many recordings (BBB 2.6+).
	Offset *int `url:"offset,omitempty"`
	// Limit is the page size, 1 to MaxRecordingsLimit (BBB 2.6+). Older
	// servers ignore Offset and Limit and answer the whole list.
	Limit *int `url:"limit,omitempty"`
}

// RecordingsPage is an answer of getRecordings.
type RecordingsPage struct {
	Recordings []Recording
	// TotalElements is the number of recordings matching the filters, of
	// which Recordings is one page. Servers that do not page (before 2.6,
	// or when no Limit is given) do not send it; it is then
	// len(Recordings), since the answer holds the whole list.
	TotalElements int
}

// Recording is one recording of a meeting.
type Recording struct {
	RecordID          string
	MeetingID         string
	InternalMeetingID string
	Name              string
	IsBreakout        bool
	Published         bool
	State             string // one of the Recording* state constants
	StartTime         time.Time
	EndTime           time.Time
	Participants      int
	RawSize           int64 // bytes of the raw recording
	Size              int64 // bytes of all playback formats
	// Metadata holds the meta_* parameters of the meeting, keys lower-cased
	// by BBB and without the prefix, plus those BBB adds (meetingName,
	// isBreakout…).
	Metadata map[string]string
	Playback []PlaybackFormat
}

// PlaybackFormat is one way to play a recording back, such as
// "presentation", "video" or "podcast".
type PlaybackFormat struct {
	Type           string
	URL            string
	ProcessingTime int   // milliseconds BBB spent producing it
	Length         int   // minutes
	Size           int64 // bytes
	Preview        []Image
}

// Image is a preview thumbnail of a playback format.
type Image struct {
	URL    string
	Alt    string
	Width  int
	Height int
}

// GetRecordings lists recordings matching p (nil for all). No recording is
// an empty page, not an error: BBB's noRecordings answer is success.
func (c *Client) GetRecordings(ctx context.Context, p *GetRecordingsParams) (*RecordingsPage, error) {
	const call = "getRecordings"
	if p == nil {
		p = &GetRecordingsParams{}
	}
	if err := p.validate(call); err != nil {
		return nil, err
	}
	q, err := encodeStruct(p)
	if err != nil {
		return nil, &ParamError{Call: call, Param: "params", Reason: "cannot be encoded: " + err.Error()}
	}
	resp, err := c.do(ctx, &request{call: call, query: q, idempotent: true})
	if err != nil {
		return nil, err
	}
	list := resp.Child("recordings")
	page := &RecordingsPage{Recordings: make([]Recording, 0, list.CountChildren())}
	for n := range list.Children() {
		if n.Name() == "recording" {
			page.Recordings = append(page.Recordings, Recording{})
			decodeRecording(n, &page.Recordings[len(page.Recordings)-1])
		}
	}
	page.TotalElements = len(page.Recordings)
	if t := resp.Child("totalElements"); t.Exists() {
		page.TotalElements = parseInt(t.Text())
	}
	return page, nil
}

func (p *GetRecordingsParams) validate(call string) error {
	for _, id := range p.MeetingIDs {
		if err := validateMeetingID(call, "meetingID", id); err != nil {
			return err
		}
	}
	if err := validateRecordIDs(call, p.RecordIDs, false); err != nil {
		return err
	}
	for _, s := range p.States {
		switch s {
		case RecordingProcessing, RecordingProcessed, RecordingPublished, RecordingUnpublished,
			RecordingDeleted, RecordingAnyState:
		default:
			return &ParamError{Call: call, Param: "state",
				Reason: "must be processing, processed, published, unpublished, deleted or any"}
		}
	}
	if err := validateMeta(call, p.Meta); err != nil {
		return err
	}
	if p.Offset != nil && *p.Offset < 0 {
		return &ParamError{Call: call, Param: "offset", Reason: "must not be negative"}
	}
	if p.Limit != nil && (*p.Limit < 1 || *p.Limit > MaxRecordingsLimit) {
		return &ParamError{Call: call, Param: "limit", Reason: "must be 1 to 100"}
	}
	return nil
}

// validateRecordIDs checks a list of record IDs sent comma-separated: no
// empty ID and no comma inside one.
func validateRecordIDs(call string, ids []string, needOne bool) error {
	if needOne && len(ids) == 0 {
		return &ParamError{Call: call, Param: "recordID", Reason: "at least one record ID is required"}
	}
	for _, id := range ids {
		if strings.TrimSpace(id) == "" {
			return &ParamError{Call: call, Param: "recordID", Reason: "empty record ID"}
		}
		if strings.Contains(id, ",") {
			return &ParamError{Call: call, Param: "recordID", Reason: "a record ID may not contain a comma"}
		}
	}
	return nil
}

func decodeRecording(n xmltree.Node, r *Recording) {
	for c := range n.Children() {
		switch c.Name() {
		case "recordID":
			r.RecordID = text(c)
		case "meetingID":
			r.MeetingID = text(c)
		case "internalMeetingID":
			r.InternalMeetingID = text(c)
		case "name":
			r.Name = text(c)
		case "isBreakout":
			r.IsBreakout = parseBool(c.Text())
		case "published":
			r.Published = parseBool(c.Text())
		case "state":
			r.State = text(c)
		case "startTime":
			r.StartTime = parseMillis(c.Text())
		case "endTime":
			r.EndTime = parseMillis(c.Text())
		case "participants":
			r.Participants = parseInt(c.Text())
		case "rawSize":
			r.RawSize = parseInt64(c.Text())
		case "size":
			r.Size = parseInt64(c.Text())
		case "metadata":
			r.Metadata = childMap(c)
		case "playback":
			for f := range c.Children() {
				if f.Name() == "format" {
					r.Playback = append(r.Playback, decodePlaybackFormat(f))
				}
			}
		}
	}
}

func decodePlaybackFormat(n xmltree.Node) PlaybackFormat {
	var f PlaybackFormat
	for c := range n.Children() {
		switch c.Name() {
		case "type":
			f.Type = text(c)
		case "url":
			f.URL = text(c)
		case "processingTime":
			f.ProcessingTime = parseInt(c.Text())
		case "length":
			f.Length = parseInt(c.Text())
		case "size":
			f.Size = parseInt64(c.Text())
		case "preview":
			for img := range c.Child("images").Children() {
				if img.Name() != "image" {
					continue
				}
				im := Image{URL: text(img)}
				im.Alt, _ = img.Attr("alt")
				if w, ok := img.Attr("width"); ok {
					im.Width = parseInt(w)
				}
				if h, ok := img.Attr("height"); ok {
					im.Height = parseInt(h)
				}
				f.Preview = append(f.Preview, im)
			}
		}
	}
	return f
}

// PublishRecordings publishes (publish true) or unpublishes recordings. An
// answer naming none of the IDs gives an error matching ErrNotFound. It is
// never retried.
func (c *Client) PublishRecordings(ctx context.Context, recordIDs []string, publish bool) error {
	const call = "publishRecordings"
	if err := validateRecordIDs(call, recordIDs, true); err != nil {
		return err
	}
	r := request{call: call}
	r.query.add("recordID", strings.Join(recordIDs, ","))
	r.query.addBool("publish", &publish)
	_, err := c.do(ctx, &r)
	return err
}

// DeleteRecordings deletes recordings. Depending on the server's version
// and configuration, deleted recordings may still be listed by
// GetRecordings with the state RecordingDeleted until an administrator
// purges them. Unknown IDs give an error matching ErrNotFound. It is never
// retried.
func (c *Client) DeleteRecordings(ctx context.Context, recordIDs []string) error {
	const call = "deleteRecordings"
	if err := validateRecordIDs(call, recordIDs, true); err != nil {
		return err
	}
	r := request{call: call}
	r.query.add("recordID", strings.Join(recordIDs, ","))
	_, err := c.do(ctx, &r)
	return err
}

// UpdateRecordings sets metadata of recordings: each entry of meta
// becomes a meta_<key> parameter. BBB deletes a key whose value is empty,
// so Metadata{"title": ""} removes the title. Unknown IDs give an error
// matching ErrNotFound. It is never retried.
func (c *Client) UpdateRecordings(ctx context.Context, recordIDs []string, meta Metadata) error {
	const call = "updateRecordings"
	if err := validateRecordIDs(call, recordIDs, true); err != nil {
		return err
	}
	if len(meta) == 0 {
		return &ParamError{Call: call, Param: "meta", Reason: "at least one meta_ parameter is required"}
	}
	if err := validateMeta(call, meta); err != nil {
		return err
	}
	r := request{call: call}
	r.query.add("recordID", strings.Join(recordIDs, ","))
	r.query.addPrefixed("meta_", meta)
	_, err := c.do(ctx, &r)
	return err
}
