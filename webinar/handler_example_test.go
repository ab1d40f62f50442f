package webinar_test

import (
	"log"
	"net/http"

	"github.com/bbbcast/bbbcast/bbb"
	"github.com/bbbcast/bbbcast/gateway"
	"github.com/bbbcast/bbbcast/store/memory"
	"github.com/bbbcast/bbbcast/webinar"
)

// A host mounts the handler under the prefix PublicURL names, and tells
// it who the signed-in user is from its own session. The host must also
// protect the POSTs against CSRF (SameSite cookies or its middleware).
func ExampleService_Handler() {
	store := memory.New()
	client, err := bbb.NewClient("https://bbb.example.org/bigbluebutton", "the BBB shared secret, long enough")
	if err != nil {
		log.Fatal(err)
	}
	signer, err := bbb.NewCallbackSigner([]byte("32+ random bytes kept by the host"))
	if err != nil {
		log.Fatal(err)
	}
	svc, err := webinar.NewService(webinar.Config{
		Store:     store,
		Gateways:  gateway.NewService(gateway.Config{Store: store}),
		BBB:       client,
		Callbacks: signer,
		PublicURL: "https://portal.example.org/webinar",
	})
	if err != nil {
		log.Fatal(err)
	}

	// users reads the host's session; here, a header set by an
	// authenticating proxy stands for it.
	users := func(r *http.Request) (webinar.User, bool) {
		id := r.Header.Get("X-Remote-User")
		if id == "" {
			return webinar.User{}, false
		}
		return webinar.User{ID: id, Name: id, Affiliations: []string{"faculty"}}, true
	}

	mux := http.NewServeMux()
	svc.Mount(mux, users)                         // at /webinar/, PublicURL's path
	_ = &http.Server{Addr: ":8080", Handler: mux} // then ListenAndServe
}
