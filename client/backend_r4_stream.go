package client

// Reading a big section page by page: each page is mapped into record items as soon as it
// is read (while the next page is fetched) and then dropped, so that a 50,000-encounter
// record holds its items, not its pages; the first page is shown at once.

import (
	"context"
	"net/url"

	"github.com/shcr-project/shcr/client/fhir"
	"github.com/shcr-project/shcr/record"
)

// streamable reports whether a section is read page by page: its items map each on their
// own (fhir.PageLocal), it is one search, asked under one Patient id, and it needs nothing
// from the Patient resource but its references. Other sections are read whole, then
// mapped (they are small, or their items combine resources across searches).
func streamable(sec record.Section, ids []string) bool {
	return len(ids) == 1 && fhir.PageLocal(sec) && len(fhir.SectionQueries(sec)) == 1 && !fhir.SectionUsesPatient(sec)
}

// flushItems is how many mapped items (at least) a section read page by page holds before
// it emits them (the section still loading): the record then holds them, merged, and fifty
// back ends reading 5,000 encounters each do not each hold theirs until their last page.
const flushItems = 500

// flushMost is the most items (a page more at most) it holds: past 8 × flushMost shown
// (32,768), an eighth of what is shown would make every part's list bigger than the last,
// none of them one that was used before (record.EncounterList), 16 MB of lists made over
// 50,000 encounters instead of two or three.
const flushMost = 4096

// flushAt is how many items held make a part, shown already shown.
func flushAt(shown int) int { return min(max(flushItems, shown/8), flushMost) }

// streamPage is one page handed from the search to the mapping: its entries, and the
// _include values the page was asked with (wantedRefs); reset: the pages so far are void
// (the search is being asked again with less).
type streamPage struct {
	entries  []fhir.Resource
	included []string
	more     bool
	total    int
	reset    bool
	body     fhir.Body // the buffer entries were read from: handed back once mapped
}

// recycleBody hands a mapped page's buffer back (fhir.RecycleBody); a test counts it.
var recycleBody = fhir.RecycleBody

// streamSection reads a streamable section: the search runs in its own goroutine, handing
// pages over one at a time with who each entry is about; each page's Encounters are
// decoded, the references they name found as they are read, and the page mapped (its
// references resolved from earlier pages' includes, or read) and dropped.
// When more pages follow the first, the first page's items are emitted at once with the
// section still loading, then every flushItems items or more; the rest, with the section's
// one final state, when the last page is in. The items, states, warnings and notices are
// those sectionPart gives for the whole section.
func (b *fhirBackend) streamSection(ctx context.Context, caps *capabilities, refs *refCache, sec record.Section, ids []string,
	waitPatients func() patients, nhs string, emit func(record.Part)) {
	q := fhir.SectionQueries(sec)[0]
	params := b.queryParams(caps, q, ids[0])
	pages := make(chan streamPage) // one page mapped while the next is read (and no more)
	var (
		res  searchResult
		used url.Values
		err  error
	)
	go func() {
		defer close(pages)
		included := params["_include"] // what each page brings with it
		res, used, err = b.runQuery(ctx, sec, q, params,
			func(page []fhir.Resource, more bool, total int, body fhir.Body) {
				// Who each entry is about is read once the page's Encounters are decoded,
				// with them (the mapping's).
				pages <- streamPage{entries: page, included: included, more: more, total: total, body: body}
			},
			func(now url.Values) {
				included = now["_include"]
				pages <- streamPage{reset: true}
			})
	}()
	// The search goroutine never waits on a mapping that has stopped (a panic is
	// recovered by the caller): what is left is drained.
	defer func() {
		for range pages {
		}
	}()

	// The Patient is in every page's mapping (a reference to the person resolves to it)
	// and says who the person is on this back end: the search goes on meanwhile.
	p := waitPatients()
	var patient *fhir.Resource
	if len(p.resources) > 0 {
		patient = &p.resources[0]
	}
	var (
		pre     fhir.Predecoder
		pm      = fhir.NewPageMapper(sec, patient, b.src)
		data    record.SectionsData
		dropped int
		reads   int // references wanted so far: maxReads for the whole section
		shown   int // items already emitted, the section loading
	)
	for pg := range pages {
		if pg.reset {
			// Asked again: what was mapped is void, and the count starts again. Items
			// already shown come again under the same keys and fold into themselves.
			pm, data, dropped, reads, shown = fhir.NewPageMapper(sec, patient, b.src), record.SectionsData{}, 0, 0, 0
			continue
		}
		// The page's Encounters decoded first, the references they name and whom each is
		// about met as they are read (wantedRefs and the filter then scan no bytes for
		// them); Map then only builds the items. Those about someone else are decoded too
		// (rarely any), then dropped.
		total := min(pg.total, b.cfg.MaxEntries) // what the server counts, within max_entries
		if pg.more {
			// What the first page says the section holds (a section of one page, whatever
			// its total says, needs no more room than it has).
			pm.Reserve(total)
		}
		pre.Decode(pg.entries)
		var d int
		pg.entries, d = b.aboutPersonOnly(pg.entries, p.ids, nhs)
		dropped += d
		refs.known(pg.entries)
		pgWant := b.wantedRefs(pg.entries, pg.included)
		var extra []fhir.Resource
		if want := pgWant[:min(len(pgWant), maxReads-reads)]; ctx.Err() == nil && len(want) > 0 {
			extra = b.readWanted(ctx, refs, want)
			reads += len(want)
		}
		pm.MapAppend(&data, pg.entries, extra, func(n int) int { return heldRoom(n, shown, total, pg.more) })
		pre.Release()
		// Nothing mapped holds the page's bytes (the included resources kept are copies,
		// refs.known): the next page is read into its buffer.
		recycleBody(pg.body)
		if n := (&record.Record{Sections: data}).Count(sec); pg.more && n > 0 && (shown == 0 || n >= flushAt(shown)) {
			// Shown now, the section still loading: the first page at once, then every
			// flushItems items or an eighth of what is shown (at most flushMost), so that a
			// back end holds little unmerged and a big section is merged in a few parts,
			// in lists used again. Total (what the
			// server counts, within max_entries) lets the record size its list once.
			emit(record.Part{Backend: b.cfg.Name, Sections: data, Status: []record.SectionStatus{
				{Backend: b.cfg.Name, Section: sec, State: record.StateLoading, Count: shown + n, Total: total}}})
			shown += n
			data = record.SectionsData{}
		}
	}
	out := sectionResult{asked: 1}
	res.entries = nil
	b.foldQuery(&out, sec, q, res, used, err)
	warnings := pm.Warnings()
	if len(p.ids) > len(ids) {
		// Linked records, found once the Patients were read: asked now, mapped with the rest.
		more := b.fetchSection(ctx, caps, refs, sec, p.ids[len(ids):])
		kept, d := b.aboutPersonOnly(more.resources, p.ids, nhs)
		dropped += d
		fhir.AppendData(&data, pm.Map(kept, nil), 0)
		warnings = pm.Warnings()
		more.resources = nil
		out.add(more)
	}
	emit(b.finishPart(ctx, sec, out, p, data, warnings, dropped, shown))
}

// heldRoom is the room to make for the items held before the next emit when page's are the
// first held (AppendData's hint): none when the page is emitted on its own (its list is
// taken as it is), else enough for the pages held together (flushAt, and a page beyond), so
// that their list is made once instead of grown page after page. In a section whose total
// (what the server counts) reaches flushAt's most, it is the most pages held together
// (flushMost, and a page): the list the last part had is then big enough for the next
// (record.EncounterList), not one list bigger than the last per part; a smaller section
// (fifty back ends' of a few thousand each, in small pages) holds no more room than it needs.
func heldRoom(n, shown, total int, more bool) int {
	want := flushAt(shown)
	switch {
	case !more || shown == 0 || n >= want:
		return 0
	case total >= 8*flushMost:
		return flushMost + n
	}
	return want + n
}
