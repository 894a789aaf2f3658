package tui

import (
	"time"

	"github.com/shcr-project/shcr/client"
	"github.com/shcr-project/shcr/record"
)

// The record page's parts go through record.Arrivals: each is shown as soon as it comes,
// and the record is the one `shcr get` builds from the same parts in configuration order,
// whichever back end answered first. Changes that are not parts (a back end's overall
// status, the end of the open) go through it too, so that a record built again keeps them.

// backendNames are the configured back ends' names, in configuration order.
func backendNames(fed *client.Federation) []string {
	if fed == nil {
		return nil
	}
	return fed.Names()
}

// mergePart folds a back end's part into the record and marks what changed: every pane
// when the record was built again in configuration order, else the part's sections.
func (p *recordPage) mergePart(part record.Part) {
	p.masked = nil
	if p.arr == nil { // a record set directly (tests): merged as it comes
		p.rec.Merge(part)
		p.touch(part)
		return
	}
	p.arr.Part(part)
	if !p.settle(false) {
		p.touch(part)
	}
}

// settleEvery is how often, at most, a small record is built again in configuration order
// while parts keep coming early (record.Arrivals): each time costs up to about ten
// milliseconds, so the open's parts are never held back by it.
const settleEvery = 250 * time.Millisecond

// settle builds the record again in configuration order if a part came early, the record
// is small and settleEvery has passed since the last time (at once when now). It reports
// whether it did, every pane then invalidated.
func (p *recordPage) settle(now bool) bool {
	if p.arr == nil || !p.arr.Stale() || !p.arr.Small() {
		return false
	}
	t := p.c.now()
	if !now && !p.settled.IsZero() && t.Sub(p.settled) < settleEvery {
		return false
	}
	p.settled = t
	p.keepingSelection(p.arr.Settle)
	p.invalidate()
	return true
}

// keepingSelection runs build, which may build the record again in another order, keeping
// the item selected in each section's table selected wherever it now stands (by its key):
// the row under the cursor never turns into another item — a contact's number read out
// is the contact's.
func (p *recordPage) keepingSelection(build func() bool) {
	type selected struct {
		pn  *tablePane
		key string
	}
	var keep []selected
	for _, pn := range p.panes {
		if pn == nil || !pn.moved {
			continue
		}
		if it := p.rec.Sections.Item(pn.sec, pn.itemIndex()); it != nil && it.Key != "" {
			keep = append(keep, selected{pn, it.Key})
		}
	}
	// The timeline's selected entry names its item by section and place: the place is moved
	// with the item.
	tlAt, tlKey := -1, ""
	if tp := p.tl.pane; tp != nil && tp.moved {
		if i := tp.selectedIndex(); i >= 0 && i < len(p.tl.entries) {
			e := p.tl.entries[i]
			if it := p.rec.Sections.Item(e.Section, e.Index); it != nil && it.Key != "" {
				tlAt, tlKey = i, it.Key
			}
		}
	}
	if !build() {
		return
	}
	if tlAt >= 0 {
		e := &p.tl.entries[tlAt]
		if i := itemWithKey(p.rec, e.Section, tlKey); i >= 0 {
			e.Index = i
		}
		p.tl.pane.invalidate()
	}
	for _, k := range keep {
		if i := itemWithKey(p.rec, k.pn.sec, k.key); i >= 0 {
			k.pn.rebuiltAt = i + 1
		}
		k.pn.invalidate()
	}
}

// itemWithKey is the index in rec of section sec's item keyed key, -1 when none is.
func itemWithKey(rec *record.Record, sec record.Section, key string) int {
	for i := 0; ; i++ {
		it := rec.Sections.Item(sec, i)
		if it == nil {
			return -1
		}
		if it.Key == key {
			return i
		}
	}
}

// rankOf is a back end's place in the configuration (record.Arrivals.RankOf).
func (p *recordPage) rankOf(backend string) int {
	if p.arr == nil {
		return 0
	}
	return p.arr.RankOf(backend)
}

// apply makes a change to the record that is not a part, for the back end ranked rank.
func (p *recordPage) apply(rank int, do func(*record.Record)) {
	if p.arr == nil {
		do(p.rec)
		return
	}
	p.arr.Apply(rank, do)
}

// finish settles the record once the open is done (record.Arrivals.Finish).
func (p *recordPage) finish() {
	if p.arr != nil {
		p.keepingSelection(p.arr.Finish)
	}
}

// backendOn records a back end's overall status in r; when it failed (or was not asked, or
// does not know the person), its sections still loading say so, so that each tab says why
// in place.
func backendOn(r *record.Record, st record.BackendStatus) {
	r.SetBackend(st)
	if st.Status != record.BackendFailed && st.Status != record.BackendNotQueried && st.Status != record.BackendNotKnown {
		return
	}
	for i, s := range r.SectionStatus {
		if s.Backend != st.Name || s.State != record.StateLoading {
			continue
		}
		ss := &r.SectionStatus[i]
		switch st.Status {
		case record.BackendFailed:
			ss.State, ss.Error, ss.HTTPStatus = record.StateFailed, st.Error, st.HTTPStatus
		case record.BackendNotQueried:
			ss.State, ss.Error = record.StateNotQueried, st.Error
		default:
			ss.State = record.StateNotKnown
		}
	}
}

// failLoading ends the open: a back end that said nothing about a section was not checked
// for it, never read as "none" (nor as "not served there").
func failLoading(r *record.Record) {
	for i, s := range r.SectionStatus {
		if s.State == record.StateLoading {
			r.SectionStatus[i].State = record.StateFailed
		}
	}
}
