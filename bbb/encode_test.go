package bbb

import (
	"math/rand"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The fast encoders of create and join must send exactly what go-querystring
// makes of the structs' `url` tags: fill every field at random and compare
// the raw pairs.
func TestFastPathMatchesQuerystring(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewSource(1))
	for i := range 300 {
		var cp CreateParams
		fillRandom(rng, reflect.ValueOf(&cp).Elem())
		var fast params
		cp.appendQuery(&fast)
		general, err := encodeStruct(&cp)
		require.NoError(t, err)
		require.Equal(t, sortedPairs(general.b), sortedPairs(fast.b), "create #%d", i)

		var jp JoinParams
		fillRandom(rng, reflect.ValueOf(&jp).Elem())
		fast = params{}
		jp.appendQuery(&fast)
		general, err = encodeStruct(&jp)
		require.NoError(t, err)
		require.Equal(t, sortedPairs(general.b), sortedPairs(fast.b), "join #%d", i)
	}
}

func sortedPairs(q []byte) []string {
	if len(q) == 0 {
		return nil
	}
	pairs := strings.Split(string(q), "&")
	slices.Sort(pairs)
	return pairs
}

var randomTexts = []string{"", "", "plain", "Test Meeting", "it's (ok)!*", "a&b=c", "é ü", "100%", "x,y", "-1"}

// fillRandom sets each exported field to a random value of its kind, zero
// values included, so that omission rules are exercised too.
func fillRandom(rng *rand.Rand, v reflect.Value) {
	for i := 0; i < v.NumField(); i++ {
		f := v.Field(i)
		if v.Type().Field(i).Tag.Get("url") == "-" {
			continue
		}
		switch f.Kind() {
		case reflect.String:
			f.SetString(randomTexts[rng.Intn(len(randomTexts))])
		case reflect.Int, reflect.Int64:
			f.SetInt([]int64{0, 0, 1, 42, -5, 1700000000000}[rng.Intn(6)])
		case reflect.Pointer:
			switch rng.Intn(3) {
			case 1:
				f.Set(reflect.ValueOf(ptr(true)))
			case 2:
				f.Set(reflect.ValueOf(ptr(false)))
			}
		case reflect.Slice:
			n := rng.Intn(3)
			s := reflect.MakeSlice(f.Type(), n, n)
			for j := range n {
				s.Index(j).SetString(randomTexts[2+rng.Intn(len(randomTexts)-2)])
			}
			f.Set(s)
		case reflect.Map:
			n := rng.Intn(3)
			m := reflect.MakeMapWithSize(f.Type(), n)
			for range n {
				k := []string{"endCallbackUrl", "bbb-origin", "a", "Zz-9"}[rng.Intn(4)]
				m.SetMapIndex(reflect.ValueOf(k).Convert(f.Type().Key()), reflect.ValueOf(randomTexts[rng.Intn(len(randomTexts))]))
			}
			f.Set(m)
		default:
			panic("fillRandom: unhandled kind " + f.Kind().String())
		}
	}
}
