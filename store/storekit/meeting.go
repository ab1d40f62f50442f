package storekit

import (
	"encoding/json"
	"maps"
	"net/url"
	"reflect"
	"slices"

	"github.com/bbbcast/bbbcast/bbb"
)

// CloneMeeting returns a deep copy of p (nil for nil): its *bool fields
// point to new values, its slices and maps are new, so that a store
// never shares a webinar's meeting parameters with its callers.
func CloneMeeting(p *bbb.CreateParams) *bbb.CreateParams {
	if p == nil {
		return nil
	}
	c := *p
	v := reflect.ValueOf(&c).Elem()
	for i := range v.NumField() {
		f := v.Field(i)
		if !f.CanSet() {
			continue
		}
		switch f.Kind() {
		case reflect.Pointer:
			if !f.IsNil() {
				n := reflect.New(f.Type().Elem())
				n.Elem().Set(f.Elem())
				f.Set(n)
			}
		case reflect.Slice:
			if !f.IsNil() {
				n := reflect.MakeSlice(f.Type(), f.Len(), f.Len())
				reflect.Copy(n, f)
				f.Set(n)
			}
		}
	}
	c.Meta = maps.Clone(p.Meta)
	if p.Extra != nil {
		c.Extra = make(url.Values, len(p.Extra))
		for k, vs := range p.Extra {
			c.Extra[k] = slices.Clone(vs)
		}
	}
	return &c
}

// MarshalMeeting encodes a webinar's meeting parameters for a store's
// column: the JSON of bbb.CreateParams (its Go field names; a *bool set to
// false stays false), nil for nil, which the stores keep as NULL.
func MarshalMeeting(p *bbb.CreateParams) ([]byte, error) {
	if p == nil {
		return nil, nil
	}
	return json.Marshal(p)
}

// UnmarshalMeeting decodes what MarshalMeeting encoded: nil for an empty
// (NULL) column.
func UnmarshalMeeting(b []byte) (*bbb.CreateParams, error) {
	if len(b) == 0 {
		return nil, nil
	}
	p := new(bbb.CreateParams)
	if err := json.Unmarshal(b, p); err != nil {
		return nil, err
	}
	return p, nil
}
