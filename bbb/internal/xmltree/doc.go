// Package xmltree parses the small, flat XML documents BigBlueButton answers
// with into an immutable tree, fast and with few allocations: the document
// is copied into one string, names and texts are substrings of it (decoded
// copies only where an entity appears), and all elements live in one slice.
//
// It checks well-formedness (matching tags, one root, known entities,
// terminated comments, CDATA and processing instructions) but ignores
// namespaces and DTDs; documents with a DOCTYPE are refused, since BBB never
// sends one and entity expansion is a known attack.
package xmltree
