package webinar

import (
	"crypto/rand"
	"encoding/hex"

	"github.com/bbbcast/bbbcast/gateway"
)

// randomHex returns n random bytes as lower-case hex.
func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("webinar: crypto/rand: " + err.Error())
	}
	return hex.EncodeToString(b)
}

// newIdentity fills the identifiers a webinar keeps for life: its ID, its
// BBB meeting ID (never derived from the title, so renaming breaks
// nothing), and the bot's room and secret (a legacy SIPMediaGW room must
// be a Docker Compose project name: lower-case hex is).
func newIdentity(w *Webinar) {
	w.ID = randomHex(12)
	w.MeetingID = "bbbcast-" + randomHex(12)
	w.BotRoom = "b" + randomHex(5)
	w.BotSecret = newBotSecret()
}

// newBotSecret is a credential of the bot's page: 192 random bits.
func newBotSecret() gateway.Secret { return gateway.NewSecret(randomHex(24)) }
