package secret_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/bbbcast/bbbcast/secret"
)

// hostConfig holds credentials as a host application might.
type hostConfig struct {
	Name     string
	Secret   secret.Value
	token    secret.Value // unexported: fmt cannot call its methods
	Keys     []secret.Value
	ByServer map[string]secret.Value
	Nested   struct{ Key secret.Value }
	Ptr      *secret.Value
}

const word = "hunter2-very-secret-value"

// every rendering of the credential: every fmt verb and flag, nested or
// not, JSON, slog (text and JSON), wrapped errors.
func renderings(v any) map[string]string {
	out := map[string]string{}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "% x", "%d", "%t", "%o", "%b", "%c", "%U", "%e", "%g", "%p", "%T", "%8.3v", "%-30s", "%08x"} {
		out[verb] = fmt.Sprintf(verb, v)
	}
	b, err := json.Marshal(v)
	out["json"] = string(b) + fmt.Sprint(err)
	var text, js strings.Builder
	slog.New(slog.NewTextHandler(&text, nil)).Info("config", "v", v)
	slog.New(slog.NewJSONHandler(&js, nil)).Info("config", "v", v)
	out["slog text"], out["slog json"] = text.String(), js.String()
	out["error"] = fmt.Errorf("loading %v: %w", v, errors.New("failed")).Error()
	return out
}

// shows reports whether out holds cred: as text, in hex, or as bytes.
func shows(out, cred string) bool {
	for _, leak := range []string{cred, fmt.Sprintf("%x", cred), fmt.Sprint([]byte(cred))} {
		if strings.Contains(out, leak) {
			return true
		}
	}
	return false
}

func TestNeverPrinted(t *testing.T) {
	t.Parallel()
	s := secret.New(word)
	cfg := hostConfig{Name: "portal", Secret: s, token: s, Keys: []secret.Value{s}, ByServer: map[string]secret.Value{"bbb": s}, Ptr: &s}
	cfg.Nested.Key = s
	for name, v := range map[string]any{"value": s, "pointer": &s, "config": cfg, "config pointer": &cfg,
		"slice": []secret.Value{s}, "map": map[string]secret.Value{"k": s}} {
		for how, out := range renderings(v) {
			if shows(out, word) {
				t.Errorf("%s through %s shows the secret: %s", name, how, out)
			}
		}
	}
}

func TestValue(t *testing.T) {
	t.Parallel()
	s := secret.New(word)
	if s.Reveal() != word || s.IsZero() || string(s.Bytes()) != word {
		t.Fatal("the value is not kept")
	}
	var zero secret.Value
	if !zero.IsZero() || zero.Reveal() != "" || zero.Bytes() != nil {
		t.Fatal("the zero value is not empty")
	}
	if !s.Equal(secret.New(word)) || s.Equal(secret.New("other")) || !zero.Equal(secret.New("")) {
		t.Error("Equal compares the values")
	}
	b := []byte(word)
	c := secret.FromBytes(b)
	b[0] = 'X'
	if c.Reveal() != word {
		t.Error("FromBytes keeps a copy")
	}
	var cfg struct{ Token secret.Value }
	if err := json.Unmarshal([]byte(`{"Token":"from-config"}`), &cfg); err != nil || cfg.Token.Reveal() != "from-config" {
		t.Errorf("read from JSON: %q, %v", cfg.Token.Reveal(), err)
	}
}
