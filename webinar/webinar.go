package webinar

import (
	"log/slog"
	"slices"
	"time"

	"github.com/bbbcast/bbbcast/bbb"
	"github.com/bbbcast/bbbcast/gateway"
)

// Webinar is a BigBlueButton meeting streamed to an audience.
type Webinar struct {
	ID       string
	Owner    string
	CoOwners []string
	Title    string
	Server   string // the BBB server the meeting runs on ("" the default)
	Pool     string // the gateway pool it is booked in
	Slot     gateway.Slot
	// ChatEnabled lets the audience post in the meeting's chat.
	ChatEnabled bool
	// ChatShown is the desired visibility of the chat panel in the stream;
	// ChatVisible is what the stream shows as far as we know, so a toggle
	// is sent only when they differ.
	ChatShown   bool
	ChatVisible bool
	// Meeting holds the host's parameters of the BBB meeting (welcome
	// text, lock settings, recording, logo…), nil for none; the Service
	// adds its own when it creates the meeting (see the package
	// documentation, Meeting parameters). Config.Meeting may replace them
	// at that moment.
	Meeting *bbb.CreateParams
	// GatewayID is the booked gateway (0 when none).
	GatewayID int64
	// MeetingID is the BBB meeting ID: generated once, never derived from
	// the title, stable for the webinar's whole life.
	MeetingID string
	// CreateTime is the BBB createTime of the current run of the meeting.
	CreateTime int64
	// BotRoom and BotSecret make the URL of the page the streaming bot
	// opens; the secret is a credential.
	BotRoom   string
	BotSecret gateway.Secret
	// Session is the SIPMediaGW session handle of the running stream.
	Session    string
	State      State
	FailReason string
	// LastError is the latest error of a side effect, kept for the host.
	LastError string
	// Version increases with every stored change: updates are
	// compare-and-set on it.
	Version   int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// LogValue describes the webinar without its secrets.
func (w Webinar) LogValue() slog.Value {
	return slog.GroupValue(slog.String("id", w.ID), slog.String("state", string(w.State)),
		slog.String("meeting", w.MeetingID), slog.Int64("gateway", w.GatewayID), slog.Int64("version", w.Version))
}

// IsOwner reports whether user owns or co-owns the webinar.
func (w *Webinar) IsOwner(user string) bool {
	if user == "" {
		return false
	}
	if w.Owner == user {
		return true
	}
	return slices.Contains(w.CoOwners, user)
}

// LiveEvent is what a host's live page shows of a webinar.
type LiveEvent struct {
	WebinarID   string
	Title       string
	Start, End  time.Time
	HLSURL      string
	ChatEnabled bool
	State       State
}
