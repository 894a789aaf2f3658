package tui

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/shcr-project/shcr/client"
	"github.com/shcr-project/shcr/client/auth"
	"github.com/shcr-project/shcr/config"
	"github.com/shcr-project/shcr/record"
	"github.com/shcr-project/shcr/views"
	"github.com/shcr-project/shcr/views/viewstest"
	"github.com/shcr-project/shcr/views/vocab"
)

// signInFixture sets the model up with one back end that needs a sign-in (a device grant)
// and a sign-in that is never run: the panel's states are set as its messages would set them.
func signInFixture(d *driver) *signInPanel {
	d.m.c.opts.Config.Backends = []config.Backend{{Name: "Demoshire Region", Auth: config.Auth{Type: config.AuthDevice}}}
	p := newSignInPanel(d.m.c, func() []string { return []string{"Demoshire Region"} })
	p.backend, p.running = "Demoshire Region", true
	d.m.push(p)
	return p
}

var devicePrompt = auth.Prompt{Backend: "Demoshire Region", Flow: string(config.AuthDevice), URL: "https://login.example.nhs.uk/device",
	URLComplete: "https://login.example.nhs.uk/device?user_code=WDJB-MJHT", UserCode: "WDJB-MJHT", Expires: viewstest.Now.Add(5 * time.Minute)}

// lockFixture moves the clock on past the idle lock and lets the idle check lock the screen.
func lockFixture(d *driver) {
	d.m.c.now = func() time.Time { return viewstest.Now.Add(time.Hour) }
	d.send(IdleTickMsg{})
}

// signedInLock is the lock where someone is signed in: unlocking is signing in again.
func signedInLock(d *driver) {
	d.m.c.opts.SignedIn = func() string { return "Dr Jane Carter (jcarter)" }
	d.m.c.opts.Unlock = func(context.Context) error { return nil }
	lockFixture(d)
}

// Every overlay, at 80×24 and 160×48, in both vocabularies, against golden files: each is
// drawn over the page it opens on (the lock alone).
func TestOverlays(t *testing.T) {
	type screen struct {
		name string
		rec  func() *record.Record
		do   func(d *driver)
	}
	person := func(d *driver) { d.send(openMsg{client.Match{Person: viewstest.Person()}}) }
	notes := func(d *driver) {
		d.keys("8")
		d.send(revealAskMsg{key: "note-1", sec: record.SectionNotes})
	}
	screens := []screen{
		{name: "purpose", do: person},
		{name: "purpose-moved", do: func(d *driver) { person(d); d.keys("down", "down") }},
		{name: "purpose-other-reason", do: func(d *driver) { person(d); d.keys("4"); d.typeText("checking the referral") }},
		{name: "purpose-other-no-reason", do: func(d *driver) { person(d); d.keys("4", "enter") }},
		{name: "reveal", rec: viewstest.Record, do: notes},
		{name: "reveal-typed", rec: viewstest.Record, do: func(d *driver) { notes(d); d.typeText("reading before the visit") }},
		{name: "reveal-no-reason", rec: viewstest.Record, do: func(d *driver) { notes(d); d.keys("enter") }},
		{name: "reveal-person", rec: viewstest.Record, do: func(d *driver) { d.send(revealAskMsg{key: record.RevealPersonKey}) }},
		{name: "reveal-audit-failed", rec: viewstest.Record, do: func(d *driver) {
			d.m.c.opts.Audit = func(AuditEvent) error { return errors.New("disk full") }
			notes(d)
			d.typeText("reading before the visit")
			d.keys("enter")
		}},
		{name: "lock", rec: viewstest.Record, do: lockFixture},
		{name: "lock-search", do: lockFixture},
		{name: "lock-unlock-purpose", rec: viewstest.Record, do: func(d *driver) { lockFixture(d); d.keys("enter") }},
		{name: "lock-sign-out-failed", rec: viewstest.Record, do: func(d *driver) {
			d.m.c.opts.SignOut = func() error { return errors.New("keyring locked") }
			lockFixture(d)
			d.send(tea.KeyMsg{Type: tea.KeyCtrlO})
		}},
		{name: "lock-signed-in", rec: viewstest.Record, do: signedInLock},
		{name: "lock-sign-in", rec: viewstest.Record, do: func(d *driver) {
			signedInLock(d)
			// The unlock sign-in as its start and its prompt leave it (it is never run here).
			l := d.m.top().(*lockPanel)
			l.unlocking, l.pumpID, l.msg = func() {}, -1, d.m.c.v.LockSigningIn
			p := devicePrompt
			p.Expires = d.m.c.now().Add(5 * time.Minute)
			d.send(pumpMsg{id: -1, msg: p})
		}},
		{name: "sign-out", rec: viewstest.Record, do: func(d *driver) {
			d.m.c.opts.SignOut = func() error { return nil }
			d.m.setKeys()
			d.send(tea.KeyMsg{Type: tea.KeyCtrlO})
		}},
		{name: "sign-out-search", do: func(d *driver) {
			d.m.c.opts.SignOut = func() error { return nil }
			d.m.setKeys()
			d.send(tea.KeyMsg{Type: tea.KeyCtrlO})
		}},
		{name: "sign-in-starting", do: func(d *driver) { signInFixture(d) }},
		{name: "sign-in-device", rec: viewstest.Record, do: func(d *driver) {
			p := signInFixture(d)
			d.send(pumpMsg{id: p.pumpID, msg: devicePrompt})
		}},
		{name: "sign-in-browser", do: func(d *driver) {
			p := signInFixture(d)
			d.send(pumpMsg{id: p.pumpID, msg: auth.Prompt{Backend: "Demoshire Region", Flow: string(config.AuthPKCE),
				URL: "https://login.example.nhs.uk/authorize?client_id=shcr", Expires: viewstest.Now.Add(4 * time.Minute)}})
		}},
		{name: "sign-in-failed", rec: viewstest.Record, do: func(d *driver) {
			p := signInFixture(d)
			d.send(pumpMsg{id: p.pumpID, msg: devicePrompt})
			d.send(pumpMsg{id: p.pumpID, msg: signInResult{backend: "Demoshire Region", err: errors.New("the sign-in was refused: code WDJB-MJHT was declined")}})
		}},
	}
	for _, v := range []vocab.Vocabulary{vocab.Health(), vocab.SocialCare()} {
		for _, sc := range screens {
			for _, sz := range sizes {
				t.Run(fmt.Sprintf("%s/%s/%dx%d", v.Name, sc.name, sz[0], sz[1]), func(t *testing.T) {
					var rec *record.Record
					if sc.rec != nil {
						rec = sc.rec()
					}
					m := fixtureModel(t, v, "", rec, sz[0], sz[1])
					d := &driver{tb: t, m: m}
					sc.do(d)
					if len(m.stack) == 0 {
						t.Fatal("no overlay open")
					}
					out := views.Strip(m.View())
					checkScreen(t, v, out, sz[0], sz[1])
					golden.RequireEqual(t, []byte(out))
				})
			}
		}
	}
}

// An overlay open while the terminal is resized is drawn for the new size.
func TestOverlayResized(t *testing.T) {
	want := fixtureModel(t, vocab.Health(), "", nil, 64, 20)
	(&driver{tb: t, m: want}).send(openMsg{client.Match{Person: viewstest.Person()}})
	m := fixtureModel(t, vocab.Health(), "", nil, 160, 48)
	d := &driver{tb: t, m: m}
	d.send(openMsg{client.Match{Person: viewstest.Person()}})
	d.send(tea_size(64, 20))
	if got, w := views.Strip(m.View()), views.Strip(want.View()); got != w {
		t.Fatalf("after the resize:\n%s\nwant:\n%s", got, w)
	}
}

// TestHelpIsAnOverlayThatLeavesThePageItsKeys: the full help is on the overlay stack, not
// modal: the page's keys still work under it; `?` or esc closes it (esc also goes on to
// the page, which goes back to the search).
func TestHelpIsAnOverlayThatLeavesThePageItsKeys(t *testing.T) {
	m := fixtureModel(t, vocab.Health(), "", viewstest.Record(), 100, 30)
	d := &driver{tb: t, m: m}
	d.keys("7", "?")
	if m.top() != overlay(m.help) || m.modal() {
		t.Fatalf("after ?: stack %v, modal %v", m.stack, m.modal())
	}
	was := m.record.active
	d.keys("2")
	if m.record.active == was || m.top() != overlay(m.help) {
		t.Errorf("a page key under the help: tab %d, stack %v", m.record.active, m.stack)
	}
	d.keys("?")
	if len(m.stack) != 0 || m.help.full {
		t.Errorf("? did not close the help: stack %v", m.stack)
	}
	d.keys("?", "esc")
	if len(m.stack) != 0 || m.page != pageSearch {
		t.Errorf("esc: stack %v, page %v", m.stack, m.page)
	}
}
