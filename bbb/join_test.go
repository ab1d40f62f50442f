package bbb

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestJoinURL(t *testing.T) {
	t.Parallel()
	c, mt := newMockClient(t)
	u, err := c.JoinURL(&JoinParams{
		FullName:   "Zoé O'Neil",
		MeetingID:  "webinar-42",
		Role:       RoleModerator,
		CreateTime: 1700000000000,
		UserID:     "user-7",
		AvatarURL:  "https://portal.example/a.png",
		Guest:      ptr(false),
		UserData:   UserData{"bbb_auto_join_audio": "true", "bbb_skip_check_audio": "true"},
		Extra:      url.Values{"errorRedirectUrl": {"https://portal.example/err"}},
	})
	require.NoError(t, err)
	assert.Equal(t, 0, mt.GetTotalCallCount(), "JoinURL sends nothing")
	parsed, err := url.Parse(u)
	require.NoError(t, err)
	assert.Equal(t, "/bigbluebutton/api/join", parsed.Path)
	require.NoError(t, Verify("join", parsed.RawQuery, mockSecret))
	q := parsed.Query()
	assert.Equal(t, "Zoé O'Neil", q.Get("fullName"))
	assert.Equal(t, "MODERATOR", q.Get("role"))
	assert.Equal(t, "1700000000000", q.Get("createTime"))
	assert.Equal(t, "user-7", q.Get("userID"))
	assert.Equal(t, "https://portal.example/a.png", q.Get("avatarURL"))
	assert.Equal(t, "false", q.Get("guest"))
	assert.Equal(t, "true", q.Get("userdata-bbb_auto_join_audio"))
	assert.Equal(t, "https://portal.example/err", q.Get("errorRedirectUrl"))
	assert.False(t, q.Has("redirect"), "the browser follows the default redirect")
	assert.NotContains(t, parsed.RawQuery, "'")
}

func TestJoinURLValidation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		p     *JoinParams
		param string
	}{
		{"nil", nil, "params"},
		{"no name", &JoinParams{MeetingID: "m-1", Role: RoleViewer}, "fullName"},
		{"blank name", &JoinParams{FullName: "  ", MeetingID: "m-1", Role: RoleViewer}, "fullName"},
		{"bad meeting", &JoinParams{FullName: "a", MeetingID: "a,b", Role: RoleViewer}, "meetingID"},
		{"no role nor password", &JoinParams{FullName: "a", MeetingID: "m-1"}, "role"},
		{"unknown role", &JoinParams{FullName: "a", MeetingID: "m-1", Role: "ADMIN"}, "role"},
		{"empty userdata key", &JoinParams{FullName: "a", MeetingID: "m-1", Role: RoleViewer, UserData: UserData{"": "x"}}, "userdata-"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, _ := newMockClient(t)
			_, err := c.JoinURL(tt.p)
			var pe *ParamError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, tt.param, pe.Param)
		})
	}
	c, _ := newMockClient(t)
	_, err := c.JoinURL(&JoinParams{FullName: "a", MeetingID: "m-1", Password: "ap"})
	require.NoError(t, err, "a legacy password stands for a role")
}

func TestJoinWithoutRedirect(t *testing.T) {
	t.Parallel()
	c, mt := newMockClient(t)
	s := answer(t, mt, "GET", "join", 200, success(`<messageKey>successfullyJoined</messageKey><message>You have joined successfully.</message>
<meeting_id>abc-1700000000000</meeting_id><user_id>w_xyz</user_id><auth_token>at-secret</auth_token>
<session_token>st-secret</session_token><guestStatus>ALLOW</guestStatus>
<url>https://bbb.example.org/html5client/join?sessionToken=st-secret</url>`))
	sess, err := c.Join(context.Background(), &JoinParams{FullName: "streaming", MeetingID: "webinar-42", Role: RoleViewer})
	require.NoError(t, err)
	assert.Equal(t, &JoinSession{MeetingID: "abc-1700000000000", UserID: "w_xyz", AuthToken: "at-secret",
		SessionToken: "st-secret", GuestStatus: "ALLOW", URL: "https://bbb.example.org/html5client/join?sessionToken=st-secret"}, sess)
	assert.NotContains(t, sess.String(), "secret")
	_, q := s.last(t)
	assert.Equal(t, "false", q.Get("redirect"))

	c, mt = newMockClient(t)
	answer(t, mt, "GET", "join", 200, failed("mismatchCreateTimeParam", "The createTime parameter submitted mismatches with the current meeting."))
	_, err = c.Join(context.Background(), &JoinParams{FullName: "a", MeetingID: "webinar-42", Role: RoleViewer, CreateTime: 1})
	require.ErrorIs(t, err, ErrMismatchCreateTime)
}

func TestSendChatMessage(t *testing.T) {
	t.Parallel()
	c, mt := newMockClient(t)
	s := answer(t, mt, "GET", "sendChatMessage", 200, success(""))
	require.NoError(t, c.SendChatMessage(context.Background(), &ChatMessage{MeetingID: "webinar-42", Message: "(Ada L.) Où est la diapo 3 ? 100% & more", UserName: "Audience"}))
	_, q := s.last(t)
	assert.Equal(t, "(Ada L.) Où est la diapo 3 ? 100% & more", q.Get("message"))
	assert.Equal(t, "Audience", q.Get("userName"))

	require.NoError(t, c.SendChatMessage(context.Background(), &ChatMessage{MeetingID: "webinar-42", Message: strings.Repeat("é", 500)}))
	_, q = s.last(t)
	assert.False(t, q.Has("userName"), "BBB's default author is used")
}

func TestSendChatMessageValidation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		m     *ChatMessage
		param string
	}{
		{"nil", nil, "message"},
		{"empty", &ChatMessage{MeetingID: "m-1"}, "message"},
		{"oversized", &ChatMessage{MeetingID: "m-1", Message: strings.Repeat("a", 501)}, "message"},
		{"invalid UTF-8", &ChatMessage{MeetingID: "m-1", Message: "\xff"}, "message"},
		{"long user name", &ChatMessage{MeetingID: "m-1", Message: "x", UserName: strings.Repeat("u", 256)}, "userName"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := newMockClient(t)
			err := c.SendChatMessage(context.Background(), tt.m)
			var pe *ParamError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, tt.param, pe.Param)
			assert.Equal(t, 0, mt.GetTotalCallCount())
		})
	}
}

func TestSendChatMessageOnOldServer(t *testing.T) {
	t.Parallel()
	c, mt := newMockClient(t)
	mt.RegisterResponder("GET", mockBase+"/api/sendChatMessage", func(*http.Request) (*http.Response, error) {
		r := httpmock.NewStringResponse(404, "<html><body><h1>404 Not Found</h1></body></html>")
		r.Header.Set("Content-Type", "text/html")
		return r, nil
	})
	err := c.SendChatMessage(context.Background(), &ChatMessage{MeetingID: "m-1", Message: "hi"})
	require.ErrorIs(t, err, ErrNotSupported)
	assert.Equal(t, 1, mt.GetTotalCallCount())
}

func TestInsertDocument(t *testing.T) {
	t.Parallel()
	c, mt := newMockClient(t)
	s := answer(t, mt, "POST", "insertDocument", 200, success("<message>Presentation is being uploaded</message>"))
	require.NoError(t, c.InsertDocument(context.Background(), "webinar-42", []Document{{URL: "https://files.example/b.pdf", Name: "b.pdf"}}))
	r, q := s.last(t)
	assert.Equal(t, "webinar-42", q.Get("meetingID"))
	assert.Equal(t, "application/xml", r.Header.Get("Content-Type"))
	assert.Contains(t, string(s.body[0]), `<document url="https://files.example/b.pdf" filename="b.pdf"/>`)
	require.ErrorIs(t, c.InsertDocument(context.Background(), "webinar-42", nil), ErrInvalidParam)
}

func TestVersion(t *testing.T) {
	t.Parallel()
	tests := []struct {
		body     string
		bbb      string
		atLeast3 bool
	}{
		{success("<version>2.0</version><apiVersion>2.0</apiVersion><bbbVersion>3.0.4</bbbVersion>"), "3.0.4", true},
		{success("<version>2.0</version><apiVersion>2.0</apiVersion><bbbVersion>2.7.12</bbbVersion>"), "2.7.12", false},
		{success("<version>2.0</version><apiVersion>2.0</apiVersion><bbbVersion></bbbVersion>"), "", false},
		{success("<version>2.0</version><apiVersion>2.0</apiVersion><bbbVersion>3.1-beta</bbbVersion>"), "3.1-beta", true},
	}
	for _, tt := range tests {
		t.Run(tt.bbb, func(t *testing.T) {
			t.Parallel()
			c, mt := newMockClient(t)
			mt.RegisterResponder("GET", mockBase+"/api", func(r *http.Request) (*http.Response, error) {
				assert.Empty(t, r.URL.RawQuery, "no checksum on the version probe")
				return xmlResp(200, tt.body), nil
			})
			v, err := c.Version(context.Background())
			require.NoError(t, err)
			assert.Equal(t, "2.0", v.APIVersion)
			assert.Equal(t, tt.bbb, v.BBBVersion)
			assert.Equal(t, tt.atLeast3, v.AtLeast(3, 0))
			assert.True(t, tt.bbb == "" || v.AtLeast(2, 4))
		})
	}
}
