package bbb

import (
	"encoding/xml"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bbbcast/bbbcast/internal/benchcpu"
)

// The encoding/xml baseline: the same getMeetings answer read with
// xml.Unmarshal into tagged structs, then converted to []Meeting exactly as
// decodeMeeting fills it (metadata and custom data as maps, epoch
// milliseconds as UTC times).

type stdGetMeetings struct {
	XMLName    xml.Name     `xml:"response"`
	ReturnCode string       `xml:"returncode"`
	MessageKey string       `xml:"messageKey"`
	Meetings   []stdMeeting `xml:"meetings>meeting"`
}

type stdMeeting struct {
	Name                  string        `xml:"meetingName"`
	MeetingID             string        `xml:"meetingID"`
	InternalMeetingID     string        `xml:"internalMeetingID"`
	CreateTime            int64         `xml:"createTime"`
	CreateDate            string        `xml:"createDate"`
	VoiceBridge           string        `xml:"voiceBridge"`
	DialNumber            string        `xml:"dialNumber"`
	AttendeePW            string        `xml:"attendeePW"`
	ModeratorPW           string        `xml:"moderatorPW"`
	Running               bool          `xml:"running"`
	Duration              int           `xml:"duration"`
	HasUserJoined         bool          `xml:"hasUserJoined"`
	Recording             bool          `xml:"recording"`
	HasBeenForciblyEnded  bool          `xml:"hasBeenForciblyEnded"`
	StartTime             int64         `xml:"startTime"`
	EndTime               int64         `xml:"endTime"`
	ParticipantCount      int           `xml:"participantCount"`
	ListenerCount         int           `xml:"listenerCount"`
	VoiceParticipantCount int           `xml:"voiceParticipantCount"`
	VideoCount            int           `xml:"videoCount"`
	MaxUsers              int           `xml:"maxUsers"`
	ModeratorCount        int           `xml:"moderatorCount"`
	Attendees             []stdAttendee `xml:"attendees>attendee"`
	Metadata              stdMap        `xml:"metadata"`
	IsBreakout            bool          `xml:"isBreakout"`
	Breakout              *stdBreakout  `xml:"breakout"`
	ParentMeetingID       *string       `xml:"parentMeetingID"`
	Sequence              *int          `xml:"sequence"`
	FreeJoin              *bool         `xml:"freeJoin"`
	BreakoutRooms         []string      `xml:"breakoutRooms>breakout"`
}

type stdAttendee struct {
	UserID          string `xml:"userID"`
	FullName        string `xml:"fullName"`
	Role            string `xml:"role"`
	IsPresenter     bool   `xml:"isPresenter"`
	IsListeningOnly bool   `xml:"isListeningOnly"`
	HasJoinedVoice  bool   `xml:"hasJoinedVoice"`
	HasVideo        bool   `xml:"hasVideo"`
	ClientType      string `xml:"clientType"`
	CustomData      stdMap `xml:"customdata"`
}

type stdBreakout struct {
	ParentMeetingID string `xml:"parentMeetingID"`
	Sequence        int    `xml:"sequence"`
	FreeJoin        bool   `xml:"freeJoin"`
}

// stdMap reads an element whose children are key/value pairs, nil when it
// has none, as childMap does.
type stdMap map[string]string

func (m *stdMap) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	var out stdMap
	for {
		tok, err := d.Token()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			var v string
			if err := d.DecodeElement(&v, &t); err != nil {
				return err
			}
			if out == nil {
				out = make(stdMap)
			}
			out[t.Name.Local] = v
		case xml.EndElement:
			*m = out
			return nil
		}
	}
}

func stdMillis(ms int64) time.Time {
	if ms <= 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

// decodeGetMeetingsStd is the encoding/xml baseline of decodeGetMeetings.
func decodeGetMeetingsStd(doc []byte) ([]Meeting, error) {
	var r stdGetMeetings
	if err := xml.Unmarshal(doc, &r); err != nil {
		return nil, err
	}
	out := make([]Meeting, len(r.Meetings))
	for i := range r.Meetings {
		s := &r.Meetings[i]
		m := &out[i]
		*m = Meeting{
			Name:                  s.Name,
			MeetingID:             s.MeetingID,
			InternalMeetingID:     s.InternalMeetingID,
			CreateTime:            s.CreateTime,
			CreateDate:            s.CreateDate,
			VoiceBridge:           s.VoiceBridge,
			DialNumber:            s.DialNumber,
			AttendeePW:            s.AttendeePW,
			ModeratorPW:           s.ModeratorPW,
			Running:               s.Running,
			Duration:              s.Duration,
			HasUserJoined:         s.HasUserJoined,
			Recording:             s.Recording,
			HasBeenForciblyEnded:  s.HasBeenForciblyEnded,
			StartTime:             stdMillis(s.StartTime),
			EndTime:               stdMillis(s.EndTime),
			ParticipantCount:      s.ParticipantCount,
			ListenerCount:         s.ListenerCount,
			VoiceParticipantCount: s.VoiceParticipantCount,
			VideoCount:            s.VideoCount,
			MaxUsers:              s.MaxUsers,
			ModeratorCount:        s.ModeratorCount,
			Metadata:              s.Metadata,
			IsBreakout:            s.IsBreakout,
			BreakoutRooms:         s.BreakoutRooms,
		}
		if len(s.Attendees) > 0 {
			m.Attendees = make([]Attendee, len(s.Attendees))
			for j, a := range s.Attendees {
				m.Attendees[j] = Attendee{
					UserID:          a.UserID,
					FullName:        a.FullName,
					Role:            Role(a.Role),
					IsPresenter:     a.IsPresenter,
					IsListeningOnly: a.IsListeningOnly,
					HasJoinedVoice:  a.HasJoinedVoice,
					HasVideo:        a.HasVideo,
					ClientType:      a.ClientType,
					CustomData:      a.CustomData,
				}
			}
		}
		if s.Breakout != nil {
			m.Breakout = &BreakoutInfo{ParentMeetingID: s.Breakout.ParentMeetingID, Sequence: s.Breakout.Sequence, FreeJoin: s.Breakout.FreeJoin}
		}
		if s.ParentMeetingID != nil || s.Sequence != nil || s.FreeJoin != nil {
			m.Breakout = &BreakoutInfo{}
			if s.ParentMeetingID != nil {
				m.Breakout.ParentMeetingID = *s.ParentMeetingID
			}
			if s.Sequence != nil {
				m.Breakout.Sequence = *s.Sequence
			}
			if s.FreeJoin != nil {
				m.Breakout.FreeJoin = *s.FreeJoin
			}
		}
	}
	return out, nil
}

// TestStdBaselineIsEquivalent makes sure the benchmark compares like with
// like: both paths give the same meetings from the same answer.
func TestStdBaselineIsEquivalent(t *testing.T) {
	t.Parallel()
	for _, layout := range []genLayout{genBreakoutFlat, genBreakoutWrapped} {
		want := genMeetings(genBenchSpec)
		doc := renderGetMeetings(want, layout)
		got, err := decodeGetMeetings(doc)
		require.NoError(t, err)
		std, err := decodeGetMeetingsStd(doc)
		require.NoError(t, err)
		require.Equal(t, std, got)
		require.Equal(t, want, std)
	}
}

// BenchmarkParseGetMeetings decodes a getMeetings answer of 50 meetings of
// 5 attendees and 3 metadata entries (about 160 KB) with the real path
// (xmltree: parseResponse, then decodeMeetings as GetMeetings does) and
// with the encoding/xml baseline.
func BenchmarkParseGetMeetings(b *testing.B) {
	doc := renderGetMeetings(genMeetings(genBenchSpec), genBreakoutFlat)
	// cpu-µs/op is the process's CPU, the garbage collector's on the
	// other core included, which ns/op (wall) leaves out.
	b.Run("xmltree", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(doc)))
		stop := benchcpu.Start(b, "cpu-µs/op", time.Microsecond)
		for i := 0; i < b.N; i++ {
			ms, err := decodeGetMeetings(doc)
			if err != nil || len(ms) != genBenchSpec.meetings {
				b.Fatal(len(ms), err)
			}
		}
		stop()
	})
	b.Run("encoding-xml", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(doc)))
		stop := benchcpu.Start(b, "cpu-µs/op", time.Microsecond)
		for i := 0; i < b.N; i++ {
			ms, err := decodeGetMeetingsStd(doc)
			if err != nil || len(ms) != genBenchSpec.meetings {
				b.Fatal(len(ms), err)
			}
		}
		stop()
	})
}
