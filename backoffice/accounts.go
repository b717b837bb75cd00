package backoffice

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/plateward/alpr/analytics"
)

func (a *App) usersView(r *http.Request, note, errText string) view {
	return a.usersViewAsking(r, note, errText, nil)
}

// usersConfirm is a destructive account action waiting for IT to confirm
// it: what it does, in words, and the form that does it.
type usersConfirm struct {
	User, Action, Label, Effect string
}

// usersViewAsking is the Users page, with a confirmation asked first when
// ask is set.
func (a *App) usersViewAsking(r *http.Request, note, errText string, ask *usersConfirm) view {
	ags, err := a.store.Agencies(r.Context())
	if err != nil && errText == "" {
		errText = err.Error()
	}
	return view{Note: note, Error: errText, Data: &usersData{a.users.List(), Roles(), a.opts.Now(), a.store.Location(), ags, ask, nil}}
}

// usersData is the Users page's data.
type usersData struct {
	Users    []User
	Roles    []Role
	Now      time.Time
	Loc      *time.Location
	Agencies []analytics.Agency
	Confirm  *usersConfirm
	Edit     *User // the account whose profile form is open
}

// profileChanges says in words what an edit changed.
func profileChanges(before, after User) string {
	var ch []string
	add := func(what, a, b string) {
		if a != b {
			if a == "" {
				a = "none"
			}
			if b == "" {
				b = "none"
			}
			ch = append(ch, fmt.Sprintf("%s %s → %s", what, a, b))
		}
	}
	add("badge", before.Badge, after.Badge)
	add("unit", before.Unit, after.Unit)
	add("role", string(before.Role), string(after.Role))
	add("trained", before.TrainedOn, after.TrainedOn)
	if len(ch) == 0 {
		return "nothing changed"
	}
	return strings.Join(ch, ", ")
}

// agencyAdd puts an agency on the list of law-enforcement recipients.
func (a *App) agencyAdd(w http.ResponseWriter, r *http.Request) {
	ag := analytics.Agency{ORI: r.PostFormValue("ori"), Name: r.PostFormValue("name")}
	if err := a.store.AddAgency(r.Context(), current(r).user, ag, a.opts.Now()); err != nil {
		a.render(w, r, http.StatusBadRequest, "users", "Users", a.usersView(r, "", err.Error()))
		return
	}
	a.render(w, r, http.StatusOK, "users", "Users", a.usersView(r, "Agency listed: "+strings.TrimSpace(ag.Name), ""))
}

// agencyRemove takes an agency off the list.
func (a *App) agencyRemove(w http.ResponseWriter, r *http.Request) {
	ori := r.PathValue("ori")
	if err := a.store.RemoveAgency(r.Context(), current(r).user, ori, a.opts.Now()); err != nil {
		a.render(w, r, http.StatusBadRequest, "users", "Users", a.usersView(r, "", err.Error()))
		return
	}
	a.render(w, r, http.StatusOK, "users", "Users", a.usersView(r, "Agency removed: "+ori, ""))
}

func (a *App) usersPage(w http.ResponseWriter, r *http.Request) {
	a.render(w, r, http.StatusOK, "users", "Users", a.usersView(r, "", ""))
}

func (a *App) userCreate(w http.ResponseWriter, r *http.Request) {
	u := User{Name: r.PostFormValue("name"), Badge: strings.TrimSpace(r.PostFormValue("badge")),
		Unit: strings.TrimSpace(r.PostFormValue("unit")), Role: Role(r.PostFormValue("role")),
		TrainedOn: strings.TrimSpace(r.PostFormValue("trained_on"))}
	pw, err := a.users.Create(u, a.opts.Now())
	if err != nil {
		a.render(w, r, http.StatusBadRequest, "users", "Users", a.usersView(r, "", err.Error()))
		return
	}
	a.audit(r.Context(), current(r).user, "user.create", fmt.Sprintf("%s role %s", strings.ToLower(strings.TrimSpace(u.Name)), u.Role))
	a.render(w, r, http.StatusOK, "users", "Users",
		a.usersView(r, fmt.Sprintf("Created %s. One-time password (shown once, give it in person): %s", strings.ToLower(strings.TrimSpace(u.Name)), pw), ""))
}

// userChange disables, enables, unlocks or resets one account.
func (a *App) userChange(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	action := r.PostFormValue("action")
	// Disabling an account and resetting its password end its sessions
	// at once: IT confirms them first.
	if effect, ok := destructive(action); ok && r.PostFormValue("confirm") != "yes" {
		if _, err := a.users.Get(name); err != nil {
			a.render(w, r, http.StatusBadRequest, "users", "Users", a.usersView(r, "", err.Error()))
			return
		}
		label := map[string]string{"disable": "Disable " + name, "reset": "Reset the password of " + name}[action]
		a.render(w, r, http.StatusOK, "users", "Users", a.usersViewAsking(r, "", "", &usersConfirm{User: name, Action: action, Label: label, Effect: effect}))
		return
	}
	var note string
	var err error
	switch action {
	case "edit": // the form, filled in
		x, gerr := a.users.Get(name)
		if gerr != nil {
			a.render(w, r, http.StatusBadRequest, "users", "Users", a.usersView(r, "", gerr.Error()))
			return
		}
		v := a.usersView(r, "", "")
		v.Data.(*usersData).Edit = &x
		a.render(w, r, http.StatusOK, "users", "Users", v)
		return
	case "save":
		p := Profile{Badge: r.PostFormValue("badge"), Unit: r.PostFormValue("unit"), Role: Role(r.PostFormValue("role")),
			TrainedOn: r.PostFormValue("trained_on")}
		if name == current(r).user && p.Role != current(r).role {
			err = fmt.Errorf("you cannot change your own role: another IT administrator can")
			break
		}
		var before, after User
		if before, after, err = a.users.Edit(name, p); err == nil {
			changes := profileChanges(before, after)
			if before.Role != after.Role {
				a.sess.endUser(name) // a new role's pages from the next login
			}
			note = fmt.Sprintf("%s: %s", name, changes)
			a.audit(r.Context(), current(r).user, "user.edit", name+": "+changes)
			a.render(w, r, http.StatusOK, "users", "Users", a.usersView(r, note, ""))
			return
		}
	case "disable", "enable":
		if name == current(r).user && action == "disable" {
			err = fmt.Errorf("you cannot disable your own account")
			break
		}
		if err = a.users.SetDisabled(name, action == "disable"); err == nil {
			a.sess.endUser(name)
			note = fmt.Sprintf("%s: %sd", name, action)
		}
	case "unlock":
		if err = a.users.Unlock(name); err == nil {
			note = fmt.Sprintf("%s: unlocked", name)
		}
	case "reset":
		var pw string
		if pw, err = a.users.Reset(name); err == nil {
			a.sess.endUser(name)
			note = fmt.Sprintf("Reset %s. One-time password (shown once): %s", name, pw)
		}
	default:
		err = fmt.Errorf("unknown account action %q", action)
	}
	if err != nil {
		a.render(w, r, http.StatusBadRequest, "users", "Users", a.usersView(r, "", err.Error()))
		return
	}
	a.audit(r.Context(), current(r).user, "user."+action, name)
	a.render(w, r, http.StatusOK, "users", "Users", a.usersView(r, note, ""))
}

func (a *App) passwordPage(w http.ResponseWriter, r *http.Request) {
	a.render(w, r, http.StatusOK, "password", "Change password", view{})
}

func (a *App) passwordSet(w http.ResponseWriter, r *http.Request) {
	s := current(r)
	if _, err := a.users.Authenticate(s.user, r.PostFormValue("old"), clientHost(r), a.opts.Now(), a.lockout()); err != nil {
		a.render(w, r, http.StatusBadRequest, "password", "Change password", view{Error: "the current password is wrong"})
		return
	}
	if r.PostFormValue("new") != r.PostFormValue("again") {
		a.render(w, r, http.StatusBadRequest, "password", "Change password", view{Error: "the two new passwords differ"})
		return
	}
	if err := a.users.SetPassword(s.user, r.PostFormValue("new")); err != nil {
		a.render(w, r, http.StatusBadRequest, "password", "Change password", view{Error: err.Error()})
		return
	}
	// A new password ends the user's other sessions (one opened with the
	// old password by someone else among them).
	if c, err := r.Cookie(sessionCookie); err == nil {
		a.sess.endUserExcept(s.user, c.Value)
	}
	a.audit(r.Context(), s.user, "user.password", s.user)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// destructive says what a destructive account action does, to ask IT
// before it is done.
func destructive(action string) (effect string, ok bool) {
	switch action {
	case "disable":
		return "They are logged out at once, here and at the next car login, and cannot log in until the account is enabled again.", true
	case "reset":
		return "Their password stops working at once and they are logged out; you are shown a one-time password to give them, once.", true
	}
	return "", false
}
