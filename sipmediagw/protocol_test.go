package sipmediagw_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bbbcast/bbbcast/sipmediagw"
)

// The text of a Protocol is what stores keep: it must stay the name.
func TestProtocolText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		p    sipmediagw.Protocol
		text string
	}{
		{sipmediagw.Legacy, "legacy"},
		{sipmediagw.V18, "v1.8"},
		{sipmediagw.V18Launcher, "v1.8-launcher"},
		{0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.p.String(), func(t *testing.T) {
			t.Parallel()
			text, err := tt.p.MarshalText()
			require.NoError(t, err)
			assert.Equal(t, tt.text, string(text))
			var back sipmediagw.Protocol
			require.NoError(t, back.UnmarshalText(text))
			assert.Equal(t, tt.p, back)

			js, err := json.Marshal(struct{ P sipmediagw.Protocol }{tt.p})
			require.NoError(t, err)
			assert.JSONEq(t, `{"P":"`+tt.text+`"}`, string(js))
		})
	}
}

func TestProtocolTextInvalid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		p    sipmediagw.Protocol
		text string
	}{
		{name: "marshal out of range", p: 9},
		{name: "unmarshal unknown name", text: "v1.9"},
		{name: "unmarshal wrong case", text: "Legacy"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if tt.text == "" {
				_, err := tt.p.MarshalText()
				assert.Error(t, err)
				return
			}
			p := sipmediagw.V18
			assert.Error(t, p.UnmarshalText([]byte(tt.text)))
			assert.Equal(t, sipmediagw.V18, p, "unchanged on error")
		})
	}
}

// Launcher versions are accepted as ParseProtocol accepts them.
func TestProtocolUnmarshalAliases(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text string
		want sipmediagw.Protocol
	}{
		{"1.7", sipmediagw.Legacy},
		{"1.8", sipmediagw.V18},
		{"launcher", sipmediagw.V18Launcher},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			t.Parallel()
			var p sipmediagw.Protocol
			require.NoError(t, p.UnmarshalText([]byte(tt.text)))
			assert.Equal(t, tt.want, p)
		})
	}
}
