package bbb

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bbbcast/bbbcast/bbb/internal/xmltree"
	"github.com/stretchr/testify/require"
)

// fuzzMarker stands for a secret a body may echo (a proxy page quoting the
// request URL, checksum included): it must never reach the text of an
// error that is not the server's own message.
const fuzzMarker = "SECRETMARKER"

// fuzzResponseSeeds are bodies seeding FuzzParseResponse.
var fuzzResponseSeeds = []string{
	"",
	"   \r\n\t",
	`<response><returncode>SUCCESS</returncode><running>true</running></response>`,
	`<?xml version="1.0" encoding="UTF-8"?>
<response>
  <returncode>FAILED</returncode>
  <messageKey>checksumError</messageKey>
  <message>Checksums do not match</message>
</response>`,
	`<response>
<returncode>SUCCESS</returncode>
<meetings/>
<messageKey>noMeetings</messageKey>
<message>no meetings were found on this server</message>
</response>`,
	`<response><returncode>SUCCESS</returncode><meetings><meeting><meetingName>R&amp;D</meetingName><meetingID>rd</meetingID>` +
		`<createTime>1716386450131</createTime><running>true</running><startTime>1716386450194</startTime><endTime>0</endTime>` +
		`<attendees><attendee><userID>u1</userID><fullName>Zoë</fullName><role>MODERATOR</role><isPresenter>true</isPresenter>` +
		`<customdata><bbb_auto_join_audio>true</bbb_auto_join_audio></customdata></attendee></attendees>` +
		`<metadata><bbb-origin>Pod</bbb-origin></metadata><isBreakout>true</isBreakout>` +
		`<breakout><parentMeetingID>p-1</parentMeetingID><sequence>2</sequence><freeJoin>true</freeJoin></breakout>` +
		`<breakoutRooms><breakout>b-1</breakout><breakout>b-2</breakout></breakoutRooms></meeting></meetings></response>`,
	`<response><returncode>SUCCESS</returncode><meetings><meeting><duration>x</duration><maxUsers>99999999999999999999</maxUsers>` +
		`<createTime>-5</createTime><startTime>9223372036854775807</startTime><attendees><other/></attendees><metadata/></meeting>` +
		`<notAMeeting/></meetings></response>`,
	// Answers that are not BBB's, some echoing the marker.
	"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n",
	`<!DOCTYPE html><html><body><p>Request /bigbluebutton/api/create?name=x&checksum=` + fuzzMarker + ` refused</p></body></html>`,
	`<html><body>GET /api/getMeetings?checksum=` + fuzzMarker + `</body></html>`,
	`<error><url>https://bbb.example/api/create?checksum=` + fuzzMarker + `</url></error>`,
	`{"response":{"returncode":"SUCCESS","checksum":"` + fuzzMarker + `"}}`,
	fuzzMarker,
	"<" + fuzzMarker + "/>",
	`<response><returncode>` + fuzzMarker + `</returncode></response>`,
	`<response><returncode>SUCCESS</returncode><url>` + fuzzMarker,
	`<response><returncode>SUCCESS</returncode><` + fuzzMarker + `></response>`,
	`<response><returncode>SUCCESS</returncode><x>&` + fuzzMarker + `;</x></response>`,
	`<response a="&` + fuzzMarker + `;"/>`,
	`<response><returncode>FAILED</returncode><messageKey>checksumError</messageKey><message>checksum ` + fuzzMarker + ` wrong</message></response>`,
	"<response>\xff" + fuzzMarker + "</response>",
	`<?xml version="1.0"?><!DOCTYPE response [<!ENTITY x "` + fuzzMarker + `">]><response>&x;</response>`,
	`<response><returncode>SUCCESS</returncode></response><` + fuzzMarker + `/>`,
}

// fuzzSeedFiles returns sample answers kept in testdata directories.
func fuzzSeedFiles(tb testing.TB) [][]byte {
	var out [][]byte
	for _, pattern := range []string{
		filepath.Join("testdata", "getmeetings_*.xml"),
		filepath.Join("internal", "xmltree", "testdata", "bbb", "*"),
	} {
		paths, err := filepath.Glob(pattern)
		require.NoError(tb, err)
		for _, p := range paths {
			b, err := os.ReadFile(p)
			require.NoError(tb, err)
			out = append(out, b)
		}
	}
	return out
}

// eachElement calls f on every element named name under n, n included.
func eachElement(n xmltree.Node, name string, f func(xmltree.Node)) {
	if n.Name() == name {
		f(n)
	}
	for c := range n.Children() {
		eachElement(c, name, f)
	}
}

// FuzzParseResponse feeds arbitrary bodies and statuses to parseResponse
// and the decoders behind GetMeetings and GetMeetingInfo: nothing panics;
// a FAILED answer is an *APIError and anything that is not a <response>
// a *ResponseError; and no error but the server's own message quotes
// the body.
func FuzzParseResponse(f *testing.F) {
	for _, s := range fuzzResponseSeeds {
		for _, status := range []int{200, 404, 500} {
			f.Add([]byte(s), status)
		}
	}
	for _, b := range fuzzSeedFiles(f) {
		f.Add(b, 200)
	}
	f.Add(renderGetMeetings(genMeetings(genSpec{meetings: 3, attendees: 2, metadata: 2}), genBreakoutWrapped), 200)
	f.Add(renderGetMeetings(genMeetings(genSpec{meetings: 3, attendees: 1, metadata: 1}), genBreakoutFlat), 502)
	// Each syntax error of xmltree, next to the marker: no syntax error
	// quotes the body. And a <response> without returncode.
	for _, s := range []string{
		`<?xml version="1.0" ` + fuzzMarker,
		`<response>< ` + fuzzMarker + `/></response>`,
		`<response><` + fuzzMarker + ` `,
		`<response a="1"` + fuzzMarker + `="2"/>`,
		`<response/ ` + fuzzMarker + `>`,
		`<response ="` + fuzzMarker + `"/>`,
		`<response ` + fuzzMarker + ` = "1" ` + fuzzMarker + ` = "2"/>`,
		`<response ` + fuzzMarker + `/>`,
		`<response a=` + fuzzMarker + `/>`,
		`<response a="` + fuzzMarker,
		`<response a="<` + fuzzMarker + `"/>`,
		`<response></ ` + fuzzMarker + `>`,
		`<response></response ` + fuzzMarker + `>`,
		`<response><returncode>SUCCESS</returncode><x>&amp ` + fuzzMarker + `</x></response>`,
		`<response a="&amp ` + fuzzMarker + `"/>`,
		"<response>\x01" + fuzzMarker + "</response>",
		"<r>" + fuzzMarker + "</r>\x02",
		`<response><message>` + fuzzMarker + `</message></response>`,
	} {
		f.Add([]byte(s), 200)
	}

	f.Fuzz(func(t *testing.T, body []byte, status int) {
		const call = "getMeetings"
		resp, err := parseResponse(call, string(body), status, "text/xml;charset=utf-8")

		// What parseResponse must decide, from xmltree directly.
		doc, perr := xmltree.Parse(body)
		var root xmltree.Node
		if perr == nil {
			root = doc.Root()
			// Every meeting anywhere decodes without panicking, and so
			// does the root as a getMeetingInfo answer.
			eachElement(root, "meeting", func(n xmltree.Node) {
				var m Meeting
				decodeMeeting(n, &m)
			})
			var m Meeting
			decodeMeeting(root, &m)
			_ = decodeMeetings(root)
		}

		var respErr *ResponseError
		var apiErr *APIError
		switch {
		case len(bytes.TrimSpace(body)) == 0, perr != nil, root.Name() != "response":
			require.ErrorAs(t, err, &respErr, "body %q", body)
			require.False(t, resp.Exists())
			require.Equal(t, call, respErr.Call)
			require.Equal(t, status, respErr.StatusCode)
		case root.ChildText("returncode") == "FAILED":
			require.ErrorAs(t, err, &apiErr, "body %q", body)
			require.False(t, resp.Exists())
			require.Equal(t, call, apiErr.Call)
			require.Equal(t, root.ChildText("messageKey"), apiErr.Key)
			require.Equal(t, root.ChildText("message"), apiErr.Message)
			require.True(t, errors.Is(err, &APIError{Key: apiErr.Key}))
		case root.ChildText("returncode") == "SUCCESS" && status >= 200 && status <= 299:
			require.NoError(t, err)
			require.Equal(t, "response", resp.Name())
			require.Equal(t, "SUCCESS", resp.ChildText("returncode"))
			ms := decodeMeetings(resp)
			require.Len(t, ms, countMeetings(resp))
		default:
			require.ErrorAs(t, err, &respErr, "body %q", body)
			require.False(t, resp.Exists())
		}

		if err == nil || !bytes.Contains(body, []byte(fuzzMarker)) {
			return
		}
		msg := err.Error()
		if apiErr != nil {
			// The server's own messageKey and message are the only
			// parts of the body an APIError carries.
			msg = strings.ReplaceAll(msg, apiErr.Key, "")
			msg = strings.ReplaceAll(msg, apiErr.Message, "")
		}
		require.NotContains(t, msg, fuzzMarker, "error %q for body %q", err.Error(), body)
	})
}

func countMeetings(resp xmltree.Node) int {
	n := 0
	for c := range resp.Child("meetings").Children() {
		if c.Name() == "meeting" {
			n++
		}
	}
	return n
}

// hasChecksumPair reports whether a raw query has a pair named checksum,
// with or without '=' (Verify takes both for a checksum).
func hasChecksumPair(query string) bool {
	for _, pair := range strings.Split(query, "&") {
		if key, _, _ := strings.Cut(pair, "="); key == "checksum" {
			return true
		}
	}
	return false
}

func flipHex(c byte) byte {
	if c == '0' {
		return 'f'
	}
	return '0'
}

// FuzzVerify: what Sign signs, Verify accepts, with the checksum pair at
// the end, the start or in the middle of the query; a checksum with one
// hex digit changed, in upper case, for another secret or from an
// algorithm not allowed is refused; and Verify never panics on the raw
// inputs.
func FuzzVerify(f *testing.F) {
	f.Add("create", "name=Test+Meeting&meetingID=abc123&attendeePW=111222&moderatorPW=333444", "639259d4-9dd8-4b25-bf01-95f9567eaf4b", uint8(0))
	f.Add("getMeetings", "", "secret", uint8(1))
	f.Add("hooks/create", "callbackURL=https%3A%2F%2Fpod.example%2Fhook&meetingID=x", "s3cr3t", uint8(2))
	f.Add("join", "fullName=Zo%C3%AB&meetingID=m&role=VIEWER&userdata-bbb_auto_join_audio=true&", "é", uint8(3))
	f.Add("end", "&&meetingID=a&&", "x", uint8(4))
	f.Add("isMeetingRunning", "meetingID=a=b=c&checksumx=1&xchecksum=2", "", uint8(5))
	f.Add("", "checksum", "k", uint8(6))
	f.Add("getMeetingInfo", "meetingID=x&checksum=abc", "k", uint8(7))
	f.Fuzz(func(t *testing.T, call, query, secret string, algIndex uint8) {
		// Whatever the inputs, Verify answers without panicking.
		if err := Verify(call, query, secret); err != nil {
			require.ErrorIs(t, err, ErrChecksum)
		}

		if strings.Contains(call, "&") || hasChecksumPair(query) {
			return
		}
		alg := Algorithms[int(algIndex)%len(Algorithms)]
		sum := Sign(alg, call, query, secret)
		require.Len(t, sum, alg.HexLen())
		require.Equal(t, strings.ToLower(sum), sum)

		atEnd := query + "&checksum=" + sum
		require.NoError(t, Verify(call, atEnd, secret))
		require.NoError(t, Verify(call, atEnd, secret, alg))
		require.NoError(t, Verify(call, "checksum="+sum+"&"+query, secret))
		for i := 0; i < len(query); i++ {
			if query[i] == '&' {
				middle := query[:i] + "&checksum=" + sum + "&" + query[i+1:]
				require.NoError(t, Verify(call, middle, secret), "checksum at %d", i)
			}
		}

		for _, other := range Algorithms {
			if other != alg {
				require.ErrorIs(t, Verify(call, atEnd, secret, other), ErrChecksum)
			}
		}
		require.ErrorIs(t, Verify(call, atEnd, secret+"x"), ErrChecksum)
		require.ErrorIs(t, Verify(call, atEnd+"&checksum="+sum, secret), ErrChecksum)
		if upper := strings.ToUpper(sum); upper != sum {
			require.ErrorIs(t, Verify(call, query+"&checksum="+upper, secret), ErrChecksum)
		}
		b := []byte(sum)
		for i := range b {
			c := b[i]
			b[i] = flipHex(c)
			require.ErrorIs(t, Verify(call, query+"&checksum="+string(b), secret), ErrChecksum, "digit %d changed", i)
			b[i] = c
		}
	})
}

// verifyOracle is Verify's rule written the plain way: exactly one
// non-empty checksum pair, of a known length, equal to the signature of the
// other pairs in their order.
func verifyOracle(call, rawQuery, secret string) bool {
	var sums, rest []string
	for _, pair := range strings.Split(rawQuery, "&") {
		if key, val, _ := strings.Cut(pair, "="); key == "checksum" {
			sums = append(sums, val)
		} else {
			rest = append(rest, pair)
		}
	}
	if len(sums) != 1 || sums[0] == "" {
		return false
	}
	alg, ok := AlgorithmForLength(len(sums[0]))
	return ok && Sign(alg, call, strings.Join(rest, "&"), secret) == sums[0]
}

// FuzzVerifyRaw: Verify on an arbitrary call and raw query never panics,
// refuses with a *ChecksumError, and accepts exactly what verifyOracle does.
func FuzzVerifyRaw(f *testing.F) {
	const secret = "639259d4-9dd8-4b25-bf01-95f9567eaf4b"
	q := "name=Test+Meeting&meetingID=abc123&attendeePW=111222&moderatorPW=333444"
	f.Add("create", q+"&checksum=1fcbb0c4fc1f039f73aa6d697d2db9ba7f803f17")
	f.Add("create", "checksum=1fcbb0c4fc1f039f73aa6d697d2db9ba7f803f17&"+q)
	for _, alg := range Algorithms {
		f.Add("getMeetings", "checksum="+Sign(alg, "getMeetings", "", secret))
		f.Add("join", "meetingID=x&checksum="+Sign(alg, "join", "meetingID=x", secret)+"&fullName=y")
	}
	f.Add("end", "")
	f.Add("end", "checksum=&checksum=")
	f.Add("end", "checksum")
	f.Add("end", "&&&")
	f.Add("x", "checksum="+strings.Repeat("a", 300))
	f.Fuzz(func(t *testing.T, call, rawQuery string) {
		err := Verify(call, rawQuery, secret)
		if verifyOracle(call, rawQuery, secret) {
			require.NoError(t, err)
			return
		}
		var ce *ChecksumError
		require.ErrorAs(t, err, &ce)
		require.ErrorIs(t, err, ErrChecksum)
		require.NotContains(t, err.Error(), secret)
		for _, alg := range Algorithms {
			require.Error(t, Verify(call, rawQuery, secret, alg))
		}
	})
}
