package fhir

import (
	"strconv"
	"strings"
)

// scanBundle is fastBundle by bytes: a Bundle in memory read by a strict byte scanner (the
// hand-written reader's, decode_fast.go) instead of the token decoder, with the same
// answer: the same type, total, next link, warnings and entries (type, id, fullUrl, mode,
// Raw and the own-fact members set aside, byte for byte). It reads the plain form only and
// gives up (false), having decided nothing, on anything else: a member name with an escape
// or a non-ASCII byte, a link or search member that is not an object of plain strings,
// nesting past maxFastDepth, anything not well-formed; the token decoder (fastBundle) then
// reads the bytes. TestScanBundleAgreesWithTokenDecode and FuzzScanBundle hold the two to
// the same answer.
func scanBundle(data []byte) (*Bundle, bool) {
	f := getFastReader(data)
	defer putFastReader(f)
	if f.peek() != '{' {
		return nil, false
	}
	f.pos++
	b := &Bundle{Total: -1}
	var resourceType string
	seenEntry := false
	var ownBuf, ownSlab []byte
	for first := true; f.more(&first); {
		name, ok := f.name()
		if !ok {
			return nil, false
		}
		switch {
		case nameEq(name, "resourceType"), nameEq(name, "type"):
			s := ""
			switch f.peek() {
			case 'n':
				if !f.literal("null") {
					return nil, false
				}
			case '"':
				q, _, ok := f.scanString()
				if !ok {
					return nil, false
				}
				if s, ok = internType(q); !ok {
					return nil, false
				}
			default:
				return nil, false
			}
			if nameEq(name, "type") {
				b.Type = s
			} else {
				resourceType = s
			}
		case nameEq(name, "total"):
			switch c := f.peek(); {
			case c == 'n':
				if !f.literal("null") {
					return nil, false
				}
			case c == '-' || '0' <= c && c <= '9':
				start := f.pos
				if !f.number() {
					return nil, false
				}
				n, err := strconv.ParseInt(string(f.data[start:f.pos]), 10, 0)
				if err != nil {
					return nil, false
				}
				b.Total = int(n)
			default:
				return nil, false
			}
		case nameEq(name, "link"):
			next, ok := scanLinks(f)
			if !ok {
				return nil, false
			}
			b.Next = next
		case nameEq(name, "entry"):
			if seenEntry || !scanEntries(f, b, &ownBuf, &ownSlab) {
				return nil, false
			}
			seenEntry = true
		default:
			if !f.skip(0) {
				return nil, false
			}
		}
	}
	f.pos++
	if !f.atEnd() || resourceType != "Bundle" {
		return nil, false
	}
	return b, true
}

// nameEq is plainNameIs for a name without its quotes.
func nameEq(name []byte, want string) bool {
	return string(name) == want || equalFoldASCII(name, want)
}

// asciiValue reads a string of ASCII bytes (escapes allowed, but not of a surrogate:
// every decoder reads such a string the same way), or null (set false); false for anything
// else.
func (f *fastReader) asciiValue() (s string, set, ok bool) {
	switch f.peek() {
	case 'n':
		return "", false, f.literal("null")
	case '"':
		q, plain, ok := f.scanString()
		switch {
		case !ok:
			return "", false, false
		case plain:
			return internMode(q[1 : len(q)-1]), true, true
		case hasHighBit(q) || hasSurrogateEscape(q):
			return "", false, false
		}
		s, ok := unquoted(q)
		return s, ok, ok
	}
	return "", false, false
}

// hasSurrogateEscape reports whether a quoted string has a \u escape of a UTF-16 surrogate.
func hasSurrogateEscape(q []byte) bool {
	for i := 0; i < len(q)-1; i++ {
		if q[i] != '\\' {
			continue
		}
		if q[i+1] == 'u' && i+3 < len(q) && (q[i+2] == 'd' || q[i+2] == 'D') && strings.IndexByte("89abcdefABCDEF", q[i+3]) >= 0 {
			return true
		}
		i++ // the escaped byte
	}
	return false
}

// scanLinks reads Bundle.link (null, or an array of objects whose relation and url are
// plain strings) and returns the url of the last link whose relation is "next".
func scanLinks(f *fastReader) (next string, ok bool) {
	if null, ok := f.openArray(); !ok || null {
		return "", ok
	}
	for first := true; f.peek() != ']'; first = false {
		if !first && !f.eat(',') {
			return "", false
		}
		if !f.eat('{') {
			return "", false // null elements and the rest: the token decode's
		}
		var relation, url string
		for first := true; f.more(&first); {
			name, ok := f.name()
			if !ok {
				return "", false
			}
			switch {
			case nameEq(name, "relation"), nameEq(name, "url"):
				v, set, ok := f.asciiValue()
				if !ok || !set {
					return "", false
				}
				if nameEq(name, "url") {
					url = v
				} else {
					relation = v
				}
			default:
				if !f.skip(0) {
					return "", false
				}
			}
		}
		f.pos++
		if relation == "next" {
			next = url
		}
	}
	f.pos++
	return next, true
}

// scanEntries is readEntries by bytes. Each entry's own-fact members are copied into slab
// (one allocation for many entries' instead of one each).
func scanEntries(f *fastReader, b *Bundle, ownBuf, slab *[]byte) bool {
	if null, ok := f.openArray(); !ok || null {
		return ok
	}
	for i := 0; f.peek() != ']'; i++ {
		if i > 0 && !f.eat(',') {
			return false
		}
		var fullURL, mode, typ, id string
		var body, own []byte
		hasResource, isObject, headOK := false, false, false
		switch f.peek() {
		case 'n':
			if !f.literal("null") {
				return false
			}
		case '{':
			f.pos++
			for first := true; f.peek() != '}'; first = false { // not f.more: every entry's, kept inline
				if !first && !f.eat(',') {
					return false
				}
				name, ok := f.name()
				if !ok {
					return false
				}
				switch {
				case nameEq(name, "fullUrl"):
					switch f.peek() {
					case 'n':
						if !f.literal("null") {
							return false
						}
					case '"':
						q, plain, ok := f.scanString()
						if !ok {
							return false
						}
						if plain { // ASCII without escapes: unquoted's answer, in a slab
							fullURL = slabString(&f.urls, q[1:len(q)-1])
						} else if fullURL, ok = unquoted(q); !ok {
							return false
						}
					default:
						return false
					}
				case nameEq(name, "resource"):
					typ, id, body, hasResource, isObject, headOK = "", "", nil, false, false, false
					switch f.peek() {
					case 'n':
						if !f.literal("null") {
							return false
						}
					case '{':
						*ownBuf = (*ownBuf)[:0]
						t, rid, start, ok, good := scanHead(f, ownBuf)
						if !good {
							return false
						}
						typ, id, body, hasResource, isObject, headOK = t, rid, f.data[start:f.pos:f.pos], true, true, ok
						if keepsOwn(t) {
							own = slabCopy(slab, *ownBuf)
						}
					default:
						if !f.skip(0) {
							return false
						}
						hasResource = true
					}
				case nameEq(name, "search"):
					switch f.peek() {
					case 'n':
						if !f.literal("null") {
							return false
						}
						mode = ""
					case '{':
						m, ok := scanSearch(f)
						if !ok {
							return false
						}
						mode = m
					default:
						return false
					}
				default:
					if !f.skip(0) {
						return false
					}
				}
			}
			f.pos++
		default:
			return false
		}
		addEntry(b, i, fullURL, mode, typ, id, body, own, hasResource, isObject, headOK)
	}
	f.pos++
	return true
}

// ownSlab is the size of the slabs entries' own-fact members are copied into (a page's
// entries hold tens to a few hundred bytes each).
const ownSlab = 16 << 10

// slabCopy is a copy of b taken from the slab, with no room to grow into the
// next copy.
func slabCopy(slab *[]byte, b []byte) []byte {
	if cap(*slab)-len(*slab) < len(b) {
		*slab = make([]byte, 0, max(ownSlab, len(b)))
	}
	start := len(*slab)
	*slab = append(*slab, b...)
	return (*slab)[start:len(*slab):len(*slab)]
}

// scanSearch reads an entry's search object: its mode, a plain string.
func scanSearch(f *fastReader) (mode string, ok bool) {
	f.pos++ // '{'
	m := ""
	for first := true; f.more(&first); {
		name, ok := f.name()
		if !ok {
			return "", false
		}
		if nameEq(name, "mode") {
			v, set, ok := f.asciiValue()
			if !ok || !set {
				return "", false // null too: the token decode's
			}
			m = v
			continue
		}
		if !f.skip(0) {
			return "", false
		}
	}
	f.pos++
	return m, true
}

// internMode is string(m), the usual search modes and link relations without an
// allocation.
func internMode(m []byte) string {
	switch string(m) {
	case "match":
		return "match"
	case "include":
		return "include"
	case "outcome":
		return "outcome"
	case "next":
		return "next"
	case "self":
		return "self"
	}
	return string(m)
}

// scanHead is readHead by bytes, from the resource's '{' at f.pos to just past its '}':
// its type and id, where it starts, ok false when the type or id is not a string, and good
// false when the scanner gives up.
func scanHead(f *fastReader, own *[]byte) (typ, id string, start int, ok, good bool) {
	start = f.pos
	f.pos++
	ok = true
	*own = append((*own)[:0], '{')
	for first := true; f.more(&first); {
		if f.peek() != '"' {
			return
		}
		q, plain, sok := f.scanString()
		if !sok || !plain || !f.eat(':') {
			return
		}
		isType, isID := plainNameIs(q, "resourceType"), false
		if !isType {
			isID = plainNameIs(q, "id")
		}
		if !isType && !isID {
			if (typ == "" || keepsOwn(typ)) && isOwnFactName(q) { // addEntry drops the rest
				if len(*own) > 1 {
					*own = append(*own, ',')
				}
				*own = append(append(*own, q...), ':')
				f.peek()
				vs := f.pos
				if !f.skip(0) {
					return
				}
				*own = append(*own, f.data[vs:f.pos]...)
				continue
			}
			if !f.skip(0) {
				return
			}
			continue
		}
		switch f.peek() {
		case 'n':
			if !f.literal("null") {
				return
			}
		case '"':
			v, plain, sok := f.scanString()
			if !sok {
				return
			}
			var s string
			var vok bool
			switch {
			case isType:
				s, vok = internType(v)
				typ = s
			case plain: // ASCII without escapes: unquoted's answer, in a slab
				s, vok = slabString(&f.ids, v[1:len(v)-1]), true
				id = s
			default:
				s, vok = unquoted(v)
				id = s
			}
			ok = ok && vok
		default:
			if !f.skip(0) {
				return
			}
			ok = false
		}
	}
	f.pos++
	*own = append(*own, '}')
	return typ, id, start, ok, true
}
