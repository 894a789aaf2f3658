package fhir

import (
	"bytes"
	"unsafe"
)

// Decoding a page's Encounters before their items are built, their references read in
// the same pass. A section read page by page (client/backend_r4_stream.go) must know the
// references a page names that it does not hold (wantedRefs) before it maps the page, and
// found them with a scan of every entry's bytes (References), then decoded each Encounter
// again to map it. Decoding the page's Encounters first (Predecoder.Decode), the
// hand-written reader hands over the references it meets as it reads (ReferencesOf), and
// the mapping only builds the items (mapper.encounter): the bytes are read once.
//
// Only the hand-written reader's answer is taken: an Encounter it gives up on is decoded
// by the mapping as before, with its warnings, and its references are scanned as before.
// So the items are the same (TestPredecodedMapsTheSame), and so are the references
// (TestReferencesOfAgreesWithReferences, FuzzReferencesOf).

// predecoded is one Encounter decoded before its item is built: what mapper.encounter
// reads into its scratch, and the references met.
type predecoded struct {
	enc     encounterRes
	own     ownFacts
	ownRead bool // own was read with enc (decodeEncounterOwnFast), else read by itemOwn
	// raw is the first byte of the resource decoded: a resource whose Raw is not the same
	// bytes is not taken for it (a copy of a Resource outliving its page).
	raw *byte
	// refs are the references the reference scan finds, as it finds them (before its
	// trimming and filtering), when refsKnown (ReferencesOf).
	refs      []string
	refsKnown bool
	// subject is Subject's answer (subjectOK its ok), read with the Encounter, when
	// subjectKnown (subjectRead).
	subject                 Reference
	subjectOK, subjectKnown bool
}

// predecodeChunk is how many Encounters one slab of storage holds; predecodeMax is how
// many of one page are decoded first at most (the rest as they are mapped, their
// references scanned), so that a back end holds at most predecodeMax decoded Encounters
// (~700 KB) whatever its pages' size.
const (
	predecodeChunk = 64
	predecodeMax   = 1024
)

// Predecoder decodes the Encounters of one section's pages before they are mapped. Its
// storage is the next page's: a page's decoded Encounters are good until Decode is called
// for the next. Not safe for concurrent use.
type Predecoder struct {
	chunks [][]predecoded // reused page after page
	// f is the reader of the Encounters, the Predecoder's own: its strings read lately
	// (codes, statuses, references) are the Encounters', not those of the page's scan
	// (ids, full URLs) on the same goroutine, which a pooled reader shares.
	f    *fastReader
	page []Resource
	next int // the next entry of page to look at
	used int // the entries decoded into the chunks
}

// Decode decodes page's Encounter matches (at most predecodeMax), each entry given its
// decoded value (the page's entries are changed), and returns how many it decoded. Copies
// of the entries made afterwards share it (a filtered page: client's aboutPersonOnly takes
// whom each is about from it, Subject); entries a filter drops keep their storage until
// Release, like the others.
func (d *Predecoder) Decode(page []Resource) int {
	d.Release() // every slot clean (next1 does not clear one again)
	d.page, d.next = page, 0
	for d.next1() {
	}
	d.page = nil
	return d.used
}

// Release forgets the decoded Encounters (after the page is mapped), keeping the storage:
// what they point to (strings) is not kept alive until the next page, and the reader's
// slabs (their identifiers, codings, references…) are zeroed and used again for the next
// page's (nothing the mapping keeps points into them: it copies strings out of them).
// It leaves every slot clean (zero but for its emptied list of references), as next1
// takes them.
func (d *Predecoder) Release() {
	for i := range d.used {
		p := &d.chunks[i/predecodeChunk][i%predecodeChunk]
		refs := p.refs[:cap(p.refs)]
		clear(refs)
		*p = predecoded{refs: refs[:0]}
	}
	d.used = 0
	if d.f != nil {
		d.f.rewindSlabs()
	}
}

// next1 decodes the page's next Encounter match; false when there is none left (or
// predecodeMax are decoded).
func (d *Predecoder) next1() bool {
	for d.next < len(d.page) && d.used < predecodeMax {
		r := &d.page[d.next]
		d.next++
		if r.Type != "Encounter" || r.Mode == "include" || r.Mode == "outcome" || len(r.Raw) == 0 {
			continue
		}
		p := d.slot() // clean (Release, or cleared below when a reader gave up)
		switch {
		case d.read(r, p):
			p.ownRead = true
		default:
			p.enc, p.own, p.refsKnown = encounterRes{}, ownFacts{}, false
			if !decodeEncounterFastID(r.Raw, r.ID, &p.enc) {
				*p = predecoded{refs: p.refs[:0]} // clean for the next (the slot is reused)
				continue                          // the mapping decodes it the generic way
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
	c := d.used / predecodeChunk
	if c == len(d.chunks) {
		d.chunks = append(d.chunks, make([]predecoded, predecodeChunk))
	}
	return &d.chunks[c][d.used%predecodeChunk]
}

// read decodes r into p with its references (decodeEncounterOwnFastRefs).
func (d *Predecoder) read(r *Resource, p *predecoded) bool {
	if d.f == nil {
		d.f = new(fastReader)
		d.f.keepSlabs()
	}
	f := d.f
	f.data, f.pos = r.Raw, 0
	var subj subjectRead
	ok, all := readEncounterOwnRefs(f, r.ID, &p.enc, &p.own, &p.refs, &subj)
	f.data, f.named, f.refsBad = nil, nil, false
	p.refsKnown = all && !hasUnicodeEscape(r.Raw)
	if ok {
		p.subject, p.subjectOK, p.subjectKnown = subj.result()
	}
	return ok
}

// hasUnicodeEscape reports whether raw holds the bytes \u (a backslash is rare: looked for
// first). The reader gives up on, or tells (refsBad), any member name with an escape;
// this is a second guard: the reference scan reads escaped names as their letters, so a
// "reference" may hide in one.
func hasUnicodeEscape(raw []byte) bool {
	return bytes.IndexByte(raw, '\\') >= 0 && bytes.Contains(raw, []byte(`\u`))
}

// predecodedFor is r's Encounter decoded first, nil when it was not (or r's bytes are not
// those it was decoded from).
func predecodedFor(r Resource) *predecoded {
	if p := r.pre; p != nil && len(r.Raw) > 0 && p.raw == unsafe.SliceData(r.Raw) {
		return p
	}
	return nil
}

// ReferencesOf is References(r.Raw, base), from the Encounter decoded first when its
// references were met as it was read (its bytes are not scanned again).
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

// AppendReferencesOf is ReferencesOf appended to dst (dst's own contents are not looked
// at): a caller reusing one list resource after resource allocates none for those read
// with their Encounter.
func AppendReferencesOf(dst []string, r Resource, base string) []string {
	p := predecodedFor(r)
	if p == nil || !p.refsKnown {
		return append(dst, References(r.Raw, base)...)
	}
	s := refScanner{base: base, out: dst, from: len(dst)}
	for _, ref := range p.refs {
		s.found(ref)
	}
	return s.out
}
