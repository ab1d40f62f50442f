package xmltree

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Parse parses a whole document.
func Parse(b []byte) (*Doc, error) {
	p := parser{src: string(b)}
	n := strings.Count(p.src, "</") + 1
	p.d = &Doc{elems: make([]elem, 0, n)}
	if err := p.run(); err != nil {
		return nil, err
	}
	return p.d, nil
}

type parser struct {
	src   string
	pos   int
	d     *Doc
	stack []int32
}

func (p *parser) fail(msg string) error { return &SyntaxError{Offset: p.pos, Msg: msg} }

func (p *parser) run() error {
	p.stack = make([]int32, 0, 16)
	rootDone := false
	for p.pos < len(p.src) {
		lt := strings.IndexByte(p.src[p.pos:], '<')
		if lt < 0 {
			lt = len(p.src) - p.pos
		}
		if lt > 0 {
			if err := p.text(p.src[p.pos : p.pos+lt]); err != nil {
				return err
			}
			p.pos += lt
			continue
		}
		rest := p.src[p.pos:]
		var err error
		switch {
		case strings.HasPrefix(rest, "<!--"):
			err = p.skipPast("-->", "unterminated comment")
		case strings.HasPrefix(rest, "<?"):
			err = p.skipPast("?>", "unterminated processing instruction")
		case strings.HasPrefix(rest, "<![CDATA["):
			err = p.cdata()
		case strings.HasPrefix(rest, "<!"):
			return p.fail("DOCTYPE and declarations are not supported")
		case strings.HasPrefix(rest, "</"):
			err = p.endTag()
			if err == nil && len(p.stack) == 0 {
				rootDone = true
			}
		default:
			if rootDone || (len(p.stack) == 0 && len(p.d.elems) > 0) {
				return p.fail("content after the root element")
			}
			var selfClosed bool
			selfClosed, err = p.startTag()
			if err == nil && selfClosed && len(p.stack) == 0 {
				rootDone = true
			}
		}
		if err != nil {
			return err
		}
	}
	if len(p.stack) > 0 {
		return p.fail("unclosed element <" + p.d.elems[p.stack[len(p.stack)-1]].name + ">")
	}
	if len(p.d.elems) == 0 {
		return ErrNoRoot
	}
	return nil
}

func (p *parser) skipPast(end, msg string) error {
	i := strings.Index(p.src[p.pos+2:], end)
	if i < 0 {
		return p.fail(msg)
	}
	p.pos += 2 + i + len(end)
	return nil
}

func (p *parser) text(raw string) error {
	if len(p.stack) == 0 {
		if strings.TrimLeft(raw, " \t\r\n") != "" {
			return p.fail("text outside the root element")
		}
		return nil
	}
	s, err := decode(raw)
	if err != nil {
		return p.fail(err.Error())
	}
	if !utf8.ValidString(s) {
		return p.fail("invalid UTF-8")
	}
	p.appendText(s)
	return nil
}

func (p *parser) appendText(s string) {
	e := &p.d.elems[p.stack[len(p.stack)-1]]
	if e.text == "" {
		e.text = s
	} else {
		e.text += s
	}
}

func (p *parser) cdata() error {
	const open = "<![CDATA["
	i := strings.Index(p.src[p.pos+len(open):], "]]>")
	if i < 0 {
		return p.fail("unterminated CDATA section")
	}
	if len(p.stack) == 0 {
		return p.fail("CDATA outside the root element")
	}
	s := p.src[p.pos+len(open) : p.pos+len(open)+i]
	if !utf8.ValidString(s) {
		return p.fail("invalid UTF-8")
	}
	p.appendText(s)
	p.pos += len(open) + i + 3
	return nil
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

func isNameByte(c byte) bool {
	return !isSpace(c) && c != '/' && c != '>' && c != '<' && c != '=' && c != '"' && c != '\'' && c != '&'
}

// name reads an element or attribute name at p.pos.
func (p *parser) name() (string, error) {
	start := p.pos
	for p.pos < len(p.src) && isNameByte(p.src[p.pos]) {
		p.pos++
	}
	if p.pos == start {
		return "", p.fail("expected a name")
	}
	n := p.src[start:p.pos]
	if c := n[0]; c == '-' || c == '.' || ('0' <= c && c <= '9') {
		return "", p.fail("invalid name")
	}
	return n, nil
}

func (p *parser) startTag() (selfClosed bool, err error) {
	if len(p.stack) >= MaxDepth {
		return false, p.fail("elements nested too deep")
	}
	p.pos++ // '<'
	name, err := p.name()
	if err != nil {
		return false, err
	}
	attrStart := p.pos
	for {
		for p.pos < len(p.src) && isSpace(p.src[p.pos]) {
			p.pos++
		}
		if p.pos >= len(p.src) {
			return false, p.fail("unterminated start tag")
		}
		c := p.src[p.pos]
		if c == '>' || c == '/' {
			break
		}
		if p.pos == attrStart {
			return false, p.fail("expected space before attribute")
		}
		if err := p.attr(); err != nil {
			return false, err
		}
	}
	attrText := p.src[attrStart:p.pos]
	if p.src[p.pos] == '/' {
		if p.pos+1 >= len(p.src) || p.src[p.pos+1] != '>' {
			return false, p.fail("expected '>' after '/'")
		}
		selfClosed = true
		p.pos += 2
	} else {
		p.pos++
	}
	idx := int32(len(p.d.elems))
	p.d.elems = append(p.d.elems, elem{name: name, attrs: attrText})
	if len(p.stack) > 0 {
		parent := &p.d.elems[p.stack[len(p.stack)-1]]
		if parent.firstChild == 0 {
			parent.firstChild = idx
		} else {
			p.d.elems[parent.lastChild].nextSibling = idx
		}
		parent.lastChild = idx
	}
	if !selfClosed {
		p.stack = append(p.stack, idx)
	}
	return selfClosed, nil
}

func (p *parser) attr() error {
	if _, err := p.name(); err != nil {
		return err
	}
	for p.pos < len(p.src) && isSpace(p.src[p.pos]) {
		p.pos++
	}
	if p.pos >= len(p.src) || p.src[p.pos] != '=' {
		return p.fail("attribute without value")
	}
	p.pos++
	for p.pos < len(p.src) && isSpace(p.src[p.pos]) {
		p.pos++
	}
	if p.pos >= len(p.src) || (p.src[p.pos] != '"' && p.src[p.pos] != '\'') {
		return p.fail("attribute value not quoted")
	}
	q := p.src[p.pos]
	end := strings.IndexByte(p.src[p.pos+1:], q)
	if end < 0 {
		return p.fail("unterminated attribute value")
	}
	val := p.src[p.pos+1 : p.pos+1+end]
	if strings.IndexByte(val, '<') >= 0 {
		return p.fail("'<' in attribute value")
	}
	if _, err := decode(val); err != nil {
		return p.fail(err.Error())
	}
	p.pos += end + 2
	return nil
}

func (p *parser) endTag() error {
	p.pos += 2
	name, err := p.name()
	if err != nil {
		return err
	}
	for p.pos < len(p.src) && isSpace(p.src[p.pos]) {
		p.pos++
	}
	if p.pos >= len(p.src) || p.src[p.pos] != '>' {
		return p.fail("unterminated end tag")
	}
	p.pos++
	if len(p.stack) == 0 {
		return p.fail("unexpected end tag </" + name + ">")
	}
	open := p.d.elems[p.stack[len(p.stack)-1]].name
	if open != name {
		return p.fail("end tag </" + name + "> does not match <" + open + ">")
	}
	p.stack = p.stack[:len(p.stack)-1]
	return nil
}

type entityError string

func (e entityError) Error() string { return string(e) }

// decode replaces entity and character references; it returns s itself
// when there is none, so most texts cost no allocation.
func decode(s string) (string, error) {
	amp := strings.IndexByte(s, '&')
	if amp < 0 {
		return s, nil
	}
	var b strings.Builder
	b.Grow(len(s))
	for amp >= 0 {
		b.WriteString(s[:amp])
		s = s[amp:]
		semi := strings.IndexByte(s, ';')
		if semi < 0 || semi > 12 {
			return "", entityError("unterminated entity reference")
		}
		ref := s[1:semi]
		switch ref {
		case "lt":
			b.WriteByte('<')
		case "gt":
			b.WriteByte('>')
		case "amp":
			b.WriteByte('&')
		case "quot":
			b.WriteByte('"')
		case "apos":
			b.WriteByte('\'')
		default:
			r, ok := charRef(ref)
			if !ok {
				return "", entityError("unknown entity &" + ref + ";")
			}
			b.WriteRune(r)
		}
		s = s[semi+1:]
		amp = strings.IndexByte(s, '&')
	}
	b.WriteString(s)
	return b.String(), nil
}

func charRef(ref string) (rune, bool) {
	if len(ref) < 2 || ref[0] != '#' {
		return 0, false
	}
	var n uint64
	var err error
	if ref[1] == 'x' {
		n, err = strconv.ParseUint(ref[2:], 16, 32)
	} else {
		n, err = strconv.ParseUint(ref[1:], 10, 32)
	}
	if err != nil || !isXMLChar(rune(n)) {
		return 0, false
	}
	return rune(n), true
}

func isXMLChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
}
