package bbb

import (
	"bytes"
	"crypto/sha1" //nolint:gosec // BBB's internal meeting IDs are sha1 hex.
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// A generator of getMeetings answers as BigBlueButton 2.7 and 3.0 write them
// (bigbluebutton-web's get-meetings.ftlx), with the source data the answer
// was written from, which decoding must give back exactly.

// genLayout is how a breakout room's parent, sequence and freeJoin are
// written.
type genLayout int

const (
	// genBreakoutFlat is what BBB 2.7 and 3.0 send: <parentMeetingID>,
	// <sequence> and <freeJoin> directly in <meeting>, after <isBreakout>.
	genBreakoutFlat genLayout = iota
	// genBreakoutWrapped puts them in a <breakout> element, the layout
	// decodeMeeting reads.
	genBreakoutWrapped
)

// genSpec sizes a generated answer.
type genSpec struct {
	meetings  int // the last two are breakout rooms of the first
	attendees int // per meeting
	metadata  int // entries per meeting, at most len(genMetaKeys)
}

// genBenchSpec is the answer of the benchmark and of the sample in testdata.
var genBenchSpec = genSpec{meetings: 50, attendees: 5, metadata: 3}

// genBase is the creation time of the first meeting.
var genBase = time.Date(2024, time.May, 22, 7, 58, 3, 0, time.UTC)

var (
	genCourseNames = []string{
		"Amphi B – Physique générale L1",
		"R&D weekly",
		`Séminaire "IA & société"`,
		"Soutenance de thèse : M. Łukasz Nowak",
		"Conseil d'UFR <Sciences>",
		"Webinaire Esup-Pod",
		"TD Algorithmique groupe 3",
		"Réunion équipe réseau & systèmes",
	}
	genFirstNames = []string{"Zoë", "Jean-Luc", "Amélie", "Bob", "Chloé", "Mohamed", "Søren", "Anaïs", "Li", "Kévin", "Nadia", "Pierre"}
	genLastNames  = []string{"O'Brien", "Dupont", "Martin & Fils", "Nguyễn", "Durand", "Müller", "Lefèvre", "<admin>", "Rossi", "Garcia"}
	genMetaKeys   = []string{"bbb-origin", "bbb-origin-server-name", "endcallbackurl", "bbb-origin-version", "bbb-context", "bbb-recording-ready-url"}
	genClients    = []string{"HTML5", "HTML5", "HTML5", "DIAL-IN"}
)

// genMeetings returns the meetings a generated answer describes, in the
// form decodeMeeting must produce. It is deterministic.
func genMeetings(spec genSpec) []Meeting {
	ms := make([]Meeting, spec.meetings)
	for i := range ms {
		m := &ms[i]
		created := genBase.Add(time.Duration(i)*7*time.Minute + time.Duration(i*37)*time.Millisecond)
		m.Name = fmt.Sprintf("%s #%d", genCourseNames[i%len(genCourseNames)], i+1)
		m.MeetingID = fmt.Sprintf("pod-%04d-%s", 1000+i*13, strings.ToLower(strconv.FormatInt(int64(i)*7919+104729, 36)))
		if i%9 == 4 {
			m.MeetingID += "&webinar" // BBB allows '&' in meeting IDs; it comes back as &amp;
		}
		m.CreateTime = created.UnixMilli()
		m.InternalMeetingID = genInternalID(m.MeetingID, m.CreateTime)
		m.CreateDate = created.Format("Mon Jan 02 15:04:05 MST 2006")
		m.VoiceBridge = strconv.Itoa(70000 + i*137%30000)
		m.DialNumber = "613-555-1234"
		m.AttendeePW = fmt.Sprintf("ap%08x", uint32(i+3)*2654435761)
		m.ModeratorPW = fmt.Sprintf("mp%08x", uint32(i+1)*2246822519)
		m.Running = i%10 != 7
		m.Duration = []int{0, 0, 120, 90}[i%4]
		m.HasUserJoined = true
		m.Recording = i%3 == 0
		m.HasBeenForciblyEnded = i%10 == 7
		m.StartTime = time.UnixMilli(m.CreateTime + 61).UTC()
		if !m.Running {
			m.EndTime = time.UnixMilli(m.CreateTime + 3_600_000 + int64(i)).UTC()
		}
		if i%5 == 0 {
			m.MaxUsers = 200
		}
		m.Attendees = make([]Attendee, spec.attendees)
		for j := range m.Attendees {
			a := &m.Attendees[j]
			k := i*spec.attendees + j
			a.UserID = fmt.Sprintf("w_%s", strconv.FormatInt(int64(k)*48271+1_000_000_007, 36))
			if j == spec.attendees-1 && i%2 == 0 {
				a.UserID = "sipmediagw-streaming"
				a.FullName = "streaming"
			} else {
				a.FullName = genFirstNames[k%len(genFirstNames)] + " " + genLastNames[(k/3)%len(genLastNames)]
			}
			a.Role = RoleViewer
			if j == 0 {
				a.Role = RoleModerator
				a.IsPresenter = true
			}
			a.IsListeningOnly = j%3 == 2
			a.HasJoinedVoice = !a.IsListeningOnly && k%4 != 1
			a.HasVideo = j == 0 && i%2 == 1
			a.ClientType = genClients[k%len(genClients)]
			switch k % 5 {
			case 0:
				a.CustomData = map[string]string{"bbb_auto_join_audio": "true", "bbb_listen_only_mode": "false"}
			case 3:
				a.CustomData = map[string]string{"bbb_show_public_chat_on_login": "false"}
			}
			m.ParticipantCount++
			if a.IsListeningOnly {
				m.ListenerCount++
			}
			if a.HasJoinedVoice {
				m.VoiceParticipantCount++
			}
			if a.HasVideo {
				m.VideoCount++
			}
			if a.Role == RoleModerator {
				m.ModeratorCount++
			}
		}
		if spec.metadata > 0 {
			m.Metadata = make(map[string]string, spec.metadata)
			for j, key := range genMetaKeys[:spec.metadata] {
				m.Metadata[key] = genMetaValue(key, i, j)
			}
		}
	}
	// The last two meetings are breakout rooms of the first.
	if n := len(ms); n >= 3 {
		parent := &ms[0]
		for seq, i := 1, n-2; i < n; seq, i = seq+1, i+1 {
			m := &ms[i]
			m.Name = fmt.Sprintf("%s (Room %d)", parent.Name, seq)
			m.MeetingID = genSHA1Hex(parent.InternalMeetingID + "-" + strconv.Itoa(seq))
			m.InternalMeetingID = genInternalID(m.MeetingID, m.CreateTime)
			m.IsBreakout = true
			m.Breakout = &BreakoutInfo{ParentMeetingID: parent.InternalMeetingID, Sequence: seq, FreeJoin: seq == 2}
			m.Recording = false
			parent.BreakoutRooms = append(parent.BreakoutRooms, m.InternalMeetingID)
		}
	}
	return ms
}

func genMetaValue(key string, i, j int) string {
	switch key {
	case "bbb-origin":
		return "Pod"
	case "bbb-origin-server-name":
		return "pod.univ-exemple.fr"
	case "endcallbackurl":
		return fmt.Sprintf("https://pod.univ-exemple.fr/live/bbb/end/?meeting=%d&token=%08x", i, uint32(i*j+1)*2654435761)
	case "bbb-origin-version":
		return "3.8.1"
	}
	return fmt.Sprintf("value %d.%d <%s>", i, j, key)
}

func genSHA1Hex(s string) string {
	sum := sha1.Sum([]byte(s)) //nolint:gosec // as BBB does
	return hex.EncodeToString(sum[:])
}

// genInternalID is BBB's internalMeetingID: sha1hex(meetingID)-createTime.
func genInternalID(meetingID string, createTime int64) string {
	return genSHA1Hex(meetingID) + "-" + strconv.FormatInt(createTime, 10)
}

// genXMLEscaper escapes as FreeMarker's XML output format does.
var genXMLEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&apos;")

// renderGetMeetings writes the getMeetings answer for ms, pretty-printed
// with one tab per level.
func renderGetMeetings(ms []Meeting, layout genLayout) []byte {
	var b bytes.Buffer
	b.Grow(4096 * (len(ms) + 1))
	indent := func(depth int) {
		for ; depth > 0; depth-- {
			b.WriteByte('\t')
		}
	}
	el := func(depth int, name, value string) {
		indent(depth)
		b.WriteString("<" + name + ">")
		genXMLEscaper.WriteString(&b, value)
		b.WriteString("</" + name + ">\n")
	}
	open := func(depth int, name string) {
		indent(depth)
		b.WriteString("<" + name + ">\n")
	}
	closeEl := func(depth int, name string) {
		indent(depth)
		b.WriteString("</" + name + ">\n")
	}
	millis := func(t time.Time) string {
		if t.IsZero() {
			return "0"
		}
		return strconv.FormatInt(t.UnixMilli(), 10)
	}
	bools := strconv.FormatBool
	ints := strconv.Itoa

	b.WriteString("<response>\n")
	el(1, "returncode", "SUCCESS")
	if len(ms) == 0 {
		indent(1)
		b.WriteString("<meetings/>\n")
		el(1, "messageKey", "noMeetings")
		el(1, "message", "no meetings were found on this server")
		b.WriteString("</response>\n")
		return b.Bytes()
	}
	open(1, "meetings")
	for i := range ms {
		m := &ms[i]
		open(2, "meeting")
		el(3, "meetingName", m.Name)
		el(3, "meetingID", m.MeetingID)
		el(3, "internalMeetingID", m.InternalMeetingID)
		el(3, "createTime", strconv.FormatInt(m.CreateTime, 10))
		el(3, "createDate", m.CreateDate)
		el(3, "voiceBridge", m.VoiceBridge)
		el(3, "dialNumber", m.DialNumber)
		el(3, "attendeePW", m.AttendeePW)
		el(3, "moderatorPW", m.ModeratorPW)
		el(3, "running", bools(m.Running))
		el(3, "duration", ints(m.Duration))
		el(3, "hasUserJoined", bools(m.HasUserJoined))
		el(3, "recording", bools(m.Recording))
		el(3, "hasBeenForciblyEnded", bools(m.HasBeenForciblyEnded))
		el(3, "startTime", millis(m.StartTime))
		el(3, "endTime", millis(m.EndTime))
		el(3, "participantCount", ints(m.ParticipantCount))
		el(3, "listenerCount", ints(m.ListenerCount))
		el(3, "voiceParticipantCount", ints(m.VoiceParticipantCount))
		el(3, "videoCount", ints(m.VideoCount))
		el(3, "maxUsers", ints(m.MaxUsers))
		el(3, "moderatorCount", ints(m.ModeratorCount))
		open(3, "attendees")
		for j := range m.Attendees {
			a := &m.Attendees[j]
			open(4, "attendee")
			el(5, "userID", a.UserID)
			el(5, "fullName", a.FullName)
			el(5, "role", string(a.Role))
			el(5, "isPresenter", bools(a.IsPresenter))
			el(5, "isListeningOnly", bools(a.IsListeningOnly))
			el(5, "hasJoinedVoice", bools(a.HasJoinedVoice))
			el(5, "hasVideo", bools(a.HasVideo))
			el(5, "clientType", a.ClientType)
			if a.CustomData != nil {
				open(5, "customdata")
				for _, k := range slices.Sorted(maps.Keys(a.CustomData)) {
					el(6, k, a.CustomData[k])
				}
				closeEl(5, "customdata")
			}
			closeEl(4, "attendee")
		}
		closeEl(3, "attendees")
		open(3, "metadata")
		for _, k := range slices.Sorted(maps.Keys(m.Metadata)) {
			el(4, k, m.Metadata[k])
		}
		closeEl(3, "metadata")
		el(3, "isBreakout", bools(m.IsBreakout))
		if m.Breakout != nil {
			depth := 3
			if layout == genBreakoutWrapped {
				open(3, "breakout")
				depth = 4
			}
			el(depth, "parentMeetingID", m.Breakout.ParentMeetingID)
			el(depth, "sequence", ints(m.Breakout.Sequence))
			el(depth, "freeJoin", bools(m.Breakout.FreeJoin))
			if layout == genBreakoutWrapped {
				closeEl(3, "breakout")
			}
		}
		if len(m.BreakoutRooms) > 0 {
			open(3, "breakoutRooms")
			for _, r := range m.BreakoutRooms {
				el(4, "breakout", r)
			}
			closeEl(3, "breakoutRooms")
		}
		closeEl(2, "meeting")
	}
	closeEl(1, "meetings")
	b.WriteString("</response>\n")
	return b.Bytes()
}

// decodeGetMeetings runs the real decoding path: parseResponse, then the
// loop of GetMeetings.
func decodeGetMeetings(doc []byte) ([]Meeting, error) {
	resp, err := parseResponse("getMeetings", string(doc), 200, "text/xml;charset=utf-8")
	if err != nil {
		return nil, err
	}
	return decodeMeetings(resp), nil
}

func TestDecodeGeneratedGetMeetings(t *testing.T) {
	t.Parallel()
	want := genMeetings(genBenchSpec)
	doc := renderGetMeetings(want, genBreakoutFlat)

	got, err := decodeGetMeetings(doc)
	require.NoError(t, err)
	require.Len(t, got, genBenchSpec.meetings)

	t.Run("breakout info directly in the meeting", func(t *testing.T) {
		t.Parallel()
		room := got[len(got)-1]
		require.True(t, room.IsBreakout)
		require.NotNil(t, room.Breakout)
		require.Equal(t, want, got)
	})

	t.Run("breakout info in a <breakout> element", func(t *testing.T) {
		t.Parallel()
		got, err := decodeGetMeetings(renderGetMeetings(want, genBreakoutWrapped))
		require.NoError(t, err)
		require.Equal(t, want, got)
	})
}

// TestGeneratedGetMeetingsDetails spells out what the equality above
// covers, so a generator bug cannot hide a decoder bug.
func TestGeneratedGetMeetingsDetails(t *testing.T) {
	t.Parallel()
	want := genMeetings(genBenchSpec)
	doc := renderGetMeetings(want, genBreakoutWrapped)
	got, err := decodeGetMeetings(doc)
	require.NoError(t, err)

	// Entities are decoded.
	require.Contains(t, string(doc), "<meetingName>R&amp;D weekly #2</meetingName>")
	require.Equal(t, "R&D weekly #2", got[1].Name)
	require.Contains(t, string(doc), "&quot;IA &amp; société&quot;")
	require.Equal(t, `Séminaire "IA & société" #3`, got[2].Name)
	require.Equal(t, "Conseil d'UFR <Sciences> #5", got[4].Name)
	require.True(t, strings.HasSuffix(got[4].MeetingID, "&webinar"))
	require.Contains(t, string(doc), "<fullName>Zoë O&apos;Brien</fullName>")
	require.Equal(t, "Zoë O'Brien", got[0].Attendees[0].FullName)

	// Times are UTC, from epoch milliseconds; 0 is the zero time.
	m := got[0]
	require.Equal(t, genBase.UnixMilli(), m.CreateTime)
	require.Equal(t, genBase, m.CreatedAt())
	require.Equal(t, genBase.Add(61*time.Millisecond), m.StartTime)
	require.Equal(t, time.UTC, m.StartTime.Location())
	require.True(t, m.EndTime.IsZero())
	ended := got[7]
	require.False(t, ended.Running)
	require.True(t, ended.HasBeenForciblyEnded)
	require.Equal(t, ended.CreatedAt().Add(time.Hour+7*time.Millisecond), ended.EndTime)
	require.Equal(t, "Wed May 22 07:58:03 UTC 2024", m.CreateDate)
	require.Equal(t, genInternalID(m.MeetingID, m.CreateTime), m.InternalMeetingID)

	// Metadata and custom data come back as maps, URLs unescaped.
	require.Len(t, m.Metadata, 3)
	require.Equal(t, "Pod", m.Metadata["bbb-origin"])
	require.True(t, strings.HasPrefix(m.Metadata["endcallbackurl"], "https://pod.univ-exemple.fr/live/bbb/end/?meeting=0&token="))
	require.Equal(t, map[string]string{"bbb_auto_join_audio": "true", "bbb_listen_only_mode": "false"}, m.Attendees[0].CustomData)
	require.Nil(t, m.Attendees[2].CustomData) // no <customdata> element

	// Attendees and counts.
	require.Len(t, m.Attendees, 5)
	require.Equal(t, RoleModerator, m.Attendees[0].Role)
	require.True(t, m.Attendees[0].IsPresenter)
	require.Equal(t, RoleViewer, m.Attendees[1].Role)
	require.Equal(t, "streaming", m.Attendees[4].FullName)
	require.Equal(t, 5, m.ParticipantCount)
	require.Equal(t, 1, m.ModeratorCount)

	// Breakout rooms, both ways.
	rooms := got[len(got)-2:]
	require.Equal(t, []string{rooms[0].InternalMeetingID, rooms[1].InternalMeetingID}, m.BreakoutRooms)
	for seq, r := range rooms {
		require.True(t, r.IsBreakout)
		require.Equal(t, &BreakoutInfo{ParentMeetingID: m.InternalMeetingID, Sequence: seq + 1, FreeJoin: seq == 1}, r.Breakout)
	}
	require.False(t, m.IsBreakout)
	require.Nil(t, m.Breakout)
	require.Nil(t, got[1].BreakoutRooms)
}

func TestGeneratedGetMeetingsSize(t *testing.T) {
	t.Parallel()
	doc := renderGetMeetings(genMeetings(genBenchSpec), genBreakoutFlat)
	// The answer is about 160 KB.
	require.InDelta(t, 160_000, len(doc), 8_000, "size %d", len(doc))
}

// TestGetMeetingsSample keeps testdata/getmeetings_50x5x3.xml, a generated
// answer kept for eyes and other tools, in step with the generator; run
// with BBB_UPDATE_TESTDATA=1 to rewrite it.
func TestGetMeetingsSample(t *testing.T) {
	t.Parallel()
	want := genMeetings(genBenchSpec)
	doc := renderGetMeetings(want, genBreakoutFlat)
	path := filepath.Join("testdata", "getmeetings_50x5x3.xml")
	if os.Getenv("BBB_UPDATE_TESTDATA") != "" {
		require.NoError(t, os.WriteFile(path, doc, 0o644))
	}
	sample, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, string(doc), string(sample), "run with BBB_UPDATE_TESTDATA=1 to regenerate")
	got, err := decodeGetMeetings(sample)
	require.NoError(t, err)
	require.Equal(t, want, got)
}

func TestDecodeGeneratedEdgeCases(t *testing.T) {
	t.Parallel()
	t.Run("no meetings", func(t *testing.T) {
		t.Parallel()
		doc := renderGetMeetings(nil, genBreakoutFlat)
		got, err := decodeGetMeetings(doc)
		require.NoError(t, err)
		require.NotNil(t, got)
		require.Empty(t, got)
	})
	t.Run("meetings without attendees or metadata", func(t *testing.T) {
		t.Parallel()
		want := genMeetings(genSpec{meetings: 4, attendees: 0, metadata: 0})
		for i := range want {
			want[i].Attendees = nil // <attendees> without children decodes as nil
			want[i].ParticipantCount, want[i].ListenerCount, want[i].VoiceParticipantCount = 0, 0, 0
			want[i].VideoCount, want[i].ModeratorCount = 0, 0
		}
		got, err := decodeGetMeetings(renderGetMeetings(want, genBreakoutWrapped))
		require.NoError(t, err)
		require.Equal(t, want, got)
	})
	t.Run("one meeting", func(t *testing.T) {
		t.Parallel()
		want := genMeetings(genSpec{meetings: 1, attendees: 2, metadata: 6})
		got, err := decodeGetMeetings(renderGetMeetings(want, genBreakoutFlat))
		require.NoError(t, err)
		require.Equal(t, want, got)
	})
	t.Run("FAILED answer", func(t *testing.T) {
		t.Parallel()
		_, err := decodeGetMeetings([]byte("<response><returncode>FAILED</returncode><messageKey>checksumError</messageKey><message>Checksums do not match</message></response>"))
		var apiErr *APIError
		require.True(t, errors.As(err, &apiErr))
		require.ErrorIs(t, err, ErrChecksum)
	})
}
