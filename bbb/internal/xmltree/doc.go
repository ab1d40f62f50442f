// Package xmltree parses the small, flat XML documents BigBlueButton answers
// with into an immutable tree, fast and with few allocations: the document
// is copied into one string, names and texts are substrings of it (decoded
// copies only where an entity appears or line ends need normalising), and
// all elements live in one slice.
//
// It checks well-formedness as encoding/xml does in strict mode: matching
// tags, one root, XML characters and valid UTF-8 everywhere, ASCII name
// rules, unique and space-separated attributes, known entities, comments
// without "--", terminated CDATA sections and processing instructions, no
// "]]>" in text. Line ends are normalised to "\n". It ignores namespaces,
// and refuses documents with a DOCTYPE, since BBB never sends one and
// entity expansion is a known attack. Error messages give an offset and
// never quote the document, which may echo a request's secrets.
package xmltree
