package classroom_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/bbbcast/bbbcast/bbb"
	"github.com/bbbcast/bbbcast/bbb/bbbtest"
	classroom "github.com/bbbcast/bbbcast/examples/hosttest"
)

// The host application against the fake BBB, end to end: a teacher
// enters the class, closes it, and BBB's signed end callback reaches the
// host.
func Example() {
	ctx := context.Background()
	srv := bbbtest.NewServer()
	defer srv.Close()

	mux := http.NewServeMux() // the host's web server
	host := httptest.NewServer(mux)
	defer host.Close()
	signer, err := bbb.NewCallbackSigner([]byte("32 random bytes kept by the host!"))
	if err != nil {
		log.Fatal(err)
	}
	room := classroom.New(srv.Client(), signer, host.URL+"/classroom/ended")
	mux.Handle("/classroom/ended", room.EndedHandler(func(_ context.Context, courseID string) error {
		fmt.Println("the host hears that course", courseID, "ended")
		return nil
	}))

	class, err := room.Open(ctx, classroom.Course{ID: "42", Title: "Distributed systems"})
	if err != nil {
		log.Fatal(err)
	}
	link, err := room.JoinURL(class, "Ada Lovelace", true)
	if err != nil {
		log.Fatal(err)
	}
	who, err := srv.OpenJoinURL(ctx, link) // what Ada's browser does
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(who.FullName, "entered as", who.Role)
	in, _ := room.InSession(ctx, "42")
	fmt.Println("in session:", in)

	if err := room.Close(ctx, "42"); err != nil {
		log.Fatal(err)
	}
	if _, err := srv.WaitCallbacks(ctx, 1); err != nil {
		log.Fatal(err)
	}
	m, _ := srv.Meeting(class.MeetingID)
	fmt.Println("ended in BBB:", m.Ended)
	// Output:
	// Ada Lovelace entered as MODERATOR
	// in session: true
	// the host hears that course 42 ended
	// ended in BBB: true
}
