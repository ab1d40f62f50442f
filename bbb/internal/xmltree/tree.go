package xmltree

import (
	"errors"
	"fmt"
	"iter"
	"strings"
)

// Doc is a parsed document.
type Doc struct {
	elems []elem
}

type elem struct {
	name        string
	text        string // character data and CDATA directly inside, decoded
	attrs       string // the raw attribute text of the start tag
	firstChild  int32  // 0 when none: element 0 is the root, never a child
	lastChild   int32
	nextSibling int32
}

// Node is an element of a Doc, or the zero Node when absent.
type Node struct {
	d *Doc
	i int32
}

// SyntaxError is a well-formedness error at a byte offset.
type SyntaxError struct {
	Offset int
	Msg    string
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("xml: %s at offset %d", e.Msg, e.Offset) }

// MaxDepth bounds element nesting.
const MaxDepth = 256

// ErrNoRoot is returned for a document without an element.
var ErrNoRoot = errors.New("xml: no root element")

// Root returns the document element.
func (d *Doc) Root() Node {
	if d == nil || len(d.elems) == 0 {
		return Node{}
	}
	return Node{d: d, i: 0}
}

// Len is the number of elements in the document (0 for a nil Doc).
func (d *Doc) Len() int {
	if d == nil {
		return 0
	}
	return len(d.elems)
}

// Exists reports whether n is an element (not the zero Node).
func (n Node) Exists() bool { return n.d != nil }

// Name returns the element's name, prefix included, or "" for the zero Node.
func (n Node) Name() string {
	if n.d == nil {
		return ""
	}
	return n.d.elems[n.i].name
}

// Text returns the character data directly inside the element (entities
// decoded, CDATA included), untrimmed.
func (n Node) Text() string {
	if n.d == nil {
		return ""
	}
	return n.d.elems[n.i].text
}

// Child returns the first child element named name, or the zero Node.
func (n Node) Child(name string) Node {
	if n.d == nil {
		return Node{}
	}
	for c := n.d.elems[n.i].firstChild; c != 0; c = n.d.elems[c].nextSibling {
		if n.d.elems[c].name == name {
			return Node{d: n.d, i: c}
		}
	}
	return Node{}
}

// ChildText returns the text of the first child named name, or "".
func (n Node) ChildText(name string) string { return n.Child(name).Text() }

// Children iterates over the child elements in document order.
func (n Node) Children() iter.Seq[Node] {
	return func(yield func(Node) bool) {
		if n.d == nil {
			return
		}
		for c := n.d.elems[n.i].firstChild; c != 0; c = n.d.elems[c].nextSibling {
			if !yield(Node{d: n.d, i: c}) {
				return
			}
		}
	}
}

// CountChildren returns the number of child elements.
func (n Node) CountChildren() int {
	k := 0
	if n.d != nil {
		for c := n.d.elems[n.i].firstChild; c != 0; c = n.d.elems[c].nextSibling {
			k++
		}
	}
	return k
}

// Attr returns the value of the attribute name (entities decoded) and
// whether it is present.
func (n Node) Attr(name string) (string, bool) {
	if n.d == nil {
		return "", false
	}
	for k, v := range attrs(n.d.elems[n.i].attrs) {
		if k == name {
			return v, true
		}
	}
	return "", false
}

// Attrs iterates over the attributes as name, decoded value.
func (n Node) Attrs() iter.Seq2[string, string] {
	if n.d == nil {
		return func(func(string, string) bool) {}
	}
	return attrs(n.d.elems[n.i].attrs)
}

// attrs iterates over raw attribute text already checked by the parser.
func attrs(raw string) iter.Seq2[string, string] {
	return func(yield func(string, string) bool) {
		s := raw
		for {
			s = strings.TrimLeft(s, " \t\r\n")
			eq := strings.IndexByte(s, '=')
			if eq < 0 {
				return
			}
			name := strings.TrimRight(s[:eq], " \t\r\n")
			s = strings.TrimLeft(s[eq+1:], " \t\r\n")
			if s == "" {
				return
			}
			q := s[0]
			end := strings.IndexByte(s[1:], q)
			if end < 0 {
				return
			}
			val, _ := decode(s[1:1+end], true)
			s = s[end+2:]
			if !yield(name, val) {
				return
			}
		}
	}
}
