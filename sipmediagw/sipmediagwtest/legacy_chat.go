package sipmediagwtest

import (
	"bytes"
	"net"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"
)

// msgDaemonDown is what every docker command prints when the daemon is
// down.
const msgDaemonDown = "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?"

func (s *Server) legacyToggle(e *exchange, q params) {
	room, ok := q.last("room")
	if !ok {
		s.legacyError(e, http.StatusBadRequest, msgNoRoom)
		return
	}
	if !q.has("toggle") {
		// Any value toggles, "False" included: only the name counts.
		s.legacyError(e, http.StatusBadRequest, "toggle parameter is expected")
		return
	}
	s.forwardCommand(e, `{"event":"action", "type":"CHAT_INPUT", "action": "toggle" }`, room)
}

func (s *Server) legacyChat(e *exchange) {
	if msg := pyUTF8Error(e.body); msg != "" {
		s.writeDebugPage(e, "UnicodeDecodeError", msg, "")
		return
	}
	v, err := decodeJSON(e.body)
	if err != nil {
		s.writeDebugPage(e, "JSONDecodeError", pyDecodeError(e.body, err), "")
		return
	}
	// 'room' in data: a key of a dict, an element of a list, a substring
	// of a str; data['room'] then fails on a list or a str.
	data, _ := v.(object)
	switch t := v.(type) {
	case object:
	case string:
		if strings.Contains(t, "room") {
			s.writeDebugPage(e, "TypeError", "string indices must be integers, not 'str'", jsonType)
			return
		}
	case []any:
		for _, x := range t {
			if x == "room" {
				s.writeDebugPage(e, "TypeError", "list indices must be integers or slices, not str", jsonType)
				return
			}
		}
	default:
		s.writeDebugPage(e, "TypeError", "argument of type '"+pyTypeName(v)+"' is not iterable", jsonType)
		return
	}
	roomV, ok := data.get("room")
	if !ok {
		s.legacyError(e, http.StatusBadRequest, msgNoRoom)
		return
	}
	msgV, ok := data.get("msg")
	if !ok {
		s.legacyError(e, http.StatusBadRequest, "message missing or not readable")
		return
	}
	inDict, ok := legacyMessageDict(s.version, msgV)
	if !ok {
		s.writeDebugPage(e, "AttributeError", "'"+pyTypeName(msgV)+"' object has no attribute 'encode'", jsonType)
		return
	}
	s.forwardCommand(e, inDict, pyFormat(roomV))
}

// legacyMessageDict is the event Chat.POST builds for msg. v1.7 pastes
// the repr of msg.encode('utf-8') (ok is false when msg is no str) with
// its ' turned into \"; before, str(msg) goes in as it is.
func legacyMessageDict(v Version, msgV any) (string, bool) {
	if v != V17 {
		d := `{"event":"message", "type":"CHAT_INPUT", "text": "` + pyFormat(msgV) + `" }`
		return strings.ReplaceAll(d, "\n", `\n`), true
	}
	msg, isStr := msgV.(string)
	if !isStr {
		return "", false
	}
	d := `{"event":"message", "type":"CHAT_INPUT", "text": "` + pyBytesRepr([]byte(msg)) + `"}`
	return strings.ReplaceAll(d, "'", `\"`), true
}

// legacyCommandLine is the sh -c line of forwardCommand: inDict echoed
// (as a netstring from v1.7) into netcat to the room's port 4444.
func legacyCommandLine(v Version, inDict, room string) string {
	if v == V17 {
		return "echo '" + strconv.Itoa(pyLen(inDict)) + ":" + inDict + ",'| netcat -q 1 " + room + " 4444"
	}
	return "echo '" + inDict + "' | netcat -q 1 " + room + " 4444"
}

// forwardCommand is the launcher's Chat.forwardCommand: "docker compose
// run --rm --entrypoint /bin/sh gw -c LINE", LINE piping inDict to
// "netcat -q 1 <room> 4444" (a netstring from v1.7), and the answer made
// of the run's stderr: its lines but logrus warnings, joined by " => ",
// or "ok".
func (s *Server) forwardCommand(e *exchange, inDict, room string) {
	line := legacyCommandLine(s.version, inDict, room)
	s.lockAt(e.now)
	var stderr []byte
	if s.dockerDown {
		stderr = []byte(msgDaemonDown + "\n")
	} else {
		stderr = runShell(line, func(argv []string, stdin []byte, errOut *bytes.Buffer) int {
			return s.netcatLocked(argv, stdin, errOut)
		})
	}
	s.mu.Unlock()
	s.events.Broadcast()
	if msg := pyUTF8Error(stderr); msg != "" {
		s.writeDebugPage(e, "UnicodeDecodeError", msg, jsonType)
		return
	}
	var kept []string
	for _, l := range pySplitLines(string(stderr)) {
		if !strings.Contains(l, "level=warning") {
			kept = append(kept, l)
		}
	}
	res := strings.Join(kept, " => ")
	if res == "" {
		res = "ok"
	}
	legacyJSON(e, http.StatusOK, object{{"res", res}})
}

// netcatLocked is the image's netcat in the one-off container on gw_net:
// Debian 11's netcat-traditional for v1.5, Debian 12's netcat-openbsd
// after. A host that names a running gw container (its name, its room
// alias, or the service name gw; Docker's DNS ignores case) gets stdin on
// its bot's port 4444. s.mu is held.
func (s *Server) netcatLocked(argv []string, stdin []byte, stderr *bytes.Buffer) int {
	prog := argv[0]
	var pos []string
	for i := 1; i < len(argv); i++ {
		a := argv[i]
		if len(a) > 1 && a[0] == '-' {
			if strings.ContainsAny(a[len(a)-1:], "IiMmOPpqsTVWwXx") && len(a) == 2 {
				i++ // the option's value
			}
			continue
		}
		pos = append(pos, a)
	}
	fail := func(msg string) int {
		stderr.WriteString(msg + "\n")
		return 1
	}
	if s.version == V15 {
		if len(pos) == 0 {
			return fail("no destination")
		}
		c, ok := s.resolveLocked(pos[0])
		switch {
		case !ok:
			return fail(pos[0] + ": forward host lookup failed: Unknown host")
		case len(pos) == 1:
			return fail("no port[s] to connect to")
		case portNumber(pos[1]) < 0:
			return fail("invalid port " + pos[1])
		case c != nil && portNumber(pos[1]) == 4444:
			s.deliverLocked(c, stdin)
			return 0
		}
		return 1
	}
	switch len(pos) {
	case 0:
		return fail("usage: nc [-46CDdFhklNnrStUuvZz] [-I length] [-i interval] [-M ttl]\n" +
			"\t  [-m minttl] [-O length] [-P proxy_username] [-p source_port]\n" +
			"\t  [-q seconds] [-s sourceaddr] [-T keyword] [-V rtable] [-W recvlimit]\n" +
			"\t  [-w timeout] [-X proxy_protocol] [-x proxy_address[:port]]\n" +
			"\t  [destination] [port]")
	case 1:
		return fail(prog + ": missing port number")
	}
	for _, p := range pos[1:] {
		n := portNumber(p)
		switch {
		case n < 0:
			return fail(prog + ": port number invalid: " + p)
		case n == 0:
			return fail(prog + ": port number too small: " + p)
		case n > 65535:
			return fail(prog + ": port number too large: " + p)
		}
	}
	c, ok := s.resolveLocked(pos[0])
	if !ok {
		return fail(prog + `: getaddrinfo for host "` + pos[0] + `" port ` + pos[1] + ": Name or service not known")
	}
	if c == nil || portNumber(pos[1]) != 4444 {
		return 1 // nothing listens: netcat fails without a word
	}
	s.deliverLocked(c, stdin)
	return 0
}

// portNumber parses a decimal port, -1 when it is not one.
func portNumber(p string) int {
	if !isDigits(p) || len(p) > 9 {
		return -1
	}
	n, _ := strconv.Atoi(p)
	return n
}

// resolveLocked resolves host on gw_net: ok false when the name is
// unknown; a nil container for an address, where nothing listens.
func (s *Server) resolveLocked(host string) (*container, bool) {
	if net.ParseIP(host) != nil || isDigits(host) {
		return nil, true
	}
	name := strings.TrimSuffix(strings.ToLower(host), ".")
	if name == "" {
		return nil, false
	}
	var best *container
	for _, c := range s.host.projects {
		if !c.running {
			continue
		}
		if name == strings.ToLower(c.Container) || name == strings.ToLower(c.Room) || name == "gw" {
			if best == nil || c.Started.Before(best.Started) {
				best = c
			}
		}
	}
	return best, best != nil
}

// deliverLocked hands what one netcat connection sent to c's bot: the
// events its event server and netstring client decode reach
// event_handler, which queues a CHAT_INPUT's text for the chat and toggles
// the chat panel on its "toggle" action.
func (s *Server) deliverLocked(c *container, data []byte) {
	for _, ev := range botEvents(s.version, data) {
		if typ, _ := ev.get("type"); typ != "CHAT_INPUT" {
			continue
		}
		if t, ok := ev.get("text"); ok {
			if text, isStr := t.(string); isStr {
				s.chats[c.Handle] = append(s.chats[c.Handle], text)
			}
		}
		if a, _ := ev.get("action"); a == "toggle" {
			c.panelHidden = !c.panelHidden
		}
	}
}

// botEvents returns the events a bot decodes from what one connection
// sent to its event server (src/eventServer.py and src/netstring.py of
// the release). The server reads 1024 bytes at a time. Before v1.7 it
// strips each read, wraps it in a netstring and passes it on: a line
// longer than 1024 bytes arrives in pieces, none of them JSON, and a
// read that cuts a UTF-8 character ends the connection. From v1.7 the
// launcher sends a netstring, which the server forwards as it comes
// (each read right-stripped), and the bot drops \" and then every
// backslash before it parses the JSON; it needs the whole netstring,
// which the fake assumes arrives in time (a real v1.7 bot sometimes loses
// one longer than a read).
func botEvents(v Version, data []byte) []object {
	var out []object
	keep := func(inner string, v17 bool) {
		if v17 {
			inner = strings.ReplaceAll(inner, `\"`, "'")
			inner = strings.ReplaceAll(inner, `\`, "")
		}
		val, err := pyLoadsLax(inner)
		if err != nil {
			return // {'event': 'null', 'type': 'null'}
		}
		if ev, ok := val.(object); ok {
			if _, has := ev.get("event"); has {
				out = append(out, ev)
			}
		}
	}
	if v != V17 {
		for off := 0; off < len(data); off += 1024 {
			chunk := data[off:min(off+1024, len(data))]
			if !utf8.Valid(chunk) {
				break
			}
			str := pyRstrip(string(chunk))
			if str != "" {
				ns := strconv.Itoa(len(str)) + ":" + str + ","
				if inner, ok := decodeNetString(ns); ok {
					keep(inner, false)
				}
			}
			if string(chunk) == "bye\n" {
				break
			}
		}
		return out
	}
	var stream []byte
	for off := 0; off < len(data); off += 1024 {
		stream = append(stream, bytes.TrimRight(data[off:min(off+1024, len(data))], " \t\n\r\v\f")...)
	}
	for len(stream) > 0 {
		msg, rest, ok := readNetString(stream)
		stream = rest
		if !ok {
			break
		}
		inner, ok := decodeNetString(msg)
		if !ok {
			break
		}
		keep(inner, true)
	}
	return out
}

// readNetString is Netstring.__getStatus: 8 bytes, leading non-digits
// dropped, then what the length before ':' says is left, as far as data
// goes. ok is false when the bot's loop ends.
func readNetString(data []byte) (msg string, rest []byte, ok bool) {
	const preRead = 8
	n := min(preRead, len(data))
	if !utf8.Valid(data[:n]) {
		return "", nil, false
	}
	received := string(data[:n])
	data = data[n:]
	skipped := 0
	for received != "" && (received[0] < '0' || received[0] > '9') {
		received = received[1:]
		skipped++
	}
	colon := strings.IndexByte(received, ':')
	if colon < 0 {
		return received, data, received != ""
	}
	size, err := strconv.Atoi(received[:colon])
	if err != nil {
		return received, data, true
	}
	left := colon + 2 + size - (preRead - skipped)
	for left > 0 {
		want := min(left, 1024)
		take := min(want, len(data))
		if take == 0 {
			break
		}
		if !utf8.Valid(data[:take]) {
			return received, data[take:], true
		}
		received += string(data[:take])
		data = data[take:]
		left -= want
	}
	return received, data, true
}

// decodeNetString is Netstring.decodeNetString up to json.loads: the text
// after "<len>:" up to the next "<len>:", without its last character. ok is
// false for an empty string, or when the split finds nothing (an
// IndexError that ends the bot's loop).
func decodeNetString(ns string) (string, bool) {
	if ns == "" {
		return "", false
	}
	var prefix string
	if before, _, ok := strings.Cut(ns, ":"); ok {
		prefix = before
	} else {
		_, size := utf8.DecodeLastRuneInString(ns)
		prefix = ns[:len(ns)-size]
	}
	parts := strings.Split(ns, prefix+":")
	if len(parts) < 2 {
		return "", false
	}
	resp := parts[1]
	_, size := utf8.DecodeLastRuneInString(resp)
	return resp[:len(resp)-size], true
}
