package webinar

// BotTLS says how the streaming bots reach the pages of a PublicURL that
// is plain http://. It matters for nothing else: an https PublicURL is
// what every bot opens.
type BotTLS uint8

const (
	// BotTLSRequired, the default: the bots open their page with
	// https:// (every SIPMediaGW release prefixes it), so an http
	// PublicURL gives them a URL they cannot open. NewService warns once
	// and Check's bot-page target warns.
	BotTLSRequired BotTLS = iota
	// BotTLSFront: a TLS front (a reverse proxy) serves PublicURL's host
	// and path over https too; Check asks it there.
	BotTLSFront
	// BotTLSNone: the bots open the http pages as given. Only a stand-in
	// bot does (tests, a demo on its fakes); no SIPMediaGW release.
	BotTLSNone
)

// String names the choice.
func (b BotTLS) String() string {
	switch b {
	case BotTLSRequired:
		return "required"
	case BotTLSFront:
		return "front"
	case BotTLSNone:
		return "none"
	}
	return "BotTLS(invalid)"
}
