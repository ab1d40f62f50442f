package sqlite_test

import (
	"database/sql"
	"testing"
)

// raw opens path without the Store, to look at or tamper with it.
func raw(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func execRaw(t *testing.T, path, query string) {
	t.Helper()
	if _, err := raw(t, path).Exec(query); err != nil {
		t.Fatal(err)
	}
}

func countMigrations(t *testing.T, path string) int {
	t.Helper()
	var n int
	if err := raw(t, path).QueryRow(`SELECT COUNT(*) FROM schema_migrations`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
