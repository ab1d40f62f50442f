package bbb_test

import (
	"bytes"
	"context"
	"io"
	"mime"
	"mime/multipart"
	"testing"

	"github.com/bbbcast/bbbcast/bbb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const rtTracksJSON = `{"response":{"returncode":"SUCCESS","tracks":[
 {"href":"https://bbb.example.org/textTrack/0ab39e419c9bcb/183f0bf3a0982a127bdb8161e0c44eb696b3e75c-1554230749920/subtitles_en-US.vtt","kind":"subtitles","label":"English","lang":"en-US","source":"upload"},
 {"href":"https://bbb.example.org/textTrack/0ab39e419c9bcb/183f0bf3a0982a127bdb8161e0c44eb696b3e75c-1554230749920/captions_pt-BR.vtt","kind":"captions","label":"Português","lang":"pt-BR","source":"live"}]}}`

func TestGetRecordingTextTracks(t *testing.T) {
	t.Parallel()
	want := []bbb.TextTrack{
		{Href: "https://bbb.example.org/textTrack/0ab39e419c9bcb/183f0bf3a0982a127bdb8161e0c44eb696b3e75c-1554230749920/subtitles_en-US.vtt",
			Kind: "subtitles", Label: "English", Lang: "en-US", Source: "upload"},
		{Href: "https://bbb.example.org/textTrack/0ab39e419c9bcb/183f0bf3a0982a127bdb8161e0c44eb696b3e75c-1554230749920/captions_pt-BR.vtt",
			Kind: "captions", Label: "Português", Lang: "pt-BR", Source: "live"},
	}
	tests := []struct {
		name string
		body string
		want []bbb.TextTrack
	}{
		{"array", rtTracksJSON, want},
		{"page object", `{"response":{"returncode":"SUCCESS","tracks":{"content":[{"href":"h","kind":"captions","label":"L","lang":"fr","source":"upload"}],"totalElements":1}}}`,
			[]bbb.TextTrack{{Href: "h", Kind: "captions", Label: "L", Lang: "fr", Source: "upload"}}},
		{"empty array", `{"response":{"returncode":"SUCCESS","tracks":[]}}`, []bbb.TextTrack{}},
		{"noCaptionsFound is an empty list", `{"response":{"returncode":"FAILED","messageKey":"noCaptionsFound","message":"No captions found for r1"}}`,
			[]bbb.TextTrack{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := rtClient(t)
			capt := rtRespond(mt, "GET", "getRecordingTextTracks", 200, "application/json", tt.body)
			got, err := c.GetRecordingTextTracks(context.Background(), "r1")
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, "recordID=r1", rtQuery(t, "getRecordingTextTracks", capt.last(t).RawQuery))
		})
	}
}

func TestGetRecordingTextTracksErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		status   int
		ct       string
		body     string
		sentinel error
		status2  int // status of the *ResponseError expected when sentinel is nil
		calls    int
	}{
		{"unknown recording", 404, "application/json",
			`{"response":{"returncode":"FAILED","messageKey":"noRecordings","message":"No recording found for r1"}}`, bbb.ErrNoRecordings, 0, 1},
		{"checksum error in JSON", 200, "application/json",
			`{"response":{"returncode":"FAILED","messageKey":"checksumError","message":"You did not pass the checksum security check"}}`, bbb.ErrChecksum, 0, 1},
		{"checksum error in XML", 200, "text/xml", rtFailed("checksumError", "You did not pass the checksum security check"), bbb.ErrChecksum, 0, 1},
		{"HTML 502, retried", 502, "text/html", rtHTML502, nil, 502, 1 + bbb.DefaultRetries},
		{"malformed JSON", 200, "application/json", `{"response":`, nil, 200, 1},
		{"no envelope", 200, "application/json", `{"tracks":[]}`, nil, 200, 1},
		{"unknown returncode", 200, "application/json", `{"response":{"returncode":"MAYBE"}}`, nil, 200, 1},
		{"SUCCESS with 500", 500, "application/json", `{"response":{"returncode":"SUCCESS"}}`, nil, 500, 1 + bbb.DefaultRetries},
		{"tracks not a list", 200, "application/json", `{"response":{"returncode":"SUCCESS","tracks":"nope"}}`, nil, 200, 1},
		{"empty body", 200, "application/json", "", nil, 200, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := rtClient(t)
			rtRespond(mt, "GET", "getRecordingTextTracks", tt.status, tt.ct, tt.body)
			got, err := c.GetRecordingTextTracks(context.Background(), "r1")
			require.Error(t, err)
			assert.Nil(t, got)
			if tt.sentinel != nil {
				assert.ErrorIs(t, err, tt.sentinel)
			} else {
				var re *bbb.ResponseError
				require.ErrorAs(t, err, &re)
				assert.Equal(t, tt.status2, re.StatusCode)
				assert.Equal(t, "getRecordingTextTracks", re.Call)
			}
			assert.Equal(t, tt.calls, mt.GetTotalCallCount())
		})
	}
}

func TestGetRecordingTextTracksRefusesEmptyID(t *testing.T) {
	t.Parallel()
	c, mt := rtClient(t)
	_, err := c.GetRecordingTextTracks(context.Background(), "")
	var pe *bbb.ParamError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "recordID", pe.Param)
	assert.Zero(t, mt.GetTotalCallCount())
}

const rtUploadOK = `{"response":{"messageKey":"upload_text_track_success","message":"Text track uploaded successfully","recordId":"r1","returncode":"SUCCESS"}}`

func TestPutRecordingTextTrack(t *testing.T) {
	t.Parallel()
	vtt := []byte("WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nBonjour à tous\n")
	tests := []struct {
		name      string
		up        bbb.TextTrackUpload
		wantQuery string
		wantFile  string
		wantType  string
	}{
		{"full", bbb.TextTrackUpload{RecordID: "r1", Kind: bbb.TextTrackSubtitles, Lang: "en_US", Label: "English (US)", FileName: "en.vtt", Content: vtt},
			"recordID=r1&kind=subtitles&lang=en_US&label=English+%28US%29", "en.vtt", "text/vtt"},
		{"defaults", bbb.TextTrackUpload{RecordID: "r1", Kind: bbb.TextTrackCaptions, Lang: "pt-BR", Content: vtt},
			"recordID=r1&kind=captions&lang=pt-BR", "track.vtt", "text/vtt"},
		{"srt with quotes in the name", bbb.TextTrackUpload{RecordID: "r1", Kind: bbb.TextTrackCaptions, Lang: "es-419", FileName: `cours "1".srt`, Content: []byte("1\n00:00:00,000 --> 00:00:01,000\nHola\n")},
			"recordID=r1&kind=captions&lang=es-419", `cours "1".srt`, "application/x-subrip"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := rtClient(t)
			capt := rtRespond(mt, "POST", "putRecordingTextTrack", 200, "application/json", rtUploadOK)
			require.NoError(t, c.PutRecordingTextTrack(context.Background(), &tt.up))

			req := capt.last(t)
			assert.Equal(t, "POST", req.Method)
			assert.Equal(t, tt.wantQuery, rtQuery(t, "putRecordingTextTrack", req.RawQuery))

			mediaType, mp, err := mime.ParseMediaType(req.Header.Get("Content-Type"))
			require.NoError(t, err)
			assert.Equal(t, "multipart/form-data", mediaType)
			r := multipart.NewReader(bytes.NewReader(req.Body), mp["boundary"])
			part, err := r.NextPart()
			require.NoError(t, err)
			assert.Equal(t, "file", part.FormName())
			assert.Equal(t, tt.wantFile, part.FileName())
			assert.Equal(t, tt.wantType, part.Header.Get("Content-Type"))
			content, err := io.ReadAll(part)
			require.NoError(t, err)
			assert.Equal(t, tt.up.Content, content)
			_, err = r.NextPart()
			assert.ErrorIs(t, err, io.EOF, "the body holds the file only, never a parameter of the URL")
		})
	}
}

func TestPutRecordingTextTrackErrors(t *testing.T) {
	t.Parallel()
	up := bbb.TextTrackUpload{RecordID: "r1", Kind: "subtitles", Lang: "fr", Content: []byte("WEBVTT\n")}
	tests := []struct {
		name     string
		status   int
		body     string
		sentinel error
		status2  int
	}{
		{"upload failed (SUCCESS with 500)", 500,
			`{"response":{"messageKey":"upload_text_track_failed","message":"Text track upload failed.","recordId":"r1","returncode":"SUCCESS"}}`,
			bbb.ErrTextTrackUploadFailed, 0},
		{"upload failed with 200", 200,
			`{"response":{"messageKey":"upload_text_track_failed","message":"Text track upload failed.","recordId":"r1","returncode":"SUCCESS"}}`,
			bbb.ErrTextTrackUploadFailed, 0},
		{"FAILED paramError", 400, `{"response":{"returncode":"FAILED","messageKey":"paramError","message":"Missing param recordID."}}`, bbb.ErrParam, 0},
		{"503 is not retried", 503, "<html><body>busy</body></html>", nil, 503},
		{"HTML 502", 502, rtHTML502, nil, 502},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := rtClient(t)
			rtRespond(mt, "POST", "putRecordingTextTrack", tt.status, "application/json", tt.body)
			err := c.PutRecordingTextTrack(context.Background(), &up)
			require.Error(t, err)
			if tt.sentinel != nil {
				assert.ErrorIs(t, err, tt.sentinel)
			} else {
				var re *bbb.ResponseError
				require.ErrorAs(t, err, &re)
				assert.Equal(t, tt.status2, re.StatusCode)
			}
			assert.Equal(t, 1, mt.GetTotalCallCount(), "an upload is never retried")
		})
	}
}

func TestPutRecordingTextTrackRefusesBadParams(t *testing.T) {
	t.Parallel()
	ok := bbb.TextTrackUpload{RecordID: "r1", Kind: "subtitles", Lang: "en_US", Label: "English", FileName: "a.vtt", Content: []byte("WEBVTT\n")}
	tests := []struct {
		name   string
		change func(u *bbb.TextTrackUpload)
		param  string
	}{
		{"no record ID", func(u *bbb.TextTrackUpload) { u.RecordID = "" }, "recordID"},
		{"bad kind", func(u *bbb.TextTrackUpload) { u.Kind = "chapters" }, "kind"},
		{"no kind", func(u *bbb.TextTrackUpload) { u.Kind = "" }, "kind"},
		{"no lang", func(u *bbb.TextTrackUpload) { u.Lang = "" }, "lang"},
		{"lang in upper case", func(u *bbb.TextTrackUpload) { u.Lang = "EN" }, "lang"},
		{"region in lower case", func(u *bbb.TextTrackUpload) { u.Lang = "en_us" }, "lang"},
		{"long language", func(u *bbb.TextTrackUpload) { u.Lang = "engl" }, "lang"},
		{"script subtag", func(u *bbb.TextTrackUpload) { u.Lang = "zh-Hant" }, "lang"},
		{"injection", func(u *bbb.TextTrackUpload) { u.Lang = "en&kind=x" }, "lang"},
		{"control in label", func(u *bbb.TextTrackUpload) { u.Label = "a\nb" }, "label"},
		{"path in file name", func(u *bbb.TextTrackUpload) { u.FileName = "../etc/a.vtt" }, "file"},
		{"newline in file name", func(u *bbb.TextTrackUpload) { u.FileName = "a\r\nX-Evil: 1" }, "file"},
		{"empty content", func(u *bbb.TextTrackUpload) { u.Content = nil }, "file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := rtClient(t)
			up := ok
			tt.change(&up)
			err := c.PutRecordingTextTrack(context.Background(), &up)
			var pe *bbb.ParamError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, tt.param, pe.Param)
			assert.Equal(t, "putRecordingTextTrack", pe.Call)
			assert.Zero(t, mt.GetTotalCallCount())
		})
	}
	t.Run("nil", func(t *testing.T) {
		t.Parallel()
		c, mt := rtClient(t)
		require.ErrorIs(t, c.PutRecordingTextTrack(context.Background(), nil), bbb.ErrInvalidParam)
		assert.Zero(t, mt.GetTotalCallCount())
	})
	t.Run("accepted languages", func(t *testing.T) {
		t.Parallel()
		for _, lang := range []string{"fr", "ast", "en_US", "en-GB", "es-419", "pt_BR"} {
			c, mt := rtClient(t)
			rtRespond(mt, "POST", "putRecordingTextTrack", 200, "application/json", rtUploadOK)
			up := ok
			up.Lang = lang
			require.NoError(t, c.PutRecordingTextTrack(context.Background(), &up), lang)
			assert.Equal(t, 1, mt.GetTotalCallCount())
		}
	})
}
