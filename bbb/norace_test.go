//go:build !race

package bbb

// raceEnabled: see race_test.go.
const raceEnabled = false
