package bbb

import (
	"strconv"
	"strings"
	"time"

	"github.com/bbbcast/bbbcast/bbb/internal/xmltree"
)

// Helpers that read BBB's loosely typed XML values. BBB writes booleans as
// "true"/"false", times as milliseconds since the epoch ("0" for none) and
// counts as decimal integers; anything else reads as the zero value, since
// one odd field must not make a whole answer unusable.

func text(n xmltree.Node) string { return strings.TrimSpace(n.Text()) }

func parseBool(s string) bool {
	s = strings.TrimSpace(s)
	return s == "true" || s == "TRUE" || s == "True"
}

func parseInt(s string) int {
	n, _ := strconv.Atoi(strings.TrimSpace(s))
	return n
}

func parseInt64(s string) int64 {
	n, _ := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	return n
}

// parseMillis converts epoch milliseconds to a UTC time; 0 or empty is the
// zero time.
func parseMillis(s string) time.Time {
	ms := parseInt64(s)
	if ms <= 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

// childMap reads an element whose children are key/value pairs, such as
// <metadata>, into a map (nil when empty).
func childMap(n xmltree.Node) map[string]string {
	k := n.CountChildren()
	if k == 0 {
		return nil
	}
	m := make(map[string]string, k)
	for c := range n.Children() {
		m[c.Name()] = c.Text()
	}
	return m
}
