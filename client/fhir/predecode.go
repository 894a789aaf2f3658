package fhir

import (
	"bytes"
	"unsafe"
)

// Decoding a page's Encounters ahead of their mapping. A section read page by page runs in
// two goroutines: the search (read a page, find the references it names) and the mapping
// (decode each resource, build its item). The mapping is the slower; the search, done with
// a page, would wait for the mapping to take it. While it waits it decodes the page's
// Encounters instead (Predecoder.Next), one at a time, each into storage of its own, and
// the mapping then only builds their items (mapper.encounter). Only the hand-written
// readers' answer is taken ahead: an Encounter they give up on is decoded by the mapping,
// as before, with its warnings. So the items are the same whoever decoded
// (TestPredecodedMapsTheSame).

// predecoded is one Encounter read ahead: what mapper.encounter reads into its scratch.
type predecoded struct {
	enc     encounterRes
	own     ownFacts
	ownRead bool // own was read with enc (decodeEncounterOwnFast), else read by itemOwn
	// raw is the first byte of the resource decoded: a resource whose Raw is not the same
	// bytes is not taken for it (a copy of a Resource outliving its page).
	raw *byte
	// refs are the "reference" members of the References read, as the objects end, and
	// refsKnown says they are every "reference" member of the resource (ReferencesOf).
	refs      []string
	refsKnown bool
}

// predecodeChunk is how many Encounters one slab of storage holds; predecodeMax is how
// many of one page are decoded ahead at most (the mapping decodes the rest), so that a
// back end holds at most 2*predecodeMax decoded Encounters (~700 KB) whatever its pages.
const (
	predecodeChunk = 64
	predecodeMax   = 1024
)

// Predecoder decodes the Encounters of one section's pages ahead of their mapping. Its
// storage is reused every other page: Begin must not be called for page n+2 before page n
// is mapped. A search handing pages one at a time over an unbuffered channel to one mapping
// goroutine keeps that: it begins page n+2 only after the mapping took page n+1, which it
// takes after mapping page n. Not safe for concurrent use; the page must reach the mapping
// after the decode (a channel send orders them).
type Predecoder struct {
	slabs [2][][]predecoded // chunks, per page parity, reused
	pages int
	page  []Resource
	next  int // the next entry of page to look at
	used  int // the entries decoded into this page's chunks
}

// Begin starts on a page (its entries are given the decoded values: the page is changed).
func (d *Predecoder) Begin(page []Resource) {
	d.page, d.next, d.used = page, 0, 0
	d.pages++
}

// Next decodes the page's next Encounter match not yet decoded; false when there is none
// left (or predecodeMax are), so that the caller waits instead.
func (d *Predecoder) Next() bool {
	for d.next < len(d.page) {
		if d.used >= predecodeMax {
			d.next = len(d.page)
			return false
		}
		r := &d.page[d.next]
		d.next++
		if r.Type != "Encounter" || r.Mode == "include" || r.Mode == "outcome" || len(r.Raw) == 0 {
			continue
		}
		p := d.slot()
		*p = predecoded{refs: p.refs[:0]} // the slot's list reused
		switch {
		case decodeEncounterOwnFastRefs(r.Raw, r.ID, &p.enc, &p.own, &p.refs):
			p.ownRead = true
			p.refsKnown = everyReference(r.Raw, len(p.refs))
		default:
			p.enc, p.own = encounterRes{}, ownFacts{}
			if !decodeEncounterFastID(r.Raw, r.ID, &p.enc) {
				continue // the mapping decodes it the generic way (the slot is reused)
			}
		}
		p.raw = unsafe.SliceData(r.Raw)
		r.pre = p
		d.used++
		return true
	}
	return false
}

// slot is the storage for the next Encounter of the page (d.used is its index).
func (d *Predecoder) slot() *predecoded {
	chunks := &d.slabs[d.pages%2]
	c := d.used / predecodeChunk
	if c == len(*chunks) {
		*chunks = append(*chunks, make([]predecoded, predecodeChunk))
	}
	return &(*chunks)[c][d.used%predecodeChunk]
}

// predecodedFor is r's Encounter decoded ahead, nil when it was not (or r's bytes are not
// those it was decoded from).
func predecodedFor(r Resource) *predecoded {
	if p := r.pre; p != nil && len(r.Raw) > 0 && p.raw == unsafe.SliceData(r.Raw) {
		return p
	}
	return nil
}

var (
	quotedReference = []byte(`"reference"`)
	unicodeEscape   = []byte(`\u`)
)

// everyReference reports whether a resource the hand-written reader read whole, n of whose
// members named "reference" it read, has no other: the reader takes plain member names
// only, and skips (unread) what it does not know, so a "reference" member it did not read
// is either in what it skipped, where its name is in raw as those bytes, or has a name
// with a \u escape (the reference scan unescapes names): neither may be there.
func everyReference(raw []byte, n int) bool {
	return bytes.Count(raw, quotedReference) == n && !bytes.Contains(raw, unicodeEscape)
}

// ReferencesOf is References(r.Raw, base), from the Encounter decoded ahead when its
// references were read with it (no second scan of its bytes).
func ReferencesOf(r Resource, base string) []string {
	p := predecodedFor(r)
	if p == nil || !p.refsKnown {
		return References(r.Raw, base)
	}
	s := refScanner{base: base}
	for _, ref := range p.refs {
		s.found(ref)
	}
	return s.out
}
