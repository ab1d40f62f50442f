package gateway_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bbbcast/bbbcast/gateway"
)

// verbs is every fmt verb and a few flags.
var verbs = []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%t", "%o", "%O", "%b", "%e", "%E", "%f", "%F", "%g", "%G",
	"%c", "%U", "%T", "%p", "%10.3v", "%-40s", "%#q", "%+q", "% x", "%08v"}

// fmtAll prints v with every verb.
func fmtAll(v any) string {
	var b strings.Builder
	for _, verb := range verbs {
		fmt.Fprintf(&b, verb+"\n", v)
	}
	b.WriteString(fmt.Sprint(v) + fmt.Sprintln(v))
	return b.String()
}

func TestSecretPrintsRedacted(t *testing.T) {
	t.Parallel()
	s := gateway.NewSecret(tokenMarker)
	for _, verb := range verbs {
		switch verb {
		case "%T":
			continue
		case "%p":
			// fmt handles %p before any method: it prints the address.
			assert.NotContains(t, fmt.Sprintf(verb, s), tokenMarker)
			continue
		}
		assert.Equal(t, "[REDACTED]", fmt.Sprintf(verb, s), verb)
	}
	assert.Equal(t, "[REDACTED]", s.String())
	assert.Equal(t, "[REDACTED]", s.GoString())
	assert.Equal(t, tokenMarker, s.Reveal(), "Reveal gives the value")
	assert.True(t, s.Equal(gateway.NewSecret(tokenMarker)))
	assert.True(t, gateway.Secret{}.IsZero())
	text, err := s.MarshalText()
	require.NoError(t, err)
	assert.Equal(t, "[REDACTED]", string(text))
}

// Printing a gateway, its server, a pointer, a slice of them, or a value
// holding one, with any verb, never shows the token or the RTMP URL.
//
// fmt bypasses String and Format when a verb does not suit a value
// (%p of a struct, %s of a pointer inside a struct or a slice) and prints
// the raw fields: a Secret that is a plain string shows there. This is
// how sipmediagw keeps its token behind a pointer.
func TestGatewayPrintsNoSecret(t *testing.T) {
	t.Parallel()
	g := validGateway()
	g.ID = 7
	type webinar struct {
		Title   string
		Gateway *gateway.Gateway
	}
	holders := []struct {
		name string
		v    any
	}{
		{"Gateway", g},
		{"*Gateway", &g},
		{"Server", g.Server},
		{"*Server", &g.Server},
		{"[]Gateway", []gateway.Gateway{g, g}},
		{"[]*Gateway", []*gateway.Gateway{&g}},
		{"Candidate", gateway.Candidate{Gateway: g, Load: 2}},
		{"map", map[string]gateway.Gateway{"a": g}},
		{"a host's struct holding a *Gateway", webinar{"Cours", &g}},
		{"Secrets in []any", []any{g.Server.Token, g.RTMPURL}},
	}
	var leaks []string
	example := ""
	for _, h := range holders {
		for _, verb := range verbs {
			out := fmt.Sprintf(verb, h.v)
			if strings.Contains(out, tokenMarker) || strings.Contains(out, streamMarker) {
				leaks = append(leaks, verb+" of "+h.name)
				if example == "" || len(out) < len(example) {
					example = fmt.Sprintf("fmt.Sprintf(%q, %s) = %s", verb, h.name, out)
				}
			}
		}
		out := fmt.Sprint(h.v) + fmt.Sprintln(h.v)
		assert.NotContains(t, out, tokenMarker, h.name)
		assert.NotContains(t, out, streamMarker, h.name)
	}
	assert.Empty(t, leaks, "the token or the stream key printed, e.g. %s", example)
	// The rest is there.
	assert.Contains(t, fmt.Sprintf("%+v", g), "Name:Amphi A")
	assert.Contains(t, fmt.Sprintf("%+v", g), "URL:https://sip.example.org")
}

func TestGatewayLogsNoSecret(t *testing.T) {
	t.Parallel()
	g := validGateway()
	g.ID = 7
	var buf bytes.Buffer
	for _, h := range []slog.Handler{slog.NewTextHandler(&buf, nil), slog.NewJSONHandler(&buf, nil)} {
		l := slog.New(h)
		l.Info("gateway", "gateway", g, "pointer", &g, "server", g.Server, "token", g.Server.Token, "rtmp", g.RTMPURL)
		l.Info("group", slog.Group("g", "server", g.Server), slog.Any("list", []gateway.Gateway{g}))
		l.With("gw", g).Info("with")
	}
	out := buf.String()
	assert.NotContains(t, out, tokenMarker)
	assert.NotContains(t, out, streamMarker)
	// LogValue keeps what identifies the gateway.
	for _, want := range []string{"gateway.id=7", `gateway.name="Amphi A"`, "gateway.pool=campus-nord", "gateway.server=https://sip.example.org", "gateway.enabled=true"} {
		assert.Contains(t, out, want)
	}
}

func TestGatewayEncodesNoSecret(t *testing.T) {
	t.Parallel()
	g := validGateway()
	j, err := json.Marshal(g)
	require.NoError(t, err)
	assert.NotContains(t, string(j), tokenMarker)
	assert.NotContains(t, string(j), streamMarker)
	assert.Contains(t, string(j), `"RTMPURL":"[REDACTED]"`)
	assert.Contains(t, string(j), `"Token":"[REDACTED]"`)
	j, err = json.MarshalIndent(map[string]any{"list": []*gateway.Gateway{&g}}, "", " ")
	require.NoError(t, err)
	assert.NotContains(t, string(j), tokenMarker)
	x, err := xml.Marshal(g)
	require.NoError(t, err)
	assert.NotContains(t, string(x), tokenMarker)
	assert.NotContains(t, string(x), streamMarker)
}

// Errors and events never carry a secret: a capacity event printed in
// full shows owners, gateways and slots only.
func TestErrorsCarryNoSecret(t *testing.T) {
	t.Parallel()
	b := gateway.Booking{Owner: "webinar-1", GatewayID: 3, Pool: "p", Slot: sl(0, time.Hour)}
	full := &gateway.NoGatewayFreeError{Pool: "p", Slot: b.Slot, Gateways: 1, Conflicts: []gateway.Booking{b}}
	assert.Equal(t, `gateway: no gateway free in pool "p" for [2031-03-03T00:00:00Z, 2031-03-03T01:00:00Z): all 1 gateways booked (1 conflicting bookings)`, full.Error())
	assert.ErrorIs(t, full, gateway.ErrNoGatewayFree)
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("b", "booking", b)
	assert.Equal(t, `booking.owner=webinar-1 booking.gateway=3 booking.pool=p booking.slot="[2031-03-03T00:00:00Z, 2031-03-03T01:00:00Z)"`,
		strings.TrimSpace(buf.String()[strings.Index(buf.String(), "booking."):]))
}
