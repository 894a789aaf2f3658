package tui

import (
	"fmt"
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/shcr-project/shcr/internal/audit"
	"github.com/shcr-project/shcr/internal/purpose"
	"github.com/shcr-project/shcr/internal/text"
	"github.com/shcr-project/shcr/record"
	"github.com/shcr-project/shcr/views"
)

// revealPrompt asks why a restricted item (or a restricted person's address and phones) is
// to be revealed. Nothing is revealed without a reason, and nothing is revealed unless the
// audit trail took the event.
type revealPrompt struct {
	overlayBase
	reveal func(key, reason string) error // records the reveal, then shows the item
	key    string                         // item key, or record.RevealPersonKey
	sec    record.Section                 // the item's section ("" for the person)
	reason textinput.Model
	msg    string
	// national: the key is a national dissent's (PDS): it covers every care record.
	national bool
}

// revealAskMsg asks the root to open the reveal prompt for an item.
type revealAskMsg struct {
	key      string
	sec      record.Section
	national bool // a national dissent's key (record.NationalObjections)
}

// revealTarget is what `x` would reveal: the selected row when it is masked, else the
// person's restricted demographics when they are withheld.
func (p *recordPage) revealTarget() (string, record.Section, bool) {
	if p.rec == nil {
		return "", "", false
	}
	if pn := p.pane(); pn != nil {
		p.ensure(pn)
		if r := pn.selectedRow(); r != nil && r.Restricted {
			if it := p.rec.Sections.Item(pn.sec, r.Index); it != nil {
				if r.Withheld {
					// Withheld because the person objected: break glass for its back end.
					return record.RevealObjectionKey(it.Provenance.Backend), pn.sec, true
				}
				return it.Key, pn.sec, true
			}
		}
	}
	if p.rec.Person.Restricted && !p.reveals.Has(record.RevealPersonKey) {
		return record.RevealPersonKey, "", true
	}
	if p.shown(); p.facts.WithheldByObjection { // worked out once with the masked record
		for _, k := range p.rec.ObjectionKeys(p.c.now()) {
			if !p.reveals.Has(k) {
				return k, "", true
			}
		}
	}
	return "", "", false
}

// askReveal is the `x` key.
func (p *recordPage) askReveal() tea.Cmd {
	k, sec, ok := p.revealTarget()
	if !ok {
		return flash(p.c.v.RevealNothing, true)
	}
	national := slices.ContainsFunc(p.rec.NationalObjections(p.c.now()), func(c record.ConsentRecord) bool {
		return record.RevealObjectionKey(c.Provenance.Backend) == k
	})
	return func() tea.Msg { return revealAskMsg{key: k, sec: sec, national: national} }
}

// reveal records the reveal in the audit trail, then shows the item while the record stays
// open. It returns the audit trail's error, in which case nothing is revealed.
func (p *recordPage) reveal(key, reason string) error {
	if _, ok := record.IsObjectionKey(key); ok {
		return p.breakGlass(key, reason)
	}
	if err := p.c.record(audit.Revealed(p.rec, p.choice, reason, key)); err != nil {
		return err
	}
	p.reveals.Add(key)
	p.invalidate()
	p.c.log.Info("restricted item revealed", "section", string(p.sectionOfKey(key)))
	return nil
}

// breakGlass is emergency access to what the person objected to sharing from one back end:
// the purpose of access becomes emergency with the reason, recorded as break-glass-started
// (ETREAT, BTG) before anything is shown; the data stays shown while the record is open.
func (p *recordPage) breakGlass(key, reason string) error {
	choice := purpose.Choice{Purpose: purpose.Emergency, Reason: reason}
	if err := p.c.record(audit.BreakGlass(p.rec, choice, reason, key)); err != nil {
		return err
	}
	p.choice = choice
	p.reveals.Add(key)
	p.invalidate()
	p.c.log.Info("emergency access to objected data")
	return nil
}

func (p *recordPage) sectionOfKey(k string) record.Section {
	if k == record.RevealPersonKey {
		return "person"
	}
	for _, sec := range record.Sections() {
		for i := range p.rec.Count(sec) {
			if it := p.rec.Sections.Item(sec, i); it != nil && it.Key == k {
				return sec
			}
		}
	}
	return ""
}

func newRevealPrompt(c *common, msg revealAskMsg, reveal func(key, reason string) error) *revealPrompt {
	in := textinput.New()
	in.Prompt = ""
	in.CharLimit = purpose.MaxReason
	in.Cursor.SetMode(cursor.CursorStatic)
	return &revealPrompt{overlayBase: overlayBase{c: c}, reveal: reveal, key: msg.key, sec: msg.sec, reason: in, national: msg.national}
}

func (r *revealPrompt) Init() tea.Cmd { return r.reason.Focus() }

func (r *revealPrompt) Place() placement { return placeDialog }

func (r *revealPrompt) Modal() bool { return true }

func (r *revealPrompt) FullHelp() [][]key.Binding {
	return [][]key.Binding{{r.c.dialogKeys.Apply, r.c.dialogKeys.Cancel}}
}

// Update handles a key in the reveal prompt: nothing is revealed without a reason, or when
// the audit trail did not take the event (the prompt stays open and says why).
func (r *revealPrompt) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	km, ok := msg.(tea.KeyMsg)
	if !ok {
		return r, nil
	}
	k, v := r.c.dialogKeys, r.c.v
	switch {
	case key.Matches(km, k.Cancel):
		r.done = true
		return r, nil
	case key.Matches(km, k.Apply):
		reason := strings.Join(strings.Fields(r.reason.Value()), " ")
		_, glass := record.IsObjectionKey(r.key)
		if reason == "" {
			r.msg = v.RevealNeedReason
			if glass {
				r.msg = v.BreakGlassNeedReason
			}
			return r, nil
		}
		if err := r.reveal(r.key, reason); err != nil {
			r.c.log.Error("audit trail append failed", "event", audit.RestrictedRevealed)
			r.msg = strings.ReplaceAll(v.AuditFailed, "%s", flatLine(err.Error()))
			return r, nil
		}
		r.done = true
		done := v.RevealDone
		if glass {
			done = v.BreakGlassDone
		}
		return r, func() tea.Msg { return flashMsg{text: done} }
	}
	var cmd tea.Cmd
	r.reason, cmd = r.reason.Update(km)
	r.msg = ""
	return r, cmd
}

// View is the reveal prompt as a panel: what it reveals (the section, never content).
func (r *revealPrompt) View() string {
	v, st, w := r.c.v, r.c.st, r.w
	inner := min(max(w-6, 20), 72)
	title, question := v.RevealTitle, v.RevealQuestion
	if r.key == record.RevealPersonKey {
		title = v.RevealPersonTitle
	}
	if backend, ok := record.IsObjectionKey(r.key); ok {
		title, question = v.BreakGlassTitle, fmt.Sprintf(v.BreakGlassQuestion, backend)
		if r.national {
			question = fmt.Sprintf(v.BreakGlassNationalQuestion, backend) // a national dissent: every care record
		}
	}
	b := []string{st.Title.Render(text.Truncate(title, inner))}
	if r.sec != "" {
		b = append(b, st.Faint.Render(text.Truncate(views.SectionTitle(r.sec, v), inner)))
	}
	b = append(b, "")
	for _, l := range text.Wrap(question, max(inner, 10)) {
		b = append(b, st.Text.Render(l))
	}
	r.reason.Width = max(inner-len(v.RevealPrompt)-1, 10)
	b = append(b, "", st.Bold.Render(v.RevealPrompt)+r.reason.View())
	if r.msg != "" {
		for _, l := range text.Wrap(r.msg, max(inner, 10)) {
			b = append(b, st.Error.Render(l))
		}
	}
	b = append(b, "", st.Faint.Render(text.Truncate(v.RevealHelp, inner)))
	return views.Panel(strings.Join(b, "\n"), st, inner)
}
