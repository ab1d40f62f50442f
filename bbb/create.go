package bbb

import (
	"context"
	"net/url"
	"unicode/utf8"
)

// GuestPolicy decides how guests are admitted to a meeting.
type GuestPolicy string

// The guest policies BBB knows.
const (
	GuestAlwaysAccept GuestPolicy = "ALWAYS_ACCEPT"
	GuestAlwaysDeny   GuestPolicy = "ALWAYS_DENY"
	GuestAskModerator GuestPolicy = "ASK_MODERATOR"
)

// CreateParams are the parameters of create. Name and MeetingID are
// required; zero values are not sent, and a *bool sends an explicit false
// when set. Extra carries parameters this struct does not model yet.
type CreateParams struct {
	Name                                   string      `url:"name,omitempty"`
	MeetingID                              string      `url:"meetingID,omitempty"`
	AttendeePW                             string      `url:"attendeePW,omitempty"`  // deprecated by BBB in favour of join roles
	ModeratorPW                            string      `url:"moderatorPW,omitempty"` // deprecated by BBB in favour of join roles
	Welcome                                string      `url:"welcome,omitempty"`
	DialNumber                             string      `url:"dialNumber,omitempty"`
	VoiceBridge                            string      `url:"voiceBridge,omitempty"`
	MaxParticipants                        int         `url:"maxParticipants,omitempty"`
	LogoutURL                              string      `url:"logoutURL,omitempty"`
	Record                                 *bool       `url:"record,omitempty"`
	Duration                               int         `url:"duration,omitempty"` // minutes
	IsBreakout                             *bool       `url:"isBreakout,omitempty"`
	ParentMeetingID                        string      `url:"parentMeetingID,omitempty"`
	Sequence                               int         `url:"sequence,omitempty"`
	FreeJoin                               *bool       `url:"freeJoin,omitempty"`
	BreakoutRoomsPrivateChatEnabled        *bool       `url:"breakoutRoomsPrivateChatEnabled,omitempty"`
	BreakoutRoomsRecord                    *bool       `url:"breakoutRoomsRecord,omitempty"`
	ModeratorOnlyMessage                   string      `url:"moderatorOnlyMessage,omitempty"`
	AutoStartRecording                     *bool       `url:"autoStartRecording,omitempty"`
	AllowStartStopRecording                *bool       `url:"allowStartStopRecording,omitempty"`
	WebcamsOnlyForModerator                *bool       `url:"webcamsOnlyForModerator,omitempty"`
	BannerText                             string      `url:"bannerText,omitempty"`
	BannerColor                            string      `url:"bannerColor,omitempty"`
	MuteOnStart                            *bool       `url:"muteOnStart,omitempty"`
	AllowModsToUnmuteUsers                 *bool       `url:"allowModsToUnmuteUsers,omitempty"`
	LockSettingsDisableCam                 *bool       `url:"lockSettingsDisableCam,omitempty"`
	LockSettingsDisableMic                 *bool       `url:"lockSettingsDisableMic,omitempty"`
	LockSettingsDisablePrivateChat         *bool       `url:"lockSettingsDisablePrivateChat,omitempty"`
	LockSettingsDisablePublicChat          *bool       `url:"lockSettingsDisablePublicChat,omitempty"`
	LockSettingsDisableNotes               *bool       `url:"lockSettingsDisableNotes,omitempty"`
	LockSettingsHideUserList               *bool       `url:"lockSettingsHideUserList,omitempty"`
	LockSettingsLockOnJoin                 *bool       `url:"lockSettingsLockOnJoin,omitempty"`
	LockSettingsLockOnJoinConfigurable     *bool       `url:"lockSettingsLockOnJoinConfigurable,omitempty"`
	LockSettingsHideViewersCursor          *bool       `url:"lockSettingsHideViewersCursor,omitempty"`
	GuestPolicy                            GuestPolicy `url:"guestPolicy,omitempty"`
	MeetingKeepEvents                      *bool       `url:"meetingKeepEvents,omitempty"`
	EndWhenNoModerator                     *bool       `url:"endWhenNoModerator,omitempty"`
	EndWhenNoModeratorDelayInMinutes       int         `url:"endWhenNoModeratorDelayInMinutes,omitempty"`
	MeetingLayout                          string      `url:"meetingLayout,omitempty"`
	LearningDashboardCleanupDelayInMinutes int         `url:"learningDashboardCleanupDelayInMinutes,omitempty"`
	AllowModsToEjectCameras                *bool       `url:"allowModsToEjectCameras,omitempty"`
	AllowRequestsWithoutSession            *bool       `url:"allowRequestsWithoutSession,omitempty"`
	UserCameraCap                          int         `url:"userCameraCap,omitempty"`
	MeetingCameraCap                       int         `url:"meetingCameraCap,omitempty"`
	MeetingExpireIfNoUserJoinedInMinutes   int         `url:"meetingExpireIfNoUserJoinedInMinutes,omitempty"`
	MeetingExpireWhenLastUserLeftInMinutes int         `url:"meetingExpireWhenLastUserLeftInMinutes,omitempty"`
	Logo                                   string      `url:"logo,omitempty"`
	DisabledFeatures                       []string    `url:"disabledFeatures,comma,omitempty"`
	DisabledFeaturesExclude                []string    `url:"disabledFeaturesExclude,comma,omitempty"`
	PreUploadedPresentationOverrideDefault *bool       `url:"preUploadedPresentationOverrideDefault,omitempty"`
	NotifyRecordingIsOn                    *bool       `url:"notifyRecordingIsOn,omitempty"`
	PresentationUploadExternalURL          string      `url:"presentationUploadExternalUrl,omitempty"`
	PresentationUploadExternalDescription  string      `url:"presentationUploadExternalDescription,omitempty"`
	RecordFullDurationMedia                *bool       `url:"recordFullDurationMedia,omitempty"`
	PreUploadedPresentation                string      `url:"preUploadedPresentation,omitempty"`
	PreUploadedPresentationName            string      `url:"preUploadedPresentationName,omitempty"`
	// Meta becomes meta_<key> parameters, such as meta_endCallbackUrl.
	Meta Metadata `url:"meta,omitempty"`
	// Extra parameters, sent as given after the others.
	Extra url.Values `url:"-"`
}

// CreateResult is the answer to create.
type CreateResult struct {
	MeetingID            string
	InternalMeetingID    string
	ParentMeetingID      string
	AttendeePW           string
	ModeratorPW          string
	CreateTime           int64 // milliseconds since the epoch; pass it to join
	CreateDate           string
	VoiceBridge          string
	DialNumber           string
	HasUserJoined        bool
	HasBeenForciblyEnded bool
	Duration             int
	// Duplicate is true when the meeting already existed with the same
	// passwords (messageKey duplicateWarning): create is idempotent.
	Duplicate bool
}

func (p *CreateParams) validate(call string) error {
	if p == nil {
		return &ParamError{Call: call, Param: "params", Reason: "required"}
	}
	if n := utf8.RuneCountInString(p.Name); n < 2 || n > 256 {
		return &ParamError{Call: call, Param: "name", Reason: "must be 2 to 256 characters"}
	}
	if err := validateMeetingID(call, "meetingID", p.MeetingID); err != nil {
		return err
	}
	if p.ParentMeetingID != "" {
		if err := validateMeetingID(call, "parentMeetingID", p.ParentMeetingID); err != nil {
			return err
		}
	}
	return validateMeta(call, p.Meta)
}

// appendQuery is the fast path of create's encoding: the same parameters as
// the struct's `url` tags (a test holds them equal), without reflection.
func (p *CreateParams) appendQuery(q *params) {
	q.addNonEmpty("name", p.Name)
	q.addNonEmpty("meetingID", p.MeetingID)
	q.addNonEmpty("attendeePW", p.AttendeePW)
	q.addNonEmpty("moderatorPW", p.ModeratorPW)
	q.addNonEmpty("welcome", p.Welcome)
	q.addNonEmpty("dialNumber", p.DialNumber)
	q.addNonEmpty("voiceBridge", p.VoiceBridge)
	q.addNonZero("maxParticipants", p.MaxParticipants)
	q.addNonEmpty("logoutURL", p.LogoutURL)
	q.addBool("record", p.Record)
	q.addNonZero("duration", p.Duration)
	q.addBool("isBreakout", p.IsBreakout)
	q.addNonEmpty("parentMeetingID", p.ParentMeetingID)
	q.addNonZero("sequence", p.Sequence)
	q.addBool("freeJoin", p.FreeJoin)
	q.addBool("breakoutRoomsPrivateChatEnabled", p.BreakoutRoomsPrivateChatEnabled)
	q.addBool("breakoutRoomsRecord", p.BreakoutRoomsRecord)
	q.addNonEmpty("moderatorOnlyMessage", p.ModeratorOnlyMessage)
	q.addBool("autoStartRecording", p.AutoStartRecording)
	q.addBool("allowStartStopRecording", p.AllowStartStopRecording)
	q.addBool("webcamsOnlyForModerator", p.WebcamsOnlyForModerator)
	q.addNonEmpty("bannerText", p.BannerText)
	q.addNonEmpty("bannerColor", p.BannerColor)
	q.addBool("muteOnStart", p.MuteOnStart)
	q.addBool("allowModsToUnmuteUsers", p.AllowModsToUnmuteUsers)
	q.addBool("lockSettingsDisableCam", p.LockSettingsDisableCam)
	q.addBool("lockSettingsDisableMic", p.LockSettingsDisableMic)
	q.addBool("lockSettingsDisablePrivateChat", p.LockSettingsDisablePrivateChat)
	q.addBool("lockSettingsDisablePublicChat", p.LockSettingsDisablePublicChat)
	q.addBool("lockSettingsDisableNotes", p.LockSettingsDisableNotes)
	q.addBool("lockSettingsHideUserList", p.LockSettingsHideUserList)
	q.addBool("lockSettingsLockOnJoin", p.LockSettingsLockOnJoin)
	q.addBool("lockSettingsLockOnJoinConfigurable", p.LockSettingsLockOnJoinConfigurable)
	q.addBool("lockSettingsHideViewersCursor", p.LockSettingsHideViewersCursor)
	q.addNonEmpty("guestPolicy", string(p.GuestPolicy))
	q.addBool("meetingKeepEvents", p.MeetingKeepEvents)
	q.addBool("endWhenNoModerator", p.EndWhenNoModerator)
	q.addNonZero("endWhenNoModeratorDelayInMinutes", p.EndWhenNoModeratorDelayInMinutes)
	q.addNonEmpty("meetingLayout", p.MeetingLayout)
	q.addNonZero("learningDashboardCleanupDelayInMinutes", p.LearningDashboardCleanupDelayInMinutes)
	q.addBool("allowModsToEjectCameras", p.AllowModsToEjectCameras)
	q.addBool("allowRequestsWithoutSession", p.AllowRequestsWithoutSession)
	q.addNonZero("userCameraCap", p.UserCameraCap)
	q.addNonZero("meetingCameraCap", p.MeetingCameraCap)
	q.addNonZero("meetingExpireIfNoUserJoinedInMinutes", p.MeetingExpireIfNoUserJoinedInMinutes)
	q.addNonZero("meetingExpireWhenLastUserLeftInMinutes", p.MeetingExpireWhenLastUserLeftInMinutes)
	q.addNonEmpty("logo", p.Logo)
	q.addList("disabledFeatures", p.DisabledFeatures)
	q.addList("disabledFeaturesExclude", p.DisabledFeaturesExclude)
	q.addBool("preUploadedPresentationOverrideDefault", p.PreUploadedPresentationOverrideDefault)
	q.addBool("notifyRecordingIsOn", p.NotifyRecordingIsOn)
	q.addNonEmpty("presentationUploadExternalUrl", p.PresentationUploadExternalURL)
	q.addNonEmpty("presentationUploadExternalDescription", p.PresentationUploadExternalDescription)
	q.addBool("recordFullDurationMedia", p.RecordFullDurationMedia)
	q.addNonEmpty("preUploadedPresentation", p.PreUploadedPresentation)
	q.addNonEmpty("preUploadedPresentationName", p.PreUploadedPresentationName)
	q.addPrefixed("meta_", p.Meta)
	q.addValues(p.Extra)
}

// CreateURL returns the signed create URL for p without sending it.
func (c *Client) CreateURL(p *CreateParams) (string, error) {
	if err := p.validate("create"); err != nil {
		return "", err
	}
	sp := getScratch()
	q := params{b: (*sp)[:0]}
	p.appendQuery(&q)
	u := c.signedURL("create", q.b)
	putScratch(sp, q.b)
	return u, nil
}

// Create creates a meeting, or confirms it exists: creating an existing
// meeting with the same passwords succeeds with Duplicate set, with other
// passwords it fails with ErrIDNotUnique. Create is not retried, since a
// meeting ended in between would be created again.
func (c *Client) Create(ctx context.Context, p *CreateParams) (*CreateResult, error) {
	return c.create(ctx, p, nil)
}

// CreateWithDocuments creates a meeting with pre-uploaded presentation
// documents (by URL, fetched by the server, or inline bytes), sent as the
// XML body of a POST; only the URL's query is signed.
func (c *Client) CreateWithDocuments(ctx context.Context, p *CreateParams, docs []Document) (*CreateResult, error) {
	if len(docs) == 0 {
		return nil, &ParamError{Call: "create", Param: "documents", Reason: "at least one document is required"}
	}
	return c.create(ctx, p, docs)
}

func (c *Client) create(ctx context.Context, p *CreateParams, docs []Document) (*CreateResult, error) {
	const call = "create"
	if err := p.validate(call); err != nil {
		return nil, err
	}
	r := request{call: call}
	if docs != nil {
		body, err := modulesXML(call, docs)
		if err != nil {
			return nil, err
		}
		r.method, r.body, r.contentType = "POST", body, "application/xml"
	}
	p.appendQuery(&r.query)
	resp, err := c.do(ctx, &r)
	if err != nil {
		return nil, err
	}
	return &CreateResult{
		MeetingID:            resp.ChildText("meetingID"),
		InternalMeetingID:    text(resp.Child("internalMeetingID")),
		ParentMeetingID:      text(resp.Child("parentMeetingID")),
		AttendeePW:           resp.ChildText("attendeePW"),
		ModeratorPW:          resp.ChildText("moderatorPW"),
		CreateTime:           parseInt64(resp.ChildText("createTime")),
		CreateDate:           text(resp.Child("createDate")),
		VoiceBridge:          text(resp.Child("voiceBridge")),
		DialNumber:           text(resp.Child("dialNumber")),
		HasUserJoined:        parseBool(resp.ChildText("hasUserJoined")),
		HasBeenForciblyEnded: parseBool(resp.ChildText("hasBeenForciblyEnded")),
		Duration:             parseInt(resp.ChildText("duration")),
		Duplicate:            text(resp.Child("messageKey")) == "duplicateWarning",
	}, nil
}
