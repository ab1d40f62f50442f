package bbb_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"os"
	"time"

	"github.com/bbbcast/bbbcast/bbb"
	"github.com/bbbcast/bbbcast/bbb/bbbtest"
)

func ExampleNewClient() {
	client, err := bbb.NewClient(
		"https://bbb.example.org/bigbluebutton",
		"639259d4-9dd8-4b25-bf01-95f9567eaf4b", // bbb-conf --secret
		bbb.WithChecksum(bbb.SHA256),
		bbb.WithTimeout(5*time.Second),
		bbb.WithLogger(slog.New(slog.NewTextHandler(os.Stderr, nil))),
	)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(client)
	// Output: bbb.Client{https://bbb.example.org/bigbluebutton/api/ sha256}
}

func ExampleNewClient_badInput() {
	_, err := bbb.NewClient("http://bbb.example.org/bigbluebutton", "secret")
	fmt.Println(errors.Is(err, bbb.ErrInsecureURL))
	_, err = bbb.NewClient("https://bbb.example.org/bigbluebutton", "")
	fmt.Println(err)
	// Output:
	// true
	// bbb: empty shared secret
}

func ExampleClient_Create() {
	// A fake BBB stands in for https://bbb.example.org/bigbluebutton here.
	srv := bbbtest.NewServer()
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()

	params := &bbb.CreateParams{
		Name:        "Webinar: distributed systems",
		MeetingID:   "webinar-42",
		GuestPolicy: bbb.GuestAlwaysAccept,
		Record:      bbb.Bool(false),
		Meta:        bbb.Metadata{"bbb-origin": "bbbcast"},
	}
	meeting, err := client.Create(ctx, params)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(meeting.MeetingID, meeting.Duplicate)

	// create is idempotent for the same meeting...
	again, err := client.Create(ctx, params)
	fmt.Println(again.MeetingID, again.Duplicate, err)

	// ...but refuses other passwords for a running meeting ID.
	_, err = client.Create(ctx, &bbb.CreateParams{Name: "Other", MeetingID: "webinar-42", ModeratorPW: "other"})
	fmt.Println(errors.Is(err, bbb.ErrIDNotUnique))
	// Output:
	// webinar-42 false
	// webinar-42 true <nil>
	// true
}

func ExampleClient_JoinURL() {
	client, err := bbb.NewClient("https://bbb.example.org/bigbluebutton", "639259d4-9dd8-4b25-bf01-95f9567eaf4b")
	if err != nil {
		log.Fatal(err)
	}
	u, err := client.JoinURL(&bbb.JoinParams{
		FullName:   "Ada Lovelace",
		MeetingID:  "webinar-42",
		Role:       bbb.RoleModerator,
		CreateTime: 1763716800000, // from Create: a link for this run of the meeting only
		UserData:   bbb.UserData{"bbb_auto_join_audio": "true"},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(u)
	// Output: https://bbb.example.org/bigbluebutton/api/join?fullName=Ada+Lovelace&meetingID=webinar-42&role=MODERATOR&createTime=1763716800000&userdata-bbb_auto_join_audio=true&checksum=e0db2412eac45f9b2d5bcb579c5539be9e13536e74877b3a7b5ec77eb87cc5fe
}

func ExampleClient_JoinURL_invalid() {
	client, _ := bbb.NewClient("https://bbb.example.org/bigbluebutton", "secret")
	_, err := client.JoinURL(&bbb.JoinParams{FullName: "Ada", MeetingID: "a,b", Role: bbb.RoleViewer})
	fmt.Println(err)
	fmt.Println(errors.Is(err, bbb.ErrInvalidParam))
	// Output:
	// bbb: join: parameter meetingID: must not contain a comma
	// true
}

func ExampleSign() {
	// The test vector of BigBlueButton's API documentation.
	query := "name=Test+Meeting&meetingID=abc123&attendeePW=111222&moderatorPW=333444"
	fmt.Println(bbb.Sign(bbb.SHA1, "create", query, "639259d4-9dd8-4b25-bf01-95f9567eaf4b"))
	// Output: 1fcbb0c4fc1f039f73aa6d697d2db9ba7f803f17
}

func ExampleVerify() {
	secret := "639259d4-9dd8-4b25-bf01-95f9567eaf4b"
	query := "meetingID=abc123"
	sum := bbb.Sign(bbb.SHA256, "isMeetingRunning", query, secret)

	// A server verifies the raw query, checksum anywhere, against the
	// algorithms it accepts.
	fmt.Println(bbb.Verify("isMeetingRunning", "checksum="+sum+"&"+query, secret, bbb.SHA256, bbb.SHA512))
	err := bbb.Verify("isMeetingRunning", query+"&checksum="+sum, secret, bbb.SHA1)
	fmt.Println(errors.Is(err, bbb.ErrChecksum), err)
	// Output:
	// <nil>
	// true bbb: checksum: algorithm sha256 is not accepted
}
