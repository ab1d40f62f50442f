package ctxguard_test

import (
	"context"
	"errors"
	"testing"

	"github.com/bbbcast/bbbcast/internal/ctxguard"
)

func TestGuard(t *testing.T) {
	t.Parallel()
	var nilCtx context.Context
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tc := range []struct {
		ctx          context.Context
		check, errOf error
	}{
		{nilCtx, ctxguard.ErrNil, ctxguard.ErrNil},
		{context.Background(), nil, nil},
		{cancelled, nil, context.Canceled},
	} {
		if got := ctxguard.Check(tc.ctx); !errors.Is(got, tc.check) || (got == nil) != (tc.check == nil) {
			t.Errorf("Check: %v, want %v", got, tc.check)
		}
		if got := ctxguard.Err(tc.ctx); !errors.Is(got, tc.errOf) || (got == nil) != (tc.errOf == nil) {
			t.Errorf("Err: %v, want %v", got, tc.errOf)
		}
	}
}
