package main

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bbbcast/bbbcast/gateway"
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
		a.pages.fail(w, r, http.StatusInternalServerError, describe(err))
		return
	}
	a.pages.render(w, http.StatusOK, "gateways", a.pages.view(r, "Gateways", "admin", list))
}

// gatewayForm is the gateway form. The stream key (in the RTMP URL) and
// the token are never sent back to the browser: left empty on edit, they
// keep their stored value.
type gatewayForm struct {
	ID        int64
	Name      string
	Pool      string
	Order     int
	RTMPURL   string
	HLSURL    string
	ServerURL string
	Token     string
	Protocol  string
	// LauncherID is the gw_id of a v1.8 launcher.
	LauncherID string
	Insecure   bool
	Enabled    bool
	Protocols  []gateway.Protocol
	Errors     map[string]string
}

var protocols = []gateway.Protocol{gateway.ProtocolV18, gateway.ProtocolLauncher, gateway.ProtocolLegacy}

func (a *app) newGatewayPage(w http.ResponseWriter, r *http.Request) {
	if !a.requireAdmin(w, r) {
		return
	}
	f := gatewayForm{Protocol: string(gateway.ProtocolV18), Enabled: true, Protocols: protocols}
	a.pages.render(w, http.StatusOK, "gateway_form", a.pages.view(r, "New gateway", "admin", f))
}

func (a *app) editGatewayPage(w http.ResponseWriter, r *http.Request) {
	g, ok := a.adminGateway(w, r)
	if !ok {
		return
	}
	f := gatewayForm{ID: g.ID, Name: g.Name, Pool: g.Pool, Order: g.Order, HLSURL: g.HLSURL,
		ServerURL: g.Server.URL, Protocol: string(g.Server.Protocol), LauncherID: g.Server.LauncherID,
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
		a.pages.fail(w, r, http.StatusInternalServerError, describe(err))
		return g, false
	}
	return g, true
}

// readGatewayForm fills g from the form; the secrets change only when
// given.
func readGatewayForm(r *http.Request, g *gateway.Gateway) gatewayForm {
	f := gatewayForm{
		ID:         g.ID,
		Name:       strings.TrimSpace(r.PostFormValue("name")),
		Pool:       strings.TrimSpace(r.PostFormValue("pool")),
		HLSURL:     strings.TrimSpace(r.PostFormValue("hlsURL")),
		ServerURL:  strings.TrimSpace(r.PostFormValue("server.url")),
		Protocol:   r.PostFormValue("server.protocol"),
		LauncherID: strings.TrimSpace(r.PostFormValue("server.launcherID")),
		Insecure:   r.PostFormValue("server.insecure") == "on",
		Enabled:    r.PostFormValue("enabled") == "on",
		Protocols:  protocols,
		Errors:     map[string]string{},
	}
	order, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue("order")))
	if err != nil {
		f.Errors["order"] = "a whole number: lower is allocated first"
	}
	f.Order = order
	g.Name, g.Pool, g.Order, g.HLSURL, g.Enabled = f.Name, f.Pool, f.Order, f.HLSURL, f.Enabled
	g.Server.URL, g.Server.Protocol, g.Server.Insecure = f.ServerURL, gateway.Protocol(f.Protocol), f.Insecure
	g.Server.LauncherID = f.LauncherID
	if v := strings.TrimSpace(r.PostFormValue("rtmpURL")); v != "" || g.ID == 0 {
		g.RTMPURL = gateway.NewSecret(v)
	}
	if v := r.PostFormValue("server.token"); v != "" || g.ID == 0 {
		g.Server.Token = gateway.NewSecret(v)
	}
	return f
}

// gatewayFailed shows the form again with the store's or the
// validation's complaints.
func (a *app) gatewayFailed(w http.ResponseWriter, r *http.Request, title string, f gatewayForm, err error) {
	var ve *gateway.ValidationError
	v := a.pages.view(r, title, "admin", f)
	if errors.As(err, &ve) {
		for k, msg := range ve.Fields {
			f.Errors[k] = msg
		}
		v.Error = "The gateway was not saved: check the fields marked below."
	} else if err != nil {
		v.Error = "The gateway was not saved: " + describe(err)
	}
	v.Data = f
	a.pages.render(w, http.StatusUnprocessableEntity, "gateway_form", v)
}

func (a *app) createGateway(w http.ResponseWriter, r *http.Request) {
	if !a.requireAdmin(w, r) {
		return
	}
	var g gateway.Gateway
	f := readGatewayForm(r, &g)
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
	f := readGatewayForm(r, &g)
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
		a.pages.fail(w, r, http.StatusInternalServerError, describe(err))
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
	if err != nil {
		a.pages.fail(w, r, http.StatusBadRequest, describe(err))
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
