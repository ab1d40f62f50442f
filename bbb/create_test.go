package bbb

import (
	"context"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const createAnswer = `<response><returncode>SUCCESS</returncode><meetingID>webinar-42</meetingID>
<internalMeetingID>1e6b4b7a0b0c3b1e0c1d9e2f1a2b3c4d5e6f7a8b-1700000000000</internalMeetingID>
<parentMeetingID>bbb-none</parentMeetingID><attendeePW>ap</attendeePW><moderatorPW>mp</moderatorPW>
<createTime>1700000000000</createTime><voiceBridge>70066</voiceBridge><dialNumber>613-555-1234</dialNumber>
<createDate>Tue Nov 14 22:13:20 UTC 2023</createDate><hasUserJoined>false</hasUserJoined><duration>0</duration>
<hasBeenForciblyEnded>false</hasBeenForciblyEnded><messageKey></messageKey><message></message></response>`

func TestCreate(t *testing.T) {
	t.Parallel()
	c, mt := newMockClient(t)
	s := answer(t, mt, "GET", "create", 200, createAnswer)
	res, err := c.Create(context.Background(), &CreateParams{
		Name:             "Amphi A: (intro) it's *live*",
		MeetingID:        "webinar-42",
		Record:           ptr(false),
		GuestPolicy:      GuestAlwaysAccept,
		Duration:         90,
		Meta:             Metadata{"endCallbackUrl": "https://portal.example/cb?token=x&y=1", "bbb-origin": "bbbcast"},
		DisabledFeatures: []string{"breakoutRooms", "polls"},
	})
	require.NoError(t, err)
	assert.Equal(t, &CreateResult{
		MeetingID: "webinar-42", InternalMeetingID: "1e6b4b7a0b0c3b1e0c1d9e2f1a2b3c4d5e6f7a8b-1700000000000",
		ParentMeetingID: "bbb-none", AttendeePW: "ap", ModeratorPW: "mp", CreateTime: 1700000000000,
		CreateDate: "Tue Nov 14 22:13:20 UTC 2023", VoiceBridge: "70066", DialNumber: "613-555-1234",
	}, res)
	r, q := s.last(t)
	assert.Equal(t, "Amphi A: (intro) it's *live*", q.Get("name"))
	assert.Equal(t, "false", q.Get("record"), "an explicit false is sent")
	assert.Equal(t, "ALWAYS_ACCEPT", q.Get("guestPolicy"))
	assert.Equal(t, "90", q.Get("duration"))
	assert.Equal(t, "breakoutRooms,polls", q.Get("disabledFeatures"))
	assert.Equal(t, "https://portal.example/cb?token=x&y=1", q.Get("meta_endCallbackUrl"))
	assert.Equal(t, "bbbcast", q.Get("meta_bbb-origin"))
	assert.False(t, q.Has("muteOnStart"), "unset options are not sent")
	for _, c := range "!'()*" {
		assert.NotContains(t, r.URL.RawQuery, string(c), "strictly escaped")
	}
}

func TestCreateDuplicateAndConflict(t *testing.T) {
	t.Parallel()
	c, mt := newMockClient(t)
	answer(t, mt, "GET", "create", 200, strings.Replace(createAnswer, "<messageKey></messageKey>", "<messageKey>duplicateWarning</messageKey>", 1))
	res, err := c.Create(context.Background(), &CreateParams{Name: "Webinar", MeetingID: "webinar-42"})
	require.NoError(t, err)
	assert.True(t, res.Duplicate)

	c, mt = newMockClient(t)
	answer(t, mt, "GET", "create", 200, failed("idNotUnique", "A meeting already exists with that meeting ID."))
	_, err = c.Create(context.Background(), &CreateParams{Name: "Webinar", MeetingID: "webinar-42", ModeratorPW: "other"})
	require.ErrorIs(t, err, ErrIDNotUnique)
}

func TestCreateRefusesBadInputBeforeSending(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		p     *CreateParams
		docs  []Document
		param string
	}{
		{"nil", nil, nil, "params"},
		{"no name", &CreateParams{MeetingID: "m-1"}, nil, "name"},
		{"one-character name", &CreateParams{Name: "x", MeetingID: "m-1"}, nil, "name"},
		{"long name", &CreateParams{Name: strings.Repeat("é", 257), MeetingID: "m-1"}, nil, "name"},
		{"no meeting ID", &CreateParams{Name: "Webinar"}, nil, "meetingID"},
		{"short meeting ID", &CreateParams{Name: "Webinar", MeetingID: "m"}, nil, "meetingID"},
		{"comma in meeting ID", &CreateParams{Name: "Webinar", MeetingID: "a,b"}, nil, "meetingID"},
		{"meeting ID too long in UTF-16", &CreateParams{Name: "Webinar", MeetingID: strings.Repeat("😀", 129)}, nil, "meetingID"},
		{"long meeting ID", &CreateParams{Name: "Webinar", MeetingID: strings.Repeat("x", 257)}, nil, "meetingID"},
		{"bad parent", &CreateParams{Name: "Webinar", MeetingID: "m-1", ParentMeetingID: "a,b"}, nil, "parentMeetingID"},
		{"meta key with underscore", &CreateParams{Name: "Webinar", MeetingID: "m-1", Meta: Metadata{"end_callback": "x"}}, nil, "meta_end_callback"},
		{"meta key with digit first", &CreateParams{Name: "Webinar", MeetingID: "m-1", Meta: Metadata{"1x": "x"}}, nil, "meta_1x"},
		{"document with both", &CreateParams{Name: "Webinar", MeetingID: "m-1"}, []Document{{URL: "https://x.example/a.pdf", Content: []byte("x")}}, "documents[0]"},
		{"document without name", &CreateParams{Name: "Webinar", MeetingID: "m-1"}, []Document{{Content: []byte("x")}}, "documents[0]"},
		{"document relative URL", &CreateParams{Name: "Webinar", MeetingID: "m-1"}, []Document{{URL: "/a.pdf"}}, "documents[0]"},
		{"empty document", &CreateParams{Name: "Webinar", MeetingID: "m-1"}, []Document{{}}, "documents[0]"},
		{"no documents", &CreateParams{Name: "Webinar", MeetingID: "m-1"}, []Document{}, "documents"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := newMockClient(t)
			var err error
			if tt.docs != nil {
				_, err = c.CreateWithDocuments(context.Background(), tt.p, tt.docs)
			} else {
				_, err = c.Create(context.Background(), tt.p)
			}
			require.ErrorIs(t, err, ErrInvalidParam)
			var pe *ParamError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, tt.param, pe.Param)
			assert.Equal(t, 0, mt.GetTotalCallCount())
		})
	}
}

func TestCreateWithDocuments(t *testing.T) {
	t.Parallel()
	c, mt := newMockClient(t)
	s := answer(t, mt, "POST", "create", 200, createAnswer)
	_, err := c.CreateWithDocuments(context.Background(), &CreateParams{Name: "Webinar", MeetingID: "webinar-42"}, []Document{
		{URL: "https://files.example/slides.pdf?a=1&b=2", Name: "slides.pdf", Current: ptr(true)},
		{Name: "notes <1>.txt", Content: []byte("hello"), Downloadable: ptr(false)},
	})
	require.NoError(t, err)
	r, q := s.last(t)
	assert.Equal(t, "application/xml", r.Header.Get("Content-Type"))
	assert.Equal(t, "webinar-42", q.Get("meetingID"))
	body := string(s.body[0])
	assert.Contains(t, body, `<module name="presentation">`)
	assert.Contains(t, body, `<document url="https://files.example/slides.pdf?a=1&amp;b=2" filename="slides.pdf" current="true"/>`)
	assert.Contains(t, body, `<document name="notes &lt;1&gt;.txt" downloadable="false">`+base64.StdEncoding.EncodeToString([]byte("hello"))+`</document>`)
	assert.NotContains(t, r.URL.RawQuery, "slides", "documents are never in the signed query")
}

func TestCreateURL(t *testing.T) {
	t.Parallel()
	c, _ := newMockClient(t)
	u, err := c.CreateURL(&CreateParams{Name: "Test Meeting", MeetingID: "abc123", AttendeePW: "111222", ModeratorPW: "333444"})
	require.NoError(t, err)
	_, q, _ := strings.Cut(u, "?")
	assert.True(t, strings.HasPrefix(q, "name=Test+Meeting&meetingID=abc123&attendeePW=111222&moderatorPW=333444&checksum="))
	require.NoError(t, Verify("create", q, mockSecret, SHA256))
}
