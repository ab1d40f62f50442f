package bbb

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/xml"
	"net/url"
	"strconv"
)

// Document is a presentation given to create or insertDocument: either a URL
// the server downloads, or Content uploaded inline with a Name.
type Document struct {
	URL          string
	Name         string // file name, required with Content, optional with URL
	Content      []byte
	Current      *bool // make it the current presentation
	Downloadable *bool
	Removable    *bool
}

func (d *Document) validate(call string, i int) error {
	param := "documents[" + strconv.Itoa(i) + "]"
	switch {
	case d.URL != "" && d.Content != nil:
		return &ParamError{Call: call, Param: param, Reason: "give a URL or content, not both"}
	case d.URL != "":
		u, err := url.Parse(d.URL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return &ParamError{Call: call, Param: param, Reason: "URL must be an absolute http(s) URL"}
		}
	case len(d.Content) == 0:
		return &ParamError{Call: call, Param: param, Reason: "a URL or non-empty content is required"}
	case d.Name == "":
		return &ParamError{Call: call, Param: param, Reason: "a name is required with inline content"}
	}
	return nil
}

// modulesXML encodes documents as BBB's <modules> request body.
func modulesXML(call string, docs []Document) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><modules><module name="presentation">`)
	for i := range docs {
		d := &docs[i]
		if err := d.validate(call, i); err != nil {
			return nil, err
		}
		b.WriteString("<document")
		writeAttr(&b, "url", d.URL)
		if d.URL != "" {
			writeAttr(&b, "filename", d.Name)
		} else {
			writeAttr(&b, "name", d.Name)
		}
		writeBoolAttr(&b, "current", d.Current)
		writeBoolAttr(&b, "downloadable", d.Downloadable)
		writeBoolAttr(&b, "removable", d.Removable)
		if d.Content == nil {
			b.WriteString("/>")
			continue
		}
		b.WriteByte('>')
		enc := base64.NewEncoder(base64.StdEncoding, &b)
		_, _ = enc.Write(d.Content)
		_ = enc.Close()
		b.WriteString("</document>")
	}
	b.WriteString("</module></modules>")
	return b.Bytes(), nil
}

func writeAttr(b *bytes.Buffer, name, value string) {
	if value == "" {
		return
	}
	b.WriteByte(' ')
	b.WriteString(name)
	b.WriteString(`="`)
	_ = xml.EscapeText(b, []byte(value))
	b.WriteByte('"')
}

func writeBoolAttr(b *bytes.Buffer, name string, v *bool) {
	if v != nil {
		writeAttr(b, name, strconv.FormatBool(*v))
	}
}

// InsertDocument adds documents to a running meeting (BBB 2.5 and later).
func (c *Client) InsertDocument(ctx context.Context, meetingID string, docs []Document) error {
	const call = "insertDocument"
	if err := validateMeetingID(call, "meetingID", meetingID); err != nil {
		return err
	}
	if len(docs) == 0 {
		return &ParamError{Call: call, Param: "documents", Reason: "at least one document is required"}
	}
	body, err := modulesXML(call, docs)
	if err != nil {
		return err
	}
	r := request{call: call, method: "POST", body: body, contentType: "application/xml"}
	r.query.add("meetingID", meetingID)
	_, err = c.do(ctx, &r)
	return err
}
