package webinar_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bbbcast/bbbcast/sipmediagw/sipmediagwtest"
)

// TestBotJoinUserDataPerRelease: the join URL asks BBB's client for what
// the bot release that submitted the page waits for after joining.
func TestBotJoinUserDataPerRelease(t *testing.T) {
	t.Parallel()
	pod := map[string]string{"bbb_auto_join_audio": "true", "bbb_listen_only_mode": "true",
		"bbb_skip_check_audio": "false", "bbb_skip_check_audio_on_first_join": "false", "bbb_show_session_details_on_join": "false"}
	v17 := map[string]string{"bbb_auto_join_audio": "false", "bbb_listen_only_mode": "false",
		"bbb_skip_check_audio": "true", "bbb_skip_check_audio_on_first_join": "", "bbb_show_session_details_on_join": "false"}
	v18 := map[string]string{"bbb_auto_join_audio": "true", "bbb_listen_only_mode": "false",
		"bbb_skip_check_audio": "false", "bbb_skip_check_audio_on_first_join": "false", "bbb_show_session_details_on_join": ""}
	cases := []struct {
		name    string
		gateway sipmediagwtest.Version
		form    string
		want    map[string]string
	}{
		{"v1.5 bot types into #id_name", sipmediagwtest.V15, "name=streaming&joinFormName=", pod},
		{"v1.6 bot types into #id_name", sipmediagwtest.V16, "name=streaming&joinFormName=", pod},
		{"v1.7 bot types into #joinFormName", sipmediagwtest.V17, "name=&joinFormName=streaming", v17},
		{"v1.8 bot behind the proxy", sipmediagwtest.V18, "name=&joinFormName=streaming", v18},
		{"v1.8 bot on a launcher", sipmediagwtest.V18Launcher, "name=&joinFormName=streaming", v18},
		{"nothing typed", sipmediagwtest.V17, "name=&joinFormName=", pod},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newHTTPFixture(t, tc.gateway)
			w := f.liveWebinar(t)
			rec := f.do(http.MethodPost, publicURL+"/bot/"+w.ID+"/"+w.BotSecret.Reveal()+"/"+w.BotRoom,
				strings.NewReader(tc.form), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
			require.Equal(t, http.StatusSeeOther, rec.Code)
			loc, err := url.Parse(rec.Header().Get("Location"))
			require.NoError(t, err)
			for k, v := range tc.want {
				assert.Equal(t, v, loc.Query().Get("userdata-"+k), k)
			}
			assert.Equal(t, "streaming", loc.Query().Get("fullName"))
		})
	}
}
