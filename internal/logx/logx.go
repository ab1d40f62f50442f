package logx

import (
	"context"
	"log/slog"
)

// Discard is a slog.Handler that drops everything.
type Discard struct{}

// Enabled reports false.
func (Discard) Enabled(context.Context, slog.Level) bool { return false }

// Handle drops the record.
func (Discard) Handle(context.Context, slog.Record) error { return nil }

// WithAttrs returns the handler itself.
func (d Discard) WithAttrs([]slog.Attr) slog.Handler { return d }

// WithGroup returns the handler itself.
func (d Discard) WithGroup(string) slog.Handler { return d }

// OrDiscard returns l, or a logger that drops everything when l is nil.
func OrDiscard(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.New(Discard{})
	}
	return l
}
