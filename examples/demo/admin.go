package main

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bbbcast/bbbcast/gateway"
	"github.com/bbbcast/bbbcast/sipmediagw"
)

// requireAdmin returns true for a superuser; others get a page saying
// who may come in.
func (a *app) requireAdmin(w http.ResponseWriter, r *http.Request) bool {
	u, ok := a.requireUser(w, r)
	if !ok {
		return false
	}
	if !u.Superuser {
		a.pages.fail(w, r, http.StatusForbidden, "Administrators only: sign in as Grace Hopper.")
		return false
	}
	return true
}

func (a *app) gatewaysPage(w http.ResponseWriter, r *http.Request) {
	if !a.requireAdmin(w, r) {
		return
	}
	list, err := a.gateways.Gateways(r.Context())
	if err != nil {
		a.pages.fail(w, r, http.StatusInternalServerError, a.sayError(r, err))
		return
	}
	a.pages.render(w, http.StatusOK, "gateways", a.pages.view(r, "Gateways", "admin", list))
}

// gatewayForm is the gateway form. The stored stream key (in the RTMP
// URL) and token are never sent to the browser: left empty on edit, they
// keep their stored value. RTMPURL and Token are what the administrator
// typed, shown again only in the form of that refused submission.
type gatewayForm struct {
	ID        int64
	Name      string
	Pool      string
	Order     string // as typed: a refused "first" comes back as it was
	RTMPURL   string
	HLSURL    string
	ServerURL string
	Token     string
	Protocol  string
	// LauncherID is the gw_id of a v1.8 launcher.
	LauncherID string
	Insecure   bool
	Enabled    bool
	Protocols  []sipmediagw.Protocol
	Errors     map[string]string
}

var protocols = []sipmediagw.Protocol{sipmediagw.V18, sipmediagw.V18Launcher, sipmediagw.Legacy}

func (a *app) newGatewayPage(w http.ResponseWriter, r *http.Request) {
	if !a.requireAdmin(w, r) {
		return
	}
	f := gatewayForm{Order: "0", Protocol: sipmediagw.V18.String(), Enabled: true, Protocols: protocols}
	a.pages.render(w, http.StatusOK, "gateway_form", a.pages.view(r, "New gateway", "admin", f))
}

func (a *app) editGatewayPage(w http.ResponseWriter, r *http.Request) {
	g, ok := a.adminGateway(w, r)
	if !ok {
		return
	}
	f := gatewayForm{ID: g.ID, Name: g.Name, Pool: g.Pool, Order: strconv.Itoa(g.Order), HLSURL: g.HLSURL,
		ServerURL: g.Server.URL, Protocol: g.Server.Protocol.String(), LauncherID: g.Server.LauncherID,
		Insecure: g.Server.Insecure, Enabled: g.Enabled, Protocols: protocols}
	a.pages.render(w, http.StatusOK, "gateway_form", a.pages.view(r, "Edit "+g.Name, "admin", f))
}

// adminGateway returns the gateway of the path, for an administrator.
func (a *app) adminGateway(w http.ResponseWriter, r *http.Request) (gateway.Gateway, bool) {
	if !a.requireAdmin(w, r) {
		return gateway.Gateway{}, false
	}
	id, err := strconv.ParseInt(r.PathValue("gid"), 10, 64)
	if err != nil {
		a.pages.fail(w, r, http.StatusNotFound, "There is no such gateway.")
		return gateway.Gateway{}, false
	}
	g, err := a.gateways.Gateway(r.Context(), id)
	if errors.Is(err, gateway.ErrNotFound) {
		a.pages.fail(w, r, http.StatusNotFound, "There is no such gateway.")
		return g, false
	}
	if err != nil {
		a.pages.fail(w, r, http.StatusInternalServerError, a.sayError(r, err))
		return g, false
	}
	return g, true
}

// readGatewayForm fills g from the form; the secrets change only when
// given. It checks every field, the library's rules (in words) with the
// form's own, so that one submission shows every problem, each next to
// its field.
func (a *app) readGatewayForm(r *http.Request, g *gateway.Gateway) gatewayForm {
	f := gatewayForm{
		ID:         g.ID,
		Name:       strings.TrimSpace(r.PostFormValue("name")),
		Pool:       strings.TrimSpace(r.PostFormValue("pool")),
		Order:      strings.TrimSpace(r.PostFormValue("order")),
		RTMPURL:    strings.TrimSpace(r.PostFormValue("rtmpURL")),
		Token:      r.PostFormValue("server.token"),
		HLSURL:     strings.TrimSpace(r.PostFormValue("hlsURL")),
		ServerURL:  strings.TrimSpace(r.PostFormValue("server.url")),
		Protocol:   r.PostFormValue("server.protocol"),
		LauncherID: strings.TrimSpace(r.PostFormValue("server.launcherID")),
		Insecure:   r.PostFormValue("server.insecure") == "on",
		Enabled:    r.PostFormValue("enabled") == "on",
		Protocols:  protocols,
		Errors:     map[string]string{},
	}
	order, err := strconv.Atoi(f.Order)
	if err != nil {
		f.Errors["order"] = gatewayRules["order"]
	}
	g.Name, g.Pool, g.Order, g.HLSURL, g.Enabled = f.Name, f.Pool, order, f.HLSURL, f.Enabled
	protocol, _ := sipmediagw.ParseProtocol(f.Protocol) // unknown: 0, which Validate refuses
	g.Server.URL, g.Server.Protocol, g.Server.Insecure = f.ServerURL, protocol, f.Insecure
	g.Server.LauncherID = f.LauncherID
	if f.RTMPURL != "" || g.ID == 0 {
		g.RTMPURL = gateway.NewSecret(f.RTMPURL)
	}
	if f.Token != "" || g.ID == 0 {
		g.Server.Token = gateway.NewSecret(f.Token)
	}
	if err := g.Validate(); err != nil {
		a.gatewayErrors(r, &f, err)
	}
	return f
}

// gatewayErrors puts the library's complaints about a gateway, in words,
// next to their fields; the library's wording goes to the log.
func (a *app) gatewayErrors(r *http.Request, f *gatewayForm, err error) {
	var ve *gateway.ValidationError
	switch {
	case errors.As(err, &ve):
		a.sayError(r, err)
		for field, problem := range ve.Fields {
			if _, mine := f.Errors[field]; !mine {
				f.Errors[field] = gatewayFieldSentence(field, problem)
			}
		}
	case errors.Is(err, gateway.ErrDuplicateServer):
		f.Errors["server.url"] = a.sayError(r, err)
	}
}

// gatewayFailed shows the form again with every complaint, keeping what
// was typed.
func (a *app) gatewayFailed(w http.ResponseWriter, r *http.Request, title string, f gatewayForm, err error) {
	if err != nil {
		a.gatewayErrors(r, &f, err)
	}
	v := a.pages.view(r, title, "admin", f)
	switch {
	case len(f.Errors) > 0:
		v.Error = "The gateway was not saved: check the fields marked below."
	case err != nil:
		v.Error = "The gateway was not saved. " + a.sayError(r, err)
	}
	a.pages.render(w, http.StatusUnprocessableEntity, "gateway_form", v)
}

func (a *app) createGateway(w http.ResponseWriter, r *http.Request) {
	if !a.requireAdmin(w, r) {
		return
	}
	var g gateway.Gateway
	f := a.readGatewayForm(r, &g)
	if len(f.Errors) > 0 {
		a.gatewayFailed(w, r, "New gateway", f, nil)
		return
	}
	if _, err := a.gateways.CreateGateway(r.Context(), g); err != nil {
		a.gatewayFailed(w, r, "New gateway", f, err)
		return
	}
	http.Redirect(w, r, "/admin/gateways?done=gateway", http.StatusSeeOther)
}

func (a *app) updateGateway(w http.ResponseWriter, r *http.Request) {
	g, ok := a.adminGateway(w, r)
	if !ok {
		return
	}
	title := "Edit " + g.Name
	f := a.readGatewayForm(r, &g)
	if len(f.Errors) > 0 {
		a.gatewayFailed(w, r, title, f, nil)
		return
	}
	if err := a.gateways.UpdateGateway(r.Context(), g); err != nil {
		a.gatewayFailed(w, r, title, f, err)
		return
	}
	http.Redirect(w, r, "/admin/gateways?done=gateway", http.StatusSeeOther)
}

// capacityRow is one interval of a day with a constant count of free
// gateways; Percent is the free share, for the bar.
type capacityRow struct {
	gateway.Capacity
	Percent int
}

// capacityPage shows, for a pool and a day, how many gateways are free
// hour after hour.
func (a *app) capacityPage(w http.ResponseWriter, r *http.Request) {
	if !a.requireAdmin(w, r) {
		return
	}
	q := r.URL.Query()
	day, err := time.ParseInLocation("2006-01-02", q.Get("day"), a.loc)
	if err != nil {
		n := a.clock.Now().In(a.loc)
		day = time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, a.loc)
	}
	pool := q.Get("pool")
	list, err := a.gateways.Gateways(r.Context())
	if err != nil {
		a.pages.fail(w, r, http.StatusInternalServerError, a.sayError(r, err))
		return
	}
	pools := []string{""}
	for _, g := range list {
		if !slices.Contains(pools, g.Pool) {
			pools = append(pools, g.Pool)
		}
	}
	window := gateway.Slot{Start: day, End: day.AddDate(0, 0, 1)}
	caps, err := a.gateways.FreeCapacity(r.Context(), pool, window)
	if errors.Is(err, gateway.ErrInvalidSlot) {
		a.sayError(r, err)
		a.pages.fail(w, r, http.StatusBadRequest, "Choose a day between 1970 and 2200.")
		return
	}
	if err != nil {
		a.pages.fail(w, r, http.StatusInternalServerError, a.sayError(r, err))
		return
	}
	rows := make([]capacityRow, len(caps))
	for i, c := range caps {
		rows[i] = capacityRow{Capacity: c}
		if c.Total > 0 {
			rows[i].Percent = 100 * c.Free / c.Total
		}
	}
	data := struct {
		Day, Prev, Next string
		Pool            string
		Pools           []string
		Rows            []capacityRow
	}{day.Format("2006-01-02"), day.AddDate(0, 0, -1).Format("2006-01-02"),
		day.AddDate(0, 0, 1).Format("2006-01-02"), pool, pools, rows}
	a.pages.render(w, http.StatusOK, "capacity", a.pages.view(r, "Capacity", "admin", data))
}
