// Command smgwrecord plays a scenario script against a real SIPMediaGW
// server and writes the scenario with the server's answers, for the
// fixtures under sipmediagw/testdata/real:
//
//	go run ./internal/cmd/smgwrecord -url http://127.0.0.1:8080 -in script.json -out sipmediagw/testdata/real/v1.7.0/stop.json
//
// A script is a smgwfixture.Scenario whose responses are empty. Each
// exchange's events run first (their Shell with sh -c, then their Sleep),
// then its request is sent as written; the answer is stored with every
// header but Date (and, with -effects, the host commands it caused).
// Nothing is retried and redirects are not followed.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/bbbcast/bbbcast/internal/smgwfixture"
)

func main() {
	base := flag.String("url", "", "the server's base URL, such as http://127.0.0.1:8080")
	in := flag.String("in", "", "the scenario script")
	out := flag.String("out", "", "where to write the recorded scenario")
	timeout := flag.Duration("timeout", 2*time.Minute, "the longest wait for one answer")
	effects := flag.String("effects", "", "a file the stubbed host commands append to, one line each; what each request added is stored as its effects")
	flag.Parse()
	if *base == "" || *in == "" || *out == "" {
		flag.Usage()
		os.Exit(2)
	}
	s, err := smgwfixture.Load(*in)
	if err != nil {
		log.Fatal(err)
	}
	client := &http.Client{Timeout: *timeout, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
	for i := range s.Exchanges {
		e := &s.Exchanges[i]
		for _, ev := range e.Before {
			if err := play(ev); err != nil {
				log.Fatalf("%s: event %s: %v", e.Name, ev.Name, err)
			}
		}
		seen := lines(*effects)
		if e.Response, err = send(client, strings.TrimRight(*base, "/"), e.Request); err != nil {
			log.Fatalf("%s: %v", e.Name, err)
		}
		if all := lines(*effects); len(all) > len(seen) {
			e.Effects = all[len(seen):]
		}
		log.Printf("%s: %d %s", e.Name, e.Response.Status, e.Response.Body)
	}
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, append(b, '\n'), 0o644); err != nil {
		log.Fatal(err)
	}
}

// lines returns the lines of the effects file (none when there is no
// file).
func lines(path string) []string {
	if path == "" {
		return nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	return strings.FieldsFunc(string(b), func(r rune) bool { return r == '\n' })
}

func play(ev smgwfixture.Event) error {
	if ev.Shell != "" {
		cmd := exec.Command("sh", "-c", ev.Shell)
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			return err
		}
	}
	if ev.Sleep != "" {
		d, err := time.ParseDuration(ev.Sleep)
		if err != nil {
			return err
		}
		time.Sleep(d)
	}
	return nil
}

func send(client *http.Client, base string, r smgwfixture.Request) (smgwfixture.Response, error) {
	var body io.Reader
	if r.Body != "" {
		body = strings.NewReader(r.Body)
	}
	req, err := http.NewRequest(r.Method, base+r.URL(), body)
	if err != nil {
		return smgwfixture.Response{}, err
	}
	for k, v := range r.Header {
		req.Header.Set(k, v)
	}
	resp, err := client.Do(req)
	if err != nil {
		return smgwfixture.Response{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return smgwfixture.Response{}, err
	}
	h := map[string][]string{}
	for k, v := range resp.Header {
		if k != "Date" {
			h[k] = v
		}
	}
	if len(resp.TransferEncoding) > 0 {
		h["Transfer-Encoding"] = resp.TransferEncoding // Go removes it from Header
	}
	if !bytes.Equal(b, bytes.ToValidUTF8(b, nil)) {
		return smgwfixture.Response{}, fmt.Errorf("%s %s: the answer is not UTF-8", r.Method, r.URL())
	}
	return smgwfixture.Response{Status: resp.StatusCode, Header: h, Body: string(b)}, nil
}
