package webinar

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/bbbcast/bbbcast/bbb"
)

// checkBBB checks the BBB server of that name ("" the default).
func (s *Service) checkBBB(ctx context.Context, name string) CheckResult {
	c := s.bbb[name]
	label := name
	if label == "" {
		label = "default"
	}
	return s.timed(CheckBBB, label+" "+c.BaseURL(), func() (Severity, string) {
		sc, err := c.Check(ctx)
		if err != nil {
			return SeverityError, bbbProblem(c, sc, err)
		}
		return s.bbbHealthy(c, sc)
	})
}

// bbbHealthy describes a server that works, with a warning for what will
// bite later.
func (s *Service) bbbHealthy(c *bbb.Client, sc *bbb.ServerCheck) (Severity, string) {
	version := "BBB (version hidden)"
	if sc.Version != nil && sc.Version.BBBVersion != "" {
		version = "BBB " + sc.Version.BBBVersion
	}
	msg := fmt.Sprintf("%s answers in %s; the secret is right; it accepts %s checksums", version,
		roundDuration(sc.RTT), algorithmList(sc.Accepted))
	switch {
	case s.relay == RelayBBB && sc.Version != nil && sc.Version.BBBVersion != "" && !sc.Version.AtLeast(3, 0):
		return SeverityWarning, msg + ", but the chat relay RelayBBB needs sendChatMessage, which BBB adds in 3.0: audience messages will fail"
	case c.Algorithm() == bbb.SHA1 && slices.Contains(sc.Accepted, bbb.SHA256):
		return SeverityWarning, msg + ", but the client signs with sha1, which servers may stop accepting: use sha256 (bbb.WithChecksum)"
	}
	return SeverityOK, msg
}

// bbbProblem says what is wrong with a BBB server and what to change.
func bbbProblem(c *bbb.Client, sc *bbb.ServerCheck, err error) string {
	var (
		refused *bbb.AlgorithmRefusedError
		te      *bbb.TransportError
		re      *bbb.ResponseError
	)
	switch {
	case errors.As(err, &refused):
		return fmt.Sprintf("the secret is right, but the server refuses %s checksums (it accepts %s): configure one of those with bbb.WithChecksum",
			refused.Algorithm, algorithmList(refused.Accepted))
	case errors.Is(err, bbb.ErrChecksum):
		return "the server answers checksumError whatever the checksum algorithm: the shared secret is wrong (bbb-conf --secret on the server shows it)"
	case errors.As(err, &te):
		return "cannot reach the server: " + err.Error()
	case errors.As(err, &re) && re.StatusCode == 404:
		return fmt.Sprintf("no BBB API at %s (HTTP 404): the URL should end in /bigbluebutton", c.BaseURL())
	case errors.As(err, &re) && strings.Contains(re.Reason, "HTML"):
		where := "at the API root"
		if sc != nil && sc.Version != nil {
			where = "to a signed call"
		}
		return fmt.Sprintf("the server answers an HTML page %s instead of BBB's XML (HTTP %d): a proxy or another site answers at %s",
			where, re.StatusCode, c.BaseURL())
	}
	return "the server does not answer as BBB: " + err.Error()
}

// algorithmList names algorithms: "sha256, sha512"; "no" when empty.
func algorithmList(algs []bbb.Algorithm) string {
	if len(algs) == 0 {
		return "no"
	}
	names := make([]string, len(algs))
	for i, a := range algs {
		names[i] = a.String()
	}
	return strings.Join(names, ", ")
}
