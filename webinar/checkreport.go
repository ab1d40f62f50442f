package webinar

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// Severity grades a target of a health check.
type Severity string

// The grades, from best to worst.
const (
	// SeverityOK: the target works as configured.
	SeverityOK Severity = "ok"
	// SeverityWarning: it works, but something will bite later (a weak
	// checksum, a relay the server cannot carry).
	SeverityWarning Severity = "warning"
	// SeverityError: webinars will fail until it is fixed.
	SeverityError Severity = "error"
)

func (s Severity) rank() int {
	switch s {
	case SeverityOK:
		return 0
	case SeverityWarning:
		return 1
	}
	return 2
}

// The kinds of targets a health check looks at.
const (
	CheckStore      = "store"      // the Store answers
	CheckBBB        = "bbb"        // a BigBlueButton server
	CheckSIPMediaGW = "sipmediagw" // a gateway's SIPMediaGW server
	CheckHLS        = "hls"        // a gateway's HLS URL
	CheckCallback   = "callback"   // the end callback at PublicURL
	CheckBotPage    = "bot-page"   // the bot's page at PublicURL
)

// CheckResult is what a health check found of one target.
type CheckResult struct {
	// Kind is one of the Check* constants.
	Kind string
	// Target names what was checked: a BBB server's name and URL, a
	// gateway's name, a URL without its credentials.
	Target string
	// GatewayID is the gateway of the sipmediagw and hls kinds (0 for
	// the others).
	GatewayID int64
	Severity  Severity
	// Message is a sentence for an operator: what works, or what is
	// wrong and what to change.
	Message string
	// Took is how long the check of the target took; At is when it
	// ended.
	Took time.Duration
	At   time.Time
}

// HealthReport is the outcome of Service.Check: one result per target,
// in a stable order (store, BBB servers by name, gateways by ID, then
// the URLs under PublicURL).
type HealthReport struct {
	At      time.Time // when the check began
	Took    time.Duration
	Results []CheckResult
}

// Severity is the worst severity of the results (SeverityOK when there
// are none).
func (r *HealthReport) Severity() Severity {
	worst := SeverityOK
	for _, c := range r.Results {
		if c.Severity.rank() > worst.rank() {
			worst = c.Severity
		}
	}
	return worst
}

// Count returns how many results have severity s.
func (r *HealthReport) Count(s Severity) int {
	n := 0
	for _, c := range r.Results {
		if c.Severity == s {
			n++
		}
	}
	return n
}

// Summary is the report in one sentence, such as "2 errors, 1 warning in
// 9 checks".
func (r *HealthReport) Summary() string {
	errs, warns := r.Count(SeverityError), r.Count(SeverityWarning)
	checks := plural(len(r.Results), "check")
	if errs == 0 && warns == 0 {
		return "all " + checks + " passed"
	}
	return plural(errs, "error") + ", " + plural(warns, "warning") + " in " + checks
}

// WriteText writes the report for a terminal: a summary line, then one
// aligned line per target: severity, kind, target, time, message.
func (r *HealthReport) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "health check at %s: %s (%s)\n", r.At.UTC().Format(time.RFC3339), r.Summary(), roundDuration(r.Took))
	for _, c := range r.Results {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", strings.ToUpper(string(c.Severity)), c.Kind, c.Target,
			roundDuration(c.Took), c.Message)
	}
	return tw.Flush()
}

// String is the text rendering of WriteText.
func (r *HealthReport) String() string {
	var b strings.Builder
	_ = r.WriteText(&b)
	return b.String()
}

func roundDuration(d time.Duration) time.Duration {
	if d >= time.Second {
		return d.Round(10 * time.Millisecond)
	}
	return d.Round(100 * time.Microsecond)
}

type checkResultJSON struct {
	Kind      string    `json:"kind"`
	Target    string    `json:"target"`
	GatewayID int64     `json:"gateway_id,omitempty"`
	Status    Severity  `json:"status"`
	Message   string    `json:"message"`
	TookMS    float64   `json:"took_ms"`
	At        time.Time `json:"checked_at"`
}

type healthReportJSON struct {
	Status  Severity          `json:"status"`
	Summary string            `json:"summary"`
	At      time.Time         `json:"checked_at"`
	TookMS  float64           `json:"took_ms"`
	Results []checkResultJSON `json:"results"`
}

func millis(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// MarshalJSON renders the report as {"status", "summary", "checked_at",
// "took_ms", "results": [{"kind", "target", "gateway_id", "status",
// "message", "took_ms", "checked_at"}]}, durations in milliseconds.
func (r *HealthReport) MarshalJSON() ([]byte, error) {
	out := healthReportJSON{Status: r.Severity(), Summary: r.Summary(), At: r.At, TookMS: millis(r.Took),
		Results: make([]checkResultJSON, len(r.Results))}
	for i, c := range r.Results {
		out.Results[i] = checkResultJSON{Kind: c.Kind, Target: c.Target, GatewayID: c.GatewayID, Status: c.Severity,
			Message: c.Message, TookMS: millis(c.Took), At: c.At}
	}
	return json.Marshal(out)
}

// plural counts word: "1 check", "2 checks".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
