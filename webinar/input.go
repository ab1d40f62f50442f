package webinar

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/bbbcast/bbbcast/gateway"
)

// InputError is a refused field of a draft or change.
type InputError struct {
	Field  string
	Reason string
}

func (e *InputError) Error() string { return "webinar: " + e.Field + ": " + e.Reason }

// MinTitleLen and MaxTitleLen bound a title, in characters. The title is
// the BBB meeting's name, which BBB wants 2 characters long at least.
const (
	MinTitleLen = 2
	MaxTitleLen = 250
)

// MaxNameLen bounds a user ID, a pool or a server name, in characters.
const MaxNameLen = 255

func checkTitle(t string) error {
	switch {
	case strings.TrimSpace(t) == "":
		return &InputError{Field: "title", Reason: "required"}
	case !utf8.ValidString(t) || utf8.RuneCountInString(t) > MaxTitleLen:
		return &InputError{Field: "title", Reason: fmt.Sprintf("at most %d characters of valid UTF-8", MaxTitleLen)}
	case hasControl(t):
		return &InputError{Field: "title", Reason: "no control characters (line breaks, tabs, NUL…)"}
	case utf8.RuneCountInString(strings.TrimSpace(t)) < MinTitleLen:
		return &InputError{Field: "title", Reason: fmt.Sprintf("at least %d characters", MinTitleLen)}
	}
	return nil
}

// checkName refuses a user ID, pool or server name that a store or a
// server could not keep as given: invalid UTF-8, control characters
// (NUL among them), more than MaxNameLen characters.
func checkName(field, s string) error {
	switch {
	case !utf8.ValidString(s):
		return &InputError{Field: field, Reason: "not valid UTF-8"}
	case hasControl(s):
		return &InputError{Field: field, Reason: "no control characters"}
	case utf8.RuneCountInString(s) > MaxNameLen:
		return &InputError{Field: field, Reason: fmt.Sprintf("at most %d characters", MaxNameLen)}
	}
	return nil
}

func checkNames(field string, list []string) error {
	for _, s := range list {
		if err := checkName(field, s); err != nil {
			return err
		}
	}
	return nil
}

func hasControl(s string) bool { return strings.IndexFunc(s, unicode.IsControl) >= 0 }

// checkSlot refuses an invalid slot, and one that is over: a webinar
// whose end has passed could never run.
func (s *Service) checkSlot(slot gateway.Slot) error {
	if err := slot.Validate(0); err != nil {
		return err
	}
	if !slot.End.After(s.clock.Now()) {
		return &InputError{Field: "slot", Reason: "it ends in the past"}
	}
	return nil
}
