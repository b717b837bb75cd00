package backoffice

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/plateward/alpr/edge/shift"
)

// CarRoster is the roster the cars accept, from the user accounts: every
// enabled officer and supervisor trained on or before now (order B.1:
// only trained officers use the system), with the badge number as the
// login ID and the account's password hash as the PIN. It returns the
// accounts left out and why, for IT.
func CarRoster(users []User, now time.Time) (shift.Roster, []string) {
	r := shift.Roster{IssuedAt: now.UTC()}
	var left []string
	for _, u := range users {
		role := ""
		switch u.Role {
		case Officer:
			role = shift.RoleOfficer
		case Supervisor:
			role = shift.RoleSupervisor
		default:
			continue // other roles do not drive patrol cars
		}
		id := strings.TrimSpace(u.Badge)
		trained, err := time.Parse("2006-01-02", u.TrainedOn)
		switch {
		case u.Disabled:
			left = append(left, u.Name+": disabled")
		case u.TrainedOn == "" || err != nil || trained.After(now):
			left = append(left, u.Name+": not trained")
		case id == "":
			left = append(left, u.Name+": no badge number")
		case u.MustChange:
			left = append(left, u.Name+": has not set a password yet")
		default:
			r.Officers = append(r.Officers, shift.Officer{ID: id, Name: u.Name, Role: role, TrainedOn: u.TrainedOn, PIN: u.Password})
		}
	}
	sort.Slice(r.Officers, func(i, j int) bool { return r.Officers[i].ID < r.Officers[j].ID })
	return r, left
}

// roster sends the car roster, unsigned: IT signs it offline with its key
// (alpr keys sign), as the signing key never sits on a server.
func (a *App) roster(w http.ResponseWriter, r *http.Request) {
	ro, left := CarRoster(a.users.List(), a.opts.Now())
	b, err := json.MarshalIndent(ro, "", "  ")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	a.audit(r.Context(), current(r).user, "roster.export", fmt.Sprintf("%d officers; left out: %s", len(ro.Officers), strings.Join(left, "; ")))
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Disposition", `attachment; filename="roster-unsigned.json"`)
	w.Write(append(b, '\n'))
}
