package tui

import (
	"context"
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/shcr-project/shcr/client"
	"github.com/shcr-project/shcr/config"
	"github.com/shcr-project/shcr/internal/audit"
	"github.com/shcr-project/shcr/internal/purpose"
	"github.com/shcr-project/shcr/internal/text"
	"github.com/shcr-project/shcr/record"
	"github.com/shcr-project/shcr/views"
)

// Child protection (CP-IS) in unscheduled care. A dispatcher, or anyone whose purpose of
// access is emergency care, is in unscheduled care: there, reading a child's protection plan
// tells the responsible local authority (IsUnscheduledAccessEvent: true). So the record
// opens without reading it (client.CPDeferred); the banner says the contacts were not asked,
// and C opens them after a confirmation that says the local authority is told. The read is
// recorded in the audit trail first (child-protection-accessed); nothing is sent if the audit
// trail does not take it. Other roles (social work, discharge planning: scheduled care) read
// the plan with the record, with IsUnscheduledAccessEvent: false.

// unscheduledCare reports whether the member of staff is in unscheduled care now.
func (p *recordPage) unscheduledCare() bool {
	return p.c.opts.Role == config.RoleDispatcher || p.choice.Purpose == purpose.Emergency
}

// childProtectionContext is ctx for the record's open: the plan deferred in unscheduled care.
func (p *recordPage) childProtectionContext(ctx context.Context) context.Context {
	if p.unscheduledCare() {
		return client.WithChildProtectionAccess(ctx, client.CPDeferred)
	}
	return client.WithChildProtectionAccess(ctx, client.CPScheduled)
}

// deferredPlan names the back ends that hold a child protection plan left to be opened on
// request; none when there is nothing to open.
func (p *recordPage) deferredPlan() []string {
	if p.rec == nil {
		return nil
	}
	var out []string
	for _, st := range p.rec.StatusOf(record.SectionChildProtection) {
		if st.State == record.StateNotQueried && st.National {
			out = append(out, st.Backend)
		}
	}
	return out
}

// cpAskMsg asks the root to open the confirmation; cpOpenedMsg brings the plan.
type (
	cpAskMsg    struct{}
	cpOpenedMsg struct {
		gen   int
		parts []record.Part
	}
)

// askChildProtection is the C key.
func (p *recordPage) askChildProtection() tea.Cmd {
	if len(p.deferredPlan()) == 0 {
		return flash(p.c.v.CPNoFlag, true)
	}
	return func() tea.Msg { return cpAskMsg{} }
}

// openChildProtection records the access, then reads the plan from the national flags back
// ends with IsUnscheduledAccessEvent: true. It returns the audit trail's error, in which case
// nothing is sent.
func (p *recordPage) openChildProtection() (tea.Cmd, error) {
	backends := p.deferredPlan()
	if err := p.c.record(audit.ChildProtection(p.rec, p.choice, backends)); err != nil {
		return nil, err
	}
	p.c.log.Info("child protection plan opened in unscheduled care", "backends", len(backends))
	gen, nhs, fed := p.gen, p.rec.Person.NHSNumber, p.c.opts.Federation
	ctx := client.WithRequestID(p.c.ctx, p.rec.RequestID)
	return func() tea.Msg {
		return cpOpenedMsg{gen: gen, parts: fed.OpenChildProtection(ctx, nhs, backends)}
	}, nil
}

// childProtectionOpened folds the plan into the record.
func (p *recordPage) childProtectionOpened(msg cpOpenedMsg) tea.Cmd {
	if msg.gen != p.gen || p.rec == nil {
		return nil
	}
	// In configuration order, as they came from the back ends side by side.
	slices.SortStableFunc(msg.parts, func(a, b record.Part) int { return p.rankOf(a.Backend) - p.rankOf(b.Backend) })
	for _, part := range msg.parts {
		p.mergePart(part)
	}
	p.settle(true)
	p.invalidate()
	return flash(p.c.v.CPOpened, false)
}

// cpConfirm asks before the plan is read: the local authority will be told.
type cpConfirm struct {
	overlayBase
	open func() (tea.Cmd, error)
	msg  string
}

func newCPConfirm(c *common, open func() (tea.Cmd, error)) *cpConfirm {
	return &cpConfirm{overlayBase: overlayBase{c: c}, open: open}
}

func (d *cpConfirm) Place() placement { return placeDialog }

func (d *cpConfirm) Modal() bool { return true }

func (d *cpConfirm) FullHelp() [][]key.Binding {
	return [][]key.Binding{{d.c.dialogKeys.Apply, d.c.dialogKeys.Cancel}}
}

func (d *cpConfirm) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	km, ok := msg.(tea.KeyMsg)
	if !ok {
		return d, nil
	}
	switch k := d.c.dialogKeys; {
	case key.Matches(km, k.Cancel):
		d.done = true
	case key.Matches(km, k.Apply):
		cmd, err := d.open()
		if err != nil {
			d.c.log.Error("audit trail append failed", "event", audit.ChildProtectionAccessed)
			d.msg = strings.ReplaceAll(d.c.v.AuditFailed, "%s", flatLine(err.Error()))
			return d, nil
		}
		d.done = true
		return d, cmd
	}
	return d, nil
}

func (d *cpConfirm) View() string {
	v, st := d.c.v, d.c.st
	inner := min(max(d.w-6, 20), 72)
	b := []string{st.Title.Render(text.Truncate(v.CPOpenTitle, inner)), ""}
	for _, l := range text.Wrap(v.CPOpenQuestion, max(inner, 10)) {
		b = append(b, st.Text.Render(l))
	}
	if d.msg != "" {
		b = append(b, "")
		for _, l := range text.Wrap(d.msg, max(inner, 10)) {
			b = append(b, st.Error.Render(l))
		}
	}
	b = append(b, "", st.Faint.Render(text.Truncate(v.CPOpenHelp, inner)))
	return views.Panel(strings.Join(b, "\n"), st, inner)
}
