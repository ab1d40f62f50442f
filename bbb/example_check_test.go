package bbb_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/bbbcast/bbbcast/bbb"
	"github.com/bbbcast/bbbcast/bbb/bbbtest"
)

func ExampleClient_Check() {
	// A fake BBB that accepts only SHA-256 and SHA-512 checksums, called by
	// a client configured for SHA-1.
	srv := bbbtest.NewServer(
		bbbtest.WithVersion("3.0.4"),
		bbbtest.WithChecksumAlgorithms(bbb.SHA256, bbb.SHA512),
		bbbtest.WithClientChecksum(bbb.SHA1),
	)
	defer srv.Close()
	client := srv.Client()

	check, err := client.Check(context.Background())
	fmt.Println("BBB", check.Version.BBBVersion, "secret OK:", check.SecretOK)
	fmt.Println("accepted", check.Accepted, "refused", check.Refused)
	var refused *bbb.AlgorithmRefusedError
	switch {
	case errors.As(err, &refused):
		fmt.Println("switch to", refused.Accepted[0], "with bbb.WithChecksum")
	case errors.Is(err, bbb.ErrChecksum):
		fmt.Println("wrong secret")
	case err != nil:
		fmt.Println("unusable server:", err)
	}
	// Output:
	// BBB 3.0.4 secret OK: true
	// accepted [sha256 sha512] refused [sha1 sha384]
	// switch to sha256 with bbb.WithChecksum
}
