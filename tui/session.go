package tui

import (
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/shcr-project/shcr/client"
	"github.com/shcr-project/shcr/config"
	"github.com/shcr-project/shcr/internal/purpose"
	"github.com/shcr-project/shcr/record"
)

// session is who is at the keyboard and why: the signed-in member of staff, the purposes of
// access chosen this session (per person, memory only) and the idle clock.
type session struct {
	c        *common
	purposes purpose.Session
	lastKey  time.Time // when the last key (or mouse event) came
}

func newSession(c *common) *session { return &session{c: c, lastKey: c.now()} }

// signedIn names the signed-in member of staff, "" when nobody is.
func (s *session) signedIn() string {
	if s.c.opts.SignedIn == nil {
		return ""
	}
	return s.c.opts.SignedIn()
}

// touch restarts the idle time.
func (s *session) touch() { s.lastKey = s.c.now() }

// idleAfter is how long without a key before the screen locks (config idle_lock).
func (s *session) idleAfter() time.Duration {
	if d := s.c.opts.Config.IdleLock; d > 0 {
		return d
	}
	return config.DefaultIdleLock
}

// idle reports whether the screen should lock now.
func (s *session) idle() bool { return s.c.now().Sub(s.lastKey) >= s.idleAfter() }

// idleTick is the idle lock's next check, a second from now (the injected tick).
func (s *session) idleTick() tea.Cmd {
	return s.c.tick(time.Second, func(time.Time) tea.Msg { return IdleTickMsg{} })
}

// purposeFor is the purpose a record opens with: the preset one, or the one chosen for this
// person this session; ask true when there is none yet.
func (s *session) purposeFor(match client.Match) (purpose.Choice, bool) {
	return s.purposes.For(s.c.opts.Purpose, personKey(match.Person))
}

// remember keeps the purpose chosen for a person for the rest of the session.
func (s *session) remember(p record.Person, ch purpose.Choice) { s.purposes.Set(personKey(p), ch) }

// end forgets the purposes chosen (a sign-out: the next member of staff starts clean).
func (s *session) end() {
	s.purposes.Reset()
	s.touch()
}

// personKey is who a purpose is remembered for: the NHS number, else the back end's id.
func personKey(p record.Person) string {
	if p.NHSNumber != "" {
		return p.NHSNumber
	}
	if len(p.Sources) > 0 {
		return p.Sources[0].Backend + "/" + p.Sources[0].ID
	}
	return ""
}
