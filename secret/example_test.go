package secret_test

import (
	"fmt"

	"github.com/bbbcast/bbbcast/secret"
)

func Example() {
	type config struct {
		URL    string
		Secret secret.Value
	}
	cfg := config{URL: "https://bbb.example.org/bigbluebutton", Secret: secret.New("0123456789abcdef")}
	fmt.Printf("%+v\n", cfg)
	fmt.Printf("%#v\n", cfg.Secret)
	fmt.Println(len(cfg.Secret.Reveal()))
	// Output:
	// {URL:https://bbb.example.org/bigbluebutton Secret:[REDACTED]}
	// [REDACTED]
	// 16
}
