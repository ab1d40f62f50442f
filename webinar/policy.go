package webinar

import "slices"

// User is who acts, as the host application knows them.
type User struct {
	ID           string
	Name         string // shown as the author of chat messages
	Superuser    bool
	Affiliations []string // eduPersonAffiliation values: faculty, employee, staff, student…
	Groups       []string
}

// Policy decides who may do what. The host plugs in its own or uses
// PodPolicy.
type Policy interface {
	// CanCreate: may u create webinars?
	CanCreate(u User) bool
	// CanManage: may u edit, start, stop or end w?
	CanManage(u User, w *Webinar) bool
	// CanChat: may u post in w's chat (when the chat is enabled)?
	CanChat(u User, w *Webinar) bool
}

// PodPolicy is Esup-Pod's rule: superusers, users with one of the
// Affiliations, and members of AdminGroup create webinars; owners,
// co-owners and superusers manage them; any signed-in user chats.
type PodPolicy struct {
	// Affiliations allowed to create webinars (Pod's
	// MEETING_WEBINAR_AFFILIATION); DefaultAffiliations when nil.
	Affiliations []string
	// AdminGroup, when set, may create webinars whatever its members'
	// affiliations (Pod's MEETING_WEBINAR_GROUP_ADMIN).
	AdminGroup string
}

// DefaultAffiliations are Pod's default creators.
var DefaultAffiliations = []string{"faculty", "employee", "staff"}

// CanCreate implements Policy.
func (p PodPolicy) CanCreate(u User) bool {
	if u.ID == "" {
		return false
	}
	if u.Superuser || p.AdminGroup != "" && slices.Contains(u.Groups, p.AdminGroup) {
		return true
	}
	allowed := p.Affiliations
	if allowed == nil {
		allowed = DefaultAffiliations
	}
	for _, a := range u.Affiliations {
		if slices.Contains(allowed, a) {
			return true
		}
	}
	return false
}

// CanManage implements Policy.
func (p PodPolicy) CanManage(u User, w *Webinar) bool {
	return u.ID != "" && (u.Superuser || w.IsOwner(u.ID))
}

// CanChat implements Policy.
func (p PodPolicy) CanChat(u User, _ *Webinar) bool { return u.ID != "" }
