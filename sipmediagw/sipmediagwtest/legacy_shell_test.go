package sipmediagwtest

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
)

// TestShellAsDash compares the fake's shell with dash 0.5.12: each line's
// stderr is what "/bin/sh -c LINE" printed there (HOME=/root, no
// commands on PATH).
func TestShellAsDash(t *testing.T) {
	t.Parallel()
	cases := []struct{ line, stderr string }{
		{"echo 'a b' \"c  d\" e\\ f >&2", "a b c  d e f\n"},
		{"echo a | nope; echo b >&2", "/bin/sh: 1: nope: not found\nb\n"},
		{"foo 2>/dev/null; echo $? >&2", "127\n"},
		{"echo 'a", "/bin/sh: 1: Syntax error: Unterminated quoted string\n"},
		{"echo a |", "/bin/sh: 1: Syntax error: end of file unexpected\n"},
		{"| echo", "/bin/sh: 1: Syntax error: \"|\" unexpected\n"},
		{"echo a ;; b", "/bin/sh: 1: Syntax error: \";;\" unexpected\n"},
		{"echo a (b", "/bin/sh: 1: Syntax error: \"(\" unexpected\n"},
		{"echo $(echo", "/bin/sh: 1: Syntax error: end of file unexpected (expecting \")\")\n"},
		{"echo ${a", "/bin/sh: 1: Syntax error: Missing '}'\n"},
		{"echo a < nofile", "/bin/sh: 1: cannot open nofile: No such file\n"},
		{"echo a >&x", "/bin/sh: 1: Syntax error: Bad fd number\n"},
		{"echo a 2>&1 >&2", ""},
		{"x=1; echo $x >&2", "1\n"},
		{"echo \"a\\nb\\c\" z >&2; echo y >&2", "a\nby\n"},
		{"echo -n a >&2; echo b >&2", "ab\n"},
		{"echo \"\\0101\\101\\8\" >&2", "AA\\8\n"},
		{"echo a\nfoo\necho 'b", "/bin/sh: 2: foo: not found\n/bin/sh: 3: Syntax error: Unterminated quoted string\n"},
		{"echo `echo a` $(echo b   c) \"$(echo d   e)\" >&2", "a b c d e\n"},
		{"! true; echo $? >&2", "1\n"},
		{"exit 3; echo no >&2", ""},
		{"echo a | exit 2; echo $? >&2", "2\n"},
		{"echo '{\"event\":\"message\", \"type\":\"CHAT_INPUT\", \"text\": \"x' >&2; echo injected-by-msg >&2; echo '\" }' | nope",
			"{\"event\":\"message\", \"type\":\"CHAT_INPUT\", \"text\": \"x\ninjected-by-msg\n/bin/sh: 1: nope: not found\n"},
		{"true && echo y >&2 || echo n >&2", "y\n"},
		{"false && echo y >&2 || echo n >&2", "n\n"},
		{"echo ~ $HOME '$HOME' \"\\$HOME\" >&2", "/root /root $HOME $HOME\n"},
		{"(echo a; echo b) >&2", "a\nb\n"},
		{"echo a 10>&2", "a 10\n"},
	}
	for _, c := range cases {
		got := runShell(c.line, func([]string, []byte, *bytes.Buffer) int {
			t.Fatalf("%q: netcat ran", c.line)
			return 1
		})
		if string(got) != c.stderr {
			t.Errorf("%q:\n got %q\nwant %q", c.line, got, c.stderr)
		}
	}
}

func TestShellPipesIntoNetcat(t *testing.T) {
	t.Parallel()
	var argv []string
	var sent []byte
	stderr := runShell(`echo '{"a": "x\ny"}' | netcat -q 1 room1 4444; echo done >&2 # 4444`, func(a []string, in []byte, e *bytes.Buffer) int {
		argv, sent = a, in
		e.WriteString("nc says\n")
		return 1
	})
	if !reflect.DeepEqual(argv, []string{"netcat", "-q", "1", "room1", "4444"}) || string(sent) != "{\"a\": \"x\ny\"}\n" {
		t.Fatalf("netcat %q got %q", argv, sent)
	}
	if string(stderr) != "nc says\ndone\n" {
		t.Fatalf("stderr %q", stderr)
	}
}

// TestBotEvents checks the bot's decoding against what the real event
// server and netstring client decoded (bot/chat_matrix.py runs of the
// recording).
func TestBotEvents(t *testing.T) {
	t.Parallel()
	text := func(v Version, data string) []string {
		var out []string
		for _, ev := range botEvents(v, []byte(data)) {
			x, _ := ev.get("text")
			s, _ := x.(string)
			out = append(out, s)
		}
		return out
	}
	line := func(msg string) string {
		return `{"event":"message", "type":"CHAT_INPUT", "text": "` + msg + `" }` + "\n"
	}
	for _, v := range []Version{V15, V16} {
		if got := text(v, line("a\bb")); !reflect.DeepEqual(got, []string{"a\bb"}) {
			t.Errorf("%s: control character: %q", v, got)
		}
		if got := text(v, line(`a\u00e9b`)); !reflect.DeepEqual(got, []string{"aéb"}) {
			t.Errorf("%s: JSON escape: %q", v, got)
		}
		if got := text(v, line(`a"b`)); got != nil {
			t.Errorf("%s: double quote: %q", v, got)
		}
		// 53 bytes around the text: 971 fit a 1024-byte read, 972 do not.
		if got := text(v, line(strings.Repeat("x", 971))); len(got) != 1 {
			t.Errorf("%s: 971 bytes: %d events", v, len(got))
		}
		if got := text(v, line(strings.Repeat("é", 486))); got != nil {
			t.Errorf("%s: 972 bytes: %.20q", v, got)
		}
	}
	ns := func(inner string) string { return itoa(pyLen(inner)) + ":" + inner + ",\n" }
	msg := func(repr string) string { return `{"event":"message", "type":"CHAT_INPUT", "text": "` + repr + `"}` }
	cases := []struct{ sent, want string }{
		{ns(msg(`b\"Hello world\"`)), "b'Hello world'"},
		{ns(msg(`b\"\xc3\xa9\"`)), "b'xc3xa9'"},
		{ns(msg("b\\\"a\nb\\\"")), "b'a\nb'"}, // echo made \n a newline: one byte less than announced
		{ns(msg(`b\"a\b\"`)), "b'ab'"},
	}
	for _, c := range cases {
		if got := text(V17, c.sent); !reflect.DeepEqual(got, []string{c.want}) {
			t.Errorf("%q: %q", c.sent, got)
		}
	}
	if got := text(V17, ns(msg(`b"it\"s"`))); got != nil {
		t.Errorf("quote: %q", got)
	}
}

func TestPythonHelpers(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"1.0": "1.0", "1e3": "1000.0", "1e16": "1e+16", "0.0001": "0.0001", "1e-5": "1e-05", "-2.5": "-2.5", "123456789012345678": "123456789012345678"} {
		v, _ := decodeJSON([]byte(in))
		if got := pyFormat(v); got != want {
			t.Errorf("str(%s) = %q, want %q", in, got, want)
		}
	}
	v, _ := decodeJSON([]byte(`[true, null, "it's", {"k": "\u00e9\u0001"}]`))
	if got, want := pyFormat(v), `[True, None, "it's", {'k': 'é\x01'}]`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	if got := pyBytesRepr([]byte("a'b\\\n\xc3\xa9")); got != `b"a'b\\\n\xc3\xa9"` {
		t.Errorf("bytes repr %s", got)
	}
	if got := pySplitLines("a\r\nb\rc\x1ed\n"); !reflect.DeepEqual(got, []string{"a", "b", "c", "d"}) {
		t.Errorf("splitlines %q", got)
	}
}
