package xmltree

import (
	"math/bits"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Parse parses a whole document. It copies b into one string that the
// tree's names and texts are cut from; ParseString saves that copy.
func Parse(b []byte) (*Doc, error) {
	return ParseString(string(b))
}

// ParseString parses a whole document held in a string, without copying
// it: the tree's names and texts are substrings of s, so s stays in memory
// as long as any of them does.
func ParseString(s string) (*Doc, error) { return ParseStringSkipping(s) }

// ParseStringSkipping is ParseString leaving out of the tree the elements
// named in skip, wherever they are, and everything inside them: they are
// still read and checked as strictly (a document ParseString refuses is
// refused), but cost no node and no decoded text. A caller that needs a
// few fields of a large answer (a meeting's status, not its thousands of
// attendees) saves most of the parse that way.
func ParseStringSkipping(s string, skip ...string) (*Doc, error) {
	if i, msg := checkChars(s); i >= 0 {
		return nil, &SyntaxError{Offset: i, Msg: msg}
	}
	p := parser{src: s, skip: skip}
	if strings.HasPrefix(p.src, bom) {
		p.pos = len(bom)
	}
	p.hasCR = strings.IndexByte(p.src, '\r') >= 0
	p.hasCDEnd = strings.Contains(p.src, "]]>")
	// Most elements have a start and an end tag: counting '<' (fast, unlike
	// counting "</") sizes the element slice well enough, unless elements
	// are skipped, which are most of the document when they are asked to
	// be: then the slice grows as needed.
	n := 64
	if len(skip) == 0 {
		n = strings.Count(p.src, "<")/2 + 1
	}
	p.d = &Doc{elems: make([]elem, 0, n)}
	if err := p.run(); err != nil {
		return nil, err
	}
	if len(p.joined) > 0 {
		all := string(p.arena)
		for _, j := range p.joined {
			p.d.elems[j.elem].text = all[j.start:j.end]
		}
	}
	return p.d, nil
}

// bom is the UTF-8 encoded byte order mark a document may start with.
const bom = "\uFEFF"

type parser struct {
	src      string
	pos      int
	d        *Doc
	stack    []int32
	hasCR    bool // the document has a '\r' somewhere: line ends need normalizing
	hasCDEnd bool // the document has a "]]>" somewhere: texts need checking

	attrNames []string            // attribute names of the current start tag
	attrSet   map[string]struct{} // the same, once a tag has many attributes

	// skip names the elements left out of the tree; skipped holds the
	// names of the elements open inside the one being left out (itself
	// first), empty when none is.
	skip    []string
	skipped []string

	// Text that comes in several pieces (mixed content, such as the
	// indentation between a container's children) is gathered in
	// pieces[depth] while its element is open, then moved into arena when
	// it closes; at the end, arena becomes one string that all such texts
	// are cut from, so they cost no allocation each.
	pieces [][]byte
	arena  []byte
	joined []joinedText
}

// joinedText is where the text of element elem lies in the arena.
type joinedText struct {
	elem       int32
	start, end int
}

// fail returns a SyntaxError at the current offset. Messages never quote
// the document (names, entity references): they end up in errors that may
// be logged, and a document may echo a secret.
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
			err = p.comment()
		case strings.HasPrefix(rest, "<?"):
			err = p.procInst()
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
		return p.fail("unclosed element")
	}
	if len(p.d.elems) == 0 {
		return ErrNoRoot
	}
	return nil
}

// comment skips a comment; "--" may appear in it only as part of the
// closing "-->".
func (p *parser) comment() error {
	const open = "<!--"
	body := p.src[p.pos+len(open):]
	i := strings.Index(body, "--")
	if i < 0 || i+2 >= len(body) {
		return p.fail("unterminated comment")
	}
	if body[i+2] != '>' {
		p.pos += len(open) + i
		return p.fail("'--' inside a comment")
	}
	p.pos += len(open) + i + 3
	return nil
}

// procInst skips a processing instruction (the XML declaration included),
// which must start with a target name.
func (p *parser) procInst() error {
	start := p.pos
	p.pos += 2
	if _, err := p.name(); err != nil {
		return p.fail("processing instruction without a target")
	}
	i := strings.Index(p.src[p.pos:], "?>")
	if i < 0 {
		p.pos = start
		return p.fail("unterminated processing instruction")
	}
	p.pos += i + 2
	return nil
}

func (p *parser) text(raw string) error {
	if len(p.stack) == 0 {
		if strings.TrimLeft(raw, " \t\r\n") != "" {
			return p.fail("text outside the root element")
		}
		return nil
	}
	if p.hasCDEnd && strings.Contains(raw, "]]>") {
		return p.fail("']]>' in character data")
	}
	if len(p.skipped) > 0 {
		if err := checkRefs(raw); err != nil {
			return p.fail(err.Error())
		}
		return nil
	}
	s, err := decode(raw, p.hasCR)
	if err != nil {
		return p.fail(err.Error())
	}
	p.appendText(s)
	return nil
}

// appendText adds s to the text of the open element. The first piece is
// kept as it is; the next ones gather in pieces[depth] (see parser).
func (p *parser) appendText(s string) {
	if s == "" {
		return
	}
	depth := len(p.stack) - 1
	e := &p.d.elems[p.stack[depth]]
	if e.text == "" {
		e.text = s
		return
	}
	for len(p.pieces) <= depth {
		p.pieces = append(p.pieces, nil)
	}
	buf := p.pieces[depth]
	if len(buf) == 0 {
		buf = append(buf, e.text...)
	}
	p.pieces[depth] = append(buf, s...)
}

// closeElement pops the open element, moving its text to the arena when it
// came in pieces.
func (p *parser) closeElement() {
	depth := len(p.stack) - 1
	if depth < len(p.pieces) && len(p.pieces[depth]) > 0 {
		start := len(p.arena)
		p.arena = append(p.arena, p.pieces[depth]...)
		p.joined = append(p.joined, joinedText{elem: p.stack[depth], start: start, end: len(p.arena)})
		p.pieces[depth] = p.pieces[depth][:0]
	}
	p.stack = p.stack[:depth]
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
	if len(p.skipped) > 0 {
		p.pos += len(open) + i + 3
		return nil
	}
	s := p.src[p.pos+len(open) : p.pos+len(open)+i]
	if p.hasCR {
		s = normalizeNewlines(s)
	}
	p.appendText(s)
	p.pos += len(open) + i + 3
	return nil
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// Classes of bytes in names. ASCII follows XML's NameStartChar and
// NameChar exactly; every byte of a multi-byte UTF-8 sequence is accepted,
// without checking the Unicode categories XML names allow.
const (
	nameChar  = 1 << iota // may appear in a name
	nameStart             // may start a name
)

var nameBytes = func() (t [256]uint8) {
	for c := range 256 {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', c == '_', c == ':', c >= utf8.RuneSelf:
			t[c] = nameChar | nameStart
		case '0' <= c && c <= '9', c == '-', c == '.':
			t[c] = nameChar
		}
	}
	return t
}()

// name reads an element, attribute or processing instruction target name
// at p.pos.
func (p *parser) name() (string, error) {
	s, start := p.src, p.pos
	if start >= len(s) || nameBytes[s[start]]&nameStart == 0 {
		return "", p.fail("expected a name")
	}
	i := start + 1
	for i < len(s) && nameBytes[s[i]]&nameChar != 0 {
		i++
	}
	p.pos = i
	return s[start:i], nil
}

func (p *parser) startTag() (selfClosed bool, err error) {
	if len(p.stack)+len(p.skipped) >= MaxDepth {
		return false, p.fail("elements nested too deep")
	}
	p.pos++ // '<'
	name, err := p.name()
	if err != nil {
		return false, err
	}
	attrStart := p.pos
	p.attrNames = p.attrNames[:0]
	p.attrSet = nil
	for {
		spaceStart := p.pos
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
		if p.pos == spaceStart {
			return false, p.fail("expected white space before an attribute")
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
	if len(p.skipped) > 0 || len(p.stack) > 0 && slices.Contains(p.skip, name) {
		if !selfClosed {
			p.skipped = append(p.skipped, name)
		}
		return selfClosed, nil
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
	start := p.pos
	name, err := p.name()
	if err != nil {
		return err
	}
	if p.seenAttr(name) {
		p.pos = start
		return p.fail("duplicate attribute")
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
	if err := checkRefs(val); err != nil {
		return p.fail(err.Error())
	}
	p.pos += end + 2
	return nil
}

// seenAttr reports whether the current start tag already has an attribute
// name, and records it. Tags have few attributes, so a slice is searched;
// a map takes over for many, which keeps a hostile tag from costing
// quadratic time.
func (p *parser) seenAttr(name string) bool {
	const maxLinear = 16
	if p.attrSet != nil {
		if _, ok := p.attrSet[name]; ok {
			return true
		}
		p.attrSet[name] = struct{}{}
		return false
	}
	if slices.Contains(p.attrNames, name) {
		return true
	}
	p.attrNames = append(p.attrNames, name)
	if len(p.attrNames) > maxLinear {
		p.attrSet = make(map[string]struct{}, 2*maxLinear)
		for _, n := range p.attrNames {
			p.attrSet[n] = struct{}{}
		}
	}
	return false
}

func (p *parser) endTag() error {
	p.pos += 2
	// Most end tags close the open element: compare its name directly
	// rather than scan a name.
	var name string
	rest := p.src[p.pos:]
	if len(p.stack) > 0 {
		open := p.d.elems[p.stack[len(p.stack)-1]].name
		if n := len(p.skipped); n > 0 {
			open = p.skipped[n-1]
		}
		if strings.HasPrefix(rest, open) && (len(rest) == len(open) || nameBytes[rest[len(open)]]&nameChar == 0) {
			name = open
			p.pos += len(open)
		}
	}
	if name == "" {
		var err error
		if name, err = p.name(); err != nil {
			return err
		}
	}
	for p.pos < len(p.src) && isSpace(p.src[p.pos]) {
		p.pos++
	}
	if p.pos >= len(p.src) || p.src[p.pos] != '>' {
		return p.fail("unterminated end tag")
	}
	p.pos++
	if len(p.stack) == 0 {
		return p.fail("end tag without a start tag")
	}
	if n := len(p.skipped); n > 0 {
		if p.skipped[n-1] != name {
			return p.fail("end tag does not match the start tag")
		}
		p.skipped = p.skipped[:n-1]
		return nil
	}
	if p.d.elems[p.stack[len(p.stack)-1]].name != name {
		return p.fail("end tag does not match the start tag")
	}
	p.closeElement()
	return nil
}

type entityError string

func (e entityError) Error() string { return string(e) }

// decode replaces entity and character references and, when cr is set,
// normalizes line ends ("\r\n" and "\r" become "\n", before references are
// replaced, so "&#13;" stays a carriage return). It returns s itself when
// there is nothing to do, so most texts cost no allocation.
func decode(s string, cr bool) (string, error) {
	amp := strings.IndexByte(s, '&')
	if cr && strings.IndexByte(s, '\r') < 0 {
		cr = false
	}
	if amp < 0 && !cr {
		return s, nil
	}
	var b strings.Builder
	b.Grow(len(s))
	for amp >= 0 {
		writeText(&b, s[:amp], cr)
		s = s[amp:]
		semi := strings.IndexByte(s, ';')
		if semi < 0 {
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
				return "", entityError("unknown entity or invalid character reference")
			}
			b.WriteRune(r)
		}
		s = s[semi+1:]
		amp = strings.IndexByte(s, '&')
	}
	writeText(&b, s, cr)
	return b.String(), nil
}

// checkRefs reports the error decode would, without building the result.
func checkRefs(s string) error {
	for {
		amp := strings.IndexByte(s, '&')
		if amp < 0 {
			return nil
		}
		s = s[amp:]
		semi := strings.IndexByte(s, ';')
		if semi < 0 {
			return entityError("unterminated entity reference")
		}
		switch ref := s[1:semi]; ref {
		case "lt", "gt", "amp", "quot", "apos":
		default:
			if _, ok := charRef(ref); !ok {
				return entityError("unknown entity or invalid character reference")
			}
		}
		s = s[semi+1:]
	}
}

func writeText(b *strings.Builder, s string, cr bool) {
	if cr {
		s = normalizeNewlines(s)
	}
	b.WriteString(s)
}

// normalizeNewlines turns "\r\n" and lone "\r" into "\n", as XML requires of
// every line end; it returns s itself when it has no '\r'.
func normalizeNewlines(s string) string {
	i := strings.IndexByte(s, '\r')
	if i < 0 {
		return s
	}
	b := make([]byte, 0, len(s))
	for i >= 0 {
		b = append(b, s[:i]...)
		b = append(b, '\n')
		s = s[i+1:]
		if s != "" && s[0] == '\n' {
			s = s[1:]
		}
		i = strings.IndexByte(s, '\r')
	}
	return string(append(b, s...))
}

// checkChars returns the offset of the first byte of b that does not start
// a valid UTF-8 encoding of an XML Char (tab, line feed, carriage return,
// U+0020 to U+10FFFF but for surrogates, U+FFFE and U+FFFF), with the
// reason, or -1.
func checkChars(b string) (int, string) {
	bad, msg := -1, ""
	if !utf8.ValidString(b) {
		for i := 0; i < len(b); {
			r, size := utf8.DecodeRuneInString(b[i:])
			if r == utf8.RuneError && size == 1 {
				bad, msg = i, "invalid UTF-8"
				break
			}
			i += size
		}
		b = b[:bad]
	}
	// U+FFFE and U+FFFF (EF BF BE and EF BF BF), rare enough to search.
	for _, nc := range [...]string{"\uFFFE", "\uFFFF"} {
		if k := strings.Index(b, nc); k >= 0 {
			bad, msg = k, "illegal character"
			b = b[:k]
		}
	}
	// Control characters, eight bytes at a time.
	const (
		lows  = 0x7F7F7F7F7F7F7F7F
		highs = 0x8080808080808080
		each  = 0x0101010101010101
	)
	// zero has the high bit of each zero byte of t set, and no other bit.
	zero := func(t uint64) uint64 { return ^((t&lows + lows) | t) & highs }
	i := 0
	for ; i+8 <= len(b); i += 8 {
		w := le64(b[i : i+8])
		// The high bit of each ASCII byte below 0x20: adding 0x60 to the
		// low seven bits carries into the high bit from 0x20 up, and
		// never into the next byte.
		ctl := ^(w&lows + 0x60*each) & ^w & highs
		if ctl == 0 {
			continue
		}
		ctl &^= zero(w^('\t'*each)) | zero(w^('\n'*each)) | zero(w^('\r'*each))
		if ctl != 0 {
			return i + bits.TrailingZeros64(ctl)/8, "illegal character"
		}
	}
	for ; i < len(b); i++ {
		if c := b[i]; c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
			return i, "illegal character"
		}
	}
	return bad, msg
}

// le64 reads 8 bytes of s, little-endian; the compiler merges the loads.
func le64(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
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
