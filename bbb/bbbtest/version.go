package bbbtest

import (
	"fmt"
	"strconv"
	"strings"
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
)
