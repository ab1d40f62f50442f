package bbbtest

import (
	"strconv"
	"sync"
	"unicode/utf8"
)

// xmlWriter builds an XML answer by hand into one reusable buffer: the
// answers are small and fixed in shape, so this is much cheaper than
// encoding/xml on the request path.
type xmlWriter struct{ b []byte }

var xmlPool = sync.Pool{New: func() any { return &xmlWriter{b: make([]byte, 0, 2048)} }}

func newXMLWriter() *xmlWriter {
	x := xmlPool.Get().(*xmlWriter)
	x.b = x.b[:0]
	return x
}

func (x *xmlWriter) release() {
	if cap(x.b) <= 64<<10 { // do not pool huge getMeetings answers
		xmlPool.Put(x)
	}
}

// open writes <tag>.
func (x *xmlWriter) open(tag string) {
	x.b = append(x.b, '<')
	x.b = append(x.b, tag...)
	x.b = append(x.b, '>')
}

// close writes </tag>.
func (x *xmlWriter) close(tag string) {
	x.b = append(x.b, '<', '/')
	x.b = append(x.b, tag...)
	x.b = append(x.b, '>')
}

// empty writes <tag/>.
func (x *xmlWriter) empty(tag string) {
	x.b = append(x.b, '<')
	x.b = append(x.b, tag...)
	x.b = append(x.b, '/', '>')
}

// text writes <tag>s</tag> with s escaped.
func (x *xmlWriter) text(tag, s string) {
	x.open(tag)
	x.b = appendEscaped(x.b, s)
	x.close(tag)
}

// int writes <tag>v</tag>.
func (x *xmlWriter) int(tag string, v int64) {
	x.open(tag)
	x.b = strconv.AppendInt(x.b, v, 10)
	x.close(tag)
}

// bool writes <tag>true</tag> or <tag>false</tag>.
func (x *xmlWriter) bool(tag string, v bool) {
	x.open(tag)
	x.b = strconv.AppendBool(x.b, v)
	x.close(tag)
}

// start writes <response><returncode>code</returncode>.
func (x *xmlWriter) start(code string) {
	x.b = append(x.b, "<response><returncode>"...)
	x.b = append(x.b, code...)
	x.b = append(x.b, "</returncode>"...)
}

// end writes </response>.
func (x *xmlWriter) end() { x.b = append(x.b, "</response>"...) }

// appendEscaped appends s as XML character data: the five special
// characters become entities, and what XML 1.0 cannot carry (control
// characters other than tab, newline and carriage return, invalid UTF-8)
// becomes U+FFFD.
func appendEscaped(dst []byte, s string) []byte {
	last := 0
	for i := 0; i < len(s); {
		c := s[i]
		var rep string
		width := 1
		switch {
		case c == '&':
			rep = "&amp;"
		case c == '<':
			rep = "&lt;"
		case c == '>':
			rep = "&gt;"
		case c == '"':
			rep = "&quot;"
		case c == '\'':
			rep = "&apos;"
		case c < 0x20 && c != '\t' && c != '\n' && c != '\r':
			rep = "\uFFFD"
		case c < utf8.RuneSelf:
		default:
			r, n := utf8.DecodeRuneInString(s[i:])
			width = n
			if r == utf8.RuneError && n == 1 || r == 0xFFFE || r == 0xFFFF {
				rep = "\uFFFD"
			}
		}
		if rep != "" {
			dst = append(dst, s[last:i]...)
			dst = append(dst, rep...)
			last = i + width
		}
		i += width
	}
	return append(dst, s[last:]...)
}

// validXMLName reports whether s can be written as an element name as is
// (metadata and custom data keys become element names, like in BBB).
func validXMLName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', c == '_':
		case '0' <= c && c <= '9', c == '-', c == '.':
			if i == 0 {
				return false
			}
		default:
			return false
		}
	}
	return len(s) < 3 || !(s[0]|0x20 == 'x' && s[1]|0x20 == 'm' && s[2]|0x20 == 'l')
}

// image writes <image alt="…" height="…" width="…">url</image>, as BBB
// lists a playback format's preview thumbnails.
func (x *xmlWriter) image(im Image) {
	x.b = append(x.b, `<image alt="`...)
	x.b = appendEscaped(x.b, im.Alt)
	x.b = append(x.b, `" height="`...)
	x.b = strconv.AppendInt(x.b, int64(im.Height), 10)
	x.b = append(x.b, `" width="`...)
	x.b = strconv.AppendInt(x.b, int64(im.Width), 10)
	x.b = append(x.b, `">`...)
	x.b = appendEscaped(x.b, im.URL)
	x.b = append(x.b, "</image>"...)
}
