package bbbtest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/bbbcast/bbbcast/bbb"
	"github.com/bbbcast/bbbcast/bbb/bbbtest"
)

// The control API plays BBB's users over plain HTTP, for suites that
// cannot call the Go helpers (through the fakebbb command).
func ExampleControlPath() {
	srv := bbbtest.NewServer(bbbtest.WithAddr("127.0.0.1:0"))
	defer srv.Close()
	if _, err := srv.Client().Create(context.Background(), &bbb.CreateParams{Name: "Demo", MeetingID: "demo"}); err != nil {
		fmt.Println(err)
		return
	}
	control := strings.TrimSuffix(srv.URL, bbbtest.BasePath) + bbbtest.ControlPath

	resp, err := http.Post(control+"/join", "application/json",
		strings.NewReader(`{"meetingID":"demo","fullName":"Ada","role":"MODERATOR"}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	resp.Body.Close()

	resp, err = http.Get(control + "/meetings")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	var list struct {
		Meetings []struct {
			MeetingID string `json:"meetingID"`
			Running   bool   `json:"running"`
			Attendees []struct {
				FullName string `json:"fullName"`
				Role     string `json:"role"`
			} `json:"attendees"`
		} `json:"meetings"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		fmt.Println(err)
		return
	}
	m := list.Meetings[0]
	fmt.Println(m.MeetingID, m.Running, m.Attendees[0].FullName, m.Attendees[0].Role)
	// Output: demo true Ada MODERATOR
}
