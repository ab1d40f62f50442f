package gateway

import (
	"context"
	"time"
)

// noStore stands for the Store NewService was not given: every call
// fails with ErrNoStore.
type noStore struct{}

func (noStore) CreateGateway(context.Context, Gateway) (Gateway, error)   { return Gateway{}, ErrNoStore }
func (noStore) UpdateGateway(context.Context, Gateway) error              { return ErrNoStore }
func (noStore) DeleteGateway(context.Context, int64, time.Time) error     { return ErrNoStore }
func (noStore) Gateway(context.Context, int64) (Gateway, error)           { return Gateway{}, ErrNoStore }
func (noStore) Gateways(context.Context) ([]Gateway, error)               { return nil, ErrNoStore }
func (noStore) Allocate(context.Context, Request) (Booking, error)        { return Booking{}, ErrNoStore }
func (noStore) Release(context.Context, string) (Booking, error)          { return Booking{}, ErrNoStore }
func (noStore) Booking(context.Context, string) (Booking, error)          { return Booking{}, ErrNoStore }
func (noStore) Bookings(context.Context, BookingQuery) ([]Booking, error) { return nil, ErrNoStore }
