package httpretry

import (
	"fmt"
	"net/url"
	"strings"
)

// BaseURL checks an API's base URL and returns it as scheme://host/path
// without a trailing slash. It must be https (http too when allowHTTP),
// have a host, and carry no credentials, query or fragment. errInsecure is
// returned for http without allowHTTP; other problems wrap errInvalid.
func BaseURL(raw string, allowHTTP bool, errInvalid, errInsecure error) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return "", fmt.Errorf("%w: %v", errInvalid, RedactURLError(err))
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && allowHTTP:
	case u.Scheme == "http":
		return "", errInsecure
	default:
		return "", fmt.Errorf("%w: scheme must be https", errInvalid)
	}
	if u.Host == "" {
		return "", fmt.Errorf("%w: no host", errInvalid)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("%w: must not carry credentials, a query or a fragment", errInvalid)
	}
	return u.Scheme + "://" + u.Host + strings.TrimRight(u.EscapedPath(), "/"), nil
}
