package tui

import (
	"github.com/shcr-project/shcr/record"
	"github.com/shcr-project/shcr/views"
)

// timelineView is the Encounters tab's other view (`t`): encounters, notes, care packages
// starting and ending and alerts from every back end in one list, newest first
// (views.Timeline), in a table pane of its own that the `d` filter, sort, filter and the
// copy keys work on as on any tab.
type timelineView struct {
	on      bool
	pane    *tablePane
	entries []views.TimelineEntry
}

// timelineShown reports whether the timeline is what the active tab shows.
func (p *recordPage) timelineShown() bool {
	return p.tl.on && sectionOf(p.active) == record.SectionEncounters
}

// timelinePane is the timeline's pane when it is shown, else nil.
func (p *recordPage) timelinePane() *tablePane {
	if !p.timelineShown() {
		return nil
	}
	if p.tl.pane == nil {
		p.tl.pane = newTablePane(record.SectionEncounters)
	}
	return p.tl.pane
}

// timeline is the timeline's pane (nil before it was first shown).
func (p *recordPage) timeline() *tablePane { return p.tl.pane }

// toggleTimeline is `t`: on any tab, the Encounters tab's timeline; on the timeline, the
// Encounters table again.
func (p *recordPage) toggleTimeline() {
	enc := 0
	for i := range tabCount {
		if sectionOf(i) == record.SectionEncounters {
			enc = i
		}
	}
	if p.timelineShown() {
		p.tl.on = false
		return
	}
	p.tl.on = true
	p.setTab(enc)
}

// ensureTimeline (re)builds the timeline's rows when stale, keeping the selected entry.
func (p *recordPage) ensureTimeline(pn *tablePane) {
	if pn.built || p.rec == nil {
		return
	}
	selected := -1
	if pn.moved {
		if i := pn.selectedIndex(); i >= 0 && i < len(p.tl.entries) {
			old := p.tl.entries[i]
			defer func() { p.reselectTimeline(pn, old) }()
		}
	}
	p.tl.entries, pn.table = views.Timeline(p.shown(), p.c.v, p.reveals.Has, p.c.now())
	if !pn.sortSet {
		pn.sortCol, pn.sortDesc = pn.table.DefaultSort, pn.table.DefaultDesc
	}
	pn.built = true
	pn.widths = nil
	pn.reorder(p.dom, selected)
}

// reselectTimeline selects the entry old was after the rows were rebuilt.
func (p *recordPage) reselectTimeline(pn *tablePane, old views.TimelineEntry) {
	for i, e := range p.tl.entries {
		if e == old {
			pn.reorder(p.dom, i)
			return
		}
	}
}

// timelineItem is the section and index of the item behind timeline entry i.
func (p *recordPage) timelineItem(i int) (record.Section, int) {
	if i < 0 || i >= len(p.tl.entries) {
		return "", -1
	}
	e := p.tl.entries[i]
	return e.Section, e.Index
}

// selectCallFirst selects the contact to call first (views.CallFirst) on the next of kin
// tab, unless the user has moved: the dispatcher's row, not only sorted to the top.
func (p *recordPage) selectCallFirst(pn *tablePane) {
	if pn.sec != record.SectionNextOfKin || pn.moved {
		return
	}
	if i := views.CallFirst(p.shown().Sections.NextOfKin, p.c.now(), p.reveals.Has); i >= 0 && i != pn.selectedIndex() {
		pn.reorder(p.dom, i)
	}
}
