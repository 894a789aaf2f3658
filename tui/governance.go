package tui

import (
	"fmt"
	"slices"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/shcr-project/shcr/client"
	"github.com/shcr-project/shcr/internal/audit"
	"github.com/shcr-project/shcr/internal/logscrub"
	"github.com/shcr-project/shcr/internal/purpose"
	"github.com/shcr-project/shcr/internal/text"
	"github.com/shcr-project/shcr/record"
)

// record appends events to the audit trail in order; nil Audit records nothing.
func (c *common) record(events ...audit.Event) error {
	if c.opts.Audit == nil {
		return nil
	}
	for _, e := range events {
		if err := c.opts.Audit(e); err != nil {
			c.log.Error("audit trail append failed", "event", e.Event)
			return err
		}
	}
	return nil
}

// purposeGate runs before a record opens: with a purpose preset or already chosen for this
// person this session, the record opens with it (ok false: carry on); otherwise the purpose
// question opens and the record waits for the answer.
func (m *Model) purposeGate(match client.Match) (tea.Cmd, bool) {
	ch, ask := m.sess.purposeFor(match)
	if !ask {
		m.record.choice = ch
		return nil, false
	}
	m.push(newPurposeDialog(m.c, match, false, purpose.Choice{}))
	return nil, true
}

// governance handles the idle clock and what the overlays decided. ok false: the root
// carries on with msg.
func (m *Model) governance(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case IdleTickMsg:
		next := m.sess.idleTick()
		if !m.locked() && m.sess.idle() {
			m.lock()
		}
		return next, true
	case purposeDoneMsg:
		if msg.cancelled {
			// Nothing was opened, so nothing is recorded: back to the search.
			m.page = pageSearch
			m.setKeys()
			return m.search.init(), true
		}
		m.sess.remember(msg.match.Person, msg.choice)
		return func() tea.Msg { return openMsg{msg.match} }, true
	case unlockAskMsg:
		open := m.page == pageRecord && m.record.rec != nil
		if open || m.c.opts.Purpose.Preset() {
			m.push(newPurposeDialog(m.c, m.record.match, true, m.record.choice))
			return nil, true
		}
		return m.unlock(purpose.Choice{}), true
	case unlockMsg:
		return m.unlock(msg.choice), true
	case lockSignedOutMsg:
		cmd := m.endSession(msg.who)
		m.drop(func(o overlay) bool { _, lock := o.(*lockPanel); return lock })
		m.setKeys()
		m.layout()
		return tea.Batch(cmd, m.flashCmd(m.c.v.SignedOut, false)), true
	case signOutMsg:
		return m.signOut(), true
	case signedInMsg:
		return m.signedIn(msg), true
	case rematchMsg:
		cmd := m.record.rematch(msg)
		m.setKeys()
		m.layout()
		return cmd, true
	case revealAskMsg:
		r := newRevealPrompt(m.c, msg, m.record.reveal)
		m.push(r)
		return r.Init(), true
	case cpAskMsg:
		m.push(newCPConfirm(m.c, m.record.openChildProtection))
		return nil, true
	case cpOpenedMsg:
		cmd := m.record.childProtectionOpened(msg)
		m.setKeys()
		return cmd, true
	}
	return nil, false
}

// locked reports whether the idle lock is on the screen.
func (m *Model) locked() bool {
	for _, o := range m.stack {
		if _, ok := o.(*lockPanel); ok {
			return true
		}
	}
	return false
}

// dropDialogs closes the purpose question, the reveal prompt, the copy chooser, the
// handover note and the reader (they hold what was on screen: the chooser, revealed content).
func (m *Model) dropDialogs() {
	m.drop(func(o overlay) bool {
		switch o.(type) {
		case *purposeDialog, *revealPrompt, *copyChooser, *notePanel, *reader:
			return true
		}
		return false
	})
}

// auditFailed closes the record: a look the audit trail did not take is not shown.
func (m *Model) auditFailed(err error) tea.Cmd {
	m.record.close()
	m.record.reset()
	gone := m.record.match
	m.record.rec, m.record.match = nil, client.Match{}
	m.search.recent = slices.DeleteFunc(m.search.recent, func(o client.Match) bool { return samePerson(o.Person, gone.Person) })
	m.page = pageSearch
	m.search.message, m.search.msgErr = fmt.Sprintf(m.c.v.AuditFailed, flatLine(err.Error())), true
	m.setKeys()
	m.layout()
	return m.search.init()
}

// lock puts the lock panel over everything: reveals are forgotten, the status bar message
// and any clipboard sequence dropped, dialogs closed.
func (m *Model) lock() {
	m.dropDialogs()
	m.record.reveals = &record.Reveals{}
	m.record.invalidate()
	m.flash, m.osc = "", ""
	m.hideHelp()
	m.push(newLockPanel(m.c, m.sess))
	e := audit.Event{Event: audit.ScreenLocked}
	if m.page == pageRecord && m.record.rec != nil {
		e.NHSNumber, e.Purpose, e.Reason = m.record.match.Person.NHSNumber, string(m.record.choice.Purpose), m.record.choice.Reason
	}
	_ = m.c.record(e)
	m.c.log.Info("screen locked", "idle_s", int(m.sess.idleAfter().Seconds()))
}

// unlock takes the lock away; a purpose re-confirmed for the record on screen is kept for
// that person and recorded.
func (m *Model) unlock(ch purpose.Choice) tea.Cmd {
	m.drop(func(o overlay) bool {
		_, lock := o.(*lockPanel)
		d, ask := o.(*purposeDialog)
		return lock || ask && d.unlock
	})
	m.sess.touch()
	e := audit.Event{Event: audit.ScreenUnlocked}
	if m.page == pageRecord && m.record.rec != nil {
		if !ch.IsZero() {
			m.record.choice = ch
			if !m.c.opts.Purpose.Preset() {
				m.sess.remember(m.record.match.Person, ch)
			}
		}
		e.NHSNumber, e.Purpose, e.Reason = m.record.match.Person.NHSNumber, string(m.record.choice.Purpose), m.record.choice.Reason
	} else if !ch.IsZero() {
		e.Purpose, e.Reason = string(ch.Purpose), ch.Reason
	}
	_ = m.c.record(e)
	m.c.log.Info("screen unlocked")
	m.setKeys()
	m.layout()
	return nil
}

// endSession is what signing out leaves: no record open, no reveals, no people opened this
// session, no purposes remembered; recorded as signed-out, naming who was signed in before
// the sign-out.
func (m *Model) endSession(who string) tea.Cmd {
	_ = m.c.record(audit.Event{Event: audit.SignedOut, SignedInUser: who})
	m.sess.end()
	m.dropDialogs()
	m.record.close()
	m.record.reset()
	m.record.rec, m.record.match, m.record.choice = nil, client.Match{}, purpose.Choice{}
	m.record.gen++ // a part of the closed fetch already queued is dropped, not merged into nil
	s := m.search
	s.stop()
	s.input.Reset()
	s.recent, s.results, s.statuses, s.message, s.searching, s.cursor = nil, nil, nil, "", false, 0
	s.gen++
	m.page = pageSearch
	m.hideHelp()
	m.c.log.Info("session ended: signed out")
	return s.init()
}

// startSignIn opens the sign-in panel for the first back end that needs a sign-in.
func (m *Model) startSignIn() tea.Cmd {
	p := newSignInPanel(m.c, func() []string { return m.c.signInNeeded(m.statuses()) })
	cmd, ok := p.start()
	if ok {
		m.push(p)
	}
	return cmd
}

// signedIn asks again for what is on screen after a sign-in.
func (m *Model) signedIn(ev signedInMsg) tea.Cmd {
	flash := m.flashCmd(fmt.Sprintf(m.c.v.SignedInAs, ev.backend, ev.id.String()), false)
	switch {
	case m.page == pageRecord:
		return tea.Batch(flash, m.record.reload())
	case parseQuery(m.search.input.Value(), m.c.v).ready:
		return tea.Batch(flash, m.search.submit())
	}
	// Nothing to ask again: the statuses of the last search no longer hold.
	m.search.statuses = nil
	return flash
}

// signOut forgets every back end's tokens, closes the record, forgets the people opened
// this session and goes back to an empty search: the next member of staff starts clean.
// The screen is cleared even when the sign-out did not complete (and says so).
//
// As before the overlays moved, the signed-out event names nobody here (only the lock
// panel's sign-out takes the name first).
func (m *Model) signOut() tea.Cmd {
	var err error
	if m.c.opts.SignOut != nil {
		err = m.c.opts.SignOut()
	}
	cmd := m.endSession("")
	m.setKeys()
	m.layout()
	if err != nil {
		m.c.log.Warn("sign-out did not complete")
		return tea.Batch(cmd, m.flashCmd(fmt.Sprintf(m.c.v.SignOutFailed, flatLine(err.Error())), true))
	}
	return tea.Batch(cmd, m.flashCmd(m.c.v.SignedOut, false))
}

// auditSearch records a search that found nobody: person-not-found, with the kind of search
// (never what was typed), and every back end that refused or failed it. When someone was
// found, a back end's refusal is recorded with the record it would have been part of
// (audit.Opened carries the search's failures into the record's back ends).
func (c *common) auditSearch(q record.Query, statuses []record.BackendStatus, found int) {
	if found == 0 {
		_ = c.record(audit.NotFound(q, c.opts.Purpose.Choice, statuses)...)
	}
}

// fetched records the record opened (with every back end that refused or failed) once the
// back ends have answered, then each section already shown. If the audit trail does not take
// them, the record is closed.
func (p *recordPage) fetched() tea.Cmd {
	p.answered = true
	events := audit.Opened(p.rec, p.choice, record.Sections())
	events = append(events, p.pendingViews()...)
	if err := p.c.record(events...); err != nil && p.auditErr == nil {
		p.auditErr = err
	}
	return nil
}

// takeAuditErr returns (once) an audit trail failure met while the record was open.
func (p *recordPage) takeAuditErr() error {
	err := p.auditErr
	p.auditErr = nil
	return err
}

// shownSection notes a tab shown; it is recorded once per open record, after the open.
func (p *recordPage) shownSection(sec record.Section) {
	p.viewed[sec] = true
	if !p.answered {
		return
	}
	if err := p.c.record(p.pendingViews()...); err != nil && p.auditErr == nil {
		p.auditErr = err
	}
}

// pendingViews are the section-viewed events not yet recorded, in tab order.
func (p *recordPage) pendingViews() []audit.Event {
	var out []audit.Event
	for _, sec := range record.Sections() {
		if p.viewed[sec] && !slices.Contains(p.auditedViews, sec) {
			p.auditedViews = append(p.auditedViews, sec)
			out = append(out, audit.Viewed(p.rec, p.choice, sec))
		}
	}
	return out
}

// centreOver puts the panel in the middle of the body, replacing the lines it covers.
func centreOver(body, panel string, w, h int) string {
	lines := strings.Split(fitHeight(body, h), "\n")
	pl := strings.Split(panel, "\n")
	top := max((h-len(pl))/2, 0)
	left := strings.Repeat(" ", max((w-lipgloss.Width(panel))/2, 0))
	for i, l := range pl {
		if top+i < len(lines) {
			lines[top+i] = text.Truncate(left+l, w)
		}
	}
	return strings.Join(lines, "\n")
}

// flatLine keeps a message to one line.
//
// Errors may quote a server (a sign-in server's discovery document or error description):
// anything a terminal would act on, and any credential echoed, is removed first.
func flatLine(s string) string {
	return strings.Join(strings.Fields(logscrub.ServerText(s)), " ")
}
