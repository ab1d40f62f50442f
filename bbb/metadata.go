package bbb

import (
	"net/url"
	"slices"
)

// Metadata is the meta_* parameters of a call, keyed without the "meta_"
// prefix (for example "endCallbackUrl"). Keys must satisfy ValidMetaKey.
// BBB returns them lower-cased in a meeting's or recording's metadata.
type Metadata map[string]string

// EncodeValues implements go-querystring's Encoder: each entry becomes a
// meta_<key> parameter.
func (m Metadata) EncodeValues(_ string, v *url.Values) error {
	for _, k := range sortedKeys(m) {
		v.Set("meta_"+k, m[k])
	}
	return nil
}

// UserData is the userdata-* parameters of a join, keyed without the
// "userdata-" prefix (for example "bbb_auto_join_audio").
type UserData map[string]string

// EncodeValues implements go-querystring's Encoder: each entry becomes a
// userdata-<key> parameter.
func (m UserData) EncodeValues(_ string, v *url.Values) error {
	for _, k := range sortedKeys(m) {
		v.Set("userdata-"+k, m[k])
	}
	return nil
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
