package logx_test

import (
	"bytes"
	"context"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/bbbcast/bbbcast/internal/logx"
)

func TestOrDiscard(t *testing.T) {
	t.Parallel()
	l := logx.OrDiscard(nil)
	assert.False(t, l.Enabled(context.Background(), slog.LevelError))
	l.With("a", 1).WithGroup("g").Error("dropped")

	var buf bytes.Buffer
	mine := slog.New(slog.NewTextHandler(&buf, nil))
	assert.Same(t, mine, logx.OrDiscard(mine))
}
