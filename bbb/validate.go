package bbb

import (
	"strings"
	"unicode/utf8"
)

// ValidateMeetingID applies the widest rule of the BBB releases the client
// may talk to, so that it never refuses an ID the server accepts: 2 to 256
// characters, counted in UTF-16 code units as Java counts them, of valid
// UTF-8, and no comma (which breaks recording look-ups).
//
// That is BBB's own rule since 2.4: bbb-common-web's MeetingIDConstraint
// (@Size(min = 2, max = 256) and @Pattern(regexp = "^[^,]+$")), set by
// bigbluebutton/bigbluebutton PR #12853 (merge commit cb711451, July 2021;
// first tagged v2.4-beta-1). PR #12693 had briefly used an ASCII list
// (^[a-zA-Z0-9\s!@#$%^&*()_\-+=\[\]{};:.'"<>?\\|\/]+$) in the 2.4 alphas;
// releases up to 2.3 refused only the comma (ParamsUtil.isValidMeetingId).
// Any non-ASCII character is fine: "réunion-été", "会议-2024", "a~b".
func ValidateMeetingID(id string) error {
	return validateMeetingID("", "meetingID", id)
}

func validateMeetingID(call, param, id string) error {
	if id == "" {
		return &ParamError{Call: call, Param: param, Reason: "required"}
	}
	if n := javaLen(id); n < 2 || n > 256 {
		return &ParamError{Call: call, Param: param, Reason: "must be 2 to 256 characters"}
	}
	if !utf8.ValidString(id) {
		return &ParamError{Call: call, Param: param, Reason: "must be valid UTF-8"}
	}
	if strings.IndexByte(id, ',') >= 0 {
		return &ParamError{Call: call, Param: param, Reason: "must not contain a comma"}
	}
	return nil
}

// javaLen is the length of s in UTF-16 code units, as Java's String.length
// (and so BBB's @Size) counts it. Invalid bytes count one each.
func javaLen(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

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
