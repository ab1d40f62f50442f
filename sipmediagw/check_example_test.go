package sipmediagw_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/bbbcast/bbbcast/sipmediagw"
	"github.com/bbbcast/bbbcast/sipmediagw/sipmediagwtest"
)

func ExampleClient_Check() {
	// A v1.8.4 proxy, configured by mistake as a legacy launcher.
	srv := sipmediagwtest.NewServer(sipmediagwtest.V18)
	defer srv.Close()
	ctx := context.Background()

	c := srv.Client(sipmediagw.WithProtocol(sipmediagw.Legacy))
	chk, err := c.Check(ctx, "")
	fmt.Println(err)
	fmt.Println(errors.Is(err, sipmediagw.ErrWrongProtocol), chk.Detected, chk.Release, chk.TokenOK)

	// Configured right: healthy. Only the proxy's administrator token
	// would tell its free gateways.
	c = srv.Client()
	chk, err = c.Check(ctx, "")
	fmt.Println(err, chk.Detected, chk.Release, chk.TokenOK, chk.Free, chk.Total)
	// Output:
	// sipmediagw: check: the server speaks v1.8 (SIPMediaGW v1.8.4), the client is configured for legacy
	// true v1.8 v1.8.4 true
	// <nil> v1.8 v1.8.4 true -1 -1
}
