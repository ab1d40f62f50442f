package bbb

// Bool returns a pointer to v, for the *bool fields of parameter structs,
// where nil means "not sent" and Bool(false) sends an explicit false.
func Bool(v bool) *bool { return &v }
