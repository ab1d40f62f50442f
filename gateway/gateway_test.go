package gateway_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bbbcast/bbbcast/gateway"
	"github.com/bbbcast/bbbcast/sipmediagw"
)

// Markers that must never appear in an error or a log.
const (
	tokenMarker  = "TOKENMARKER"
	streamMarker = "STREAMKEYMARKER"
)

// validGateway is a gateway that passes Validate.
func validGateway() gateway.Gateway {
	return gateway.Gateway{
		Name:    "Amphi A",
		Pool:    "campus-nord",
		RTMPURL: gateway.NewSecret("rtmps://live.example.org/live/" + streamMarker),
		HLSURL:  "https://live.example.org/hls/a.m3u8",
		Server: gateway.Server{
			URL:      "https://sip.example.org",
			Token:    gateway.NewSecret(tokenMarker + "-0123456789"),
			Protocol: sipmediagw.V18,
		},
		Enabled: true,
	}
}

// problems returns the fields Validate complains about, sorted.
func problems(t *testing.T, g gateway.Gateway) []string {
	t.Helper()
	err := g.Validate()
	if err == nil {
		return nil
	}
	require.ErrorIs(t, err, gateway.ErrInvalidGateway)
	var ve *gateway.ValidationError
	require.True(t, errors.As(err, &ve))
	var fields []string
	for f := range ve.Fields {
		fields = append(fields, f)
	}
	slices.Sort(fields)
	return fields
}

func TestGatewayValidate(t *testing.T) {
	t.Parallel()
	type mod func(*gateway.Gateway)
	for _, tc := range []struct {
		name string
		mod  mod
		want []string // the fields refused; nil when valid
	}{
		{"valid", func(*gateway.Gateway) {}, nil},
		// name
		{"no name", func(g *gateway.Gateway) { g.Name = "" }, []string{"name"}},
		{"blank name", func(g *gateway.Gateway) { g.Name = " \t\n" }, []string{"name"}},
		{"200 runes", func(g *gateway.Gateway) { g.Name = strings.Repeat("é", 200) }, nil},
		{"201 runes", func(g *gateway.Gateway) { g.Name = strings.Repeat("é", 201) }, []string{"name"}},
		{"name not UTF-8", func(g *gateway.Gateway) { g.Name = "Amphi \xff" }, []string{"name"}},
		// pool
		{"default pool", func(g *gateway.Gateway) { g.Pool = "" }, nil},
		{"100-rune pool", func(g *gateway.Gateway) { g.Pool = strings.Repeat("p", 100) }, nil},
		{"101-rune pool", func(g *gateway.Gateway) { g.Pool = strings.Repeat("p", 101) }, []string{"pool"}},
		{"pool not UTF-8", func(g *gateway.Gateway) { g.Pool = "\xc3" }, []string{"pool"}},
		// RTMP
		{"rtmp", func(g *gateway.Gateway) { g.RTMPURL = gateway.NewSecret("rtmp://live.example.org:1935/live/key") }, nil},
		{"RTMP upper case scheme", func(g *gateway.Gateway) { g.RTMPURL = gateway.NewSecret("RTMP://live.example.org/live/key") }, nil},
		{"no RTMP", func(g *gateway.Gateway) { g.RTMPURL = gateway.NewSecret("") }, []string{"rtmpURL"}},
		{"RTMP over http", func(g *gateway.Gateway) { g.RTMPURL = gateway.NewSecret("https://live.example.org/live/key") }, []string{"rtmpURL"}},
		{"RTMP without host", func(g *gateway.Gateway) { g.RTMPURL = gateway.NewSecret("rtmp:///live/key") }, []string{"rtmpURL"}},
		{"RTMP relative", func(g *gateway.Gateway) { g.RTMPURL = gateway.NewSecret("live/key") }, []string{"rtmpURL"}},
		{"RTMP with a space", func(g *gateway.Gateway) { g.RTMPURL = gateway.NewSecret("rtmp://live.example.org/live/a key") }, []string{"rtmpURL"}},
		{"RTMP with a quote", func(g *gateway.Gateway) { g.RTMPURL = gateway.NewSecret("rtmp://live.example.org/live/a'key") }, []string{"rtmpURL"}},
		{"RTMP with $", func(g *gateway.Gateway) { g.RTMPURL = gateway.NewSecret("rtmp://live.example.org/live/$(reboot)") }, []string{"rtmpURL"}},
		{"RTMP with a backslash", func(g *gateway.Gateway) { g.RTMPURL = gateway.NewSecret(`rtmp://live.example.org/live\key`) }, []string{"rtmpURL"}},
		// HLS
		{"HLS over http", func(g *gateway.Gateway) { g.HLSURL = "http://live.example.org/a.m3u8" }, nil},
		{"HLS with a query", func(g *gateway.Gateway) { g.HLSURL = "https://live.example.org/a.m3u8?token=x" }, nil},
		{"no HLS", func(g *gateway.Gateway) { g.HLSURL = "" }, []string{"hlsURL"}},
		{"HLS over rtmp", func(g *gateway.Gateway) { g.HLSURL = "rtmp://live.example.org/a" }, []string{"hlsURL"}},
		{"HLS relative", func(g *gateway.Gateway) { g.HLSURL = "/hls/a.m3u8" }, []string{"hlsURL"}},
		{"HLS with a newline", func(g *gateway.Gateway) { g.HLSURL = "https://live.example.org/a.m3u8\n" }, []string{"hlsURL"}},
		// server URL
		{"server with a path", func(g *gateway.Gateway) { g.Server.URL = "https://sip.example.org:8443/sipmediagw/" }, nil},
		{"no server", func(g *gateway.Gateway) { g.Server.URL = "" }, []string{"server.url"}},
		{"plain http server", func(g *gateway.Gateway) { g.Server.URL = "http://sip.example.org" }, []string{"server.url"}},
		{"plain http server, insecure", func(g *gateway.Gateway) { g.Server.URL, g.Server.Insecure = "http://sip.example.org", true }, nil},
		{"ftp server", func(g *gateway.Gateway) { g.Server.URL, g.Server.Insecure = "ftp://sip.example.org", true }, []string{"server.url"}},
		{"server without scheme", func(g *gateway.Gateway) { g.Server.URL = "sip.example.org" }, []string{"server.url"}},
		{"server with credentials", func(g *gateway.Gateway) { g.Server.URL = "https://admin:pw@sip.example.org" }, []string{"server.url"}},
		{"server with a query", func(g *gateway.Gateway) { g.Server.URL = "https://sip.example.org/?token=x" }, []string{"server.url"}},
		{"server with a fragment", func(g *gateway.Gateway) { g.Server.URL = "https://sip.example.org/#x" }, []string{"server.url"}},
		// token
		{"no token", func(g *gateway.Gateway) { g.Server.Token = gateway.NewSecret("") }, []string{"server.token"}},
		{"no token, insecure", func(g *gateway.Gateway) { g.Server.Token, g.Server.Insecure = gateway.NewSecret(""), true }, []string{"server.token"}},
		{"default token", func(g *gateway.Gateway) { g.Server.Token = gateway.NewSecret("1234") }, []string{"server.token"}},
		{"default token, insecure", func(g *gateway.Gateway) { g.Server.Token, g.Server.Insecure = gateway.NewSecret("1234"), true }, nil},
		{"7-character token", func(g *gateway.Gateway) { g.Server.Token = gateway.NewSecret("abcdefg") }, []string{"server.token"}},
		{"7-character token, insecure", func(g *gateway.Gateway) { g.Server.Token, g.Server.Insecure = gateway.NewSecret("abcdefg"), true }, nil},
		{"8-character token", func(g *gateway.Gateway) { g.Server.Token = gateway.NewSecret("abcdefgh") }, nil},
		{"256-character token", func(g *gateway.Gateway) { g.Server.Token = gateway.NewSecret(strings.Repeat("t", 256)) }, nil},
		{"257-character token", func(g *gateway.Gateway) { g.Server.Token = gateway.NewSecret(strings.Repeat("t", 257)) }, []string{"server.token"}},
		{"token with a space", func(g *gateway.Gateway) { g.Server.Token = gateway.NewSecret("abcd efgh") }, []string{"server.token"}},
		{"token with a tab, insecure", func(g *gateway.Gateway) { g.Server.Token, g.Server.Insecure = gateway.NewSecret("abcd\tefgh"), true }, []string{"server.token"}},
		{"token with a newline", func(g *gateway.Gateway) { g.Server.Token = gateway.NewSecret("abcdefgh\n") }, []string{"server.token"}},
		{"token with DEL", func(g *gateway.Gateway) { g.Server.Token = gateway.NewSecret("abcdefgh\x7f") }, []string{"server.token"}},
		{"token with NUL", func(g *gateway.Gateway) { g.Server.Token = gateway.NewSecret("abcd\x00efgh") }, []string{"server.token"}},
		{"legacy token", func(g *gateway.Gateway) {
			g.Server.Protocol, g.Server.Token = sipmediagw.Legacy, gateway.NewSecret("1234")
		}, []string{"server.token"}},
		// protocols
		{"legacy", func(g *gateway.Gateway) { g.Server.Protocol = sipmediagw.Legacy }, nil},
		{"launcher without token", func(g *gateway.Gateway) {
			g.Server.Protocol, g.Server.Token, g.Server.LauncherID = sipmediagw.V18Launcher, gateway.NewSecret(""), "gw0"
		}, nil},
		{"launcher with a weak token", func(g *gateway.Gateway) {
			g.Server.Protocol, g.Server.Token, g.Server.LauncherID = sipmediagw.V18Launcher, gateway.NewSecret("1234"), "gw0"
		}, nil},
		// the launcher's gw_id
		{"launcher without its gw_id", func(g *gateway.Gateway) { g.Server.Protocol = sipmediagw.V18Launcher }, []string{"server.launcherID"}},
		{"launcher gw_id of digits", func(g *gateway.Gateway) {
			g.Server.Protocol, g.Server.LauncherID = sipmediagw.V18Launcher, "1"
		}, nil},
		{"launcher gw_id with dashes and underscores", func(g *gateway.Gateway) {
			g.Server.Protocol, g.Server.LauncherID = sipmediagw.V18Launcher, "amphi-a_2"
		}, nil},
		{"launcher gw_id in upper case", func(g *gateway.Gateway) {
			g.Server.Protocol, g.Server.LauncherID = sipmediagw.V18Launcher, "GW0"
		}, []string{"server.launcherID"}},
		{"launcher gw_id starting with a dash", func(g *gateway.Gateway) {
			g.Server.Protocol, g.Server.LauncherID = sipmediagw.V18Launcher, "-gw"
		}, []string{"server.launcherID"}},
		{"launcher gw_id with a shell character", func(g *gateway.Gateway) {
			g.Server.Protocol, g.Server.LauncherID = sipmediagw.V18Launcher, "gw0;id"
		}, []string{"server.launcherID"}},
		{"launcher gw_id of 64 characters", func(g *gateway.Gateway) {
			g.Server.Protocol, g.Server.LauncherID = sipmediagw.V18Launcher, strings.Repeat("a", 64)
		}, []string{"server.launcherID"}},
		{"gw_id on a proxy", func(g *gateway.Gateway) {
			g.Server.Protocol, g.Server.LauncherID = sipmediagw.V18, "gw0"
		}, []string{"server.launcherID"}},
		{"no protocol", func(g *gateway.Gateway) { g.Server.Protocol = 0 }, []string{"server.protocol"}},
		{"unknown protocol", func(g *gateway.Gateway) { g.Server.Protocol = sipmediagw.V18Launcher + 1 }, []string{"server.protocol"}},
		// several at once
		{"everything wrong", func(g *gateway.Gateway) {
			*g = gateway.Gateway{Pool: strings.Repeat("p", 101), Server: gateway.Server{Protocol: 200}}
		}, []string{"hlsURL", "name", "pool", "rtmpURL", "server.protocol", "server.url"}},
	} {
		g := validGateway()
		tc.mod(&g)
		assert.Equal(t, tc.want, problems(t, g), tc.name)
	}
}

func TestValidationErrorMessage(t *testing.T) {
	t.Parallel()
	g := validGateway()
	g.Name = ""
	g.Server.URL = "http://sip.example.org"
	err := g.Validate()
	require.Error(t, err)
	assert.Equal(t, "gateway: invalid gateway: name: required; server.url: plain http needs the insecure flag", err.Error())
}

// Whatever is wrong, the error names fields and problems, never the
// token, the stream key or the RTMP URL.
func TestValidationErrorHidesSecrets(t *testing.T) {
	t.Parallel()
	for _, mod := range []func(*gateway.Gateway){
		func(g *gateway.Gateway) { g.Server.Token = gateway.NewSecret(g.Server.Token.Reveal() + " with space") },
		func(g *gateway.Gateway) { g.Server.Token = gateway.NewSecret(tokenMarker + "\x00") },
		func(g *gateway.Gateway) { g.Server.Token = gateway.NewSecret(strings.Repeat(tokenMarker, 30)) },
		func(g *gateway.Gateway) {
			g.RTMPURL = gateway.NewSecret("rtmp://live.example.org/live/" + streamMarker + " x")
		},
		func(g *gateway.Gateway) {
			g.RTMPURL = gateway.NewSecret("http://live.example.org/live/" + streamMarker)
		},
		func(g *gateway.Gateway) { g.RTMPURL = gateway.NewSecret("rtmp://%zz/" + streamMarker) },
		func(g *gateway.Gateway) { g.Server.URL = "https://" + tokenMarker + ":x@sip.example.org" },
		func(g *gateway.Gateway) { g.Server.URL = "https://sip.example.org/?token=" + tokenMarker },
	} {
		g := validGateway()
		mod(&g)
		err := g.Validate()
		require.Error(t, err)
		for _, text := range []string{err.Error(), fmtAll(err)} {
			assert.NotContains(t, text, tokenMarker)
			assert.NotContains(t, text, streamMarker)
			assert.NotContains(t, text, "live.example.org")
		}
	}
}

func TestServerKey(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"https://gw.example.org", "https://gw.example.org"},
		{"HTTPS://GW.example.org:443/", "https://gw.example.org"},
		{"https://gw.example.org/", "https://gw.example.org"},
		{"https://gw.example.org//", "https://gw.example.org"},
		{"  https://gw.example.org  ", "https://gw.example.org"},
		{"http://gw.example.org:80/", "http://gw.example.org"},
		{"http://gw.example.org:443", "http://gw.example.org:443"},
		{"https://gw.example.org:80", "https://gw.example.org:80"},
		{"https://gw.example.org:8443/", "https://gw.example.org:8443"},
		{"https://GW.example.org/SIP/", "https://gw.example.org/SIP"},
		{"https://[2001:DB8::1]:443/", "https://[2001:db8::1]"},
	} {
		assert.Equal(t, tc.want, gateway.ServerKey(tc.in), tc.in)
	}
	assert.NotEqual(t, gateway.ServerKey("https://gw.example.org/a"), gateway.ServerKey("https://gw.example.org/b"))
	assert.NotEqual(t, gateway.ServerKey("https://gw.example.org"), gateway.ServerKey("https://gw2.example.org"))
	// Unparsable input still gives a key, without panicking.
	assert.Equal(t, "https://gw.example.org:bad%", gateway.ServerKey("HTTPS://GW.example.org:bad%/"))
}
