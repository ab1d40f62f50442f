package main

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

// Slow and idle clients are let go at the server's limits (short ones
// here): a trickled header or body, an idle kept-alive connection; an
// oversized header is refused.
func TestSlowClientsLetGo(t *testing.T) {
	t.Parallel()
	limits := serverLimits{header: 200 * time.Millisecond, read: 300 * time.Millisecond, write: time.Second,
		idle: 200 * time.Millisecond, headerBytes: 4 << 10}
	srv := newServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		_, _ = io.WriteString(w, "ok")
	}), limits)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })

	for _, tc := range []struct {
		name, send string
		answer     string // the status line expected before the server closes, if any
	}{
		{"trickled header", "GET / HTTP/1.1\r\nHost: demo\r\n", ""},
		{"trickled body", "POST / HTTP/1.1\r\nHost: demo\r\nContent-Length: 1000\r\n\r\nmessage=", ""},
		{"idle keep-alive", "GET / HTTP/1.1\r\nHost: demo\r\n\r\n", "HTTP/1.1 200 OK"},
		{"oversized header", "GET / HTTP/1.1\r\nHost: demo\r\nX-Big: " + strings.Repeat("a", 8<<10) + "\r\n\r\n",
			"HTTP/1.1 431 Request Header Fields Too Large"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			conn, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			if _, err := io.WriteString(conn, tc.send); err != nil {
				t.Fatal(err)
			}
			// Far beyond the limits: the server must close first.
			if err := conn.SetReadDeadline(time.Now().Add(10 * time.Second)); err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(bufio.NewReader(conn))
			if errors.Is(err, os.ErrDeadlineExceeded) {
				t.Fatalf("the server still held the connection after 10 s (got %q)", got)
			}
			if tc.answer != "" && !strings.HasPrefix(string(got), tc.answer) {
				t.Errorf("answer %q, want %q first", firstLine(got), tc.answer)
			}
		})
	}
}

func firstLine(b []byte) string {
	s, _, _ := strings.Cut(string(b), "\r\n")
	return s
}
