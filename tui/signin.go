package tui

import (
	"context"
	"fmt"
	"slices"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/shcr-project/shcr/client"
	"github.com/shcr-project/shcr/client/auth"
	"github.com/shcr-project/shcr/config"
	"github.com/shcr-project/shcr/internal/text"
	"github.com/shcr-project/shcr/record"
)

// SignIn is what the interface needs of the sign-in manager (*auth.Manager has it): which
// back ends need a sign-in, and running one. Login reports the device code or browser
// address through auth.WithPrompt on its context.
type SignIn interface {
	NeedsLogin(backend string) bool
	Login(ctx context.Context, backend string) (auth.Identity, error)
}

var _ SignIn = (*auth.Manager)(nil)

type (
	// signInResult is the end of a sign-in.
	signInResult struct {
		backend string
		id      auth.Identity
		err     error
	}
	// signInTickMsg redraws the countdown.
	signInTickMsg struct{ id int }
	// signedInMsg says a sign-in completed: what is on screen is asked for again.
	signedInMsg struct {
		backend string
		id      auth.Identity
	}
	// signOutMsg says the sign-out question was answered yes.
	signOutMsg struct{}
	// rematchMsg is the person found again after a sign-in, so that the back end just
	// signed in to is asked too.
	rematchMsg struct {
		gen   int
		match client.Match
		ok    bool
	}
)

func (signInTickMsg) forOverlay() {}

// userSignIn reports whether a back end signs in a person (pkce or device): only those
// can be fixed by the sign-in panel.
func userSignIn(cfg config.Config, name string) bool {
	for _, b := range cfg.Backends {
		if b.Name == name {
			return b.Auth.Type == config.AuthPKCE || b.Auth.Type == config.AuthDevice
		}
	}
	return false
}

// signInNeeded lists, in config order, the back ends that need a person to sign in: no
// usable session (an expired one included), or the server refused the token (401: a
// session ended at the provider) in a search or in one of the record's sections.
func (c *common) signInNeeded(statuses []record.BackendStatus, sections []record.SectionStatus) []string {
	if c.opts.SignIn == nil {
		return nil
	}
	var out []string
	for _, b := range c.opts.Config.Backends {
		if !userSignIn(c.opts.Config, b.Name) {
			continue
		}
		refused := slices.ContainsFunc(statuses, func(s record.BackendStatus) bool {
			return s.Name == b.Name && s.HTTPStatus == 401
		}) || slices.ContainsFunc(sections, func(s record.SectionStatus) bool {
			return s.Backend == b.Name && s.State == record.StateFailed && s.HTTPStatus == 401
		})
		if refused || c.opts.SignIn.NeedsLogin(b.Name) {
			out = append(out, b.Name)
		}
	}
	return out
}

// signInHints are the lines that stand in for a back end's data until someone signs in.
func (c *common) signInHints(statuses []record.BackendStatus, sections []record.SectionStatus, w int) []string {
	var out []string
	for _, name := range c.signInNeeded(statuses, sections) {
		out = append(out, c.st.Warning.Render(text.Truncate(fmt.Sprintf(c.v.SignInNeeded, name, c.keys.SignIn.Help().Key), w)))
	}
	return out
}

// signInStatuses are the back ends' statuses for the status line: one that was not asked,
// or failed, because it needs a sign-in says just that, with the key (not the long reason).
func (c *common) signInStatuses(statuses []record.BackendStatus, sections []record.SectionStatus) []record.BackendStatus {
	need := c.signInNeeded(statuses, sections)
	if len(need) == 0 {
		return statuses
	}
	out := slices.Clone(statuses)
	for i, s := range out {
		if slices.Contains(need, s.Name) && (s.Status == record.BackendNotQueried || s.Status == record.BackendFailed) {
			out[i].Error = fmt.Sprintf(c.v.SignInShort, c.keys.SignIn.Help().Key)
		}
	}
	return out
}

// statuses are the back end and section statuses on screen now.
func (m *Model) statuses() ([]record.BackendStatus, []record.SectionStatus) {
	if m.page == pageRecord && m.record.rec != nil {
		return m.record.rec.Backends, m.record.rec.SectionStatus
	}
	return m.search.statuses, nil
}

// reload asks again for the person after a sign-in: found again by NHS number, so the back
// end just signed in to (not asked before) is asked too; the tab and the screen stay.
func (p *recordPage) reload() tea.Cmd {
	nhs := p.match.Person.NHSNumber
	if nhs == "" {
		return p.fetch()
	}
	gen := p.gen
	ctx, fed := p.c.ctx, p.c.opts.Federation
	return func() tea.Msg {
		ms, _ := fed.Search(ctx, record.Query{NHSNumber: nhs})
		for _, m := range ms {
			if m.Person.NHSNumber == nhs {
				return rematchMsg{gen: gen, match: m, ok: true}
			}
		}
		return rematchMsg{gen: gen}
	}
}

// rematch opens the person as found again (keeping the tab), or fetches again as before.
func (p *recordPage) rematch(msg rematchMsg) tea.Cmd {
	if msg.gen != p.gen || p.rec == nil {
		return nil
	}
	if msg.ok {
		p.match = msg.match
	}
	return p.fetch() // recorded in the audit trail as opened again, with every back end asked
}

// signedInText is the status bar's account: the member of staff signed in (name and
// identifier, never a token), "not signed in", or in the demo that nobody signs in; "" when
// the interface was given no sign-in at all.
func (m *Model) signedInText() string {
	o, st := m.c.opts, m.c.st
	if o.SignedIn == nil && o.SignIn == nil {
		return ""
	}
	if o.SignedIn != nil {
		if who := o.SignedIn(); who != "" {
			return st.Bold.Render(who)
		}
	}
	if o.Config.Demo {
		return st.Faint.Render(m.c.v.DemoSignedIn)
	}
	return st.Warning.Render(m.c.v.NotSignedIn)
}
