// Package ctxguard refuses a nil context with an error, where using it
// would panic.
package ctxguard

import (
	"context"
	"errors"
)

// ErrNil is the error of a call given a nil context. The packages that
// take contexts export it as their ErrNilContext.
var ErrNil = errors.New("bbbcast: nil context")

// Err returns ErrNil for a nil ctx, else ctx.Err().
func Err(ctx context.Context) error {
	if ctx == nil {
		return ErrNil
	}
	return ctx.Err()
}

// Check returns ErrNil for a nil ctx, else nil.
func Check(ctx context.Context) error {
	if ctx == nil {
		return ErrNil
	}
	return nil
}
