package bbb_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bbbcast/bbbcast/bbb"
	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Helpers shared by the recordings, text-track and hooks tests (prefix rt
// to keep clear of other test files of the package).

const (
	rtBase   = "https://bbb.example.org/bigbluebutton"
	rtAPI    = rtBase + "/api/"
	rtSecret = "secret"
)

// rtClient returns a client whose requests go to a mock transport of its
// own, so tests can run in parallel.
func rtClient(t *testing.T, opts ...bbb.Option) (*bbb.Client, *httpmock.MockTransport) {
	t.Helper()
	mt := httpmock.NewMockTransport()
	all := append([]bbb.Option{
		bbb.WithHTTPClient(&http.Client{Transport: mt}),
		bbb.WithRetryWait(time.Millisecond, time.Millisecond),
	}, opts...)
	c, err := bbb.NewClient(rtBase, rtSecret, all...)
	require.NoError(t, err)
	return c, mt
}

// rtRequest is what the mock server received.
type rtRequest struct {
	Method   string
	RawQuery string
	Header   http.Header
	Body     []byte
}

type rtCapture struct {
	mu   sync.Mutex
	reqs []rtRequest
}

func (c *rtCapture) all() []rtRequest {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]rtRequest(nil), c.reqs...)
}

// last returns the last request, failing the test when there is none.
func (c *rtCapture) last(t *testing.T) rtRequest {
	t.Helper()
	reqs := c.all()
	require.NotEmpty(t, reqs, "no request reached the server")
	return reqs[len(reqs)-1]
}

// rtRespond makes the mock answer every request for call with status,
// content type and body, and records the requests.
func rtRespond(mt *httpmock.MockTransport, method, call string, status int, contentType, body string) *rtCapture {
	capt := &rtCapture{}
	mt.RegisterResponder(method, rtAPI+call, func(req *http.Request) (*http.Response, error) {
		var b []byte
		if req.Body != nil {
			b, _ = io.ReadAll(req.Body)
		}
		capt.mu.Lock()
		capt.reqs = append(capt.reqs, rtRequest{Method: req.Method, RawQuery: req.URL.RawQuery, Header: req.Header.Clone(), Body: b})
		capt.mu.Unlock()
		resp := httpmock.NewStringResponse(status, body)
		if contentType != "" {
			resp.Header.Set("Content-Type", contentType)
		}
		return resp, nil
	})
	return capt
}

// rtQuery checks that rawQuery carries a valid checksum for call and
// returns it without the checksum pair.
func rtQuery(t *testing.T, call, rawQuery string) string {
	t.Helper()
	require.NoError(t, bbb.Verify(call, rawQuery, rtSecret), "checksum of %s", call)
	i := strings.LastIndex(rawQuery, "checksum=")
	require.GreaterOrEqual(t, i, 0)
	return strings.TrimSuffix(rawQuery[:i], "&")
}

func rtXML(inner string) string {
	return "<response><returncode>SUCCESS</returncode>" + inner + "</response>"
}

func rtFailed(key, msg string) string {
	return "<response><returncode>FAILED</returncode><messageKey>" + key + "</messageKey><message>" + msg + "</message></response>"
}

const rtHTML502 = "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>"

func rtPtr[T any](v T) *T { return &v }

func rtTestdata(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	require.NoError(t, err)
	return string(b)
}

func TestGetRecordingsDecodes(t *testing.T) {
	t.Parallel()
	c, mt := rtClient(t)
	capt := rtRespond(mt, "GET", "getRecordings", 200, "text/xml", rtTestdata(t, "recordings_getRecordings.xml"))

	page, err := c.GetRecordings(context.Background(), nil)
	require.NoError(t, err)
	assert.Equal(t, "", rtQuery(t, "getRecordings", capt.last(t).RawQuery))

	require.Len(t, page.Recordings, 2)
	assert.Equal(t, 2, page.TotalElements, "no totalElements: the whole list")
	r := page.Recordings[0]
	assert.Equal(t, "183f0bf3a0982a127bdb8161e0c44eb696b3e75c-1530718721124", r.RecordID)
	assert.Equal(t, "c637ba21adcd0191f48f5c4bf23fab0f96ed5c18", r.MeetingID)
	assert.Equal(t, "183f0bf3a0982a127bdb8161e0c44eb696b3e75c-1530718721124", r.InternalMeetingID)
	assert.Equal(t, "Fred's Room", r.Name)
	assert.False(t, r.IsBreakout)
	assert.True(t, r.Published)
	assert.Equal(t, bbb.RecordingPublished, r.State)
	assert.Equal(t, time.UnixMilli(1530718721134).UTC(), r.StartTime)
	assert.Equal(t, time.UnixMilli(1530718810456).UTC(), r.EndTime)
	assert.Equal(t, 3, r.Participants)
	assert.Equal(t, int64(951067), r.RawSize)
	assert.Equal(t, int64(1166032), r.Size)
	assert.Equal(t, map[string]string{"isBreakout": "false", "meetingName": "Fred's Room", "gl-listed": "false"}, r.Metadata)
	require.Len(t, r.Playback, 2)
	assert.Equal(t, bbb.PlaybackFormat{
		Type: "podcast", URL: "https://demo.bigbluebutton.org/podcast/183f0bf3a0982a127bdb8161e0c44eb696b3e75c-1530718721124/audio.ogg",
		ProcessingTime: 0, Length: 0, Size: 166710,
	}, r.Playback[0])
	assert.Equal(t, bbb.PlaybackFormat{
		Type: "presentation", URL: "https://demo.bigbluebutton.org/playback/presentation/2.0/playback.html?meetingId=183f0bf3a0982a127bdb8161e0c44eb696b3e75c-1530718721124",
		ProcessingTime: 7177, Length: 1, Size: 999322,
		Preview: []bbb.Image{
			{URL: "https://demo.bigbluebutton.org/presentation/183f0bf3a0982a127bdb8161e0c44eb696b3e75c-1530718721124/presentation/d2d9a672040fbde2a47a10bf6c37b6a4b5ae187f-1530718721134/thumbnails/thumb-1.png", Alt: "Welcome to", Width: 176, Height: 136},
			{URL: "https://demo.bigbluebutton.org/presentation/183f0bf3a0982a127bdb8161e0c44eb696b3e75c-1530718721124/presentation/d2d9a672040fbde2a47a10bf6c37b6a4b5ae187f-1530718721134/thumbnails/thumb-2.png", Alt: "(this slide left blank for use as a whiteboard)", Width: 176, Height: 136},
		},
	}, r.Playback[1])

	r2 := page.Recordings[1]
	assert.Equal(t, "breakout-1", r2.RecordID)
	assert.True(t, r2.IsBreakout)
	assert.False(t, r2.Published)
	assert.Equal(t, bbb.RecordingProcessing, r2.State)
	assert.True(t, r2.EndTime.IsZero())
	assert.Nil(t, r2.Metadata)
	assert.Empty(t, r2.Playback)
}

func TestGetRecordingsQuery(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		p    *bbb.GetRecordingsParams
		want string
	}{
		{"nil", nil, ""},
		{"zero", &bbb.GetRecordingsParams{}, ""},
		{"one meeting", &bbb.GetRecordingsParams{MeetingIDs: []string{"room 1"}}, "meetingID=room+1"},
		{"lists are comma-separated", &bbb.GetRecordingsParams{
			MeetingIDs: []string{"m1", "m2"},
			RecordIDs:  []string{"r1", "r2"},
			States:     []string{bbb.RecordingPublished, bbb.RecordingUnpublished},
		}, "meetingID=m1%2Cm2&recordID=r1%2Cr2&state=published%2Cunpublished"},
		{"any state", &bbb.GetRecordingsParams{States: []string{bbb.RecordingAnyState}}, "state=any"},
		{"meta and paging", &bbb.GetRecordingsParams{
			Meta:   bbb.Metadata{"gl-listed": "true", "bbb-origin": "Pod's"},
			Offset: rtPtr(0),
			Limit:  rtPtr(100),
		}, "limit=100&meta_bbb-origin=Pod%27s&meta_gl-listed=true&offset=0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := rtClient(t)
			capt := rtRespond(mt, "GET", "getRecordings", 200, "text/xml", rtXML("<recordings></recordings>"))
			_, err := c.GetRecordings(context.Background(), tt.p)
			require.NoError(t, err)
			assert.Equal(t, tt.want, rtQuery(t, "getRecordings", capt.last(t).RawQuery))
		})
	}
}

func TestGetRecordingsAnswers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		status    int
		body      string
		wantLen   int
		wantTotal int
	}{
		{"noRecordings is an empty list", 200,
			rtXML("<recordings></recordings><messageKey>noRecordings</messageKey><message>There are no recordings for the meeting(s).</message>"), 0, 0},
		{"no recordings element", 200, rtXML("<messageKey>noRecordings</messageKey>"), 0, 0},
		{"paged", 200, rtXML("<recordings><recording><recordID>a</recordID></recording></recordings><totalElements>42</totalElements>"), 1, 42},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := rtClient(t)
			rtRespond(mt, "GET", "getRecordings", tt.status, "text/xml", tt.body)
			page, err := c.GetRecordings(context.Background(), &bbb.GetRecordingsParams{Limit: rtPtr(1)})
			require.NoError(t, err)
			require.NotNil(t, page.Recordings)
			assert.Len(t, page.Recordings, tt.wantLen)
			assert.Equal(t, tt.wantTotal, page.TotalElements)
		})
	}
}

func TestGetRecordingsErrors(t *testing.T) {
	t.Parallel()
	t.Run("FAILED", func(t *testing.T) {
		t.Parallel()
		c, mt := rtClient(t)
		rtRespond(mt, "GET", "getRecordings", 200, "text/xml", rtFailed("checksumError", "You did not pass the checksum security check"))
		_, err := c.GetRecordings(context.Background(), nil)
		require.ErrorIs(t, err, bbb.ErrChecksum)
		var ae *bbb.APIError
		require.ErrorAs(t, err, &ae)
		assert.Equal(t, "getRecordings", ae.Call)
	})
	t.Run("HTML 502 is retried then reported", func(t *testing.T) {
		t.Parallel()
		c, mt := rtClient(t)
		rtRespond(mt, "GET", "getRecordings", 502, "text/html", rtHTML502)
		_, err := c.GetRecordings(context.Background(), nil)
		var re *bbb.ResponseError
		require.ErrorAs(t, err, &re)
		assert.Equal(t, 502, re.StatusCode)
		assert.Equal(t, 1+bbb.DefaultRetries, mt.GetTotalCallCount())
	})
	t.Run("503 then success", func(t *testing.T) {
		t.Parallel()
		c, mt := rtClient(t)
		busy := httpmock.NewStringResponder(503, "busy")
		mt.RegisterResponder("GET", rtAPI+"getRecordings", busy.Then(busy).Then(
			httpmock.NewStringResponder(200, rtXML("<recordings><recording><recordID>x</recordID></recording></recordings>"))))
		page, err := c.GetRecordings(context.Background(), nil)
		require.NoError(t, err)
		require.Len(t, page.Recordings, 1)
		assert.Equal(t, 3, mt.GetTotalCallCount())
	})
}

func TestGetRecordingsRefusesBadParams(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		p     bbb.GetRecordingsParams
		param string
	}{
		{"limit 0", bbb.GetRecordingsParams{Limit: rtPtr(0)}, "limit"},
		{"limit 101", bbb.GetRecordingsParams{Limit: rtPtr(101)}, "limit"},
		{"negative offset", bbb.GetRecordingsParams{Offset: rtPtr(-1)}, "offset"},
		{"unknown state", bbb.GetRecordingsParams{States: []string{"ready"}}, "state"},
		{"meeting ID with a comma", bbb.GetRecordingsParams{MeetingIDs: []string{"a,b"}}, "meetingID"},
		{"empty meeting ID", bbb.GetRecordingsParams{MeetingIDs: []string{""}}, "meetingID"},
		{"empty record ID", bbb.GetRecordingsParams{RecordIDs: []string{"a", ""}}, "recordID"},
		{"record ID with a comma", bbb.GetRecordingsParams{RecordIDs: []string{"a,b"}}, "recordID"},
		{"bad meta key", bbb.GetRecordingsParams{Meta: bbb.Metadata{"1bad": "x"}}, "meta_1bad"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := rtClient(t)
			rtRespond(mt, "GET", "getRecordings", 200, "text/xml", rtXML(""))
			_, err := c.GetRecordings(context.Background(), &tt.p)
			var pe *bbb.ParamError
			require.ErrorAs(t, err, &pe)
			assert.ErrorIs(t, err, bbb.ErrInvalidParam)
			assert.Equal(t, tt.param, pe.Param)
			assert.Equal(t, "getRecordings", pe.Call)
			assert.Zero(t, mt.GetTotalCallCount())
		})
	}
}

// rtRecordingChange is one of the state-changing recording calls.
type rtRecordingChange struct {
	call   string
	answer string
	run    func(c *bbb.Client) error
	query  string
}

func rtRecordingChanges() []rtRecordingChange {
	ctx := context.Background()
	return []rtRecordingChange{
		{"publishRecordings", rtXML("<published>true</published>"),
			func(c *bbb.Client) error { return c.PublishRecordings(ctx, []string{"r1", "r2"}, true) },
			"recordID=r1%2Cr2&publish=true"},
		{"publishRecordings", rtXML("<published>false</published>"),
			func(c *bbb.Client) error { return c.PublishRecordings(ctx, []string{"r1"}, false) },
			"recordID=r1&publish=false"},
		{"deleteRecordings", rtXML("<deleted>true</deleted>"),
			func(c *bbb.Client) error { return c.DeleteRecordings(ctx, []string{"r1", "r2"}) },
			"recordID=r1%2Cr2"},
		{"updateRecordings", rtXML("<updated>true</updated>"),
			func(c *bbb.Client) error {
				return c.UpdateRecordings(ctx, []string{"r1"}, bbb.Metadata{"title": "Cours d'été", "presenter": ""})
			},
			"recordID=r1&meta_presenter=&meta_title=Cours+d%27%C3%A9t%C3%A9"},
	}
}

func TestRecordingChanges(t *testing.T) {
	t.Parallel()
	for _, tt := range rtRecordingChanges() {
		t.Run(tt.call+" "+tt.query, func(t *testing.T) {
			t.Parallel()
			c, mt := rtClient(t)
			capt := rtRespond(mt, "GET", tt.call, 200, "text/xml", tt.answer)
			require.NoError(t, tt.run(c))
			assert.Equal(t, tt.query, rtQuery(t, tt.call, capt.last(t).RawQuery))
		})
		t.Run(tt.call+" notFound", func(t *testing.T) {
			t.Parallel()
			c, mt := rtClient(t)
			rtRespond(mt, "GET", tt.call, 200, "text/xml", rtFailed("notFound", "We could not find recordings"))
			err := tt.run(c)
			require.ErrorIs(t, err, bbb.ErrNotFound)
			assert.False(t, errors.Is(err, bbb.ErrNoRecordings))
		})
		t.Run(tt.call+" never retried", func(t *testing.T) {
			t.Parallel()
			c, mt := rtClient(t)
			rtRespond(mt, "GET", tt.call, 503, "text/html", "<html><body>Service Unavailable</body></html>")
			err := tt.run(c)
			var re *bbb.ResponseError
			require.ErrorAs(t, err, &re)
			assert.Equal(t, 503, re.StatusCode)
			assert.Equal(t, 1, mt.GetTotalCallCount())
		})
	}
}

func TestRecordingChangesRefuseBadParams(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		name  string
		run   func(c *bbb.Client) error
		param string
	}{
		{"publish without IDs", func(c *bbb.Client) error { return c.PublishRecordings(ctx, nil, true) }, "recordID"},
		{"publish empty ID", func(c *bbb.Client) error { return c.PublishRecordings(ctx, []string{" "}, true) }, "recordID"},
		{"delete without IDs", func(c *bbb.Client) error { return c.DeleteRecordings(ctx, []string{}) }, "recordID"},
		{"delete ID with comma", func(c *bbb.Client) error { return c.DeleteRecordings(ctx, []string{"a,b"}) }, "recordID"},
		{"update without IDs", func(c *bbb.Client) error {
			return c.UpdateRecordings(ctx, nil, bbb.Metadata{"a": "b"})
		}, "recordID"},
		{"update without meta", func(c *bbb.Client) error { return c.UpdateRecordings(ctx, []string{"r"}, nil) }, "meta"},
		{"update bad meta key", func(c *bbb.Client) error {
			return c.UpdateRecordings(ctx, []string{"r"}, bbb.Metadata{"bad key": "v"})
		}, "meta_bad key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := rtClient(t)
			err := tt.run(c)
			var pe *bbb.ParamError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, tt.param, pe.Param)
			assert.Zero(t, mt.GetTotalCallCount())
		})
	}
}

func TestRecordingsTransportError(t *testing.T) {
	t.Parallel()
	c, mt := rtClient(t, bbb.WithRetries(0))
	mt.RegisterResponder("GET", rtAPI+"deleteRecordings", httpmock.ConnectionFailure)
	err := c.DeleteRecordings(context.Background(), []string{"r"})
	var te *bbb.TransportError
	require.ErrorAs(t, err, &te)
	assert.Equal(t, "deleteRecordings", te.Call)
	assert.NotContains(t, err.Error(), "checksum")
}

func TestGetRecordingsCancelledContext(t *testing.T) {
	t.Parallel()
	c, mt := rtClient(t)
	rtRespond(mt, "GET", "getRecordings", 200, "text/xml", rtXML(""))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.GetRecordings(ctx, nil)
	require.ErrorIs(t, err, context.Canceled)
}

// Listing the published recordings of a meeting, one page at a time
// (against a mock server here).
func ExampleClient_GetRecordings() {
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder("GET", "https://bbb.example.org/bigbluebutton/api/getRecordings",
		httpmock.NewStringResponder(200, `<response><returncode>SUCCESS</returncode><recordings>
<recording><recordID>ffbfc4cc24428694e8b53a4e144f414052431693-1530718721124</recordID><meetingID>webinar-42</meetingID>
<name>Webinar</name><published>true</published><state>published</state><startTime>1530718721134</startTime>
<playback><format><type>presentation</type><url>https://bbb.example.org/playback/presentation/2.3/ffbfc4cc24428694e8b53a4e144f414052431693-1530718721124</url><length>42</length></format></playback>
</recording></recordings><totalElements>1</totalElements></response>`))
	client, err := bbb.NewClient("https://bbb.example.org/bigbluebutton", "secret",
		bbb.WithHTTPClient(&http.Client{Transport: mt}))
	if err != nil {
		panic(err)
	}

	limit := 10
	page, err := client.GetRecordings(context.Background(), &bbb.GetRecordingsParams{
		MeetingIDs: []string{"webinar-42"},
		States:     []string{bbb.RecordingPublished},
		Limit:      &limit,
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(page.TotalElements, "recording(s)")
	for _, r := range page.Recordings {
		for _, f := range r.Playback {
			fmt.Println(r.Name, r.StartTime.Format(time.RFC3339), f.Type, f.Length, "min")
		}
	}
	// Output:
	// 1 recording(s)
	// Webinar 2018-07-04T15:38:41Z presentation 42 min
}
