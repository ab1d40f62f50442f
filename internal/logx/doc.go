// Package logx holds what the packages' logging shares: the default of
// every component, a logger that drops everything, so that nothing is
// logged unless the host gives a logger.
package logx
