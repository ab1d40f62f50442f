package secret_test

import (
	"testing"

	"github.com/bbbcast/bbbcast/bbb"
	"github.com/bbbcast/bbbcast/gateway"
	"github.com/bbbcast/bbbcast/secret"
	"github.com/bbbcast/bbbcast/sipmediagw"
	"github.com/bbbcast/bbbcast/webinar"
)

// Every credential the library holds (the BBB shared secret, the end
// callback key, a SIPMediaGW token, an RTMP URL with its stream key, the
// bot page's secret), in every type that holds one, printed every way a
// host might: every fmt verb, nested in an exported or unexported field,
// JSON, slog, wrapped errors. None shows.
func TestNoCredentialPrinted(t *testing.T) {
	t.Parallel()
	const (
		bbbSecret   = "bbb-shared-secret-0123456789"
		callbackKey = "callback-key-0123456789abcdef0123456789"
		gwToken     = "gateway-token-0123456789"
		streamKey   = "stream-key-0123456789"
		botSecret   = "bot-secret-0123456789abcdef"
	)
	client, err := bbb.NewClient("https://bbb.example.org/bigbluebutton", bbbSecret)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := bbb.NewCallbackSigner([]byte(callbackKey))
	if err != nil {
		t.Fatal(err)
	}
	gw, err := sipmediagw.NewClient("https://gw.example.org", gwToken)
	if err != nil {
		t.Fatal(err)
	}
	g := gateway.Gateway{Name: "Amphi", RTMPURL: gateway.NewSecret("rtmp://live.example.org/live/" + streamKey),
		Server: gateway.Server{URL: "https://gw.example.org", Token: gateway.NewSecret(gwToken)}}
	w := webinar.Webinar{ID: "w1", BotSecret: gateway.NewSecret(botSecret)}
	type config struct {
		Secret   bbb.Secret
		secret   bbb.Secret
		Key      secret.Value
		Client   *bbb.Client
		client   bbb.Client
		Signer   *bbb.CallbackSigner
		signer   bbb.CallbackSigner
		Gateway  *sipmediagw.Client
		gateway  sipmediagw.Client
		Registry gateway.Gateway
		registry gateway.Gateway
		Webinar  webinar.Webinar
		webinar  webinar.Webinar
	}
	cfg := config{Secret: bbb.NewSecret(bbbSecret), secret: bbb.NewSecret(bbbSecret), Key: secret.New(callbackKey),
		Client: client, client: *client, Signer: signer, signer: *signer, Gateway: gw, gateway: *gw,
		Registry: g, registry: g, Webinar: w, webinar: w}
	values := map[string]any{"config": cfg, "config pointer": &cfg, "gateway": g, "webinar": w,
		"bbb client": client, "signer": signer, "sipmediagw client": gw}
	for name, v := range values {
		outs := renderings(v)
		for how, out := range outs {
			for _, cred := range []string{bbbSecret, callbackKey, gwToken, streamKey, botSecret} {
				if shows(out, cred) {
					t.Errorf("%s through %s shows a credential: %.300s", name, how, out)
				}
			}
		}
	}
}
