package webinar_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/bbbcast/bbbcast/gateway"
	"github.com/bbbcast/bbbcast/webinar"
)

func TestIsOwner(t *testing.T) {
	w := &webinar.Webinar{Owner: "alice", CoOwners: []string{"bob", "carol"}}
	for user, want := range map[string]bool{
		"alice": true,  // owner
		"bob":   true,  // co-owner
		"carol": true,  // co-owner
		"":      false, // nobody
		"dave":  false, // stranger
		"Alice": false, // case matters
		"bo":    false, // prefixes are not owners
	} {
		assert.Equal(t, want, w.IsOwner(user), "IsOwner(%q)", user)
	}
}

func TestIsOwnerEmptyNeverMatches(t *testing.T) {
	// An empty user is nobody, even when the webinar has an empty owner
	// or an empty co-owner.
	w := &webinar.Webinar{Owner: "", CoOwners: []string{""}}
	assert.False(t, w.IsOwner(""))
	assert.False(t, w.IsOwner("x"))
	assert.False(t, (&webinar.Webinar{}).IsOwner(""))
}

const botSecret = "bot-secret-7f3a9c"

func secretWebinar() webinar.Webinar {
	return webinar.Webinar{
		ID: "w1", Owner: "alice", CoOwners: []string{"bob"}, Title: "Title",
		Pool: "p", Slot: gateway.Slot{Start: time.Unix(0, 0), End: time.Unix(3600, 0)},
		GatewayID: 3, MeetingID: "meeting-1", BotRoom: "room-1",
		BotSecret: gateway.NewSecret(botSecret), Session: "sess-1",
		State: webinar.Live, Version: 4,
	}
}

func TestLogValueHidesBotSecret(t *testing.T) {
	w := secretWebinar()
	v := w.LogValue().Resolve()
	assert.Equal(t, slog.KindGroup, v.Kind())
	assert.NotContains(t, v.String(), botSecret)
	for _, a := range v.Group() {
		assert.NotContains(t, a.Value.Resolve().String(), botSecret, "attribute %s", a.Key)
	}

	for name, h := range map[string]func(*bytes.Buffer) slog.Handler{
		"text": func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
		"json": func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
	} {
		var buf bytes.Buffer
		slog.New(h(&buf)).Info("webinar", "w", w, "ptr", &w)
		out := buf.String()
		assert.NotContains(t, out, botSecret, "%s handler", name)
		assert.Contains(t, out, "meeting-1", "%s handler logs the webinar", name)
		assert.Contains(t, out, "live", "%s handler logs the state", name)
	}
}

func TestFormatHidesBotSecret(t *testing.T) {
	w := secretWebinar()
	for _, f := range []string{"%v", "%+v", "%#v", "%s"} {
		assert.False(t, strings.Contains(fmt.Sprintf(f, w), botSecret), "format %s", f)
	}
	assert.Equal(t, botSecret, w.BotSecret.Reveal())
}
