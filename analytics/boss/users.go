package boss

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/plateward/alpr/edge/shift"
	"github.com/plateward/alpr/internal/fsutil"
	"github.com/plateward/alpr/internal/strictjson"
)

// UsersFile is the name of the user accounts file inside the store
// directory. It is kept out of the DuckDB database on purpose: the SQL
// console reads every table, and password hashes must not be one of them.
const UsersFile = "users.json"

// User is one back-office account.
type User struct {
	Name        string    `json:"name"`  // login name
	Badge       string    `json:"badge"` // badge number
	Unit        string    `json:"unit"`
	Role        Role      `json:"role"`
	TrainedOn   string    `json:"trained_on,omitempty"` // YYYY-MM-DD; empty until trained
	Password    string    `json:"password"`             // argon2id stored form
	MustChange  bool      `json:"must_change"`          // a one-time password was issued
	Disabled    bool      `json:"disabled"`
	Failures    int       `json:"failures"` // consecutive failed logins
	LockedUntil time.Time `json:"locked_until,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
}

// Errors of the user store.
var (
	ErrNoUser     = errors.New("no such user")
	ErrUserExists = errors.New("user already exists")
)

var userName = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,31}$`)

// Users is the file-backed account store. Every change is written
// atomically before it is visible.
type Users struct {
	path string
	mu   sync.Mutex
	byID map[string]User
}

// OpenUsers reads dir/users.json, or starts empty when there is none.
func OpenUsers(dir string) (*Users, error) {
	u := &Users{path: filepath.Join(dir, UsersFile), byID: map[string]User{}}
	var list []User
	err := strictjson.ReadFile(u.path, &list)
	if errors.Is(err, os.ErrNotExist) {
		return u, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read users: %w", err)
	}
	for _, x := range list {
		u.byID[x.Name] = x
	}
	return u, nil
}

func (u *Users) saveLocked() error {
	list := make([]User, 0, len(u.byID))
	for _, x := range u.byID {
		list = append(list, x)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Name < list[j].Name })
	b, err := json.MarshalIndent(list, "", "  ") //nolint:gosec // Password holds the argon2id hash, never the password
	if err != nil {
		return err
	}
	if err := fsutil.WriteFile(u.path, append(b, '\n')); err != nil {
		return fmt.Errorf("write users: %w", err)
	}
	return nil
}

// Get returns one user.
func (u *Users) Get(name string) (User, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	x, ok := u.byID[name]
	if !ok {
		return User{}, fmt.Errorf("%w: %q", ErrNoUser, name)
	}
	return x, nil
}

// List returns every user by name.
func (u *Users) List() []User {
	u.mu.Lock()
	defer u.mu.Unlock()
	out := make([]User, 0, len(u.byID))
	for _, x := range u.byID {
		out = append(out, x)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Len returns how many accounts exist.
func (u *Users) Len() int {
	u.mu.Lock()
	defer u.mu.Unlock()
	return len(u.byID)
}

// update applies f to one user and saves; f's error aborts the change.
func (u *Users) update(name string, f func(*User) error) (User, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	x, ok := u.byID[name]
	if !ok {
		return User{}, fmt.Errorf("%w: %q", ErrNoUser, name)
	}
	old := x
	if err := f(&x); err != nil {
		return old, err
	}
	u.byID[name] = x
	if err := u.saveLocked(); err != nil {
		u.byID[name] = old
		return old, err
	}
	return x, nil
}

// OneTimePassword returns a fresh random password to hand to a user once.
func OneTimePassword() (string, error) {
	b := make([]byte, 10)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b)), nil
}

// Create adds a user with a one-time password, which it returns: the
// user must change it at first login.
func (u *Users) Create(x User, now time.Time) (string, error) {
	x.Name = strings.ToLower(strings.TrimSpace(x.Name))
	if !userName.MatchString(x.Name) {
		return "", fmt.Errorf("user name %q: use 2-32 lower-case letters, digits, '.', '_' or '-'", x.Name)
	}
	if !x.Role.Valid() {
		return "", fmt.Errorf("user %s: unknown role %q", x.Name, x.Role)
	}
	if x.TrainedOn != "" {
		if _, err := time.Parse(time.DateOnly, x.TrainedOn); err != nil {
			return "", fmt.Errorf("user %s: training date %q: want YYYY-MM-DD", x.Name, x.TrainedOn)
		}
	}
	pw, err := OneTimePassword()
	if err != nil {
		return "", err
	}
	if x.Password, err = shift.HashPIN(pw); err != nil {
		return "", err
	}
	x.MustChange, x.CreatedAt = true, now.UTC()
	u.mu.Lock()
	defer u.mu.Unlock()
	if _, ok := u.byID[x.Name]; ok {
		return "", fmt.Errorf("%w: %q", ErrUserExists, x.Name)
	}
	u.byID[x.Name] = x
	if err := u.saveLocked(); err != nil {
		delete(u.byID, x.Name)
		return "", err
	}
	return pw, nil
}

// SetDisabled disables or re-enables an account.
func (u *Users) SetDisabled(name string, disabled bool) error {
	_, err := u.update(name, func(x *User) error { x.Disabled = disabled; return nil })
	return err
}

// Reset issues a new one-time password and clears a lockout.
func (u *Users) Reset(name string) (string, error) {
	pw, err := OneTimePassword()
	if err != nil {
		return "", err
	}
	h, err := shift.HashPIN(pw)
	if err != nil {
		return "", err
	}
	_, err = u.update(name, func(x *User) error {
		x.Password, x.MustChange, x.Failures, x.LockedUntil = h, true, 0, time.Time{}
		return nil
	})
	return pw, err
}

// SetPassword sets a user's own new password (at least 12 characters).
func (u *Users) SetPassword(name, pw string) error {
	if len(pw) < 12 {
		return errors.New("a password needs at least 12 characters")
	}
	h, err := shift.HashPIN(pw)
	if err != nil {
		return err
	}
	_, err = u.update(name, func(x *User) error { x.Password, x.MustChange = h, false; return nil })
	return err
}

// Login outcomes other than success.
var (
	ErrBadLogin = errors.New("wrong user name or password")
	ErrLocked   = errors.New("account locked after repeated failed logins; try later or ask IT")
	ErrDisabled = errors.New("account disabled; ask IT")
)

// Authenticate checks a password. After maxFailures consecutive failures
// the account locks for lockFor; an unknown user and a wrong password give
// the same error.
func (u *Users) Authenticate(name, pw string, now time.Time, maxFailures int, lockFor time.Duration) (User, error) {
	x, err := u.Get(strings.ToLower(strings.TrimSpace(name)))
	if err != nil {
		shift.CheckPIN("argon2id$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", pw) // same work as a real check
		return User{}, ErrBadLogin
	}
	if now.Before(x.LockedUntil) {
		return x, ErrLocked
	}
	if !shift.CheckPIN(x.Password, pw) {
		x, err = u.update(x.Name, func(x *User) error {
			x.Failures++
			if x.Failures >= maxFailures {
				x.LockedUntil, x.Failures = now.Add(lockFor), 0
			}
			return nil
		})
		if err != nil {
			return x, err
		}
		if now.Before(x.LockedUntil) {
			return x, ErrLocked
		}
		return x, ErrBadLogin
	}
	if x.Disabled {
		return x, ErrDisabled
	}
	if x.Failures != 0 {
		if x, err = u.update(x.Name, func(x *User) error { x.Failures = 0; return nil }); err != nil {
			return x, err
		}
	}
	return x, nil
}
