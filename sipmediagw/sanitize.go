package sipmediagw

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxChatLen is the longest chat message SendChat relays, in characters,
// as BBB's public chat accepts.
const MaxChatLen = 500

// chatReplacer maps what the servers' shell would interpret to harmless
// look-alikes: the legacy launcher interpolates the message into a shell
// command, the v1.8 bot types it through xdotool.
var chatReplacer = strings.NewReplacer(
	`'`, "’", // as Esup-Pod does
	`"`, "”",
	"`", "‘",
	`\`, "∖",
	`$`, "＄",
)

// SanitizeChat returns msg as SendChat sends it: quotes, backticks,
// backslashes and dollar signs replaced by look-alike characters, control
// characters and line breaks turned into spaces, invalid UTF-8 dropped,
// spaces collapsed at the ends.
func SanitizeChat(msg string) string {
	var b strings.Builder
	b.Grow(len(msg))
	for i := 0; i < len(msg); {
		r, size := utf8.DecodeRuneInString(msg[i:])
		i += size
		switch {
		case r == utf8.RuneError && size <= 1:
			continue
		case unicode.IsControl(r) || r == 0x2028 || r == 0x2029:
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	return strings.TrimSpace(chatReplacer.Replace(b.String()))
}
