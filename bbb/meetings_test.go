package bbb

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const meetingInfoAnswer = `<response><returncode>SUCCESS</returncode>
<meetingName>Cours &amp; TD</meetingName><meetingID>webinar-42</meetingID>
<internalMeetingID>abc-1700000000000</internalMeetingID><createTime>1700000000000</createTime>
<createDate>Tue Nov 14 22:13:20 UTC 2023</createDate><voiceBridge>70066</voiceBridge><dialNumber>613-555-1234</dialNumber>
<attendeePW>ap</attendeePW><moderatorPW>mp</moderatorPW><running>true</running><duration>0</duration>
<hasUserJoined>true</hasUserJoined><recording>false</recording><hasBeenForciblyEnded>false</hasBeenForciblyEnded>
<startTime>1700000000123</startTime><endTime>0</endTime><participantCount>2</participantCount><listenerCount>1</listenerCount>
<voiceParticipantCount>1</voiceParticipantCount><videoCount>1</videoCount><maxUsers>0</maxUsers><moderatorCount>1</moderatorCount>
<attendees>
 <attendee><userID>w_1</userID><fullName>Ada</fullName><role>MODERATOR</role><isPresenter>true</isPresenter>
  <isListeningOnly>false</isListeningOnly><hasJoinedVoice>true</hasJoinedVoice><hasVideo>true</hasVideo><clientType>HTML5</clientType>
  <customdata><bbb_auto_join_audio>true</bbb_auto_join_audio></customdata></attendee>
 <attendee><userID>w_2</userID><fullName>streaming</fullName><role>VIEWER</role><isPresenter>false</isPresenter>
  <isListeningOnly>true</isListeningOnly><hasJoinedVoice>false</hasJoinedVoice><hasVideo>false</hasVideo><clientType>HTML5</clientType><customdata/></attendee>
</attendees>
<metadata><endcallbackurl><![CDATA[https://portal.example/cb?a=1&b=2]]></endcallbackurl><bbb-origin>bbbcast</bbb-origin></metadata>
<isBreakout>false</isBreakout><breakoutRooms><breakout>room-1</breakout><breakout>room-2</breakout></breakoutRooms>
</response>`

func TestGetMeetingInfo(t *testing.T) {
	t.Parallel()
	c, mt := newMockClient(t)
	s := answer(t, mt, "GET", "getMeetingInfo", 200, meetingInfoAnswer)
	m, err := c.GetMeetingInfo(context.Background(), "webinar-42")
	require.NoError(t, err)
	_, q := s.last(t)
	assert.Equal(t, "webinar-42", q.Get("meetingID"))
	assert.Equal(t, &Meeting{
		Name: "Cours & TD", MeetingID: "webinar-42", InternalMeetingID: "abc-1700000000000", CreateTime: 1700000000000,
		CreateDate: "Tue Nov 14 22:13:20 UTC 2023", VoiceBridge: "70066", DialNumber: "613-555-1234",
		AttendeePW: "ap", ModeratorPW: "mp", Running: true, HasUserJoined: true,
		StartTime:        time.UnixMilli(1700000000123).UTC(),
		ParticipantCount: 2, ListenerCount: 1, VoiceParticipantCount: 1, VideoCount: 1, ModeratorCount: 1,
		Attendees: []Attendee{
			{UserID: "w_1", FullName: "Ada", Role: RoleModerator, IsPresenter: true, HasJoinedVoice: true, HasVideo: true,
				ClientType: "HTML5", CustomData: map[string]string{"bbb_auto_join_audio": "true"}},
			{UserID: "w_2", FullName: "streaming", Role: RoleViewer, IsListeningOnly: true, ClientType: "HTML5"},
		},
		Metadata:      map[string]string{"endcallbackurl": "https://portal.example/cb?a=1&b=2", "bbb-origin": "bbbcast"},
		BreakoutRooms: []string{"room-1", "room-2"},
	}, m)
	assert.Equal(t, time.UnixMilli(1700000000000).UTC(), m.CreatedAt())
}

func TestGetMeetingInfoBreakout(t *testing.T) {
	t.Parallel()
	c, mt := newMockClient(t)
	answer(t, mt, "GET", "getMeetingInfo", 200, success(`<meetingName>Room 1</meetingName><meetingID>room-1</meetingID>
<isBreakout>true</isBreakout><breakout><parentMeetingID>abc-1700000000000</parentMeetingID><sequence>1</sequence><freeJoin>false</freeJoin></breakout>`))
	m, err := c.GetMeetingInfo(context.Background(), "room-1")
	require.NoError(t, err)
	assert.True(t, m.IsBreakout)
	assert.Equal(t, &BreakoutInfo{ParentMeetingID: "abc-1700000000000", Sequence: 1}, m.Breakout)
}

func TestGetMeetings(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		body string
		ids  []string
	}{
		{"none", success(`<meetings/><messageKey>noMeetings</messageKey><message>no meetings were found on this server</message>`), nil},
		{"two", success(`<meetings><meeting><meetingID>a-1</meetingID><running>true</running></meeting>` +
			`<meeting><meetingID>b-2</meetingID><metadata><x>1</x></metadata></meeting></meetings>`), []string{"a-1", "b-2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := newMockClient(t)
			s := answer(t, mt, "GET", "getMeetings", 200, tt.body)
			ms, err := c.GetMeetings(context.Background())
			require.NoError(t, err)
			require.NotNil(t, ms)
			var ids []string
			for _, m := range ms {
				ids = append(ids, m.MeetingID)
			}
			assert.Equal(t, tt.ids, ids)
			r, _ := s.last(t)
			assert.Equal(t, "checksum="+Sign(SHA256, "getMeetings", "", mockSecret), r.URL.RawQuery)
		})
	}
}

func TestIsMeetingRunning(t *testing.T) {
	t.Parallel()
	for _, running := range []string{"true", "false"} {
		t.Run(running, func(t *testing.T) {
			t.Parallel()
			c, mt := newMockClient(t)
			s := answer(t, mt, "GET", "isMeetingRunning", 200, success("<running>"+running+"</running>"))
			got, err := c.IsMeetingRunning(context.Background(), "webinar 42 (b)")
			require.NoError(t, err)
			assert.Equal(t, running == "true", got)
			r, q := s.last(t)
			assert.Equal(t, "webinar 42 (b)", q.Get("meetingID"))
			assert.Contains(t, r.URL.RawQuery, "meetingID=webinar+42+%28b%29")
		})
	}
}

func TestEnd(t *testing.T) {
	t.Parallel()
	c, mt := newMockClient(t)
	s := answer(t, mt, "GET", "end", 200, success(`<messageKey>sentEndMeetingRequest</messageKey><message>A request to end the meeting was sent.</message>`))
	require.NoError(t, c.End(context.Background(), "webinar-42", ""))
	_, q := s.last(t)
	assert.Equal(t, "webinar-42", q.Get("meetingID"))
	assert.False(t, q.Has("password"))
	require.NoError(t, c.End(context.Background(), "webinar-42", "mp"))
	_, q = s.last(t)
	assert.Equal(t, "mp", q.Get("password"))

	c, mt = newMockClient(t)
	answer(t, mt, "GET", "end", 200, failed("notFound", "We could not find a meeting with that meeting ID"))
	require.ErrorIs(t, c.End(context.Background(), "webinar-42", ""), ErrNotFound)
}

func TestMeetingIDValidatedEverywhere(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	calls := map[string]func(c *Client) error{
		"isMeetingRunning": func(c *Client) error { _, err := c.IsMeetingRunning(ctx, "x"); return err },
		"getMeetingInfo":   func(c *Client) error { _, err := c.GetMeetingInfo(ctx, "a,b"); return err },
		"end":              func(c *Client) error { return c.End(ctx, "", "") },
		"insertDocument": func(c *Client) error {
			return c.InsertDocument(ctx, "é,!", []Document{{URL: "https://x.example/a.pdf"}})
		},
		"sendChatMessage": func(c *Client) error { return c.SendChatMessage(ctx, &ChatMessage{MeetingID: "x", Message: "hi"}) },
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, mt := newMockClient(t)
			err := call(c)
			var pe *ParamError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, "meetingID", pe.Param)
			assert.Equal(t, name, pe.Call)
			assert.Equal(t, 0, mt.GetTotalCallCount())
		})
	}
}

func TestValidateMeetingID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		id string
		ok bool
	}{
		{"ab", true},
		{"webinar-42", true},
		{`a!@#$%^&*()_-+=[]{};:.'"<>?\|/ z`, true},
		{"tab\there", true},
		// BBB 2.4+ accepts any character but the comma (^[^,]+$).
		{"réunion-été", true},
		{"会议-2024", true},
		{"a~b", true},
		{"back`tick", true},
		{"😀", true}, // one rune, two UTF-16 units: Java's length is 2
		{strings.Repeat("é", 256), true},
		{"", false},
		{"a", false},
		{"a,b", false},
		{strings.Repeat("é", 257), false},
		{strings.Repeat("😀", 129), false}, // 258 UTF-16 units
		{"bad\xffutf8", false},
		{string(make([]byte, 257)), false},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			t.Parallel()
			err := ValidateMeetingID(tt.id)
			if tt.ok {
				assert.NoError(t, err)
			} else {
				assert.ErrorIs(t, err, ErrInvalidParam)
			}
		})
	}
}
