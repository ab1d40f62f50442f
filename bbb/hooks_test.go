package bbb_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/bbbcast/bbbcast/bbb"
	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// bbb-webhooks writes its answers with spaces between the elements.
const rtHookCreated = `<response> <returncode>SUCCESS</returncode> <hookID>1</hookID> <permanentHook>false</permanentHook> <rawData>false</rawData> </response>`

func TestCreateHook(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		p      bbb.HookParams
		answer string
		query  string
		want   bbb.Hook
	}{
		{"global", bbb.HookParams{CallbackURL: "https://app.example.org/bbb/hook"}, rtHookCreated,
			"callbackURL=https%3A%2F%2Fapp.example.org%2Fbbb%2Fhook",
			bbb.Hook{ID: "1", CallbackURL: "https://app.example.org/bbb/hook"}},
		{"all parameters", bbb.HookParams{
			CallbackURL: "https://app.example.org/hook?tenant=a b",
			MeetingID:   "webinar-42",
			EventIDs:    []string{"meeting-ended", "user-joined"},
			GetRaw:      rtPtr(false),
		}, rtHookCreated,
			"callbackURL=https%3A%2F%2Fapp.example.org%2Fhook%3Ftenant%3Da+b&eventID=meeting-ended%2Cuser-joined&getRaw=false&meetingID=webinar-42",
			bbb.Hook{ID: "1", CallbackURL: "https://app.example.org/hook?tenant=a b", MeetingID: "webinar-42",
				EventIDs: []string{"meeting-ended", "user-joined"}}},
		{"raw and permanent", bbb.HookParams{CallbackURL: "http://10.0.0.1:8080/h", GetRaw: rtPtr(true)},
			`<response><returncode>SUCCESS</returncode><hookID>5f4e-uuid</hookID><permanentHook>true</permanentHook><rawData>true</rawData></response>`,
			"callbackURL=http%3A%2F%2F10.0.0.1%3A8080%2Fh&getRaw=true",
			bbb.Hook{ID: "5f4e-uuid", CallbackURL: "http://10.0.0.1:8080/h", Permanent: true, RawData: true}},
		{"duplicate", bbb.HookParams{CallbackURL: "https://app.example.org/h", MeetingID: "m1"},
			`<response> <returncode>SUCCESS</returncode> <hookID>7</hookID> <messageKey>duplicateWarning</messageKey> <message>There is already a hook for this callback URL.</message> </response>`,
			"callbackURL=https%3A%2F%2Fapp.example.org%2Fh&meetingID=m1",
			bbb.Hook{ID: "7", CallbackURL: "https://app.example.org/h", Duplicate: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := rtClient(t)
			capt := rtRespond(mt, "GET", "hooks/create", 200, "text/xml", tt.answer)
			h, err := c.CreateHook(context.Background(), &tt.p)
			require.NoError(t, err)
			assert.Equal(t, tt.want, *h)
			assert.Equal(t, tt.query, rtQuery(t, "hooks/create", capt.last(t).RawQuery))
		})
	}
}

func TestCreateHookErrors(t *testing.T) {
	t.Parallel()
	p := &bbb.HookParams{CallbackURL: "https://app.example.org/h"}
	tests := []struct {
		name     string
		status   int
		body     string
		sentinel error
		wantKey  string
		status2  int
	}{
		{"createHookError", 200, rtFailed("createHookError", "An error happened while creating your hook. Check the logs."), nil, "createHookError", 0},
		{"checksum", 200, rtFailed("checksumError", "You did not pass the checksum security check."), bbb.ErrChecksum, "checksumError", 0},
		{"no hookID", 200, rtXML(""), nil, "", 200},
		{"503 not retried", 503, "<html><body>busy</body></html>", nil, "", 503},
		{"HTML 502", 502, rtHTML502, nil, "", 502},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := rtClient(t)
			rtRespond(mt, "GET", "hooks/create", tt.status, "text/xml", tt.body)
			h, err := c.CreateHook(context.Background(), p)
			require.Error(t, err)
			assert.Nil(t, h)
			if tt.wantKey != "" {
				var ae *bbb.APIError
				require.ErrorAs(t, err, &ae)
				assert.Equal(t, tt.wantKey, ae.Key)
				assert.Equal(t, "hooks/create", ae.Call)
				if tt.sentinel != nil {
					assert.ErrorIs(t, err, tt.sentinel)
				}
			} else {
				var re *bbb.ResponseError
				require.ErrorAs(t, err, &re)
				assert.Equal(t, tt.status2, re.StatusCode)
			}
			assert.Equal(t, 1, mt.GetTotalCallCount())
		})
	}
}

func TestCreateHookRefusesBadParams(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		p     *bbb.HookParams
		param string
	}{
		{"nil", nil, "params"},
		{"no URL", &bbb.HookParams{}, "callbackURL"},
		{"relative URL", &bbb.HookParams{CallbackURL: "/hook"}, "callbackURL"},
		{"ftp", &bbb.HookParams{CallbackURL: "ftp://example.org/h"}, "callbackURL"},
		{"credentials", &bbb.HookParams{CallbackURL: "https://u:p@example.org/h"}, "callbackURL"},
		{"fragment", &bbb.HookParams{CallbackURL: "https://example.org/h#x"}, "callbackURL"},
		{"checksum in URL", &bbb.HookParams{CallbackURL: "https://example.org/h?checksum=1"}, "callbackURL"},
		{"bad meeting ID", &bbb.HookParams{CallbackURL: "https://example.org/h", MeetingID: "a,b"}, "meetingID"},
		{"empty event", &bbb.HookParams{CallbackURL: "https://example.org/h", EventIDs: []string{""}}, "eventID"},
		{"event with comma", &bbb.HookParams{CallbackURL: "https://example.org/h", EventIDs: []string{"a,b"}}, "eventID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := rtClient(t)
			_, err := c.CreateHook(context.Background(), tt.p)
			var pe *bbb.ParamError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, tt.param, pe.Param)
			assert.Equal(t, "hooks/create", pe.Call)
			assert.Zero(t, mt.GetTotalCallCount())
		})
	}
}

func TestDestroyHook(t *testing.T) {
	t.Parallel()
	t.Run("removed", func(t *testing.T) {
		t.Parallel()
		c, mt := rtClient(t)
		capt := rtRespond(mt, "GET", "hooks/destroy", 200, "text/xml",
			`<response> <returncode>SUCCESS</returncode> <removed>true</removed> </response>`)
		require.NoError(t, c.DestroyHook(context.Background(), "1"))
		assert.Equal(t, "hookID=1", rtQuery(t, "hooks/destroy", capt.last(t).RawQuery))
	})
	t.Run("missing", func(t *testing.T) {
		t.Parallel()
		c, mt := rtClient(t)
		rtRespond(mt, "GET", "hooks/destroy", 200, "text/xml", rtFailed("destroyMissingHook", "The hook informed was not found."))
		err := c.DestroyHook(context.Background(), "9")
		require.ErrorIs(t, err, bbb.ErrHookNotFound)
		assert.NotErrorIs(t, err, bbb.ErrNotFound)
	})
	t.Run("503 not retried", func(t *testing.T) {
		t.Parallel()
		c, mt := rtClient(t)
		rtRespond(mt, "GET", "hooks/destroy", 503, "text/html", "<html><body>busy</body></html>")
		var re *bbb.ResponseError
		require.ErrorAs(t, c.DestroyHook(context.Background(), "1"), &re)
		assert.Equal(t, 503, re.StatusCode)
		assert.Equal(t, 1, mt.GetTotalCallCount())
	})
	t.Run("empty ID", func(t *testing.T) {
		t.Parallel()
		c, mt := rtClient(t)
		var pe *bbb.ParamError
		require.ErrorAs(t, c.DestroyHook(context.Background(), ""), &pe)
		assert.Equal(t, "hookID", pe.Param)
		assert.Zero(t, mt.GetTotalCallCount())
	})
}

func TestListHooks(t *testing.T) {
	t.Parallel()
	answer := rtTestdata(t, "hooks_list.xml")
	want := []bbb.Hook{
		{ID: "1", CallbackURL: "https://app.example.org/hook?a=1&b=2"},
		{ID: "2", CallbackURL: "https://app.example.org/other", MeetingID: "webinar-42",
			EventIDs: []string{"meeting-ended", "user-joined"}, RawData: true},
		{ID: "3", CallbackURL: "https://perm.example.org/", Permanent: true},
	}
	tests := []struct {
		name      string
		meetingID string
		query     string
	}{
		{"all", "", ""},
		{"for a meeting", "webinar-42", "meetingID=webinar-42"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := rtClient(t)
			capt := rtRespond(mt, "GET", "hooks/list", 200, "text/xml", answer)
			hooks, err := c.ListHooks(context.Background(), tt.meetingID)
			require.NoError(t, err)
			assert.Equal(t, want, hooks)
			assert.Equal(t, tt.query, rtQuery(t, "hooks/list", capt.last(t).RawQuery))
		})
	}
	t.Run("none", func(t *testing.T) {
		t.Parallel()
		c, mt := rtClient(t)
		rtRespond(mt, "GET", "hooks/list", 200, "text/xml", rtXML("<hooks></hooks>"))
		hooks, err := c.ListHooks(context.Background(), "")
		require.NoError(t, err)
		assert.NotNil(t, hooks)
		assert.Empty(t, hooks)
	})
	t.Run("read is retried", func(t *testing.T) {
		t.Parallel()
		c, mt := rtClient(t)
		rtRespond(mt, "GET", "hooks/list", 503, "text/html", "<html><body>busy</body></html>")
		_, err := c.ListHooks(context.Background(), "")
		var re *bbb.ResponseError
		require.ErrorAs(t, err, &re)
		assert.Equal(t, 503, re.StatusCode)
		assert.Equal(t, 1+bbb.DefaultRetries, mt.GetTotalCallCount())
	})
	t.Run("FAILED", func(t *testing.T) {
		t.Parallel()
		c, mt := rtClient(t)
		rtRespond(mt, "GET", "hooks/list", 200, "text/xml", rtFailed("listHookError", "An error happened while listing registered hooks. Check the logs."))
		_, err := c.ListHooks(context.Background(), "")
		var ae *bbb.APIError
		require.ErrorAs(t, err, &ae)
		assert.Equal(t, "listHookError", ae.Key)
	})
	t.Run("bad meeting ID", func(t *testing.T) {
		t.Parallel()
		c, mt := rtClient(t)
		_, err := c.ListHooks(context.Background(), "x")
		require.ErrorIs(t, err, bbb.ErrInvalidParam)
		assert.Zero(t, mt.GetTotalCallCount())
	})
}

func TestHooksWithSHA1Client(t *testing.T) {
	t.Parallel()
	c, mt := rtClient(t, bbb.WithChecksum(bbb.SHA1))
	capt := rtRespond(mt, "GET", "hooks/list", 200, "text/xml", rtXML("<hooks/>"))
	_, err := c.ListHooks(context.Background(), "")
	require.NoError(t, err)
	q := capt.last(t).RawQuery
	require.NoError(t, bbb.Verify("hooks/list", q, rtSecret, bbb.SHA1))
	assert.Equal(t, "checksum="+bbb.Sign(bbb.SHA1, "hooks/list", "", rtSecret), q)
}

// Registering a webhook for the end of one meeting, idempotently.
func ExampleClient_CreateHook() {
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder("GET", "https://bbb.example.org/bigbluebutton/api/hooks/create",
		httpmock.NewStringResponder(200, `<response><returncode>SUCCESS</returncode><hookID>7</hookID><messageKey>duplicateWarning</messageKey><message>There is already a hook for this callback URL.</message></response>`))
	client, err := bbb.NewClient("https://bbb.example.org/bigbluebutton", "secret",
		bbb.WithHTTPClient(&http.Client{Transport: mt}),
		bbb.WithChecksum(bbb.SHA1)) // older bbb-webhooks check SHA-1 only
	if err != nil {
		panic(err)
	}
	hook, err := client.CreateHook(context.Background(), &bbb.HookParams{
		CallbackURL: "https://portal.example.org/bbb/events",
		MeetingID:   "webinar-42",
		EventIDs:    []string{"meeting-ended"},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(hook.ID, hook.Duplicate)
	// Output: 7 true
}
