package sipmediagw

import (
	"context"
	"net/http"
	"strings"
	"unicode/utf8"
)

// What a legacy launcher does with a chat message (POST /chat):
//
//   - v1.5 and v1.6 put it, unescaped, in a JSON line the bot reads 1,024
//     bytes at a time: a line longer than that is lost (971 bytes of
//     message), so is one whose double quote breaks the JSON;
//   - v1.7 sends Python's repr of the UTF-8 bytes: every message arrives
//     as b'…', non-ASCII as literal xHH, and a quote drops the message.
//
// So the client bounds every legacy message in bytes, and sends v1.7
// printable ASCII without quotes or backslashes. v1.7 is told from the
// older releases by its /progress route, asked once per client.

// MaxLegacyChatBytes is the longest message, in UTF-8 bytes once
// sanitized, that every legacy release delivers whole.
const MaxLegacyChatBytes = 960

// legacyChat returns msg as the launcher's release can carry it, or a
// *ParamError when it is too long.
func (c *Client) legacyChat(ctx context.Context, msg string) (string, error) {
	v17, err := c.legacyV17(ctx)
	if err != nil {
		return "", err
	}
	if v17 {
		msg = strings.Join(strings.Fields(asciiChat(msg)), " ")
		if msg == "" {
			return "", &ParamError{Op: "sendChat", Param: "message", Reason: "nothing SIPMediaGW v1.7 can carry"}
		}
	}
	if len(msg) > MaxLegacyChatBytes {
		return "", &ParamError{Op: "sendChat", Param: "message", Reason: "longer than 960 bytes, which the legacy bot loses"}
	}
	return msg, nil
}

// legacyV17 tells v1.7 (GET /progress without a room: 400) from v1.5 and
// v1.6 (no such route: 404). The answer is kept once known.
func (c *Client) legacyV17(ctx context.Context) (bool, error) {
	r := c.release
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.known {
		return r.v17, nil
	}
	a, err := c.send(ctx, legacyProgressProbe("sendChat"))
	if err != nil {
		return false, err
	}
	if a.status == http.StatusUnauthorized || a.status == http.StatusForbidden {
		return false, a.refused(ErrUnauthorized, "")
	}
	v17, ok := hasProgress(a)
	if !ok {
		return false, a.unreadable("server error")
	}
	r.v17, r.known = v17, true
	return r.v17, nil
}

// legacyProgressProbe asks /progress without a room: nothing is looked up.
func legacyProgressProbe(op string) *request {
	return &request{op: op, method: http.MethodGet, path: "/progress", idempotent: true}
}

// hasProgress reads the answer to legacyProgressProbe: v1.7 has the route
// (it checks the token, 401, then refuses the missing room, 400), v1.5
// and v1.6 answer web.py's 404. ok is false when the answer tells nothing
// (a server error).
func hasProgress(a *answer) (v17, ok bool) {
	switch {
	case a.status == http.StatusNotFound:
		return false, true
	case a.status < 500:
		return true, true
	}
	return false, false
}

// asciiChat spells msg in printable ASCII: French and other Latin letters
// lose their accents, typographic quotes and dashes become spaces or
// hyphens, anything else a space. Quotes and backslashes go: v1.7's bot
// drops a message with a quote and deletes backslashes.
func asciiChat(msg string) string {
	var b strings.Builder
	for _, r := range msg {
		switch {
		case r == '\'' || r == '"' || r == '\\':
			b.WriteByte(' ')
		case r >= ' ' && r < utf8.RuneSelf && r != 0x7f:
			b.WriteRune(r)
		default:
			if s, ok := asciiFold[r]; ok {
				b.WriteString(s)
			} else {
				b.WriteByte(' ')
			}
		}
	}
	return b.String()
}

// asciiFold spells the letters and marks of Latin scripts without accents.
var asciiFold = func() map[rune]string {
	m := map[rune]string{
		'æ': "ae", 'Æ': "AE", 'œ': "oe", 'Œ': "OE", 'ß': "ss", 'ø': "o", 'Ø': "O", 'ł': "l", 'Ł': "L",
		'‐': "-", '‑': "-", '–': "-", '—': "-", '…': "...", '«': "", '»': "", '€': "EUR", '\u00a0': " ",
		'\u202f': " ", '•': "-", '×': "x",
	}
	for _, group := range []struct{ to, from string }{
		{"a", "àáâãäåāăą"}, {"A", "ÀÁÂÃÄÅĀĂĄ"}, {"c", "çćĉċč"}, {"C", "ÇĆĈĊČ"}, {"d", "ďđ"}, {"D", "ĎĐ"},
		{"e", "èéêëēĕėęě"}, {"E", "ÈÉÊËĒĔĖĘĚ"}, {"g", "ĝğġģ"}, {"G", "ĜĞĠĢ"}, {"i", "ìíîïĩīĭįı"},
		{"I", "ÌÍÎÏĨĪĬĮİ"}, {"n", "ñńņň"}, {"N", "ÑŃŅŇ"}, {"o", "òóôõöōŏő"}, {"O", "ÒÓÔÕÖŌŎŐ"},
		{"r", "ŕŗř"}, {"R", "ŔŖŘ"}, {"s", "śŝşš"}, {"S", "ŚŜŞŠ"}, {"t", "ţťŧ"}, {"T", "ŢŤŦ"},
		{"u", "ùúûüũūŭůűų"}, {"U", "ÙÚÛÜŨŪŬŮŰŲ"}, {"y", "ýÿŷ"}, {"Y", "ÝŸŶ"}, {"z", "źżž"}, {"Z", "ŹŻŽ"},
	} {
		for _, r := range group.from {
			m[r] = group.to
		}
	}
	return m
}()
