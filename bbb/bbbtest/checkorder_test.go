package bbbtest_test

import (
	"net/http"
	"testing"

	"github.com/bbbcast/bbbcast/bbb"
	"github.com/bbbcast/bbbcast/bbb/bbbtest"
)

// TestIsMeetingRunningChecksumFirst pins what bbb.Client.Check relies on,
// as real BBB does it: isMeetingRunning for an ID no meeting has answers
// SUCCESS with running=false and no messageKey (ApiController: meeting ==
// null is not running), and the checksum is validated before the meeting
// ID (from 2.4 ValidationService checks ChecksumValidationGroup before the
// other constraints; before 2.4 the controller checked it right after the
// presence of meetingID, which Check always sends).
func TestIsMeetingRunningChecksumFirst(t *testing.T) {
	t.Parallel()
	const call = "isMeetingRunning"
	signed := func(query, secret string) string {
		sum := bbb.Sign(bbb.SHA256, call, query, secret)
		if query == "" {
			return "checksum=" + sum
		}
		return query + "&checksum=" + sum
	}
	tests := []struct {
		name    string
		version string
		query   string
		wrong   bool   // signed with another secret
		wantKey string // "" for SUCCESS running=false
	}{
		{"unknown ID", "3.0.0", q("meetingID", "bbbcast-check"), false, ""},
		{"unknown ID, 2.3", "2.3.0", q("meetingID", "bbbcast-check"), false, ""},
		{"unknown ID, 2.5.7", "2.5.7", q("meetingID", "bbbcast-check"), false, ""},
		{"wrong secret", "3.0.0", q("meetingID", "bbbcast-check"), true, "checksumError"},
		{"wrong secret, 2.3", "2.3.0", q("meetingID", "bbbcast-check"), true, "checksumError"},
		{"wrong secret before an invalid ID", "3.0.0", q("meetingID", "a,b"), true, "checksumError"},
		{"wrong secret before a short ID", "2.4.0", q("meetingID", "x"), true, "checksumError"},
		{"wrong secret before a missing ID", "3.0.0", "", true, "checksumError"},
		{"invalid ID, right secret", "3.0.0", q("meetingID", "a,b"), false, "validationError"},
		{"missing ID, right secret", "3.0.0", "", false, "missingParamMeetingID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := start(t, bbbtest.WithVersion(tt.version))
			secret := srv.Secret
			if tt.wrong {
				secret += "-wrong"
			}
			a := do(t, srv, http.MethodGet, apiURL(srv, call, signed(tt.query, secret)), "", nil)
			if tt.wantKey != "" {
				a.failed(t, tt.wantKey)
				return
			}
			r := a.ok(t)
			if r.get("running") != "false" || r.has("messageKey") {
				t.Errorf("answer %s", a.body)
			}
			if _, ok := srv.Meeting("bbbcast-check"); ok {
				t.Error("isMeetingRunning created a meeting")
			}
		})
	}
}
