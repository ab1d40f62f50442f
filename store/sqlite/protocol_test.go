package sqlite_test

import (
	"context"
	"testing"

	"github.com/bbbcast/bbbcast/gateway"
	"github.com/bbbcast/bbbcast/sipmediagw"
)

// The protocol column holds the protocol's name, as it always has: rows
// written by earlier releases load, and new rows read the same to them.
func TestProtocolText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text string
		want sipmediagw.Protocol
	}{
		{"legacy", sipmediagw.Legacy},
		{"v1.8", sipmediagw.V18},
		{"v1.8-launcher", sipmediagw.V18Launcher},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			s, path := openAt(t)
			g := gateway.Gateway{Name: "A", Pool: "p", RTMPURL: gateway.NewSecret("rtmp://live.example.org/live/key"),
				HLSURL: "https://live.example.org/hls/a.m3u8", Enabled: true,
				Server: gateway.Server{URL: "https://gw.example.org", Token: gateway.NewSecret("a-long-token"), Protocol: tt.want}}
			if tt.want == sipmediagw.V18Launcher {
				g.Server.Token, g.Server.LauncherID = gateway.Secret{}, "gw0"
			}
			g, err := s.CreateGateway(ctx, g)
			if err != nil {
				t.Fatal(err)
			}
			db := raw(t, path)
			var text string
			if err := db.QueryRow(`SELECT protocol FROM gateways WHERE id = ?`, g.ID).Scan(&text); err != nil || text != tt.text {
				t.Fatalf("stored protocol %q, %v; want %q", text, err, tt.text)
			}
			// As an earlier release wrote it.
			if _, err := db.Exec(`UPDATE gateways SET protocol = ? WHERE id = ?`, tt.text, g.ID); err != nil {
				t.Fatal(err)
			}
			got, err := s.Gateway(ctx, g.ID)
			if err != nil || got.Server.Protocol != tt.want {
				t.Fatalf("loaded protocol %v, %v; want %v", got.Server.Protocol, err, tt.want)
			}
		})
	}
}

// A row whose protocol is no name is reported, not loaded as another
// protocol; a gateway with an invalid protocol is not stored.
func TestProtocolTextInvalid(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, path := openAt(t)
	g, err := s.CreateGateway(ctx, gateway.Gateway{Name: "A", Server: gateway.Server{URL: "https://gw.example.org", Protocol: sipmediagw.V18}})
	if err != nil {
		t.Fatal(err)
	}
	execRaw(t, path, `UPDATE gateways SET protocol = 'v2'`)
	if _, err := s.Gateway(ctx, g.ID); err == nil {
		t.Error("a gateway with protocol v2 loaded")
	}
	if _, err := s.CreateGateway(ctx, gateway.Gateway{Name: "B", Server: gateway.Server{URL: "https://gw2.example.org", Protocol: 9}}); err == nil {
		t.Error("a gateway with protocol 9 stored")
	}
}
