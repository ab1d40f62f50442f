package logx_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
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

func TestBufferConcurrentWrites(t *testing.T) {
	t.Parallel()
	var b logx.Buffer
	l := slog.New(slog.NewTextHandler(&b, nil))
	done := make(chan struct{})
	for range 8 {
		go func() {
			defer func() { done <- struct{}{} }()
			for range 50 {
				l.Info("line")
			}
		}()
	}
	for range 8 {
		<-done
	}
	assert.Equal(t, 400, strings.Count(b.String(), "msg=line\n"))
	assert.Equal(t, len(b.String()), b.Len())
}
