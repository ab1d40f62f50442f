package xmltree

import (
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkParse parses the generated getMeetings answer of package bbb
// (50 meetings, about 160 KB), and a small FAILED answer.
func BenchmarkParse(b *testing.B) {
	big, err := os.ReadFile(filepath.Join("..", "..", "testdata", "getmeetings_50x5x3.xml"))
	if err != nil {
		b.Skip("sample answer not found:", err)
	}
	small := bbbAnswers(b)["failed_checksum.xml"]
	for _, bc := range []struct {
		name string
		doc  []byte
	}{{"getMeetings", big}, {"failed", small}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(bc.doc)))
			for i := 0; i < b.N; i++ {
				if _, err := Parse(bc.doc); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkCheckChars(b *testing.B) {
	big, err := os.ReadFile(filepath.Join("..", "..", "testdata", "getmeetings_50x5x3.xml"))
	if err != nil {
		b.Skip("sample answer not found:", err)
	}
	doc := string(big)
	b.SetBytes(int64(len(doc)))
	for i := 0; i < b.N; i++ {
		if i, _ := checkChars(doc); i >= 0 {
			b.Fatal(i)
		}
	}
}
