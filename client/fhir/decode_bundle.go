package fhir

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

type linkJSON struct {
	Relation string `json:"relation"`
	URL      string `json:"url"`
}

// fastBundle reads a Bundle from dec in one pass: each entry's resource is routed by its
// resourceType and id as it streams past, and its bytes are taken from the input by
// offset (raw), never re-read. ok is false for anything that is not a well-formed Bundle
// as encoding/json would have read it; the caller then explains with the slow path.
func fastBundle(dec *jsontext.Decoder, raw func(start, end int64) []byte) (b *Bundle, ok bool) {
	if dec.PeekKind() != '{' {
		return nil, false
	}
	if _, err := dec.ReadToken(); err != nil {
		return nil, false
	}
	b = &Bundle{Total: -1}
	var resourceType string
	seenEntry := false
	for dec.PeekKind() != '}' {
		name, err := dec.ReadValue()
		if err != nil || !plainName(name) {
			return nil, false
		}
		switch {
		case nameIs(name, "resourceType"), nameIs(name, "type"):
			isType := nameIs(name, "type") // before reading on moves the buffer under name
			v, err := dec.ReadValue()
			if err != nil {
				return nil, false
			}
			s := ""
			if v.Kind() != 'n' {
				if s, ok = internType(v); !ok {
					return nil, false
				}
			}
			if isType {
				b.Type = s
			} else {
				resourceType = s
			}
		case nameIs(name, "total"):
			v, err := dec.ReadValue()
			if err != nil {
				return nil, false
			}
			switch v.Kind() {
			case 'n':
			case '0':
				n, err := strconv.ParseInt(string(v), 10, 0)
				if err != nil {
					return nil, false
				}
				b.Total = int(n)
			default:
				return nil, false
			}
		case nameIs(name, "link"):
			var links []linkJSON
			if jsonv2.UnmarshalDecode(dec, &links) != nil {
				return nil, false
			}
			b.Next = ""
			for _, l := range links {
				if l.Relation == "next" {
					b.Next = l.URL
				}
			}
		case nameIs(name, "entry"):
			if seenEntry || !readEntries(dec, b, raw) {
				return nil, false
			}
			seenEntry = true
		default:
			if dec.SkipValue() != nil {
				return nil, false
			}
		}
	}
	if _, err := dec.ReadToken(); err != nil || !atEOF(dec) || resourceType != "Bundle" {
		return nil, false
	}
	return b, true
}

// readEntries reads Bundle.entry (null or an array of entries) into b.
func readEntries(dec *jsontext.Decoder, b *Bundle, raw func(start, end int64) []byte) bool {
	switch dec.PeekKind() {
	case 'n':
		return dec.SkipValue() == nil
	case '[':
	default:
		return false
	}
	if _, err := dec.ReadToken(); err != nil {
		return false
	}
	var ownBuf []byte
	for i := 0; dec.PeekKind() != ']'; i++ {
		var fullURL, mode, typ, id string
		var body, own []byte
		hasResource, isObject, headOK := false, false, false
		switch dec.PeekKind() {
		case 'n':
			if dec.SkipValue() != nil {
				return false
			}
		case '{':
			if _, err := dec.ReadToken(); err != nil {
				return false
			}
			for dec.PeekKind() != '}' {
				name, err := dec.ReadValue()
				if err != nil || !plainName(name) {
					return false
				}
				switch {
				case plainNameIs(name, "fullUrl"):
					v, err := dec.ReadValue()
					if err != nil {
						return false
					}
					if v.Kind() != 'n' {
						s, ok := unquoted(v)
						if !ok {
							return false
						}
						fullURL = s
					}
				case plainNameIs(name, "resource"):
					typ, id, body, hasResource, isObject, headOK = "", "", nil, false, false, false
					switch dec.PeekKind() {
					case 'n':
						if dec.SkipValue() != nil {
							return false
						}
					case '{':
						ownBuf = ownBuf[:0]
						t, rid, start, end, ok, err := readHead(dec, &ownBuf)
						if err != nil {
							return false
						}
						typ, id, body, hasResource, isObject, headOK = t, rid, raw(start, end), true, true, ok
						own = slices.Clone(ownBuf)
					default:
						if dec.SkipValue() != nil {
							return false
						}
						hasResource = true
					}
				case plainNameIs(name, "search"):
					switch dec.PeekKind() {
					case 'n':
						if dec.SkipValue() != nil {
							return false
						}
						mode = ""
					case '{':
						var s struct {
							Mode string `json:"mode"`
						}
						if jsonv2.UnmarshalDecode(dec, &s) != nil {
							return false
						}
						mode = s.Mode
					default:
						return false
					}
				default:
					if dec.SkipValue() != nil {
						return false
					}
				}
			}
			if _, err := dec.ReadToken(); err != nil {
				return false
			}
		default:
			return false
		}
		addEntry(b, i, fullURL, mode, typ, id, body, own, hasResource, isObject, headOK)
	}
	_, err := dec.ReadToken()
	return err == nil
}

// addEntry adds the i-th entry read to b: its resource, or a warning saying why not.
func addEntry(b *Bundle, i int, fullURL, mode, typ, id string, body, own []byte, hasResource, isObject, headOK bool) {
	switch {
	case !hasResource:
		b.Warnings = append(b.Warnings, fmt.Sprintf("entry %d has no resource; skipped", i+1))
	case !isObject || !headOK || typ == "":
		name := fullURL
		if name == "" {
			name = fmt.Sprintf("entry %d", i+1)
		}
		b.Warnings = append(b.Warnings, fmt.Sprintf("%s is not a FHIR resource (no resourceType); skipped", name))
	default:
		if b.Entries == nil {
			// Room for the page the total announces when it came first (within reason:
			// a page is _count entries at most, the total counts every page).
			b.Entries = takeEntries(min(max(b.Total, 64), 1024))
		}
		if !keepsOwn(typ) {
			own = nil
		}
		r := Resource{Type: typ, ID: id, FullURL: fullURL, Mode: mode, Raw: body, own: own}
		r.ref = r.Ref() // once, for the many lookups mapping makes
		b.Entries = append(b.Entries, r)
	}
}

// keepsOwn reports whether a resource of type typ keeps its own-fact members (Resource.own)
// from the bundle decode. An Encounter's are read with it (decodeEncounterOwnFast, the
// Predecoder: the reader of a 50,000-encounter record) and a Provenance is never an item:
// setting them aside would copy a slab of bytes per page that nothing reads. Where an
// Encounter's reader does give up, itemOwn reads the same members from Raw.
func keepsOwn(typ string) bool { return typ != "Encounter" && typ != "Provenance" }

// parseBundleFast is the one-pass decode of a whole body in memory; raws alias data. The
// byte scanner reads the plain form, the token decoder the rest.
func parseBundleFast(data []byte) (*Bundle, bool) {
	if b, ok := scanBundle(data); ok {
		return b, true
	}
	return parseBundleTokens(data)
}

// parseBundleTokens is parseBundleFast by the token decoder alone.
func parseBundleTokens(data []byte) (*Bundle, bool) {
	dec := getDecoder(data)
	defer putDecoder(dec)
	return fastBundle(dec, func(start, end int64) []byte { return data[start:end:end] })
}

// parseResourceFast reads a single resource's head in one pass.
func parseResourceFast(data []byte) (Resource, bool) {
	dec := getDecoder(data)
	defer putDecoder(dec)
	if dec.PeekKind() != '{' {
		return Resource{}, false
	}
	typ, id, _, _, ok, err := readHead(dec, nil)
	if err != nil || !ok || typ == "" || !atEOF(dec) {
		return Resource{}, false
	}
	return Resource{Type: typ, ID: id, Raw: json.RawMessage(bytes.TrimSpace(data))}, true
}
