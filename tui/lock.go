package tui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/shcr-project/shcr/client/auth"
	"github.com/shcr-project/shcr/internal/text"
	"github.com/shcr-project/shcr/views"
)

// lockPanel is the idle lock: the whole screen, with no personal data, until the member of
// staff signs in again (Options.Unlock) or, without a sign-in, confirms the purpose of
// access; or signs out for the next member of staff.
type lockPanel struct {
	overlayBase
	sess *session

	msg string // why an unlock or sign-out did not complete, or that a sign-in runs
	err bool

	unlocking context.CancelFunc // an Unlock (sign-in) in flight
	pumpID    int
	prompt    *auth.Prompt // the unlock sign-in's device code or browser address
}

type (
	// IdleTickMsg is the idle lock's check, once a second (tea.Tick). A driver that does not
	// wait for timers (tests, the screenshot tool) drops it, and may send one to check the
	// lock at once, e.g. after moving its clock on.
	IdleTickMsg struct{}
	// unlockResult is the outcome of Options.Unlock.
	unlockResult struct{ err error }
	// unlockAskMsg asks the root to unlock without a sign-in: it confirms the purpose of
	// access of the record on screen (or the preset one) first, if there is one.
	unlockAskMsg struct{}
	// lockSignedOutMsg says the lock panel signed out (Options.SignOut): the session ends.
	lockSignedOutMsg struct{ who string }
)

func newLockPanel(c *common, s *session) *lockPanel {
	return &lockPanel{overlayBase: overlayBase{c: c}, sess: s}
}

func (l *lockPanel) Place() placement { return placeScreen }

func (l *lockPanel) Modal() bool { return true }

func (l *lockPanel) FullHelp() [][]key.Binding {
	k := l.c.dialogKeys
	return [][]key.Binding{{k.Apply, k.SignOut, k.ForceQuit}}
}

// stop cancels an unlock sign-in in flight.
func (l *lockPanel) stop() {
	if l.unlocking != nil {
		l.unlocking()
		l.unlocking = nil
	}
}

// Update handles the lock's keys (enter unlocks, ctrl+o signs out) and its sign-in.
func (l *lockPanel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case pumpMsg:
		if msg.id != l.pumpID || l.unlocking == nil {
			return l, nil
		}
		switch ev := msg.msg.(type) {
		case auth.Prompt:
			l.prompt = &ev
		case unlockResult:
			l.stop()
			if ev.err != nil {
				l.msg, l.err = fmt.Sprintf(l.c.v.LockFailed, flatLine(ev.err.Error())), true
				return l, nil
			}
			return l, func() tea.Msg { return unlockMsg{} }
		}
		return l, msg.next
	case tea.KeyMsg:
		k := l.c.dialogKeys
		switch {
		case l.unlocking != nil:
			if key.Matches(msg, k.Cancel) {
				l.stop()
				l.msg = ""
			}
		case key.Matches(msg, k.Apply):
			return l, l.startUnlock()
		case key.Matches(msg, k.SignOut):
			return l, l.signOut()
		}
	}
	return l, nil
}

// startUnlock asks the signed-in user to sign in again (Options.Unlock), its code or address
// shown in the panel; without a sign-in, the root asks to confirm the purpose.
func (l *lockPanel) startUnlock() tea.Cmd {
	l.msg, l.err = "", false
	f := l.c.opts.Unlock
	if f == nil || l.sess.signedIn() == "" {
		return func() tea.Msg { return unlockAskMsg{} }
	}
	ctx, cancel := context.WithCancel(l.c.ctx)
	l.unlocking, l.prompt = cancel, nil
	l.msg = l.c.v.LockSigningIn
	var cmd tea.Cmd
	l.pumpID, cmd = l.c.pump(ctx, func(send func(tea.Msg)) tea.Msg {
		pctx := auth.WithPrompt(ctx, func(p auth.Prompt) { send(p) })
		return unlockResult{err: f(pctx)}
	})
	return cmd
}

// signOut signs out from the lock panel (Options.SignOut): the session ends for the next
// member of staff. If the sign-out fails the screen stays locked.
func (l *lockPanel) signOut() tea.Cmd {
	who := l.sess.signedIn() // taken before the sign-out forgets them
	if l.c.opts.SignOut != nil {
		if err := l.c.opts.SignOut(); err != nil {
			l.c.log.Warn("sign-out did not complete")
			l.msg, l.err = fmt.Sprintf(l.c.v.SignOutFailed, flatLine(err.Error())), true
			return nil
		}
	}
	l.stop()
	// The lock stays until the root has ended the session: no frame shows the record.
	return func() tea.Msg { return lockSignedOutMsg{who: who} }
}

// View is the lock panel. It shows no personal data: no name, NHS number or record text,
// only the words of the vocabulary and the keys.
func (l *lockPanel) View() string {
	v, st := l.c.v, l.c.st
	inner := min(max(l.w-6, 20), 64)
	idle := l.sess.idleAfter()
	mins := int(idle.Round(time.Minute) / time.Minute)
	after := fmt.Sprintf("%d min", max(mins, 1))
	if idle < time.Minute {
		after = fmt.Sprintf("%d s", int(idle.Seconds()))
	}
	b := []string{st.Title.Render(v.LockTitle), ""}
	for _, line := range text.Wrap(fmt.Sprintf(v.LockText, after), max(inner, 10)) {
		b = append(b, st.Text.Render(line))
	}
	b = append(b, "")
	unlock := v.LockUnlockKey
	if l.c.opts.Unlock != nil && l.sess.signedIn() != "" {
		unlock = v.LockUnlockSignIn
	}
	b = append(b, st.Text.Render(text.Truncate(unlock, inner)), st.Text.Render(text.Truncate(v.LockSignOut, inner)),
		st.Faint.Render(text.Truncate(fmt.Sprintf("%-8s%s", "ctrl+c", v.HelpForceQuit), inner)))
	if l.msg != "" {
		s := st.Text
		if l.err {
			s = st.Error
		}
		b = append(b, "")
		for _, line := range text.Wrap(l.msg, max(inner, 10)) {
			b = append(b, s.Render(line))
		}
	}
	b = append(b, l.promptLines(inner)...)
	return views.Panel(strings.Join(b, "\n"), st, inner)
}

// promptLines are the panel's lines for the unlock sign-in in progress.
func (l *lockPanel) promptLines(inner int) []string {
	p := l.prompt
	if p == nil || l.unlocking == nil {
		return nil
	}
	d := views.SignInPanel{Backend: p.Backend, Flow: p.Flow, URL: p.URL, URLComplete: p.URLComplete,
		UserCode: p.UserCode, Left: p.Expires.Sub(l.c.now())}
	if p.BrowserErr != nil {
		d.BrowserErr = flatLine(p.BrowserErr.Error())
	}
	lines := []string{"", l.c.st.Title.Render(text.Truncate(fmt.Sprintf(l.c.v.SignInTitle, p.Backend), inner))}
	return append(lines, views.SignInLines(d, l.c.v, l.c.st, inner)...)
}
