package xmltree

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

// el is the expected shape of an element: its name, its direct character
// data, its attributes in order, and its children.
type el struct {
	name  string
	text  string
	attrs [][2]string
	kids  []el
}

// shape turns a Node into an el, reading everything through the public API.
func shape(n Node) el {
	e := el{name: n.Name(), text: n.Text()}
	for k, v := range n.Attrs() {
		e.attrs = append(e.attrs, [2]string{k, v})
	}
	for c := range n.Children() {
		e.kids = append(e.kids, shape(c))
	}
	return e
}

// wellFormed are documents Parse must accept, with their expected tree;
// they also seed FuzzParseMatchesEncodingXML.
var wellFormed = []struct {
	name string
	doc  string
	want el
}{
	{
		name: "single empty element",
		doc:  "<a></a>",
		want: el{name: "a"},
	},
	{
		name: "self-closing root",
		doc:  "<response/>",
		want: el{name: "response"},
	},
	{
		name: "self-closing root with space",
		doc:  "<response />",
		want: el{name: "response"},
	},
	{
		name: "nesting and siblings",
		doc:  "<a><b><c>x</c></b><d>y</d><b>z</b></a>",
		want: el{name: "a", kids: []el{
			{name: "b", kids: []el{{name: "c", text: "x"}}},
			{name: "d", text: "y"},
			{name: "b", text: "z"},
		}},
	},
	{
		name: "self-closing children",
		doc:  "<a><b/><c /><d\n/></a>",
		want: el{name: "a", kids: []el{{name: "b"}, {name: "c"}, {name: "d"}}},
	},
	{
		name: "attributes with both quote kinds and entities",
		doc:  `<a x="1" y='two' z = "a&amp;b&lt;&gt;&quot;&apos;" q='say "hi"' r="it's" s="&#233;&#xE9;"/>`,
		want: el{name: "a", attrs: [][2]string{
			{"x", "1"}, {"y", "two"}, {"z", `a&b<>"'`}, {"q", `say "hi"`}, {"r", "it's"}, {"s", "éé"},
		}},
	},
	{
		name: "attribute value with > and =",
		doc:  `<a href="https://x.org/?a=1&amp;b=2" cmp="a>b"></a>`,
		want: el{name: "a", attrs: [][2]string{{"href", "https://x.org/?a=1&b=2"}, {"cmp", "a>b"}}},
	},
	{
		name: "attributes separated by newlines and tabs",
		doc:  "<a\n\tx=\"1\"\r\n\ty=\"2\"\n/>",
		want: el{name: "a", attrs: [][2]string{{"x", "1"}, {"y", "2"}}},
	},
	{
		name: "empty attribute value",
		doc:  `<a x=""/>`,
		want: el{name: "a", attrs: [][2]string{{"x", ""}}},
	},
	{
		name: "CDATA",
		doc:  "<a><![CDATA[<b>&amp; not parsed</b>]]></a>",
		want: el{name: "a", text: "<b>&amp; not parsed</b>"},
	},
	{
		name: "CDATA mixed with text and entities",
		doc:  "<a>x &lt; <![CDATA[y]]]]><![CDATA[> z]]> &amp; w</a>",
		want: el{name: "a", text: "x < y]]> z & w"},
	},
	{
		name: "empty CDATA",
		doc:  "<a><![CDATA[]]></a>",
		want: el{name: "a"},
	},
	{
		name: "comments everywhere",
		doc:  "<!-- before --><a><!-- in -->x<!---->-->y<!-- a - b --></a><!-- after -->",
		want: el{name: "a", text: "x-->y"},
	},
	{
		name: "comment with markup inside",
		doc:  "<a>1<!-- <b>not an element</b> & -->2</a>",
		want: el{name: "a", text: "12"},
	},
	{
		name: "processing instructions",
		doc:  "<?xml-stylesheet href='a.xsl'?><a><?php echo 1 ?>x<?pi?></a><?end?>",
		want: el{name: "a", text: "x"},
	},
	{
		name: "XML declaration and surrounding whitespace",
		doc:  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n\t <response>\n</response>\n\n",
		want: el{name: "response", text: "\n"},
	},
	{
		name: "byte order mark",
		doc:  "\xEF\xBB\xBF<?xml version=\"1.0\"?><a>x</a>",
		want: el{name: "a", text: "x"},
	},
	{
		name: "predefined entities",
		doc:  "<a>&lt;&gt;&amp;&quot;&apos;</a>",
		want: el{name: "a", text: `<>&"'`},
	},
	{
		name: "numeric entities",
		doc:  "<a>caf&#233; caf&#xE9; &#x1F600; &#65;&#x42;&#x000043; &#9;&#10;</a>",
		want: el{name: "a", text: "café café 😀 ABC \t\n"},
	},
	{
		name: "char refs with many leading zeros",
		doc:  "<a x=\"&#x00000000000041;\">&#0000000000066;&#x0000000000000043;</a>",
		want: el{name: "a", text: "BC", attrs: [][2]string{{"x", "A"}}},
	},
	{
		name: "entity in the middle of a long text",
		doc:  "<a>R&amp;D weekly meeting &#8211; room 12</a>",
		want: el{name: "a", text: "R&D weekly meeting – room 12"},
	},
	{
		name: "mixed whitespace is kept in mixed content",
		doc:  "<a>\n  <b> x </b>\n\t<c>\ty\t</c>\n</a>",
		want: el{name: "a", text: "\n  \n\t\n", kids: []el{{name: "b", text: " x "}, {name: "c", text: "\ty\t"}}},
	},
	{
		name: "mixed content at several depths",
		doc:  "<a>1<b>2<c>3</c>4<c/>5</b>6<b>7<c>8</c>9</b>&amp;<![CDATA[0]]></a>",
		want: el{name: "a", text: "16&0", kids: []el{
			{name: "b", text: "245", kids: []el{{name: "c", text: "3"}, {name: "c"}}},
			{name: "b", text: "79", kids: []el{{name: "c", text: "8"}}},
		}},
	},
	{
		name: "mixed content starting with an empty CDATA",
		doc:  "<a><![CDATA[]]><b/>x<b/><![CDATA[]]>y</a>",
		want: el{name: "a", text: "xy", kids: []el{{name: "b"}, {name: "b"}}},
	},
	{
		name: "line ends are normalized in text and CDATA",
		doc:  "<a>1\r\n2\r3\n<![CDATA[4\r\n5]]>&#13;</a>",
		want: el{name: "a", text: "1\n2\n3\n4\n5\r"},
	},
	{
		name: "line ends are normalized in attribute values",
		doc:  "<a x=\"1\r\n2\r3&#13;\"/>",
		want: el{name: "a", attrs: [][2]string{{"x", "1\n2\n3\r"}}},
	},
	{
		name: "UTF-8 text and names",
		doc:  "<réunion nom=\"Zoë\">Łódź — 東京 😀</réunion>",
		want: el{name: "réunion", text: "Łódź — 東京 😀", attrs: [][2]string{{"nom", "Zoë"}}},
	},
	{
		name: "names with punctuation XML allows",
		doc:  "<bbb-origin-server-name><a.b/><_c/><d:e/><f9/></bbb-origin-server-name>",
		want: el{name: "bbb-origin-server-name", kids: []el{{name: "a.b"}, {name: "_c"}, {name: "d:e"}, {name: "f9"}}},
	},
	{
		name: "end tag with trailing space",
		doc:  "<a><b></b ></a\n>",
		want: el{name: "a", kids: []el{{name: "b"}}},
	},
	{
		name: "> and ]] in text",
		doc:  "<a>a > b ]] c</a>",
		want: el{name: "a", text: "a > b ]] c"},
	},
	{
		name: "nesting at MaxDepth",
		doc:  strings.Repeat("<d>", MaxDepth) + strings.Repeat("</d>", MaxDepth),
		want: nested(MaxDepth),
	},
	{
		name: "BBB FAILED answer",
		doc: `<response>
<returncode>FAILED</returncode>
<messageKey>checksumError</messageKey>
<message>You did not pass the checksum security check</message>
</response>`,
		want: el{name: "response", text: "\n\n\n\n", kids: []el{
			{name: "returncode", text: "FAILED"},
			{name: "messageKey", text: "checksumError"},
			{name: "message", text: "You did not pass the checksum security check"},
		}},
	},
}

func TestParseWellFormed(t *testing.T) {
	t.Parallel()
	for _, tt := range wellFormed {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, err := Parse([]byte(tt.doc))
			require.NoError(t, err)
			require.Equal(t, tt.want, shape(d.Root()))
			require.Equal(t, countEls(tt.want), d.Len())
		})
	}
}

func nested(depth int) el {
	e := el{name: "d"}
	if depth > 1 {
		e.kids = []el{nested(depth - 1)}
	}
	return e
}

func countEls(e el) int {
	n := 1
	for _, k := range e.kids {
		n += countEls(k)
	}
	return n
}

// malformed are documents Parse must refuse with a *SyntaxError; they
// also seed FuzzParseMatchesEncodingXML.
var malformed = []struct {
	name string
	doc  string
}{
	{"mismatched end tag", "<a><b></c></a>"},
	{"mismatched end tag prefix", "<a:b></a:c>"},
	{"end tag of the parent", "<a><b></a></b>"},
	{"unclosed element", "<a><b></b>"},
	{"unclosed root", "<a>text"},
	{"end tag without start", "</a>"},
	{"stray end tag after root", "<a></a></a>"},
	{"two roots", "<a/><b/>"},
	{"two roots with whitespace", "<a></a>\n<b></b>"},
	{"text before root", "x<a/>"},
	{"text after root", "<a/>x"},
	{"entity after root", "<a/>&amp;"},
	{"CDATA outside root", "<![CDATA[x]]><a/>"},
	{"CDATA after root", "<a/><![CDATA[ ]]>"},
	{"unknown entity", "<a>&nbsp;</a>"},
	{"unknown entity in attribute", `<a x="&nbsp;"/>`},
	{"entity without semicolon", "<a>&amp</a>"},
	{"bare ampersand", "<a>R & D</a>"},
	{"bare ampersand in attribute", `<a x="R & D"/>`},
	{"empty entity", "<a>&;</a>"},
	{"empty char ref", "<a>&#;</a>"},
	{"empty hex char ref", "<a>&#x;</a>"},
	{"upper-case X char ref", "<a>&#X41;</a>"},
	{"non-digit char ref", "<a>&#12a;</a>"},
	{"char ref to NUL", "<a>&#0;</a>"},
	{"char ref to a control character", "<a>&#x1;</a>"},
	{"char ref to a surrogate", "<a>&#xD800;</a>"},
	{"char ref beyond Unicode", "<a>&#x110000;</a>"},
	{"char ref overflowing 32 bits", "<a>&#x100000041;</a>"},
	{"DOCTYPE", `<?xml version="1.0"?><!DOCTYPE response [<!ENTITY x "y">]><response>&x;</response>`},
	{"DOCTYPE without subset", "<!DOCTYPE html><html></html>"},
	{"declaration inside root", "<a><!ELEMENT a ANY></a>"},
	{"unterminated comment", "<a><!-- x </a>"},
	{"comment closed by -->", "<a><!--></a>"},
	{"comment closed by --->", "<a><!---></a>"},
	{"double hyphen in comment", "<a><!-- a -- b --></a>"},
	{"comment ending in --->", "<a><!-- a ---></a>"},
	{"unterminated comment at end", "<a/><!-- x --"},
	{"unterminated CDATA", "<a><![CDATA[x</a>"},
	{"unterminated processing instruction", "<a><?pi x</a>"},
	{"processing instruction without target", "<a><??></a>"},
	{"processing instruction with a bad target", "<a><?1pi?></a>"},
	{"unterminated attribute", `<a x="1/>`},
	{"unterminated attribute single quote", `<a x='1/>`},
	{"unterminated attribute at end", `<a x="1`},
	{"unquoted attribute", "<a x=1/>"},
	{"attribute without value", "<a x/>"},
	{"attribute without equals", `<a x "1"/>`},
	{"attribute without name", `<a ="1"/>`},
	{"duplicate attribute", `<a x="1" x="2"/>`},
	{"duplicate attribute among many", `<a a1="" a2="" a3="" a4="" a5="" a6="" a7="" a8="" a9="" b1="" b2="" b3="" b4="" b5="" b6="" b7="" b8="" b9="" c1="" a5=""/>`},
	{"no space between attributes", `<a x="1"y="2"/>`},
	{"no space before first attribute", `<a"x"/>`},
	{"< in attribute", `<a x="a<b"/>`},
	{"< in single-quoted attribute", `<a x='<'/>`},
	{"invalid UTF-8 in text", "<a>\xff</a>"},
	{"invalid UTF-8 in CDATA", "<a><![CDATA[\xc3]]></a>"},
	{"invalid UTF-8 in attribute", "<a x=\"\xe9t\xe9\"/>"},
	{"invalid UTF-8 in name", "<a\xff></a\xff>"},
	{"invalid UTF-8 in comment", "<a><!-- \xff --></a>"},
	{"UTF-16 surrogate encoded in UTF-8", "<a>\xed\xa0\x80</a>"},
	{"NUL in text", "<a>\x00</a>"},
	{"control character in text", "<a>x\x0cy</a>"},
	{"control character in attribute", "<a x=\"\x01\"/>"},
	{"U+FFFE in text", "<a>\uFFFE</a>"},
	{"U+FFFF in attribute", "<a x=\"\uFFFF\"/>"},
	{"]]> in text", "<a>x]]>y</a>"},
	{"nesting deeper than MaxDepth", strings.Repeat("<d>", MaxDepth+1) + strings.Repeat("</d>", MaxDepth+1)},
	{"unterminated start tag", "<a"},
	{"unterminated start tag after attribute", `<a x="1"`},
	{"unterminated end tag", "<a></a"},
	{"space after <", "< a></a>"},
	{"space after </", "<a></ a>"},
	{"slash not followed by >", "<a/ >"},
	{"slash then attribute", `<a / x="1">`},
	{"name starting with a digit", "<1a/>"},
	{"name starting with a hyphen", "<-a/>"},
	{"name starting with a dot", "<.a/>"},
	{"punctuation in name", "<a;b/>"},
	{"bang in name", "<a!/>"},
	{"punctuation in attribute name", `<a x;y="1"/>`},
	{"punctuation in end tag name", "<a></a;>"},
	{"lone <", "<a> < </a>"},
	{"<< in text", "<a><<b/></a>"},
	{"truncated document", "<response><returncode>SUCCESS</returncode><meetings><meeting><meetingName>x</meet"},
}

func TestParseMalformed(t *testing.T) {
	t.Parallel()
	for _, tt := range malformed {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, err := Parse([]byte(tt.doc))
			require.Error(t, err)
			require.Nil(t, d)
			var se *SyntaxError
			require.ErrorAs(t, err, &se)
			require.GreaterOrEqual(t, se.Offset, 0)
			require.LessOrEqual(t, se.Offset, len(tt.doc))
			require.NotEmpty(t, se.Msg)
			require.Contains(t, err.Error(), "xml: ")
		})
	}
}

func TestParseNoRoot(t *testing.T) {
	t.Parallel()
	for _, doc := range []string{
		"",
		"   \n\t\r\n",
		`<?xml version="1.0" encoding="UTF-8"?>`,
		"<!-- only a comment -->",
		"<?xml version=\"1.0\"?>\n<!-- x -->\n<?pi?>\n",
		"\xEF\xBB\xBF",
	} {
		d, err := Parse([]byte(doc))
		require.ErrorIs(t, err, ErrNoRoot, "%q", doc)
		require.Nil(t, d)
	}
}

// TestSyntaxErrorOffset checks that errors point at the faulty byte, or
// close enough for a human reading the document.
func TestSyntaxErrorOffset(t *testing.T) {
	t.Parallel()
	tests := []struct {
		doc    string
		offset int
	}{
		{"<a>\xff</a>", 3},
		{"<a>\x00</a>", 3},
		{"<a><b></c></a>", 10},
		{"<a/><b/>", 4},
		{"<a>&nbsp;</a>", 3},
		{"<a>x</a>y", 8},
		{"\xEF\xBB\xBF<a>\xff</a>", 6},
	}
	for _, tt := range tests {
		_, err := Parse([]byte(tt.doc))
		var se *SyntaxError
		require.ErrorAs(t, err, &se, "%q", tt.doc)
		require.Equal(t, tt.offset, se.Offset, "%q: %v", tt.doc, err)
	}
}

// TestSyntaxErrorDoesNotEchoDocument: the message of an error must not
// quote the document (names, entity references), since callers put it in
// errors that may be logged and the document may echo a secret.
func TestSyntaxErrorDoesNotEchoDocument(t *testing.T) {
	t.Parallel()
	const secret = "SECRETMARKER"
	for _, doc := range []string{
		"<" + secret + ">",
		"<a></" + secret + ">",
		"<" + secret + "></a>",
		"<a>&" + secret + ";</a>",
		"<a x=\"&" + secret + ";\"/>",
		"<a " + secret + "/>",
		"<a " + secret + "=1/>",
		"<a>" + secret + "&</a>",
		"<a/>" + secret,
		"<a><" + secret + "/><!DOCTYPE " + secret + "></a>",
		"<a " + secret + "='1' " + secret + "='2'/>",
		"<" + secret + ";/>",
	} {
		_, err := Parse([]byte(doc))
		require.Error(t, err, doc)
		require.NotContains(t, err.Error(), secret, doc)
	}
}

func TestParseDoesNotAliasInput(t *testing.T) {
	t.Parallel()
	b := []byte(`<a x="1">hello<b>world</b></a>`)
	d, err := Parse(b)
	require.NoError(t, err)
	for i := range b {
		b[i] = 'Z'
	}
	r := d.Root()
	require.Equal(t, "a", r.Name())
	require.Equal(t, "hello", r.Text())
	require.Equal(t, "world", r.ChildText("b"))
	v, ok := r.Attr("x")
	require.True(t, ok)
	require.Equal(t, "1", v)
}

const navDoc = `<?xml version="1.0"?>
<response>
  <returncode>SUCCESS</returncode>
  <meetings>
    <meeting id="1" kind='main'><meetingName>One</meetingName></meeting>
    <other/>
    <meeting id="2"><meetingName>Two &amp; more</meetingName></meeting>
    <meeting id="3" empty=""><meetingName/></meeting>
  </meetings>
  <empty></empty>
  <returncode>SECOND</returncode>
</response>`

func TestNavigation(t *testing.T) {
	t.Parallel()
	d, err := Parse([]byte(navDoc))
	require.NoError(t, err)
	root := d.Root()
	require.True(t, root.Exists())
	require.Equal(t, "response", root.Name())
	require.Equal(t, 12, d.Len())

	t.Run("Child returns the first match", func(t *testing.T) {
		t.Parallel()
		require.Equal(t, "SUCCESS", root.Child("returncode").Text())
		require.Equal(t, "SUCCESS", root.ChildText("returncode"))
		require.False(t, root.Child("missing").Exists())
		require.Equal(t, "", root.ChildText("missing"))
		// Child looks at children only, not deeper descendants.
		require.False(t, root.Child("meeting").Exists())
		require.Equal(t, "One", root.Child("meetings").Child("meeting").ChildText("meetingName"))
	})

	t.Run("Children in document order", func(t *testing.T) {
		t.Parallel()
		var names []string
		for c := range root.Children() {
			names = append(names, c.Name())
		}
		require.Equal(t, []string{"returncode", "meetings", "empty", "returncode"}, names)

		var texts []string
		for m := range root.Child("meetings").Children() {
			texts = append(texts, m.Name()+":"+m.ChildText("meetingName"))
		}
		require.Equal(t, []string{"meeting:One", "other:", "meeting:Two & more", "meeting:"}, texts)
	})

	t.Run("Children early break", func(t *testing.T) {
		t.Parallel()
		seen := 0
		for c := range root.Child("meetings").Children() {
			seen++
			if c.Name() == "other" {
				break
			}
		}
		require.Equal(t, 2, seen)
	})

	t.Run("CountChildren", func(t *testing.T) {
		t.Parallel()
		require.Equal(t, 4, root.CountChildren())
		require.Equal(t, 4, root.Child("meetings").CountChildren())
		require.Equal(t, 0, root.Child("empty").CountChildren())
		require.Equal(t, 0, root.Child("returncode").CountChildren())
	})

	t.Run("Text of containers and empty elements", func(t *testing.T) {
		t.Parallel()
		require.Equal(t, "", root.Child("empty").Text())
		require.Equal(t, "\n  \n  \n  \n  \n", root.Text())
	})

	t.Run("Attr and Attrs", func(t *testing.T) {
		t.Parallel()
		var ms []Node
		for m := range root.Child("meetings").Children() {
			ms = append(ms, m)
		}
		v, ok := ms[0].Attr("id")
		require.True(t, ok)
		require.Equal(t, "1", v)
		v, ok = ms[0].Attr("kind")
		require.True(t, ok)
		require.Equal(t, "main", v)
		_, ok = ms[0].Attr("missing")
		require.False(t, ok)
		_, ok = ms[1].Attr("id")
		require.False(t, ok)
		v, ok = ms[3].Attr("empty")
		require.True(t, ok)
		require.Equal(t, "", v)

		var pairs []string
		for k, v := range ms[0].Attrs() {
			pairs = append(pairs, k+"="+v)
		}
		require.Equal(t, []string{"id=1", "kind=main"}, pairs)

		// Early break out of Attrs.
		n := 0
		for range ms[0].Attrs() {
			n++
			break
		}
		require.Equal(t, 1, n)

		for range ms[1].Attrs() {
			t.Fatal("an element without attributes yielded one")
		}
	})

	t.Run("nodes are values", func(t *testing.T) {
		t.Parallel()
		a := root.Child("meetings")
		b := root.Child("meetings")
		require.Equal(t, a, b)
		require.NotEqual(t, a, root)
	})
}

func TestZeroNode(t *testing.T) {
	t.Parallel()
	var n Node
	require.False(t, n.Exists())
	require.Equal(t, "", n.Name())
	require.Equal(t, "", n.Text())
	require.False(t, n.Child("x").Exists())
	require.Equal(t, "", n.ChildText("x"))
	require.Equal(t, 0, n.CountChildren())
	for range n.Children() {
		t.Fatal("zero Node has children")
	}
	_, ok := n.Attr("x")
	require.False(t, ok)
	for range n.Attrs() {
		t.Fatal("zero Node has attributes")
	}
	// A chain of lookups through absent nodes stays absent.
	require.Equal(t, "", n.Child("a").Child("b").Child("c").ChildText("d"))

	var d *Doc
	require.False(t, d.Root().Exists())
	require.Equal(t, 0, d.Len())
	require.False(t, (&Doc{}).Root().Exists())
}

func TestSyntaxErrorType(t *testing.T) {
	t.Parallel()
	_, err := Parse([]byte("<a>"))
	var se *SyntaxError
	require.True(t, errors.As(err, &se))
	require.Equal(t, "xml: "+se.Msg+" at offset 3", err.Error())
	require.False(t, errors.Is(err, ErrNoRoot))
}

// refCheckChars is checkChars written the plain way.
func refCheckChars(b []byte) (int, string) {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			return i, "invalid UTF-8"
		case r < 0x20 && r != '\t' && r != '\n' && r != '\r', r == 0xFFFE, r == 0xFFFF:
			return i, "illegal character"
		}
		i += size
	}
	return -1, ""
}

func TestCheckChars(t *testing.T) {
	t.Parallel()
	var inputs [][]byte
	// Every byte value at every offset within a word, among allowed
	// control characters.
	for c := range 256 {
		for pad := range 17 {
			b := []byte(strings.Repeat("\t", pad) + "x" + strings.Repeat("\n", 17-pad))
			b[pad] = byte(c)
			inputs = append(inputs, b)
		}
	}
	for _, s := range []string{
		"", "a", "abcdefgh\x01ijk", "\tabcdefg\n\rhijklmnop\x7f\u0085", "aaaaaaaaaaaaaaaaaaaaaa\x00",
		"ééééé\uFFFEaa", "abcdefghij\xffabcdefgh", "\x0b\x0c12345678", "\xff\x01", "\x01\xff",
		"a\uFFFF\xff", "\xffa\uFFFF", "\uFFFF\uFFFE", "x\uFFFE\x01", "x\x01\uFFFE", "\uFFFD\uFFFC\U0010FFFF",
		"\xed\xa0\x80", "\xef\xbf", "abcdefg\xef\xbf\xbe", "\xc3\xa9\xc3", "\xf4\x90\x80\x80",
	} {
		inputs = append(inputs, []byte(s))
	}
	for _, b := range inputs {
		wantAt, wantMsg := refCheckChars(b)
		at, msg := checkChars(string(b))
		require.Equal(t, wantAt, at, "%q", b)
		require.Equal(t, wantMsg, msg, "%q", b)
	}
}
