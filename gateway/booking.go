package gateway

import "log/slog"

// Booking holds a gateway for an owner (a webinar) during a slot. An owner
// has at most one booking.
type Booking struct {
	Owner     string
	GatewayID int64
	Pool      string
	Slot      Slot
}

// LogValue describes the booking.
func (b Booking) LogValue() slog.Value {
	return slog.GroupValue(slog.String("owner", b.Owner), slog.Int64("gateway", b.GatewayID),
		slog.String("pool", b.Pool), slog.String("slot", b.Slot.String()))
}
