package bbb

import (
	"crypto/sha1" //nolint:gosec // the baseline mirrors what clients do
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"net/url"
	"strings"
	"testing"
)

// benchCreate is a create with 12 parameters, as a portal sends it.
var benchCreate = &CreateParams{
	Name:        "Webinar: distributed systems",
	MeetingID:   "webinar-0042",
	AttendeePW:  "ap-8c1f0e",
	ModeratorPW: "mp-77ab2d",
	Welcome:     "Welcome!",
	Record:      ptr(false),
	Duration:    120,
	GuestPolicy: GuestAlwaysAccept,
	LogoutURL:   "https://pod.example.org/",
	MuteOnStart: ptr(true),
	Meta: Metadata{
		"endCallbackUrl": "https://pod.example.org/bbb/end?t=3q2-7wAAAAB0aGlzIGlzIGEgdG9rZW4",
		"bbb-origin":     "bbbcast",
	},
}

var benchJoin = &JoinParams{
	FullName:   "Ada Lovelace",
	MeetingID:  "webinar-2026-11-21-0042",
	Role:       RoleModerator,
	CreateTime: 1763716800000,
	UserID:     "u-1815",
}

var sinkString string

func benchClient(b *testing.B, alg Algorithm) *Client {
	c, err := NewClient("https://bbb.example.org/bigbluebutton", "639259d4-9dd8-4b25-bf01-95f9567eaf4b", WithChecksum(alg))
	if err != nil {
		b.Fatal(err)
	}
	return c
}

// BenchmarkCreateURL signs the 12-parameter create: the fast path, the
// general go-querystring path, and a naive url.Values + Sprintf + hash
// baseline.
func BenchmarkCreateURL(b *testing.B) {
	for _, alg := range []Algorithm{SHA1, SHA256} {
		c := benchClient(b, alg)
		b.Run("fast/"+alg.String(), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				u, err := c.CreateURL(benchCreate)
				if err != nil {
					b.Fatal(err)
				}
				sinkString = u
			}
		})
		b.Run("querystring/"+alg.String(), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				q, err := encodeStruct(benchCreate)
				if err != nil {
					b.Fatal(err)
				}
				sinkString = c.signedURL("create", q.b)
			}
		})
		b.Run("naive/"+alg.String(), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				v := url.Values{}
				v.Set("name", benchCreate.Name)
				v.Set("meetingID", benchCreate.MeetingID)
				v.Set("attendeePW", benchCreate.AttendeePW)
				v.Set("moderatorPW", benchCreate.ModeratorPW)
				v.Set("welcome", benchCreate.Welcome)
				v.Set("record", "false")
				v.Set("duration", "120")
				v.Set("guestPolicy", string(benchCreate.GuestPolicy))
				v.Set("logoutURL", benchCreate.LogoutURL)
				v.Set("muteOnStart", "true")
				for k, val := range benchCreate.Meta {
					v.Set("meta_"+k, val)
				}
				sinkString = naiveSign(alg, "create", v.Encode())
			}
		})
	}
}

// BenchmarkJoinURL signs a moderator join link.
func BenchmarkJoinURL(b *testing.B) {
	c := benchClient(b, SHA256)
	b.Run("fast/sha256", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			u, err := c.JoinURL(benchJoin)
			if err != nil {
				b.Fatal(err)
			}
			sinkString = u
		}
	})
	b.Run("naive/sha256", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			v := url.Values{}
			v.Set("fullName", benchJoin.FullName)
			v.Set("meetingID", benchJoin.MeetingID)
			v.Set("role", string(benchJoin.Role))
			v.Set("createTime", fmt.Sprint(benchJoin.CreateTime))
			v.Set("userID", benchJoin.UserID)
			sinkString = naiveSign(SHA256, "join", v.Encode())
		}
	})
}

// BenchmarkHashFloor hashes what signing the create URL hashes (call,
// query and secret), and nothing else: the part of BenchmarkCreateURL no
// encoder can remove.
func BenchmarkHashFloor(b *testing.B) {
	u, err := benchClient(b, SHA256).CreateURL(benchCreate)
	if err != nil {
		b.Fatal(err)
	}
	_, q, _ := strings.Cut(u, "?")
	data := []byte("create" + q[:strings.LastIndex(q, "&checksum=")] + "639259d4-9dd8-4b25-bf01-95f9567eaf4b")
	for _, alg := range []Algorithm{SHA1, SHA256} {
		b.Run(alg.String(), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			var dst [128]byte
			for i := 0; i < b.N; i++ {
				alg.sum(dst[:0], data)
			}
		})
	}
}

func naiveSign(alg Algorithm, call, query string) string {
	var h hash.Hash
	if alg == SHA1 {
		h = sha1.New()
	} else {
		h = sha256.New()
	}
	h.Write([]byte(call + query + "639259d4-9dd8-4b25-bf01-95f9567eaf4b"))
	return fmt.Sprintf("%s/api/%s?%s&checksum=%s", "https://bbb.example.org/bigbluebutton", call, query, hex.EncodeToString(h.Sum(nil)))
}
