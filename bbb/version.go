package bbb

import (
	"context"
	"strconv"
	"strings"
)

// VersionInfo is what a server says of itself at the API root.
type VersionInfo struct {
	APIVersion string // "2.0" on every current server
	// BBBVersion is the server release, such as "3.0.4"; empty when the
	// server hides it (allowRevealOfBBBVersion=false) or predates 2.6.
	BBBVersion string
}

// AtLeast reports whether BBBVersion is known and at least major.minor.
func (v *VersionInfo) AtLeast(major, minor int) bool {
	parts := strings.SplitN(v.BBBVersion, ".", 3)
	if len(parts) < 2 {
		return false
	}
	ma, err1 := strconv.Atoi(parts[0])
	mi, err2 := strconv.Atoi(strings.TrimRightFunc(parts[1], func(r rune) bool { return r < '0' || r > '9' }))
	if err1 != nil || err2 != nil {
		return false
	}
	return ma > major || ma == major && mi >= minor
}

// Version asks the API root for the server's version. It needs no
// checksum, so it proves the server answers, not that the secret is right;
// GetMeetings does both.
func (c *Client) Version(ctx context.Context) (*VersionInfo, error) {
	body, status, ct, err := c.sendUnsigned(ctx, "", "version")
	if err != nil {
		return nil, err
	}
	resp, err := parseResponse("version", body, status, ct)
	if err != nil {
		return nil, err
	}
	return &VersionInfo{
		APIVersion: text(resp.Child("apiVersion")),
		BBBVersion: text(resp.Child("bbbVersion")),
	}, nil
}
