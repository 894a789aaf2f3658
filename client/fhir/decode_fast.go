package fhir

import (
	"sync"

	"github.com/go-json-experiment/json/jsontext"
)

// Hand-written readers for the hottest shapes: an Encounter (a big record holds tens of
// thousands) and the members an item's own facts are read from. They scan the resource's
// bytes straight into the typed structs, with no reflection and no token machinery, and
// read only the plain, common form of each element: whatever they are not sure to read
// exactly as the generic decode (decodeAs, unmarshal) reads it — a member name with
// escapes, non-ASCII bytes or another case, a member given twice, a string with bad UTF-8
// or a lone surrogate, a value of an unexpected kind, an extension with a boolean, number,
// Quantity or Timing value, contained resources, anything not well-formed — makes them
// give up (false), and the caller decodes the resource again the generic way. So they
// decide nothing: TestFastDecodeAgreesWithGenericDecode (the published corpus) and
// FuzzFastEncounter hold them to the generic decode's and encoding/json's answer on every
// input they accept.

type fastReader struct {
	data []byte
	pos  int
	// strs keeps the short strings read lately, so that the same code, status or
	// reference read again is not allocated again (the generic decode keeps such a cache
	// per decoder too).
	strs [256]string
	// refs and periods are slabs the pointers read hand out (one allocation for many).
	refs    slab[Reference]
	periods slab[Period]
	depth   int // extensions within extensions
	// named, when not nil, gets every Reference's "reference" member read, in the order
	// the reference scan (References) finds them: as their objects end.
	named *[]string
	// refsBad: a "reference" member named was not read as the reference scan reads it (a
	// name with an escape, a reference in an object not a Reference): named is not all.
	refsBad bool
	// slabs of the arrays (of one, mostly) an encounter carries
	concepts slab[CodeableConcept]
	codings  slab[Coding]
	parts    slab[encounterPart]
	locs     slab[encounterLocation]
	idents   slab[Identifier]
	classes  slab[classCoding]
	strings  slab[string]
	// text is a slab the strings made are copied into (one allocation for many); ids and
	// urls those of the bundle scan's entries (apart: an entry's id may be kept longer
	// than its full URL, and a slab lives as long as any string in it).
	text, ids, urls []byte
}

// keepSlabs makes the reader keep the arrays its slabs hand values out of, for
// rewindSlabs: only for a reader whose values all die together (Predecoder).
func (f *fastReader) keepSlabs() {
	f.refs.keep, f.periods.keep, f.concepts.keep, f.codings.keep = true, true, true, true
	f.parts.keep, f.locs.keep, f.idents.keep, f.classes.keep, f.strings.keep = true, true, true, true, true
}

// rewindSlabs zeroes the values the reader's slabs handed out and hands the same arrays
// out again: nothing may hold any of those values any more.
func (f *fastReader) rewindSlabs() {
	f.refs.rewind()
	f.periods.rewind()
	f.concepts.rewind()
	f.codings.rewind()
	f.parts.rewind()
	f.locs.rewind()
	f.idents.rewind()
	f.classes.rewind()
	f.strings.rewind()
}

// The reader is a strict scanner of RFC 8259 JSON over bytes in memory: anything it does
// not take for well-formed (a control byte in a string, a bad escape, a number or literal
// out of the grammar, a missing or extra separator, nesting deeper than maxFastDepth)
// makes it give up like anything else it does not read.
const maxFastDepth = 512

var fastReaderPool = sync.Pool{New: func() any { return new(fastReader) }}

// getFastReader is a pooled reader over data; putFastReader gives it back.
func getFastReader(data []byte) *fastReader {
	f := fastReaderPool.Get().(*fastReader)
	f.data, f.pos = data, 0
	return f
}

func putFastReader(f *fastReader) {
	f.data, f.named, f.refsBad = nil, nil, false
	fastReaderPool.Put(f)
}

// peek returns the next byte that is not white space (0 at the end).
func (f *fastReader) peek() byte {
	if f.pos < len(f.data) && f.data[f.pos] > ' ' {
		return f.data[f.pos] // no white space (the common case: compact JSON)
	}
	for f.pos < len(f.data) {
		switch c := f.data[f.pos]; c {
		case ' ', '\t', '\r', '\n':
			f.pos++
		default:
			return c
		}
	}
	return 0
}

// eat consumes c, the next byte that is not white space.
func (f *fastReader) eat(c byte) bool {
	if f.peek() != c {
		return false
	}
	f.pos++
	return true
}

// atEnd reports whether nothing but white space is left.
func (f *fastReader) atEnd() bool { return f.peek() == 0 && f.pos == len(f.data) }

func (f *fastReader) open() bool { return f.eat('{') }

// more reports whether another member follows (reading the comma before it); false at
// the '}' that close reads. A broken input shows as a name that cannot be read.
func (f *fastReader) more(first *bool) bool {
	if d, i := f.data, f.pos; i < len(d) { // compact JSON: the comma or brace at once
		switch c := d[i]; {
		case c == '}':
			return false
		case c == ',' && !*first:
			f.pos++
			return true
		case *first && c > ' ':
			*first = false
			return true
		}
	}
	if f.peek() == '}' {
		return false
	}
	if !*first && !f.eat(',') {
		f.pos = len(f.data) + 1 // broken: the name read next fails
		return true
	}
	*first = false
	return true
}

func (f *fastReader) close() bool { return f.eat('}') }

// object reads one object of the plain form. member reads the value of each member whose
// name it knows (ok false: not the plain form, the generic decode reads it); a name it does
// not know (known false) is left to other, with fields the type's member names. A repeated
// member is member's to refuse (once).
func (f *fastReader) object(fields []string, member func(name []byte) (known, ok bool)) bool {
	if !f.open() {
		return false
	}
	for first := true; f.more(&first); {
		name, ok := f.name()
		if !ok {
			return false
		}
		known, ok := member(name)
		if !known {
			if f.named != nil && string(name) == "reference" {
				f.refsBad = true // a "reference" member of an object not a Reference
			}
			ok = f.other(name, fields)
		}
		if !ok {
			return false
		}
	}
	return f.close()
}

// name reads a member name and its colon, the name without its quotes; false for
// escapes or non-ASCII bytes (encoding/json matches those with Unicode case folding).
func (f *fastReader) name() ([]byte, bool) {
	d, i := f.data, f.pos
	if i >= len(d) || d[i] != '"' { // not at once (compact JSON): after white space
		if f.peek() != '"' {
			return nil, false
		}
		i = f.pos
	}
	end, plain, ok := stringEnd(d, i)
	if !ok || !plain {
		return nil, false
	}
	if f.pos = end; end < len(d) && d[end] == ':' {
		f.pos++
	} else if !f.eat(':') {
		return nil, false
	}
	return d[i+1 : end-1], true
}

// once marks a field read; false when it was read before (repeated members merge in the
// generic decode: left to it).
func once(seen *uint32, bit uint32) bool {
	if *seen&bit != 0 {
		return false
	}
	*seen |= bit
	return true
}

// other skips the value of a member no field takes; false when the name matches one of
// fields but for case (the generic decode would take it).
func (f *fastReader) other(name []byte, fields []string) bool {
	for _, k := range fields {
		if equalFoldASCII(name, k) {
			return false
		}
	}
	return f.skip(0)
}

// literal consumes word (true, false, null) at f.pos.
func (f *fastReader) literal(word string) bool {
	if len(f.data)-f.pos < len(word) || string(f.data[f.pos:f.pos+len(word)]) != word {
		return false
	}
	f.pos += len(word)
	return true
}

// null reads a null if one comes next.
func (f *fastReader) null() bool { return f.peek() == 'n' && f.literal("null") }

// number consumes a JSON number at f.pos.
func (f *fastReader) number() bool {
	end, ok := numberEnd(f.data, f.pos)
	if ok {
		f.pos = end
	}
	return ok
}

// numberEnd is where the JSON number at d[i:] ends,
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?; ok false when none is there. Both hand
// scanners (this reader and the reference scanner) read numbers with it.
func numberEnd(d []byte, i int) (end int, ok bool) {
	digits := func() bool {
		j := i
		for i < len(d) && '0' <= d[i] && d[i] <= '9' {
			i++
		}
		return i > j
	}
	if i < len(d) && d[i] == '-' {
		i++
	}
	switch {
	case i < len(d) && d[i] == '0':
		i++
	case !digits():
		return 0, false
	}
	if i < len(d) && d[i] == '.' {
		i++
		if !digits() {
			return 0, false
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		if !digits() {
			return 0, false
		}
	}
	return i, true
}

// skip consumes one value of any kind, checking its form.
func (f *fastReader) skip(depth int) bool {
	if depth > maxFastDepth {
		return false
	}
	switch f.peek() {
	case '"':
		_, _, ok := f.scanString()
		return ok
	case '{':
		if f.named != nil {
			return f.skipObjectRefs(depth)
		}
		f.pos++
		for first := true; f.peek() != '}'; first = false {
			if !first && !f.eat(',') {
				return false
			}
			if f.peek() != '"' {
				return false
			}
			if _, _, ok := f.scanString(); !ok || !f.eat(':') || !f.skip(depth+1) {
				return false
			}
		}
		f.pos++
		return true
	case '[':
		f.pos++
		for first := true; f.peek() != ']'; first = false {
			if !first && !f.eat(',') {
				return false
			}
			if !f.skip(depth + 1) {
				return false
			}
		}
		f.pos++
		return true
	case 't':
		return f.literal("true")
	case 'f':
		return f.literal("false")
	case 'n':
		return f.literal("null")
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return f.number()
	}
	return false
}

// skipObjectRefs is skip of an object, finding its references as the reference scan
// does (refScanner.object): its last "reference" member, when a string (another primitive
// clears it, an object or array leaves it), is named when the object ends; a member name
// with an escape (the scan unescapes names) makes what is named not all (refsBad).
func (f *fastReader) skipObjectRefs(depth int) bool {
	f.pos++ // {
	var ref string
	hasRef := false
	for first := true; f.peek() != '}'; first = false {
		if !first && !f.eat(',') {
			return false
		}
		if f.peek() != '"' {
			return false
		}
		q, plain, ok := f.scanString()
		if !ok || !f.eat(':') {
			return false
		}
		if !plain {
			f.refsBad = true
		}
		if plain && string(q) == `"reference"` {
			switch f.peek() {
			case '{', '[':
			case '"':
				v, vplain, ok := f.scanString()
				if !ok {
					return false
				}
				if vplain {
					ref, hasRef = string(v[1:len(v)-1]), true
				} else if b, err := jsontext.AppendUnquote(nil, v); err == nil {
					ref, hasRef = string(b), true
				} else {
					f.refsBad = true
				}
				continue
			default:
				hasRef = false
			}
		}
		if !f.skip(depth + 1) {
			return false
		}
	}
	f.pos++
	if hasRef {
		*f.named = append(*f.named, ref)
	}
	return true
}

// openArray starts an array: null (read: null true) or its '[' (taken); ok is false for
// anything else.
func (f *fastReader) openArray() (null, ok bool) {
	switch f.peek() {
	case 'n':
		return true, f.literal("null")
	case '[':
		f.pos++
		return false, true
	}
	return false, false
}

// str reads a string (null leaves dst alone).
func (f *fastReader) str(dst *string) bool {
	if d, i := f.data, f.pos; i < len(d) && d[i] == '"' { // a plain string at once: the common case
		if end, plain, ok := stringEnd(d, i); ok && plain {
			f.pos = end
			*dst = f.makeString(d[i+1 : end-1])
			return true
		}
	}
	switch f.peek() {
	case 'n':
		return f.literal("null")
	case '"':
		q, plain, ok := f.scanString()
		if !ok {
			return false
		}
		if plain {
			*dst = f.makeString(q[1 : len(q)-1])
			return true
		}
		b, err := jsontext.AppendUnquote(nil, q)
		if err != nil {
			return false // bad UTF-8 or a lone surrogate: the generic decode's way
		}
		*dst = f.makeString(b)
		return true
	}
	return false
}
