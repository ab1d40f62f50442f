package bbbtest_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/bbbcast/bbbcast/bbb"
	"github.com/bbbcast/bbbcast/bbb/bbbtest"
)

func TestTextTracksRaw(t *testing.T) {
	t.Parallel()
	srv := start(t)
	id := srv.AddRecording(bbbtest.Recording{MeetingID: "tt", TextTracks: []bbbtest.TextTrack{
		{Href: "https://bbb.example/presentation/x/caption_fr.vtt", Kind: "captions", Label: "Français", Lang: "fr", Source: "live"},
	}})
	a := get(t, srv, "getRecordingTextTracks", q("recordID", id))
	if a.status != 200 || a.header.Get("Content-Type") != "application/json" {
		t.Fatalf("HTTP %d %q", a.status, a.header.Get("Content-Type"))
	}
	var env struct {
		Response struct {
			ReturnCode string              `json:"returncode"`
			Tracks     []map[string]string `json:"tracks"`
		} `json:"response"`
	}
	if err := json.Unmarshal(a.body, &env); err != nil {
		t.Fatal(err)
	}
	if env.Response.ReturnCode != "SUCCESS" || len(env.Response.Tracks) != 1 || env.Response.Tracks[0]["lang"] != "fr" ||
		env.Response.Tracks[0]["source"] != "live" {
		t.Fatalf("answer %s", a.body)
	}
	for _, tt := range []struct{ query, key string }{
		{"", "missingParamRecordID"},
		{q("recordID", "nope"), "noRecordings"},
	} {
		a := get(t, srv, "getRecordingTextTracks", tt.query)
		var env struct {
			Response struct{ ReturnCode, MessageKey string } `json:"response"`
		}
		if err := json.Unmarshal(a.body, &env); err != nil || env.Response.ReturnCode != "FAILED" || env.Response.MessageKey != tt.key {
			t.Errorf("%q: %s", tt.query, a.body)
		}
	}
}

func TestTextTracksClient(t *testing.T) {
	t.Parallel()
	srv := start(t)
	c := srv.Client()
	id := srv.AddRecording(bbbtest.Recording{MeetingID: "tt"})
	tracks, err := c.GetRecordingTextTracks(ctx(t), id)
	if err != nil || len(tracks) != 0 {
		t.Fatalf("no tracks yet: %+v %v", tracks, err)
	}
	err = c.PutRecordingTextTrack(ctx(t), &bbb.TextTrackUpload{
		RecordID: id, Kind: bbb.TextTrackSubtitles, Lang: "pt-BR", Label: "Português", FileName: "pt.vtt",
		Content: []byte("WEBVTT\n\n00:00.000 --> 00:01.000\nOlá\n"),
	})
	if err != nil {
		t.Fatal(err)
	}
	tracks, err = c.GetRecordingTextTracks(ctx(t), id)
	if err != nil || len(tracks) != 1 || tracks[0].Lang != "pt-BR" || tracks[0].Label != "Português" || tracks[0].Source != "upload" {
		t.Fatalf("tracks %+v %v", tracks, err)
	}
	if got := srv.Recordings()[0].TextTracks[0].Content; string(got[:6]) != "WEBVTT" {
		t.Errorf("stored content %q", got)
	}
	if _, err := c.GetRecordingTextTracks(ctx(t), "nope"); !errors.Is(err, bbb.ErrNoRecordings) {
		t.Errorf("unknown recording: %v", err)
	}
}
