package backoffice

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
	Name       string `json:"name"`  // login name
	Badge      string `json:"badge"` // badge number
	Unit       string `json:"unit"`
	Role       Role   `json:"role"`
	TrainedOn  string `json:"trained_on,omitempty"` // YYYY-MM-DD; empty until trained
	Password   string `json:"password"`             // argon2id stored form
	MustChange bool   `json:"must_change"`          // a one-time password was issued
	Disabled   bool   `json:"disabled"`
	// Failures is no longer written (failed logins are counted in memory,
	// per address and per account: see Authenticate); a value in an older
	// file is ignored.
	Failures    int       `json:"failures"`
	LockedUntil time.Time `json:"locked_until,omitempty"` // the account-wide lock (Lockout.PerAccount)
	// KnownFrom are the client addresses of the account's last successful
	// logins, newest first (at most maxKnownFrom): an account-wide lock
	// does not apply there.
	KnownFrom []string  `json:"known_from,omitempty"`
	CreatedAt time.Time `json:"created_at"`
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
	path  string
	mu    sync.Mutex
	byID  map[string]User
	fails map[string]*failures // "account\x00address" and "account": failed logins since the last success
}

// failures counts failed logins in a row, and the lock they caused.
type failures struct {
	n     int
	until time.Time
}

// maxKnownFrom is how many addresses of successful logins an account keeps.
const maxKnownFrom = 5

// maxFailureCounts bounds the failure counts kept in memory.
const maxFailureCounts = 10000

// OpenUsers reads dir/users.json, or starts empty when there is none.
func OpenUsers(dir string) (*Users, error) {
	u := &Users{path: filepath.Join(dir, UsersFile), byID: map[string]User{}, fails: map[string]*failures{}}
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

// Profile is what IT may change of an account besides its state and
// password: badge, unit, role and training date.
type Profile struct {
	Badge, Unit string
	Role        Role
	TrainedOn   string // YYYY-MM-DD; empty: not trained
}

// Edit sets name's profile and returns the account before and after.
func (u *Users) Edit(name string, p Profile) (before, after User, err error) {
	p.Badge, p.Unit, p.TrainedOn = strings.TrimSpace(p.Badge), strings.TrimSpace(p.Unit), strings.TrimSpace(p.TrainedOn)
	if !p.Role.Valid() {
		return User{}, User{}, fmt.Errorf("user %s: unknown role %q", name, p.Role)
	}
	if p.TrainedOn != "" {
		if _, err := time.Parse(time.DateOnly, p.TrainedOn); err != nil {
			return User{}, User{}, fmt.Errorf("user %s: training date %q: want YYYY-MM-DD", name, p.TrainedOn)
		}
	}
	if len(p.Badge) > 32 || len(p.Unit) > 64 {
		return User{}, User{}, fmt.Errorf("user %s: badge or unit too long", name)
	}
	after, err = u.update(name, func(x *User) error {
		before = *x
		x.Badge, x.Unit, x.Role, x.TrainedOn = p.Badge, p.Unit, p.Role, p.TrainedOn
		return nil
	})
	return before, after, err
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
	if err == nil {
		u.clearFailures(name)
	}
	return pw, err
}

// Unlock clears an account's lockouts (account-wide and per address)
// without changing its password: IT's way to let a user back in.
func (u *Users) Unlock(name string) error {
	if _, err := u.update(name, func(x *User) error { x.Failures, x.LockedUntil = 0, time.Time{}; return nil }); err != nil {
		return err
	}
	u.clearFailures(name)
	return nil
}

func (u *Users) clearFailures(name string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	for k := range u.fails {
		if k == name || strings.HasPrefix(k, name+"\x00") {
			delete(u.fails, k)
		}
	}
}

// ErrSamePassword is a new password equal to the current one: a one-time
// password must not be kept.
var ErrSamePassword = errors.New("the new password must differ from the current one")

// SetPassword sets a user's own new password (at least 12 characters, not
// the current one).
func (u *Users) SetPassword(name, pw string) error {
	if len(pw) < 12 {
		return errors.New("a password needs at least 12 characters")
	}
	x, err := u.Get(name)
	if err != nil {
		return err
	}
	if shift.CheckPIN(x.Password, pw) {
		return ErrSamePassword
	}
	h, err := shift.HashPIN(pw)
	if err != nil {
		return err
	}
	_, err = u.update(name, func(x *User) error { x.Password, x.MustChange = h, false; return nil })
	return err
}

// Login outcomes other than success. A user is shown ErrLoginRefused for
// both ErrBadLogin and ErrLocked: an outsider must not learn from the
// answer (or its time) whether a name exists or is locked.
var (
	ErrBadLogin     = errors.New("wrong user name or password")
	ErrLocked       = errors.New("account locked after repeated failed logins")
	ErrDisabled     = errors.New("account disabled; ask IT")
	ErrLoginRefused = errors.New("wrong user name or password — after repeated failures the account is locked for a while; IT can unlock it")
)

// Lockout is how failed logins lock an account. PerAddress failures in a
// row from one client address lock the account from that address; so an
// outsider's guesses cannot keep the account's owner out from their own
// computer. PerAccount failures in a row from anywhere (a spray from many
// addresses) lock the account everywhere except the addresses it last
// logged in from successfully. Both last For; IT ends them at once with
// Unlock (the Users page, or alpr users unlock on the station).
type Lockout struct {
	PerAddress, PerAccount int
	For                    time.Duration
}

// Authenticate checks a password given from addr (the client's host).
// Every attempt — unknown name, wrong password, locked account — costs
// one argon2id check and no file write, so their times do not tell them
// apart; counts live in memory (a restart forgets them, not a lock of the
// whole account, which is saved).
func (u *Users) Authenticate(name, pw, addr string, now time.Time, lo Lockout) (User, error) {
	name = strings.ToLower(strings.TrimSpace(name))
	x, err := u.Get(name)
	if err != nil {
		shift.CheckPIN("argon2id$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", pw) // same work as a real check
		return User{}, ErrBadLogin
	}
	ok := shift.CheckPIN(x.Password, pw)
	known := false
	for _, k := range x.KnownFrom {
		known = known || k == addr
	}
	u.mu.Lock()
	if len(u.fails) > maxFailureCounts {
		// A flood of addresses: forget the counts that lock nothing.
		for k, f := range u.fails {
			if !now.Before(f.until) {
				delete(u.fails, k)
			}
		}
	}
	pair, acct := u.failuresLocked(name+"\x00"+addr), u.failuresLocked(name)
	if now.Before(pair.until) || (now.Before(x.LockedUntil) && !known) {
		u.mu.Unlock()
		return x, ErrLocked
	}
	if !ok {
		pair.n++
		acct.n++
		lockPair := pair.n >= lo.PerAddress
		if lockPair {
			pair.n, pair.until = 0, now.Add(lo.For)
		}
		lockAcct := acct.n >= lo.PerAccount
		if lockAcct {
			acct.n = 0
		}
		u.mu.Unlock()
		if lockAcct {
			if x, err = u.update(name, func(x *User) error { x.LockedUntil = now.Add(lo.For); return nil }); err != nil {
				return x, err
			}
		}
		if lockPair || (lockAcct && !known) {
			return x, ErrLocked
		}
		return x, ErrBadLogin
	}
	u.mu.Unlock()
	if x.Disabled {
		return x, ErrDisabled
	}
	u.clearFailures(name)
	if len(x.KnownFrom) == 0 || x.KnownFrom[0] != addr || !x.LockedUntil.IsZero() {
		return u.update(name, func(x *User) error {
			kept := []string{addr}
			for _, k := range x.KnownFrom {
				if k != addr && len(kept) < maxKnownFrom {
					kept = append(kept, k)
				}
			}
			x.KnownFrom, x.Failures = kept, 0
			if !now.Before(x.LockedUntil) {
				x.LockedUntil = time.Time{}
			}
			return nil
		})
	}
	return x, nil
}

func (u *Users) failuresLocked(key string) *failures {
	f := u.fails[key]
	if f == nil {
		f = &failures{}
		u.fails[key] = f
	}
	return f
}
