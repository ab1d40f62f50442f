package bbbtest

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"io"
	"net/http"
	"path"
	"strings"
	"time"
)

// ChatMessage is a message of a meeting's public chat.
type ChatMessage struct {
	UserName string
	Message  string
	Time     time.Time // on the server's clock
	// FromAPI is true for a message sent with sendChatMessage, false for
	// one typed by a user (PostChat).
	FromAPI bool
}

// Document is a presentation given to a meeting: pre-uploaded with a
// create POST or added with insertDocument.
type Document struct {
	// URL is the document's URL for a document BBB downloads, "" for an
	// inline (base64) one.
	URL string
	// Name is the file name: the filename or name attribute, else the last
	// segment of URL.
	Name string
	// Size is the decoded size of an inline document, 0 for a URL.
	Size         int
	Current      bool
	Downloadable bool
	Removable    bool
	// Call is "create" or "insertDocument".
	Call string
	Time time.Time // on the server's clock
}

// maxBody bounds the XML bodies read (BBB's default upload limit is 30 MB).
const maxBody = 32 << 20

// readXMLBody reads the XML body of a POST (create's <modules>,
// insertDocument's), nil when there is none: no body, or a form body
// readBodyParams consumed. A body that is not XML yields no document later,
// as in BBB.
func (s *Server) readXMLBody(e *exchange) ([]byte, bool) {
	if e.bodyRead || e.r.Method != http.MethodPost {
		return nil, true
	}
	body, err := io.ReadAll(io.LimitReader(e.r.Body, maxBody+1))
	if err != nil {
		s.fail(e, "validationError", "Could not read the request body")
		return nil, false
	}
	if len(body) > maxBody {
		s.fail(e, "maxFileSizeExceeded", "The request body is too large")
		return nil, false
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, true
	}
	return body, true
}

// modulesXML is the <modules> body of create and insertDocument. Parsing
// it is off the hot path, so encoding/xml is fine here.
type modulesXML struct {
	Modules []struct {
		Name      string `xml:"name,attr"`
		Documents []struct {
			URL          string `xml:"url,attr"`
			Filename     string `xml:"filename,attr"`
			Name         string `xml:"name,attr"`
			Current      string `xml:"current,attr"`
			Downloadable string `xml:"downloadable,attr"`
			Removable    string `xml:"removable,attr"`
			Content      string `xml:",chardata"`
		} `xml:"document"`
	} `xml:"module"`
}

// parseModules returns the documents of the presentation module of body.
// Like BBB, a body it cannot parse yields no document rather than an error.
func parseModules(body []byte, call string, now time.Time) []Document {
	if len(body) == 0 {
		return nil
	}
	var mods modulesXML
	if err := xml.Unmarshal(body, &mods); err != nil {
		return nil
	}
	var docs []Document
	for _, mod := range mods.Modules {
		if mod.Name != "presentation" {
			continue
		}
		for _, d := range mod.Documents {
			doc := Document{
				URL:          strings.TrimSpace(d.URL),
				Current:      parseJavaBool(d.Current),
				Downloadable: parseJavaBool(d.Downloadable),
				Removable:    d.Removable == "" || parseJavaBool(d.Removable),
				Call:         call,
				Time:         now,
			}
			switch {
			case doc.URL != "":
				doc.Name = d.Filename
				if doc.Name == "" {
					doc.Name = path.Base(strings.SplitN(doc.URL, "?", 2)[0])
				}
			case d.Name != "":
				raw, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(d.Content), ""))
				if err != nil {
					continue
				}
				doc.Name, doc.Size = d.Name, len(raw)
			default:
				continue // BBB ignores a document with neither url nor name
			}
			docs = append(docs, doc)
		}
	}
	return docs
}

// ---- sendChatMessage (3.0+) ----

// javaLen is the length of s in UTF-16 code units, as Java counts it.
func javaLen(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2 // a surrogate pair
		} else {
			n++
		}
	}
	return n
}

// maxChatMessage is the longest public chat message, in UTF-16 units as
// Java counts them (javaLen): sendChatMessage's limit, and the client's.
const maxChatMessage = 500

func (s *Server) handleSendChatMessage(e *exchange) {
	id, ok := s.meetingIDParam(e, s.fail)
	if !ok {
		return
	}
	msg := e.q.value("message")
	if n := javaLen(msg); n < 1 || n > maxChatMessage {
		s.fail(e, "validationError", "Message must be between 1 and 500 characters")
		return
	}
	user := e.q.value("userName")
	if javaLen(user) > 255 {
		s.fail(e, "validationError", "User name must be at most 255 characters")
		return
	}
	if user == "" {
		user = "System"
	}
	s.lock(e.now)
	m := s.liveMeetingLocked(id)
	if m == nil {
		s.unlock()
		s.fail(e, "notFound", "We could not find a meeting with that meeting ID")
		return
	}
	m.chat = append(m.chat, ChatMessage{UserName: user, Message: msg, Time: e.now, FromAPI: true})
	s.unlock()
	x := newXMLWriter()
	defer x.release()
	x.start("SUCCESS")
	x.end()
	s.writeXML(e, x)
}

// ---- insertDocument (2.5+) ----

func (s *Server) handleInsertDocument(e *exchange) {
	id, ok := s.meetingIDParam(e, s.fail)
	if !ok {
		return
	}
	var docs []Document
	if e.r.Method == http.MethodPost {
		body, ok := s.readXMLBody(e)
		if !ok {
			return
		}
		docs = parseModules(body, "insertDocument", e.now)
	}
	s.lock(e.now)
	m := s.liveMeetingLocked(id)
	if m == nil {
		s.unlock()
		s.fail(e, "notFound", "We could not find a meeting with that meeting ID")
		return
	}
	if len(docs) == 0 {
		s.unlock()
		s.fail(e, "validationError", "No document was found in the request body")
		return
	}
	m.documents = append(m.documents, docs...)
	s.unlock()
	x := newXMLWriter()
	defer x.release()
	x.start("SUCCESS")
	x.text("message", "Presentation is being uploaded")
	x.end()
	s.writeXML(e, x)
}
