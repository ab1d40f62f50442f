package main

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/bbbcast/bbbcast/webinar"
)

// healthView is the data of the health page.
type healthView struct {
	Report *webinar.HealthReport
	Status webinar.Severity
	Took   string // the whole check's time, rounded
	Rows   []healthRow
	// Faults are the failures the fakes can be made to have (fake mode).
	Faults []faultView
}

// healthRow is one result of the check, its time rounded for people.
type healthRow struct {
	webinar.CheckResult
	Took string
}

// roundTime shows a check's time to the tenth of a millisecond.
func roundTime(d time.Duration) string {
	return strconv.FormatFloat(float64(d.Microseconds())/1000, 'f', 1, 64) + " ms"
}

// faultView is one failure of the fakes, on or off.
type faultView struct {
	Name, Label, Hint string
	On                bool
}

// healthPage runs the health check and shows its report; ?format=json
// (or an Accept of application/json) gives the report's JSON.
func (a *app) healthPage(w http.ResponseWriter, r *http.Request) {
	if !a.requireAdmin(w, r) {
		return
	}
	report := a.svc.Check(r.Context())
	if r.URL.Query().Get("format") == "json" || strings.Contains(r.Header.Get("Accept"), "application/json") {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		_ = json.NewEncoder(w).Encode(report)
		return
	}
	v := healthView{Report: report, Status: report.Severity(), Took: roundTime(report.Took)}
	for _, c := range report.Results {
		v.Rows = append(v.Rows, healthRow{CheckResult: c, Took: roundTime(c.Took)})
	}
	if a.fakes != nil {
		for _, f := range demoFaults {
			v.Faults = append(v.Faults, faultView{Name: f.name, Label: f.label, Hint: f.hint, On: a.fakes.faultOn(f.name)})
		}
	}
	a.pages.render(w, http.StatusOK, "health", a.pages.view(r, "Health", "admin", v))
}

// setFault turns a failure of the fakes on or off, then shows the check
// again.
func (a *app) setFault(w http.ResponseWriter, r *http.Request) {
	if !a.requireAdmin(w, r) {
		return
	}
	if a.fakes == nil {
		a.pages.fail(w, r, http.StatusNotFound, "Failures can be injected into the fake servers only.")
		return
	}
	name := r.PathValue("fault")
	if !a.fakes.setFault(name, r.FormValue("on") == "1") {
		a.pages.fail(w, r, http.StatusNotFound, "There is no such failure.")
		return
	}
	http.Redirect(w, r, "/admin/health", http.StatusSeeOther)
}
