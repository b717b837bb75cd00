package backoffice

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"sync"
	"time"

	"github.com/plateward/alpr/analytics"
)

// session is one logged-in browser.
type session struct {
	user     string
	role     Role
	csrf     string // the token every form of this session carries
	created  time.Time
	lastSeen time.Time

	seen *seenReads // shared by the copies get hands out
}

// seenReads are the reads the session's last search returned: their crops
// may be shown.
type seenReads struct {
	mu sync.Mutex
	m  map[string]bool
}

// maxSeen bounds the reads whose crops one search opens.
const maxSeen = 2000

// sawReads remembers the reads a search returned, replacing the last.
func (s *session) sawReads(rows []analytics.ReadRow) {
	m := make(map[string]bool, min(len(rows), maxSeen))
	for i, r := range rows {
		if i == maxSeen {
			break
		}
		m[r.ID] = true
	}
	s.seen.mu.Lock()
	s.seen.m = m
	s.seen.mu.Unlock()
}

func (s *session) sawRead(id string) bool {
	s.seen.mu.Lock()
	defer s.seen.mu.Unlock()
	return s.seen.m[id]
}

// sessions holds the live sessions in memory: a restart logs everyone
// out, which is the safe direction.
type sessions struct {
	mu   sync.Mutex
	byID map[string]*session
	idle time.Duration // expiry after no request
	max  time.Duration // expiry after login, however active
}

// newToken returns 256 random bits (crypto/rand.Read never fails).
func newToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (s *sessions) start(u User, now time.Time) (string, *session) {
	id := newToken()
	ss := &session{user: u.Name, role: u.Role, csrf: newToken(), created: now, lastSeen: now, seen: &seenReads{}}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.byID[id] = ss
	return id, ss
}

// get returns a live session and marks it seen, or nil when it is
// unknown or expired (and then forgets it).
func (s *sessions) get(id string, now time.Time) *session {
	s.mu.Lock()
	defer s.mu.Unlock()
	ss, ok := s.byID[id]
	if !ok {
		return nil
	}
	if now.Sub(ss.lastSeen) > s.idle || now.Sub(ss.created) > s.max {
		delete(s.byID, id)
		return nil
	}
	ss.lastSeen = now
	c := *ss
	return &c
}

func (s *sessions) end(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.byID, id)
}

// endUser ends every session of a user (disabled, password reset).
func (s *sessions) endUser(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, ss := range s.byID {
		if ss.user == name {
			delete(s.byID, id)
		}
	}
}

// endUserExcept ends every session of a user but keep (a password change).
func (s *sessions) endUserExcept(name, keep string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, ss := range s.byID {
		if ss.user == name && id != keep {
			delete(s.byID, id)
		}
	}
}

func sameToken(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
