package classroom

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/bbbcast/bbbcast/bbb"
)

// ErrUnavailable is returned when BigBlueButton could not be reached or
// answered with something that is not BigBlueButton (a proxy's error
// page): the user may try again later.
var ErrUnavailable = errors.New("classroom: the video service is unavailable, try again later")

// Course is a course of the host application.
type Course struct {
	ID    string
	Title string
}

// Class is an open class: one run of a course's meeting.
type Class struct {
	CourseID  string
	MeetingID string
	// CreateTime binds join links to this run: a link does not open a
	// class reopened since.
	CreateTime int64
}

// Classroom opens a BigBlueButton meeting per course.
type Classroom struct {
	bbb      *bbb.Client
	signer   *bbb.CallbackSigner
	endedURL string
}

// New returns a Classroom on client. BBB reports the end of a class to
// endedURL, where the host serves EndedHandler; signer signs that URL.
func New(client *bbb.Client, signer *bbb.CallbackSigner, endedURL string) *Classroom {
	return &Classroom{bbb: client, signer: signer, endedURL: endedURL}
}

const prefix = "course-"

// Open opens the course's class, or returns the one already open.
func (c *Classroom) Open(ctx context.Context, course Course) (Class, error) {
	id := prefix + course.ID
	ended, err := c.signer.EndCallbackURL(c.endedURL, id, "")
	if err != nil {
		return Class{}, err
	}
	res, err := c.bbb.Create(ctx, &bbb.CreateParams{
		Name: course.Title, MeetingID: id, Record: new(false),
		Meta: bbb.Metadata{"endCallbackUrl": ended, "course": course.ID},
	})
	if err != nil {
		return Class{}, fmt.Errorf("classroom: opening course %s: %w", course.ID, classify(err))
	}
	return Class{CourseID: course.ID, MeetingID: id, CreateTime: res.CreateTime}, nil
}

// JoinURL returns the link a teacher (moderator) or a student (viewer)
// opens to enter the class. It is a credential: do not log it.
func (c *Classroom) JoinURL(class Class, name string, teacher bool) (string, error) {
	role := bbb.RoleViewer
	if teacher {
		role = bbb.RoleModerator
	}
	return c.bbb.JoinURL(&bbb.JoinParams{FullName: name, MeetingID: class.MeetingID, Role: role,
		CreateTime: class.CreateTime})
}

// InSession reports whether anybody is in the course's class.
func (c *Classroom) InSession(ctx context.Context, courseID string) (bool, error) {
	running, err := c.bbb.IsMeetingRunning(ctx, prefix+courseID)
	return running, classify(err)
}

// Close ends the course's class. Closing a class that is not open is not
// an error.
func (c *Classroom) Close(ctx context.Context, courseID string) error {
	if err := c.bbb.End(ctx, prefix+courseID, ""); err != nil && !errors.Is(err, bbb.ErrNotFound) {
		return fmt.Errorf("classroom: closing course %s: %w", courseID, classify(err))
	}
	return nil
}

// EndedHandler serves BBB's end-of-meeting callback: it checks the
// signature, then calls ended with the course, which must be idempotent
// (BBB calls again after an error, and the URL can be replayed).
func (c *Classroom) EndedHandler(ended func(ctx context.Context, courseID string) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cb, err := c.signer.VerifyEndCallback(r.URL.Query())
		courseID, ok := strings.CutPrefix(cb.MeetingID, prefix)
		switch {
		case err != nil || !ok:
			http.Error(w, "forbidden", http.StatusForbidden)
		case ended(r.Context(), courseID) != nil:
			http.Error(w, "try again", http.StatusServiceUnavailable) // BBB retries
		default:
			w.WriteHeader(http.StatusNoContent)
		}
	})
}

// classify marks the errors worth a retry with ErrUnavailable.
func classify(err error) error {
	var re *bbb.ResponseError
	var te *bbb.TransportError
	if errors.As(err, &re) || errors.As(err, &te) && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	return err
}
