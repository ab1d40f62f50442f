package webinar

import (
	"strconv"
	"strings"
	"sync"

	"github.com/bbbcast/bbbcast/gateway"
	"github.com/bbbcast/bbbcast/sipmediagw"
)

// sipClients keeps one SIPMediaGW client per gateway for as long as its
// server settings do not change: a client learns its server's release
// once (whether chat reaches the bot) and keeps its connections, which a
// client made per call would ask and open again each time.
type sipClients struct {
	mu      sync.Mutex
	byID    map[int64]sipClient
	factory func(gateway.Gateway) (*sipmediagw.Client, error)
}

type sipClient struct {
	settings string
	client   *sipmediagw.Client
}

// get returns the client of g, made anew when g's server settings changed.
func (c *sipClients) get(g gateway.Gateway) (*sipmediagw.Client, error) {
	settings := strings.Join([]string{g.Server.URL, g.Server.Token.Reveal(), g.Server.Protocol.String(),
		strconv.FormatBool(g.Server.Insecure)}, "\x00")
	c.mu.Lock()
	cur, ok := c.byID[g.ID]
	c.mu.Unlock()
	if ok && cur.settings == settings {
		return cur.client, nil
	}
	client, err := c.factory(g)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.byID[g.ID] = sipClient{settings: settings, client: client}
	c.mu.Unlock()
	return client, nil
}
