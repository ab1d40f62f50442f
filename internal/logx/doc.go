// Package logx holds what the packages' logging shares: a handler that
// drops everything, the default of every component, which logs nothing
// unless given a logger.
package logx
