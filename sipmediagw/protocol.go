package sipmediagw

import "fmt"

// Protocol is the HTTP API a SIPMediaGW server speaks. It is text in
// encodings (JSON, the stores' columns) through MarshalText and
// UnmarshalText: its name, "" for the zero Protocol (none chosen).
type Protocol uint8

// The protocols a client can speak.
const (
	// Legacy is the web.py launcher of v1.5, v1.6 and v1.7 (GET /start,
	// /stop, /chat, /progress); the differences between those versions
	// are handled inside. A stream is addressed by its room.
	Legacy Protocol = iota + 1
	// V18 is the v1.8 proxy (deploy/proxyAPI), what clients should call:
	// bearer-authenticated, it picks a free gateway on start and answers
	// its gw_id, the handle of the stream from then on.
	V18
	// V18Launcher is a v1.8 launcher called directly (port 8100, no
	// authentication at all): the client chooses the gw_id itself.
	V18Launcher
)

var protocolNames = [...]string{Legacy: "legacy", V18: "v1.8", V18Launcher: "v1.8-launcher"}

// String names the protocol.
func (p Protocol) String() string {
	if p >= Legacy && p <= V18Launcher {
		return protocolNames[p]
	}
	return fmt.Sprintf("Protocol(%d)", uint8(p))
}

// ParseProtocol maps "legacy", "v1.8" or "v1.8-launcher" to a Protocol.
// Launcher versions are accepted too: "1.5", "1.6", "1.7" give Legacy and
// "1.8" gives V18.
func ParseProtocol(s string) (Protocol, error) {
	switch s {
	case "legacy", "v1.5", "v1.6", "v1.7", "1.5", "1.6", "1.7":
		return Legacy, nil
	case "v1.8", "1.8", "v18", "proxy":
		return V18, nil
	case "v1.8-launcher", "1.8-launcher", "launcher":
		return V18Launcher, nil
	}
	return 0, fmt.Errorf("sipmediagw: unknown protocol %q (want legacy, v1.8 or v1.8-launcher)", s)
}

// MarshalText returns the protocol's name ("legacy", "v1.8",
// "v1.8-launcher"), or "" for the zero Protocol, so that it round-trips
// through UnmarshalText. Other values are an error.
func (p Protocol) MarshalText() ([]byte, error) {
	switch {
	case p == 0:
		return []byte{}, nil
	case p >= Legacy && p <= V18Launcher:
		return []byte(protocolNames[p]), nil
	}
	return nil, fmt.Errorf("sipmediagw: cannot encode invalid %s", p)
}

// UnmarshalText sets p from a name ParseProtocol accepts; "" gives the
// zero Protocol.
func (p *Protocol) UnmarshalText(text []byte) error {
	if len(text) == 0 {
		*p = 0
		return nil
	}
	v, err := ParseProtocol(string(text))
	if err != nil {
		return err
	}
	*p = v
	return nil
}
