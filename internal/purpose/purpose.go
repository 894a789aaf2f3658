// Package purpose is the purpose of access: why a member of staff opens a person's record.
// The chosen purpose is written to the audit trail with every look. (GP Connect always
// receives "directcare" in its Ssp-InteractionID/JWT as its specification fixes; the purpose
// chosen here is what the audit trail records.)
//
// Resolution order: the --purpose flag, then config `purpose:`, then the role (dispatcher →
// emergency), then `shcr demo` (demo); with none of those the TUI asks once per person per
// session, and `shcr get` records direct-care and says so once on stderr.
package purpose

import (
	"errors"
	"fmt"
	"strings"
	"sync"
)

// Purpose is one purpose of access. The values are what users type and what the audit
// trail records.
type Purpose string

const (
	DirectCare   Purpose = "direct-care"
	Safeguarding Purpose = "safeguarding"
	Emergency    Purpose = "emergency"
	Other        Purpose = "other" // needs a typed reason
	Demo         Purpose = "demo"  // set only by `shcr demo`
)

// Choosable returns the purposes a member of staff may pick, in the order the TUI offers them.
// Demo is not among them: only `shcr demo` sets it.
func Choosable() []Purpose { return []Purpose{DirectCare, Safeguarding, Emergency, Other} }

// Valid reports whether p is a known purpose (demo included).
func (p Purpose) Valid() bool {
	switch p {
	case DirectCare, Safeguarding, Emergency, Other, Demo:
		return true
	}
	return false
}

// NeedsReason reports whether the purpose must come with a typed reason.
func (p Purpose) NeedsReason() bool { return p == Other }

// Errors returned by Parse, distinct so callers and tests can tell them apart.
var (
	ErrEmpty        = errors.New("no purpose of access given")
	ErrUnknown      = errors.New("unknown purpose of access")
	ErrNeedsReason  = errors.New(`purpose "other" needs a reason`)
	ErrDemoOnly     = errors.New(`purpose "demo" is only for shcr demo`)
	ErrReasonTooBig = errors.New("the reason is too long")
)

// MaxReason is the longest reason accepted, in characters.
const MaxReason = 500

// Choice is a purpose with its reason (the reason is required for Other, optional otherwise).
type Choice struct {
	Purpose Purpose `json:"purpose"`
	Reason  string  `json:"reason,omitempty"`
}

// IsZero reports whether no purpose has been chosen.
func (c Choice) IsZero() bool { return c.Purpose == "" }

// String gives "safeguarding" or "other: reason".
func (c Choice) String() string {
	if c.Reason == "" {
		return string(c.Purpose)
	}
	return string(c.Purpose) + ": " + c.Reason
}

// Parse reads a purpose as typed in --purpose or config: "direct-care", "safeguarding",
// "emergency", "demo", or "other: REASON" (also "other=REASON"). Case and surrounding spaces
// are ignored; "direct care" and "directcare" are read as direct-care.
func Parse(s string) (Choice, error) {
	in := strings.TrimSpace(s)
	if in == "" {
		return Choice{}, ErrEmpty
	}
	name, reason, _ := strings.Cut(in, ":")
	if n2, r2, ok := strings.Cut(in, "="); ok && len(n2) < len(name) {
		name, reason = n2, r2
	}
	key := strings.ToLower(strings.TrimSpace(name))
	key = strings.NewReplacer(" ", "-", "_", "-").Replace(key)
	if key == "directcare" {
		key = string(DirectCare)
	}
	p := Purpose(key)
	if !p.Valid() {
		return Choice{}, fmt.Errorf("%w %q: choose one of %s, or \"other: REASON\"", ErrUnknown, strings.TrimSpace(name), list())
	}
	return New(p, reason)
}

// New makes a Choice, checking that Other has a reason and that a reason is not too long.
func New(p Purpose, reason string) (Choice, error) {
	if !p.Valid() {
		return Choice{}, fmt.Errorf("%w %q: choose one of %s, or \"other: REASON\"", ErrUnknown, string(p), list())
	}
	reason = strings.Join(strings.Fields(reason), " ")
	if p.NeedsReason() && reason == "" {
		return Choice{}, fmt.Errorf(`%w: type it as --purpose "other: REASON"`, ErrNeedsReason)
	}
	if n := len([]rune(reason)); n > MaxReason {
		return Choice{}, fmt.Errorf("%w: %d characters, at most %d", ErrReasonTooBig, n, MaxReason)
	}
	return Choice{Purpose: p, Reason: reason}, nil
}

func list() string {
	var names []string
	for _, p := range Choosable()[:3] {
		names = append(names, string(p))
	}
	return strings.Join(names, ", ")
}

// Source says where a resolved purpose came from.
type Source string

const (
	FromFlag   Source = "flag"   // --purpose
	FromConfig Source = "config" // purpose: in the config file
	FromRole   Source = "role"   // role: dispatcher
	FromDemo   Source = "demo"   // shcr demo
	FromNone   Source = ""       // nothing preset: ask (TUI) or default (get)
)

// Inputs is everything that can preset a purpose.
type Inputs struct {
	Flag   string // --purpose, "" when not given
	Config string // config `purpose:`, "" when absent
	Role   string // config `role:` or --role
	Demo   bool   // running `shcr demo`
}

// Resolved is the outcome of Resolve.
type Resolved struct {
	Choice
	Source Source
}

// Preset reports whether a purpose was preset; when false the TUI asks per person.
func (r Resolved) Preset() bool { return r.Source != FromNone }

// RoleDispatcher is the role that presets the emergency purpose.
const RoleDispatcher = "dispatcher"

// Resolve applies the order flag > config > role > demo > none. A purpose that cannot be
// parsed is an error naming where it came from; "demo" is refused outside `shcr demo`.
func Resolve(in Inputs) (Resolved, error) {
	for _, c := range []struct {
		v   string
		src Source
		how string
	}{{in.Flag, FromFlag, "--purpose"}, {in.Config, FromConfig, "config purpose:"}} {
		if strings.TrimSpace(c.v) == "" {
			continue
		}
		ch, err := Parse(c.v)
		if err != nil {
			return Resolved{}, fmt.Errorf("%s: %w", c.how, err)
		}
		if ch.Purpose == Demo && !in.Demo {
			return Resolved{}, fmt.Errorf("%s: %w", c.how, ErrDemoOnly)
		}
		return Resolved{Choice: ch, Source: c.src}, nil
	}
	if strings.EqualFold(strings.TrimSpace(in.Role), RoleDispatcher) {
		return Resolved{Choice: Choice{Purpose: Emergency}, Source: FromRole}, nil
	}
	if in.Demo {
		return Resolved{Choice: Choice{Purpose: Demo}, Source: FromDemo}, nil
	}
	return Resolved{}, nil
}

// ForGet is what `shcr get` records: the resolved purpose, or direct-care when none was
// preset. notice is the one line to print on stderr in that case ("" otherwise).
func ForGet(r Resolved) (c Choice, notice string) {
	if r.Preset() {
		return r.Choice, ""
	}
	return Choice{Purpose: DirectCare}, DefaultNotice
}

// DefaultNotice is printed once on stderr when `shcr get` records direct-care by default.
const DefaultNotice = `shcr: no purpose of access given; recording "direct-care" in the audit trail (use --purpose to give another)`

// Session remembers, for this session only (memory, never disk), the purpose chosen for each
// person, so the TUI asks once per person per session. It is safe for concurrent use. The
// zero value is ready to use.
type Session struct {
	mu     sync.Mutex
	chosen map[string]Choice
}

// Get returns the purpose already chosen for this NHS number (or other person key) in this session.
func (s *Session) Get(person string) (Choice, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.chosen[person]
	return c, ok
}

// Set records the purpose chosen for a person.
func (s *Session) Set(person string, c Choice) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.chosen == nil {
		s.chosen = make(map[string]Choice)
	}
	s.chosen[person] = c
}

// Asked reports whether the purpose has been asked for this person already.
func (s *Session) Asked(person string) bool {
	_, ok := s.Get(person)
	return ok
}

// Reset forgets every choice: on sign-out, so the next member of staff is asked afresh.
func (s *Session) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.chosen = nil
}

// For returns the purpose to use when opening a person's record: the preset one if any,
// else the one chosen earlier this session. ask is true when the TUI must ask.
func (s *Session) For(r Resolved, person string) (c Choice, ask bool) {
	if r.Preset() {
		return r.Choice, false
	}
	if c, ok := s.Get(person); ok {
		return c, false
	}
	return Choice{}, true
}
