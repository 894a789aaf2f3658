package tui

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/shcr-project/shcr/client"
	"github.com/shcr-project/shcr/config"
	"github.com/shcr-project/shcr/internal/purpose"
	"github.com/shcr-project/shcr/record"
	"github.com/shcr-project/shcr/views"
)

// tabCount is the number of tabs: the summary, then one per section with a tab.
var tabCount = 1 + len(views.TabSections())

// recordPage is a person's record: the banner, eight tabs, each a table pane with a details
// pane, and the back ends' status line. It owns the fetch of the record.
type recordPage struct {
	w, h  int
	c     *common
	match client.Match
	rec   *record.Record
	arr   *record.Arrivals // merges the open's parts into rec in configuration order (arrivals.go)
	// settled is when rec was last built again in configuration order (arrivals.go).
	settled time.Time
	gen     int
	cancel  context.CancelFunc
	active  int
	panes   []*tablePane // one per tab; index 0 (summary) is nil
	dom     domainFilter
	viewed  map[record.Section]bool

	// reveals are the restricted items revealed while this record is open (the governance
	// work adds the key and the audited reason); masked is rec with everything else withheld,
	// which is all the views ever see.
	reveals *record.Reveals
	masked  *record.Record
	facts   views.Facts // what the banner knows of masked as a whole, worked out with it

	// Governance (governance.go): the purpose of access for this person, whether the back
	// ends have answered (the open is recorded then), the sections whose view is recorded,
	// and an audit trail failure the root must act on (the record is then closed).
	choice       purpose.Choice
	answered     bool
	auditedViews []record.Section
	auditErr     error

	tl timelineView // the Encounters tab's timeline, `t` (timeline.go)

	filtering bool
	filterIn  textinput.Model
	spin      spinner.Model // the program's one spinner: sections still waiting show its frame
	spinning  bool
	zones     pageZones    // where the tabs and the body were last drawn (mouse.go)
	reading   *readRequest // enter asked for the reader: the root opens it at once (reader.go)
	opened    time.Time    // when the open started (the injected clock): the time waited is shown
}

func newRecordPage(c *common) *recordPage {
	p := &recordPage{c: c, spin: spinner.New(spinner.WithSpinner(spinner.MiniDot))}
	p.filterIn = textinput.New()
	p.filterIn.Prompt = ""
	p.filterIn.CharLimit = 60
	p.filterIn.Cursor.SetMode(cursor.CursorStatic)
	p.reset()
	return p
}

func (p *recordPage) reset() {
	p.panes = make([]*tablePane, tabCount)
	for i, sec := range views.TabSections() {
		p.panes[i+1] = newTablePane(sec)
	}
	p.dom = domainAll
	p.tl = timelineView{}
	p.filtering = false
	p.reveals = &record.Reveals{}
	p.masked = nil
	p.viewed = map[record.Section]bool{}
	p.answered, p.auditedViews, p.auditErr = false, nil, nil
}

// sectionOf is the section behind tab i ("" for the summary).
func sectionOf(i int) record.Section {
	if i <= 0 || i >= tabCount {
		return ""
	}
	return views.TabSections()[i-1]
}

// startTab is the role's first tab (config.Role.StartTab): discharge → the summary with
// the care package verdict, social worker → notes (newest first), dispatcher → next of kin
// with the contact to call first selected; otherwise the summary.
func startTab(role config.Role) int { return tabNamed(role.StartTab()) }

// tabNamed is the tab of a config.StartTab name: a section with a tab, else the summary.
func tabNamed(name string) int {
	if i := slices.Index(views.TabSections(), record.Section(name)); i >= 0 {
		return i + 1
	}
	return 0
}

// firstTab is the tab a record opens on: the configured start tab (start_tab, --tab),
// else the role's.
func (c *common) firstTab() int {
	if c.opts.Config.StartTab != "" {
		return tabNamed(c.opts.Config.StartTab)
	}
	return startTab(c.opts.Role)
}

// open shows a person and fetches every section from every back end that knows them.
func (p *recordPage) open(m client.Match) tea.Cmd {
	p.close()
	p.reset()
	p.match = m
	p.setTab(p.c.firstTab())
	return p.fetch()
}

// fetch (re)loads the record; parts arrive as messages tagged with this generation.
func (p *recordPage) fetch() tea.Cmd {
	p.close()
	p.gen++
	gen := p.gen
	m := p.match
	// One request id for every back end request of this open, recorded with its audit event.
	requestID := client.NewRequestID()
	// Every section of the back ends that know the person, and of those still searching
	// (which may yet find them), is loading until its back end says otherwise.
	asked := make([]string, 0, len(m.Person.Sources))
	for _, src := range m.Person.Sources {
		asked = append(asked, src.Backend)
	}
	asked = append(asked, m.Pending()...)
	base := func() *record.Record {
		person := m.Person
		person.Sources = slices.Clip(person.Sources) // the record's own once it grows
		rec := &record.Record{Person: person, Discrepancies: m.Discrepancies, RequestID: requestID}
		for _, name := range asked {
			rec.SetBackend(record.BackendStatus{Name: name, Status: string(record.StateLoading)})
			for _, sec := range record.Sections() {
				rec.SetStatus(record.SectionStatus{Backend: name, Section: sec, State: record.StateLoading})
			}
		}
		return rec
	}
	// Parts merge as they come, into the record `get` builds from them in configuration
	// order (record.Arrivals): an item two back ends report is led by the first configured
	// whichever answered first.
	p.arr = record.NewArrivals(base, backendNames(p.c.opts.Federation))
	p.settled = time.Time{}
	rec := p.arr.Record()
	p.rec = rec
	p.opened = p.c.now()
	p.invalidate()
	ctx, cancel := context.WithCancel(p.childProtectionContext(client.WithRequestID(p.c.ctx, rec.RequestID)))
	p.cancel = cancel
	fed := p.c.opts.Federation
	pump := runPump(ctx, 64, func(send func(tea.Msg)) tea.Msg {
		fed.Open(ctx, m, record.Sections(),
			func(part record.Part) { send(partMsg{gen, part}) },
			func(st record.BackendStatus) { send(backendMsg{gen, st}) })
		return openDoneMsg{gen}
	}, func(msg tea.Msg, next tea.Cmd) tea.Msg { return fetchMsg{msg: msg, next: next} })
	p.spinning = true
	return tea.Batch(pump, p.spin.Tick)
}

// fetchMsg wraps a fetch message with the command that waits for the one after (nil after
// the last, openDoneMsg).
type fetchMsg struct {
	msg  tea.Msg
	next tea.Cmd
}

// close cancels a fetch in flight.
func (p *recordPage) close() {
	if p.cancel != nil {
		p.cancel()
		p.cancel = nil
	}
}

// shown is the record as the views may show it: restricted content not revealed is withheld.
func (p *recordPage) shown() *record.Record {
	if p.masked == nil && p.rec != nil {
		p.masked = p.rec.Masked(p.reveals.Has)
		p.facts = views.RecordFacts(p.masked)
	}
	return p.masked
}

// invalidate makes every pane rebuild its rows (new data or new vocabulary).
func (p *recordPage) invalidate() {
	p.masked = nil
	for _, pn := range p.panes {
		if pn != nil {
			pn.invalidate()
		}
	}
	if p.tl.pane != nil {
		p.tl.pane.invalidate()
	}
}

func (p *recordPage) pane() *tablePane {
	if pn := p.timelinePane(); pn != nil {
		return pn
	}
	return p.panes[p.active]
}

func (p *recordPage) keyContext() (keyContext, bool, bool) {
	if p.filtering {
		return ctxRecordFilter, false, false
	}
	return ctxRecord, p.pane() != nil, p.canCopy() // copy.go
}

func (p *recordPage) ensure(pn *tablePane) {
	if p.rec == nil {
		return
	}
	if pn == p.timeline() {
		p.ensureTimeline(pn)
		return
	}
	built := pn.built
	pn.ensure(p.shown(), p.c.v, p.dom, p.reveals.Has, p.c.now())
	if !built {
		p.selectCallFirst(pn) // timeline.go
	}
}

func (p *recordPage) loading() bool {
	if p.rec == nil {
		return false
	}
	for _, s := range p.rec.SectionStatus {
		if s.State == record.StateLoading {
			return true
		}
	}
	return false
}

func (p *recordPage) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case fetchMsg:
		return tea.Batch(p.update(msg.msg), msg.next) // next is nil after openDoneMsg
	case partMsg:
		if msg.gen != p.gen {
			return nil
		}
		p.mergePart(msg.part)
		return nil
	case backendMsg:
		if msg.gen != p.gen {
			return nil
		}
		return p.backend(msg.status)
	case openDoneMsg:
		if msg.gen != p.gen {
			return nil
		}
		p.apply(record.Last, failLoading)
		p.finish()
		p.invalidate()
		return p.fetched()
	case spinner.TickMsg:
		p.settle(false) // parts that came early, in place while the rest load
		if !p.loading() {
			p.spinning = false
			return nil
		}
		var next tea.Cmd
		if p.spin, next = p.spin.Update(msg); next == nil {
			return nil // another tick chain's: it ends here
		}
		// The next frame on the injected tick (the spinner's own is tea.Tick).
		spin := p.spin
		return p.c.tick(spin.Spinner.FPS, func(time.Time) tea.Msg { return spin.Tick() })
	case tea.KeyMsg:
		return p.key(msg)
	case tea.MouseMsg:
		return p.mouse(msg)
	}
	if p.filtering {
		return p.filterUpdate(msg)
	}
	return nil
}

// touch marks the panes whose sections a part brought.
func (p *recordPage) touch(part record.Part) {
	changed := map[record.Section]bool{}
	for _, s := range part.Status {
		changed[s.Section] = true
	}
	tmp := record.Record{Sections: part.Sections}
	for _, sec := range record.Sections() {
		if tmp.Count(sec) > 0 {
			changed[sec] = true
		}
	}
	for _, pn := range p.panes {
		if pn != nil && changed[pn.sec] {
			pn.invalidate()
		}
	}
	if p.tl.pane != nil {
		p.tl.pane.invalidate()
	}
}

// backend records a back end's overall status; when it failed, its sections still loading
// fail with its reason, so that each tab says why in place.
func (p *recordPage) backend(st record.BackendStatus) tea.Cmd {
	p.apply(p.rankOf(st.Name), func(r *record.Record) { backendOn(r, st) })
	p.masked = nil
	if st.Status != record.BackendFailed && st.Status != record.BackendNotQueried && st.Status != record.BackendNotKnown {
		return nil
	}
	p.invalidate()
	if st.Status != record.BackendFailed {
		return nil
	}
	// The reason is in place on every tab; the status bar says so for a while too. The log
	// gets the back end's name only: the reason may quote what the server said.
	p.c.log.Warn("back end failed", "backend", st.Name, "kind", st.Kind)
	text := st.Name + " " + views.BackendStatusText(st, p.c.v)
	return func() tea.Msg { return flashMsg{text: text, err: true} }
}

func (p *recordPage) key(msg tea.KeyMsg) tea.Cmd {
	k := p.c.keys
	if p.filtering {
		pn := p.pane()
		switch {
		case key.Matches(msg, k.Apply):
			p.filtering = false
			p.filterIn.Blur()
			return nil
		case key.Matches(msg, k.Cancel):
			p.filtering = false
			p.filterIn.Blur()
			p.filterIn.Reset()
			if pn != nil {
				pn.filter = ""
				pn.reorder(p.dom, pn.selectedIndex())
			}
			return nil
		}
		return p.filterUpdate(msg)
	}
	pn := p.pane()
	if pn != nil {
		p.ensure(pn)
	}
	switch {
	case key.Matches(msg, k.Tab):
		p.setTab(int(msg.String()[0] - '1'))
	case key.Matches(msg, k.NextTab):
		p.setTab((p.active + 1) % tabCount)
	case key.Matches(msg, k.PrevTab):
		p.setTab((p.active + tabCount - 1) % tabCount)
	case key.Matches(msg, k.Back):
		return func() tea.Msg { return backMsg{} }
	case key.Matches(msg, k.Reveal):
		return p.askReveal()
	case key.Matches(msg, k.ChildProtection):
		return p.askChildProtection()
	case key.Matches(msg, k.Refresh):
		return tea.Batch(p.fetch(), flash(p.c.v.Refreshing, false))
	case key.Matches(msg, k.Domain):
		p.dom = p.dom.next()
		for _, q := range append(p.panes, p.tl.pane) {
			if q != nil && q.built {
				q.reorder(p.dom, q.selectedIndex())
			}
		}
		return flash(fmt.Sprintf(p.c.v.Showing, p.dom.text(p.c.v)), false)
	case key.Matches(msg, k.Copy):
		return p.copyKey() // copy.go
	case key.Matches(msg, k.CopyChoose):
		chooser := newCopyChooser(p.c, p.copyChoices()) // built here: a command runs off the Update goroutine
		return func() tea.Msg { return pushMsg{chooser} }
	case key.Matches(msg, k.Handover):
		return p.handoverKey()
	case key.Matches(msg, k.Timeline):
		p.toggleTimeline()
	case key.Matches(msg, k.Read):
		p.read()
	case pn == nil:
		return nil
	case key.Matches(msg, k.Up):
		pn.move(-1)
	case key.Matches(msg, k.Down):
		pn.move(1)
	case key.Matches(msg, k.PageUp):
		pn.move(-visible(pn.lastHeight))
	case key.Matches(msg, k.PageDown):
		pn.move(visible(pn.lastHeight))
	case key.Matches(msg, k.Top):
		pn.top()
	case key.Matches(msg, k.Bottom):
		pn.bottom()
	case key.Matches(msg, k.Sort):
		pn.cycleSort(p.dom)
	case key.Matches(msg, k.Filter):
		p.filtering = true
		p.filterIn.SetValue(pn.filter)
		p.filterIn.CursorEnd()
		return p.filterIn.Focus()
	}
	return nil
}

func (p *recordPage) setTab(i int) {
	if i < 0 || i >= tabCount {
		return
	}
	p.active = i
	if sec := sectionOf(i); sec != "" && !p.viewed[sec] {
		p.shownSection(sec)
	}
}

func (p *recordPage) filterUpdate(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	p.filterIn, cmd = p.filterIn.Update(msg)
	if pn := p.pane(); pn != nil && pn.filter != p.filterIn.Value() {
		pn.filter = p.filterIn.Value()
		pn.reorder(p.dom, pn.selectedIndex())
	}
	return cmd
}

// tabBar is the eight tabs with counts; the active one is bracketed, not only coloured.
func (p *recordPage) tabBar(w int) string {
	v, st := p.c.v, p.c.st
	names := views.TabTitles(v)
	segs := make([]string, tabCount)
	for i := range tabCount {
		label := views.TabLabel(i+1, names[i], p.shown(), sectionOf(i), p.spin.View())
		if i == p.active {
			segs[i] = st.TabActive.Render("[" + label + "]")
		} else {
			segs[i] = st.TabInactive.Render(" " + label + " ")
		}
	}
	lines, zones := flowZones(segs, " ", w)
	p.zones.tabs = zones
	return strings.Join(lines, "\n")
}

// wideLayout is the width from which the details pane sits beside the table, not under it.
const wideLayout = 140

// SetSize is the room the page has: the whole width, the height above the footer.
func (p *recordPage) SetSize(w, h int) { p.w, p.h = w, h }

// Init starts nothing: the root starts searches and fetches as the user asks.
func (p *recordPage) Init() tea.Cmd { return nil }

// Update handles a message for the page.
func (p *recordPage) Update(msg tea.Msg) (tea.Model, tea.Cmd) { return p, p.update(msg) }

// View draws the page in its size.
func (p *recordPage) View() string { return p.view(p.w, p.h) }
