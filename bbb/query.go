package bbb

import (
	"net/url"
	"slices"
	"strconv"
	"sync"

	"github.com/google/go-querystring/query"
)

// scratch buffers for building queries and URLs: signing a URL then costs
// one allocation, the string returned.
var scratch = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

func getScratch() *[]byte { return scratch.Get().(*[]byte) }

func putScratch(p *[]byte, b []byte) {
	if cap(b) <= 64<<10 {
		*p = b[:0]
		scratch.Put(p)
	}
}

// params is a query string under construction: pairs in the order they are
// added, strictly escaped, ready to be signed byte for byte.
type params struct{ b []byte }

func (p *params) add(key, value string) {
	if len(p.b) > 0 {
		p.b = append(p.b, '&')
	}
	p.b = append(p.b, key...)
	p.b = append(p.b, '=')
	p.b = appendQueryEscape(p.b, value)
}

// addNonEmpty adds key only when value is not empty.
func (p *params) addNonEmpty(key, value string) {
	if value != "" {
		p.add(key, value)
	}
}

func (p *params) addInt(key string, v int64) {
	if len(p.b) > 0 {
		p.b = append(p.b, '&')
	}
	p.b = append(p.b, key...)
	p.b = append(p.b, '=')
	p.b = strconv.AppendInt(p.b, v, 10)
}

// addNonZero adds key only when v is not 0, as go-querystring's omitempty.
func (p *params) addNonZero(key string, v int) {
	if v != 0 {
		p.addInt(key, int64(v))
	}
}

// addList adds a comma-separated list when it is not empty.
func (p *params) addList(key string, list []string) {
	if len(list) == 0 {
		return
	}
	if len(p.b) > 0 {
		p.b = append(p.b, '&')
	}
	p.b = append(p.b, key...)
	p.b = append(p.b, '=')
	for i, v := range list {
		if i > 0 {
			p.b = append(p.b, "%2C"...)
		}
		p.b = appendQueryEscape(p.b, v)
	}
}

// addBool adds key when v is set, so an explicit false is sent.
func (p *params) addBool(key string, v *bool) {
	if v != nil {
		p.add(key, strconv.FormatBool(*v))
	}
}

// addPrefixed adds every entry of m as prefix+key, in sorted key order so
// the URL is deterministic.
func (p *params) addPrefixed(prefix string, m map[string]string) {
	if len(m) == 0 {
		return
	}
	var stack [16]string
	keys := stack[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if len(p.b) > 0 {
			p.b = append(p.b, '&')
		}
		p.b = append(p.b, prefix...)
		p.b = appendQueryEscape(p.b, k)
		p.b = append(p.b, '=')
		p.b = appendQueryEscape(p.b, m[k])
	}
}

// addValues adds url.Values in sorted key order (as url.Values.Encode does),
// escaping keys and values strictly.
func (p *params) addValues(v url.Values) {
	if len(v) == 0 {
		return
	}
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		for _, val := range v[k] {
			if len(p.b) > 0 {
				p.b = append(p.b, '&')
			}
			p.b = appendQueryEscape(p.b, k)
			p.b = append(p.b, '=')
			p.b = appendQueryEscape(p.b, val)
		}
	}
}

// encodeStruct encodes a parameter struct through its `url` tags with
// go-querystring, the general path used by every call without a fast path.
func encodeStruct(v any) (params, error) {
	vals, err := query.Values(v)
	if err != nil {
		return params{}, err
	}
	var p params
	p.addValues(vals)
	return p, nil
}
