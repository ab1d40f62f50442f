package xmltree

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

// stdNode is an element as encoding/xml sees it, read from its tokens into
// a generic tree.
type stdNode struct {
	name  string
	text  []byte // direct character data, CDATA included
	attrs [][2]string
	kids  []*stdNode
}

// xmlNamespace is what encoding/xml turns the reserved "xml" prefix into.
const xmlNamespace = "http://www.w3.org/XML/1998/namespace"

// qname rebuilds the name as written in the document. Without namespace
// declarations (refused by stdParse), encoding/xml only splits the prefix
// off, and translates the reserved "xml" prefix.
func qname(n xml.Name) string {
	switch n.Space {
	case "":
		return n.Local
	case xmlNamespace:
		return "xml:" + n.Local
	}
	return n.Space + ":" + n.Local
}

// stdParse reads b with a strict encoding/xml Decoder. It returns the root
// and "" when encoding/xml accepts b as a document the comparison covers,
// and otherwise nil and why not: what encoding/xml refused, or which of the
// filters below left b out.
func stdParse(b []byte) (*stdNode, string) {
	// Filters on the input. Each leaves out documents that xmltree
	// rightly refuses although encoding/xml accepts them.
	if !utf8.Valid(b) {
		// xmltree checks UTF-8 everywhere; encoding/xml does not check
		// comments and processing instructions.
		return nil, "invalid UTF-8"
	}
	if r, ok := nonXMLChar(b); ok {
		// Likewise for characters XML does not allow (XML 1.0 §2.2):
		// encoding/xml accepts "<!--\x01-->".
		return nil, "non-XML character " + strconv.QuoteRune(r)
	}
	if surrogateCharRef(b) {
		// encoding/xml turns "&#xD800;" into U+FFFD; it is not an XML
		// character, and xmltree refuses it.
		return nil, "character reference to a surrogate"
	}

	// encoding/xml reads a leading byte order mark as character data
	// outside the root; XML allows it (§4.3.3) and xmltree skips it.
	b = bytes.TrimPrefix(b, []byte(bom))

	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = true
	var (
		root  *stdNode
		stack []*stdNode
	)
	for {
		start := d.InputOffset()
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, "encoding/xml: " + err.Error()
		}
		raw := b[start:d.InputOffset()]
		switch t := tok.(type) {
		case xml.StartElement:
			for i, a := range t.Attr {
				if a.Name.Space == "xmlns" || a.Name.Space == "" && a.Name.Local == "xmlns" {
					// Namespaces are out of scope: encoding/xml
					// would rename the elements.
					return nil, "namespace declaration"
				}
				for _, prev := range t.Attr[:i] {
					if prev.Name == a.Name {
						// encoding/xml does not check that attributes
						// are unique (XML 1.0 §3.1); xmltree does.
						return nil, "duplicate attribute"
					}
				}
			}
			if !attrsSpaced(raw) {
				// encoding/xml accepts <a x="1"y="2">; XML requires
				// white space between attributes, and xmltree too.
				return nil, "attributes not separated by white space"
			}
			if len(stack) == 0 && root != nil {
				return nil, "more than one root element"
			}
			if len(stack) >= MaxDepth {
				// xmltree bounds nesting; encoding/xml does not.
				return nil, "deeper than MaxDepth"
			}
			n := &stdNode{name: qname(t.Name)}
			for _, a := range t.Attr {
				n.attrs = append(n.attrs, [2]string{qname(a.Name), a.Value})
			}
			if len(stack) == 0 {
				root = n
			} else {
				parent := stack[len(stack)-1]
				parent.kids = append(parent.kids, n)
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				top := stack[len(stack)-1]
				top.text = append(top.text, t...)
				break
			}
			if bytes.HasPrefix(raw, []byte("<![CDATA[")) {
				// encoding/xml accepts CDATA sections before and after
				// the root element; XML does not (only comments,
				// processing instructions and white space).
				return nil, "CDATA outside the root element"
			}
			if len(bytes.Trim(t, " \t\r\n")) > 0 {
				return nil, "text outside the root element"
			}
		case xml.Directive:
			// DOCTYPE and other declarations, which xmltree refuses.
			return nil, "directive"
		case xml.Comment, xml.ProcInst:
		}
	}
	if root == nil {
		return nil, "no root element"
	}
	return root, ""
}

// nonXMLChar returns the first character of b that is not an XML Char.
func nonXMLChar(b []byte) (rune, bool) {
	for _, r := range string(b) {
		if r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r == 0xFFFE || r == 0xFFFF {
			return r, true
		}
	}
	return 0, false
}

// surrogateCharRef reports whether b holds a character reference such as
// "&#xD800;" or "&#55296;" to a UTF-16 surrogate.
func surrogateCharRef(b []byte) bool {
	s := string(b)
	for {
		i := strings.Index(s, "&#")
		if i < 0 {
			return false
		}
		s = s[i+2:]
		semi := strings.IndexByte(s, ';')
		if semi < 0 {
			return false
		}
		var n uint64
		var err error
		if strings.HasPrefix(s, "x") {
			n, err = strconv.ParseUint(s[1:semi], 16, 32)
		} else {
			n, err = strconv.ParseUint(s[:semi], 10, 32)
		}
		if err == nil && 0xD800 <= n && n <= 0xDFFF {
			return true
		}
	}
}

// attrsSpaced reports whether, in the raw start tag tag, every attribute
// value's closing quote is followed by white space, '/' or '>'. Quotes
// appear in a start tag only around attribute values.
func attrsSpaced(tag []byte) bool {
	var q byte
	for i, c := range tag {
		switch {
		case q != 0 && c == q:
			q = 0
			if i+1 < len(tag) {
				if next := tag[i+1]; !isSpace(next) && next != '/' && next != '>' {
					return false
				}
			}
		case q == 0 && (c == '"' || c == '\''):
			q = c
		}
	}
	return true
}

// requireSameTree compares what xmltree and encoding/xml read, element by
// element, and checks the navigation methods against the tree.
func requireSameTree(t *testing.T, want *stdNode, got Node, path string) {
	t.Helper()
	path += "/" + want.name
	require.True(t, got.Exists(), path)
	require.Equal(t, want.name, got.Name(), path)
	require.Equal(t, string(want.text), got.Text(), "text of %s", path)

	var attrs [][2]string
	for k, v := range got.Attrs() {
		attrs = append(attrs, [2]string{k, v})
	}
	require.Equal(t, want.attrs, attrs, "attributes of %s", path)
	for _, a := range want.attrs {
		v, ok := got.Attr(a[0])
		require.True(t, ok, "attribute %s of %s", a[0], path)
		require.Equal(t, a[1], v, "attribute %s of %s", a[0], path)
	}

	require.Equal(t, len(want.kids), got.CountChildren(), "children of %s", path)
	i := 0
	for c := range got.Children() {
		requireSameTree(t, want.kids[i], c, path)
		i++
	}
	require.Equal(t, len(want.kids), i, "children of %s", path)
	for _, k := range want.kids {
		first := got.Child(k.name)
		require.Equal(t, k.name, first.Name(), "Child(%q) of %s", k.name, path)
		for _, k2 := range want.kids {
			if k2.name == k.name {
				require.Equal(t, string(k2.text), first.Text(), "Child(%q) of %s is the first", k.name, path)
				break
			}
		}
	}
}

// walk visits every element through the public API and returns how many
// there are; for inputs encoding/xml refuses, this only checks that
// nothing panics.
func walk(n Node, depth int) int {
	_ = n.Name()
	_ = n.Text()
	for k := range n.Attrs() {
		_, _ = n.Attr(k)
	}
	count := 1
	for c := range n.Children() {
		_ = n.Child(c.Name())
		count += walk(c, depth+1)
	}
	if depth > MaxDepth {
		panic("deeper than MaxDepth")
	}
	_ = n.CountChildren()
	return count
}

// checkParse is the property shared by the fuzz target and the tests.
func checkParse(t *testing.T, b []byte) {
	at, msg := checkChars(string(b))
	refAt, refMsg := refCheckChars(b)
	require.Equal(t, refAt, at, "checkChars")
	require.Equal(t, refMsg, msg, "checkChars")

	d, err := Parse(b)
	if err != nil {
		require.Nil(t, d)
		var se *SyntaxError
		if !errors.As(err, &se) {
			require.ErrorIs(t, err, ErrNoRoot)
		} else {
			require.GreaterOrEqual(t, se.Offset, 0)
			require.LessOrEqual(t, se.Offset, len(b))
		}
	} else {
		require.Equal(t, d.Len(), walk(d.Root(), 1))
	}

	want, why := stdParse(b)
	if why != "" {
		return
	}
	require.NoError(t, err, "encoding/xml accepts %q", b)
	requireSameTree(t, want, d.Root(), "")
}

// bbbAnswers returns the sample BBB answers under testdata/bbb.
func bbbAnswers(tb testing.TB) map[string][]byte {
	paths, err := filepath.Glob(filepath.Join("testdata", "bbb", "*"))
	require.NoError(tb, err)
	require.NotEmpty(tb, paths)
	out := make(map[string][]byte, len(paths))
	for _, p := range paths {
		b, err := os.ReadFile(p)
		require.NoError(tb, err)
		out[filepath.Base(p)] = b
	}
	return out
}

// FuzzParseMatchesEncodingXML: Parse never panics, and whatever a strict
// encoding/xml accepts as a single-root document (within the filters of
// stdParse) Parse accepts too, with the same elements, children, character
// data and attributes.
func FuzzParseMatchesEncodingXML(f *testing.F) {
	for _, b := range bbbAnswers(f) {
		f.Add(b)
	}
	for _, tt := range wellFormed {
		f.Add([]byte(tt.doc))
	}
	for _, tt := range malformed {
		f.Add([]byte(tt.doc))
	}
	f.Add([]byte(navDoc))
	// No root element at all; a control character in the bytes checkChars
	// reads one at a time, after its last eight-byte word.
	f.Add([]byte(""))
	f.Add([]byte(" <!-- only a comment --> "))
	f.Add([]byte("<a>x</a>\x01"))
	f.Fuzz(func(t *testing.T, b []byte) {
		checkParse(t, b)
	})
}

// TestBBBAnswersMatchEncodingXML runs the comparison on the sample answers
// and makes sure each XML one is covered, not filtered out.
func TestBBBAnswersMatchEncodingXML(t *testing.T) {
	t.Parallel()
	for name, b := range bbbAnswers(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			checkParse(t, b)
			_, why := stdParse(b)
			if strings.HasSuffix(name, ".xml") {
				require.Empty(t, why)
			} else {
				// The nginx page is HTML, not XML (<hr> is not closed).
				require.NotEmpty(t, why)
				_, err := Parse(b)
				require.Error(t, err)
			}
		})
	}
}

func TestWellFormedMatchEncodingXML(t *testing.T) {
	t.Parallel()
	for _, tt := range wellFormed {
		want, why := stdParse([]byte(tt.doc))
		if why != "" {
			continue
		}
		d, err := Parse([]byte(tt.doc))
		require.NoError(t, err)
		requireSameTree(t, want, d.Root(), tt.name)
	}
}

// TestFilters makes sure each filter of stdParse leaves out what it is
// meant to, and only that.
func TestFilters(t *testing.T) {
	t.Parallel()
	tests := []struct {
		doc string
		why string // "" when covered
	}{
		{"<a>x</a>", ""},
		{"<a xml:lang='fr'>x</a>", ""},
		{"<a><![CDATA[x]]></a>", ""},
		{"<a x='1' y=\"2\"/>", ""},
		{"<a><!-- \xff --></a>", "invalid UTF-8"},
		{"<a><!--\x01--></a>", "non-XML character '\\x01'"},
		{"<a>&#xD800;</a>", "character reference to a surrogate"},
		{"<a>&#55296;</a>", "character reference to a surrogate"},
		{"<a x='1'y='2'/>", "attributes not separated by white space"},
		{"<a x='1' x='2'/>", "duplicate attribute"},
		{"<a xmlns='urn:x'/>", "namespace declaration"},
		{"<a xmlns:b='urn:x'><b:c/></a>", "namespace declaration"},
		{"<![CDATA[ ]]><a/>", "CDATA outside the root element"},
		{"<a/><b/>", "more than one root element"},
		{"x<a/>", "text outside the root element"},
		{"<!DOCTYPE a><a/>", "directive"},
		{"<!-- x -->", "no root element"},
		{strings.Repeat("<d>", MaxDepth+1) + strings.Repeat("</d>", MaxDepth+1), "deeper than MaxDepth"},
	}
	for _, tt := range tests {
		_, why := stdParse([]byte(tt.doc))
		require.Equal(t, tt.why, why, "%q", tt.doc)
	}
}
