package sipmediagw_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/bbbcast/bbbcast/sipmediagw"
)

func ExampleNewClient() {
	// The legacy launcher (v1.5 to v1.7) behind a TLS reverse proxy.
	client, err := sipmediagw.NewClient(
		"https://gw1.example.org",
		"9f2c4e1a-launcher-token", // the token set in the launcher's code
	)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(client) // the token never prints
	fmt.Println(client.Protocol())
	// Output:
	// sipmediagw.Client{https://gw1.example.org legacy}
	// legacy
}

func ExampleNewClient_insecure() {
	// The launcher's own port speaks plain HTTP and ships with token 1234:
	// both are refused unless asked for.
	_, err := sipmediagw.NewClient("http://gw1.example.org:8080", "9f2c4e1a-launcher-token")
	fmt.Println(err)
	fmt.Println(errors.Is(err, sipmediagw.ErrInsecureURL))
	_, err = sipmediagw.NewClient("https://gw1.example.org", sipmediagw.DefaultToken)
	fmt.Println(errors.Is(err, sipmediagw.ErrWeakToken))

	// On a trusted network, say so explicitly (a warning is logged with
	// WithLogger).
	client, err := sipmediagw.NewClient("http://gw1.example.org:8080", sipmediagw.DefaultToken,
		sipmediagw.WithInsecureHTTP(), sipmediagw.WithInsecureToken())
	fmt.Println(client, err)

	// The v1.8 launcher has no authentication at all.
	client, err = sipmediagw.NewClient("http://gw1.example.org:8100", "",
		sipmediagw.WithProtocol(sipmediagw.V18Launcher), sipmediagw.WithInsecureHTTP())
	fmt.Println(client, err)
	// Output:
	// sipmediagw: base URL is plain http (use WithInsecureHTTP to allow it)
	// true
	// true
	// sipmediagw.Client{http://gw1.example.org:8080 legacy} <nil>
	// sipmediagw.Client{http://gw1.example.org:8100 v1.8-launcher} <nil>
}

func ExampleParseSession() {
	// Handles as stored after Start: the legacy API addresses a stream by
	// its room, v1.8 by the gateway the proxy picked.
	for _, h := range []string{"legacy:a1b2c3d4e5", "v1.8:3", "v1.8-launcher:gw1", "a1b2c3d4e5"} {
		s, err := sipmediagw.ParseSession(h)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Printf("%s room=%q gateway=%q handle=%s\n", s.Protocol, s.Room, s.GatewayID, s.Handle())
	}
	// Output:
	// legacy room="a1b2c3d4e5" gateway="" handle=legacy:a1b2c3d4e5
	// v1.8 room="" gateway="3" handle=v1.8:3
	// v1.8-launcher room="" gateway="gw1" handle=v1.8-launcher:gw1
	// sipmediagw: malformed session handle
}

func ExampleSanitizeChat() {
	// The legacy launcher pastes the message into a shell command: quotes,
	// backquotes, backslashes, dollars and line breaks never reach it.
	fmt.Println(sipmediagw.SanitizeChat("It's \"live\": $HOME `id` C:\\temp\nsecond line "))
	// Output:
	// It’s ”live”: ＄HOME ‘id‘ C:∖temp second line
}

func ExampleClient_Start() {
	// A stand-in for a v1.6 launcher: "status": "success" around every
	// outcome, the details tell what happened.
	launcher := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer 9f2c4e1a-launcher-token" {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"Error": "authorization error"}`)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		details := map[string]string{"res": ""} // /stop: docker compose's output
		if r.URL.Path == "/start" {
			details = map[string]string{"res": "ok", "app": "streaming", "uri": r.URL.Query().Get("rtmpDst")}
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"status": "success", "details": details})
	}))
	defer launcher.Close()

	client, err := sipmediagw.NewClient(launcher.URL, "9f2c4e1a-launcher-token",
		sipmediagw.WithHTTPClient(launcher.Client())) // trusts the test certificate
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	session, err := client.Start(ctx, sipmediagw.StartParams{
		Room:    "a1b2c3d4e5",
		Domain:  "pod.example.org/meeting/42/5f1e2d", // the bot opens https://{Domain}/{Room}
		RTMPURL: "rtmp://live.example.org/live/stream-key",
	})
	if err != nil {
		log.Fatal(err)
	}
	handle := session.Handle() // persist it
	fmt.Println(handle)

	// Later, maybe in another process.
	session, err = sipmediagw.ParseSession(handle)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(client.Stop(ctx, session))
	// Output:
	// legacy:a1b2c3d4e5
	// <nil>
}

// A start that failed may have left a stream the cleanup could not rule
// out: its room is then the caller's to keep, and to stop later.
func ExampleStartError() {
	// A stand-in for a v1.7 launcher whose launch fails, and whose Docker
	// daemon then cannot stop what the launch left.
	launcher := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		res := map[string]string{"res": "error", "type": "The gateway failed to launch"}
		if r.URL.Path == "/stop" {
			res = map[string]string{"res": "Cannot connect to the Docker daemon at unix:///var/run/docker.sock"}
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"status": "success", "details": res})
	}))
	defer launcher.Close()
	client, err := sipmediagw.NewClient(launcher.URL, "9f2c4e1a-launcher-token",
		sipmediagw.WithHTTPClient(launcher.Client()), sipmediagw.WithRetries(0),
		sipmediagw.WithCleanupWindow(50*time.Millisecond, 10*time.Millisecond)) // how long the launcher may take
	if err != nil {
		log.Fatal(err)
	}
	_, err = client.Start(context.Background(), sipmediagw.StartParams{Room: "a1b2c3d4e5",
		Domain: "pod.example.org/meeting/42/5f1e2d", RTMPURL: "rtmp://live.example.org/live/stream-key"})
	var se *sipmediagw.StartError
	if errors.As(err, &se) && se.MayRun {
		fmt.Println("still ours to stop:", se.Session.Handle()) // persist it, stop it later
	}
	fmt.Println(errors.Is(err, sipmediagw.ErrLaunchFailed))
	// Output:
	// still ours to stop: legacy:a1b2c3d4e5
	// true
}
