package bbb

import "unicode/utf8"

// ValidateMeetingID applies BBB's rule for meeting IDs: 2 to 256
// characters from ASCII letters, digits, white space and
// !@#$%^&*()_-+=[]{};:.'"<>?\|/ (no comma, which breaks recordings).
func ValidateMeetingID(id string) error {
	return validateMeetingID("", "meetingID", id)
}

func validateMeetingID(call, param, id string) error {
	if id == "" {
		return &ParamError{Call: call, Param: param, Reason: "required"}
	}
	if n := utf8.RuneCountInString(id); n < 2 || n > 256 {
		return &ParamError{Call: call, Param: param, Reason: "must be 2 to 256 characters"}
	}
	for i := 0; i < len(id); i++ {
		if !meetingIDByte(id[i]) {
			return &ParamError{Call: call, Param: param, Reason: "may contain only ASCII letters, digits, spaces and !@#$%^&*()_-+=[]{};:.'\"<>?\\|/"}
		}
	}
	return nil
}

func meetingIDByte(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	case c == ' ', c == '\t', c == '\n', c == '\v', c == '\f', c == '\r':
		return true
	}
	for i := 0; i < len(meetingIDPunct); i++ {
		if meetingIDPunct[i] == c {
			return true
		}
	}
	return false
}

const meetingIDPunct = `!@#$%^&*()_-+=[]{};:.'"<>?\|/`

// ValidMetaKey reports whether key (without the "meta_" prefix) is a
// metadata key BBB accepts: a letter, then letters, digits and hyphens.
func ValidMetaKey(key string) bool {
	if key == "" || !isLetter(key[0]) {
		return false
	}
	for i := 1; i < len(key); i++ {
		if c := key[i]; !isLetter(c) && !('0' <= c && c <= '9') && c != '-' {
			return false
		}
	}
	return true
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

func required(call, param, v string) error {
	if v == "" {
		return &ParamError{Call: call, Param: param, Reason: "required"}
	}
	return nil
}

func validateMeta(call string, m Metadata) error {
	for k := range m {
		if !ValidMetaKey(k) {
			return &ParamError{Call: call, Param: "meta_" + k, Reason: "metadata keys must match [a-zA-Z][a-zA-Z0-9-]*"}
		}
	}
	return nil
}
