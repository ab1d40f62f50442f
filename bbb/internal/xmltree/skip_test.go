package xmltree

import (
	"slices"
	"strings"
	"testing"
)

// dump renders n's subtree (names, texts, attributes) without the
// elements named in skip, below the root.
func dump(b *strings.Builder, n Node, skip []string, root bool) {
	if !root && slices.Contains(skip, n.Name()) {
		return
	}
	b.WriteString("<" + n.Name())
	for k, v := range n.Attrs() {
		b.WriteString(" " + k + "=" + v)
	}
	b.WriteString(">" + n.Text())
	for c := range n.Children() {
		dump(b, c, skip, false)
	}
	b.WriteString("</>")
}

// checkSkipping: ParseStringSkipping accepts exactly what ParseString
// accepts, at the same offset when not, and its tree is ParseString's
// without the skipped elements (a skipped element's text does not count:
// texts are cut from the element's own character data).
func checkSkipping(t *testing.T, doc string, skip []string) {
	t.Helper()
	full, ferr := ParseString(doc)
	part, perr := ParseStringSkipping(doc, skip...)
	if (ferr == nil) != (perr == nil) {
		t.Fatalf("ParseString error %v, ParseStringSkipping error %v", ferr, perr)
	}
	if ferr != nil {
		if ferr.Error() != perr.Error() {
			t.Fatalf("errors differ: %v / %v", ferr, perr)
		}
		return
	}
	var want, got strings.Builder
	dump(&want, full.Root(), skip, true)
	dump(&got, part.Root(), nil, true)
	if want.String() != got.String() {
		t.Fatalf("trees differ:\nwant %s\ngot  %s", want.String(), got.String())
	}
}

func TestParseStringSkipping(t *testing.T) {
	t.Parallel()
	docs := []string{navDoc,
		`<r><a><x>1</x></a><keep>k</keep><a/><a q="1"><a>nested</a></a></r>`,
		`<r><a><![CDATA[</a><b>not a tag</b>]]></a><b>after</b></r>`,
		`<r><a><!-- </a> --><c/></a><b>t&amp;t</b></r>`,
		`<r><a><x></a></r>`,        // mismatched inside a skipped element
		`<r><a>&bogus;</a></r>`,    // bad reference inside
		`<r><a><x y="<"/></a></r>`, // bad attribute inside
		`<a><a/></a>`,              // the root is never skipped
	}
	for _, b := range bbbAnswers(t) {
		docs = append(docs, string(b))
	}
	for _, doc := range docs {
		for _, skip := range [][]string{{"a"}, {"attendees", "metadata"}, {"x", "b"}, nil} {
			checkSkipping(t, doc, skip)
		}
	}
}

// FuzzParseStringSkipping holds checkSkipping for any input.
func FuzzParseStringSkipping(f *testing.F) {
	for _, b := range bbbAnswers(f) {
		f.Add(string(b))
	}
	f.Add(`<r><a><![CDATA[</a>]]></a><b/></r>`)
	f.Fuzz(func(t *testing.T, doc string) {
		checkSkipping(t, doc, []string{"a", "attendees", "meeting"})
	})
}
