package migrate_test

import (
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bbbcast/bbbcast/store/internal/migrate"
)

func TestLoad(t *testing.T) {
	t.Parallel()
	fsys := fstest.MapFS{
		"m/0002_more.sql": {Data: []byte("B")},
		"m/0001_init.sql": {Data: []byte("A")},
		"m/0010_late.sql": {Data: []byte("C")},
	}
	ms, err := migrate.Load(fsys, "m")
	require.NoError(t, err)
	assert.Equal(t, []migrate.Migration{{1, "0001_init.sql", "A"}, {2, "0002_more.sql", "B"}, {10, "0010_late.sql", "C"}}, ms)

	for name, bad := range map[string]fstest.MapFS{
		"no underscore": {"m/0001.sql": {}},
		"not sql":       {"m/0001_init.txt": {}},
		"zero":          {"m/0000_init.sql": {}},
		"not a number":  {"m/abc_init.sql": {}},
		"same version":  {"m/0001_a.sql": {}, "m/1_b.sql": {}},
	} {
		_, err := migrate.Load(bad, "m")
		assert.Error(t, err, name)
	}
}
