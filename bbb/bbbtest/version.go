package bbbtest

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/bbbcast/bbbcast/bbb"
)

// version is a BBB release number such as 2.7.3.
type version struct{ major, minor, patch int }

func parseVersion(s string) (version, error) {
	core, _, _ := strings.Cut(strings.TrimSpace(s), "-")
	parts := strings.Split(core, ".")
	if len(parts) < 2 || len(parts) > 3 {
		return version{}, fmt.Errorf("bbbtest: version %q is not X.Y or X.Y.Z", s)
	}
	var n [3]int
	for i, p := range parts {
		v, err := strconv.Atoi(p)
		if err != nil || v < 0 {
			return version{}, fmt.Errorf("bbbtest: version %q is not X.Y or X.Y.Z", s)
		}
		n[i] = v
	}
	return version{n[0], n[1], n[2]}, nil
}

// atLeast reports whether v is o or newer.
func (v version) atLeast(o version) bool {
	if v.major != o.major {
		return v.major > o.major
	}
	if v.minor != o.minor {
		return v.minor > o.minor
	}
	return v.patch >= o.patch
}

func (v version) String() string { return fmt.Sprintf("%d.%d.%d", v.major, v.minor, v.patch) }

// Releases where the API changed.
var (
	v25 = version{2, 5, 0} // insertDocument
	v26 = version{2, 6, 0} // join role=, end without password
	v27 = version{2, 7, 0} // join errors honour redirect=false, errorRedirectUrl
	v30 = version{3, 0, 0} // sendChatMessage

	v232 = version{2, 3, 2} // endWhenNoModerator enforced
	v233 = version{2, 3, 3} // endWhenNoModeratorDelayInMinutes
)

// meetingIDRule is how a release validates meetingID.
type meetingIDRule int

const (
	// meetingIDNoComma: up to 2.3, only a comma is refused, with
	// invalidFormat (ParamsUtil.isValidMeetingId in bbb-common-web).
	meetingIDNoComma meetingIDRule = iota
	// meetingIDASCII: the 2.4 alphas, built on PR #12693 (the new
	// validation in bbb-common-web) allowed only
	// ^[a-zA-Z0-9\s!@#$%^&*()_\-+=\[\]{};:.'"<>?\\|\/]+$, 2 to 256
	// characters, until PR #12853 (merge commit cb711451, July 2021;
	// the first tag that has it is v2.4-beta-1).
	meetingIDASCII
	// meetingIDUnicode: 2.4.0 and later, MeetingIDConstraint's
	// @Size(min = 2, max = 256) and @Pattern(regexp = "^[^,]+$").
	meetingIDUnicode
)

var v24 = version{2, 4, 0}

// meetingIDRuleFor returns the rule of release v, raw being the version
// string as given (for its pre-release suffix: "2.4-beta-1",
// "2.4.0-alpha.3"): the alphas have the ASCII list, the betas do not.
func meetingIDRuleFor(v version, raw string) meetingIDRule {
	if !v.atLeast(v24) {
		return meetingIDNoComma
	}
	if v != v24 {
		return meetingIDUnicode
	}
	_, pre, _ := strings.Cut(strings.TrimSpace(raw), "-")
	pre = strings.Map(func(r rune) rune {
		if 'a' <= r && r <= 'z' || '0' <= r && r <= '9' {
			return r
		}
		return -1
	}, strings.ToLower(pre))
	if strings.HasPrefix(pre, "alpha") {
		return meetingIDASCII
	}
	return meetingIDUnicode
}

// asciiMeetingIDByte reports whether c is in the 2.4 pre-releases' list.
func asciiMeetingIDByte(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	case c == ' ', c == '\t', c == '\n', c == '\v', c == '\f', c == '\r':
		return true
	}
	return strings.IndexByte(`!@#$%^&*()_-+=[]{};:.'"<>?\|/`, c) >= 0
}

// checksumAlgorithms returns the algorithms release v accepts out of the
// box, restricted to explicit when WithChecksumAlgorithms gave a list:
//
//   - up to 2.5.6, SHA-1 and SHA-256 (GetChecksumValidator picks SHA-256
//     for a 64-character checksum, SHA-1 otherwise);
//   - 2.5.7 (PR #15684) added SHA-384 and SHA-512 but validated with the
//     single checksumHash, sha256 by default, so SHA-1 was refused;
//   - from 2.5.8 supportedChecksumAlgorithms defaults to
//     sha1,sha256,sha384,sha512: PR #15879 (October 2022, the fix of the
//     2.5.7 regression), which 2.6.0-beta.1's notes count among "all fixes
//     from 2.5.x up to and including v2.5.8"; its merge commit was not at
//     hand to confirm the tag.
func (v version) checksumAlgorithms(explicit []bbb.Algorithm) []bbb.Algorithm {
	var known []bbb.Algorithm
	switch {
	case v.atLeast(version{2, 5, 8}):
		known = append(known, bbb.Algorithms...)
	case v.atLeast(version{2, 5, 7}):
		known = []bbb.Algorithm{bbb.SHA256}
	default:
		known = []bbb.Algorithm{bbb.SHA1, bbb.SHA256}
	}
	if len(explicit) == 0 {
		return known
	}
	var out []bbb.Algorithm
	for _, a := range explicit {
		if slices.Contains(known, a) && !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	return out
}

// checksums makes WithChecksumAlgorithms (explicit), WithClientChecksum
// (client, 0 when not given) and release v agree, and says what it had to
// settle, for the server's log:
//
//   - the server accepts v's algorithms, restricted to explicit when given;
//     an explicit list v accepts none of leaves v's own list;
//   - a client algorithm not given, or invalid, is SHA-256 when accepted,
//     else the strongest accepted one;
//   - a client algorithm given that the server does not accept is kept:
//     the server refuses Server.Client's calls with checksumError, as a
//     real server so configured would.
func (v version) checksums(explicit []bbb.Algorithm, client bbb.Algorithm) (accepted []bbb.Algorithm, clientAlg bbb.Algorithm, problems []string) {
	accepted = v.checksumAlgorithms(explicit)
	if len(accepted) == 0 {
		accepted = v.checksumAlgorithms(nil)
		problems = append(problems, fmt.Sprintf("BBB %v accepts none of the checksum algorithms %v: it accepts its own, %v", v, explicit, accepted))
	}
	switch {
	case client.HexLen() == 0:
		if client != 0 {
			problems = append(problems, fmt.Sprintf("invalid client checksum %v ignored", client))
		}
		clientAlg = bbb.SHA256
		if !slices.Contains(accepted, clientAlg) {
			clientAlg = slices.Max(accepted) // the constants go from weakest to strongest
		}
	case !slices.Contains(accepted, client):
		clientAlg = client
		problems = append(problems, fmt.Sprintf("client checksum %v is not among the algorithms BBB %v accepts here %v: the server refuses the calls of Server.Client with checksumError", client, v, accepted))
	default:
		clientAlg = client
	}
	return accepted, clientAlg, problems
}
