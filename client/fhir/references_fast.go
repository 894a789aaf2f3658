package fhir

import (
	"slices"
	"strings"
)

// referencesFast is References by a strict byte scanner over raw (no token decoder): it
// reads well-formed JSON as the token scan (scanReferences) reads it, with the decoder's
// options (duplicate names and invalid UTF-8 allowed), and finds the same references in
// the same order. It reports false, having decided nothing, on anything it does not read
// itself: a member name with an escape, a \u escape of a surrogate, nesting past
// maxFastRefDepth, or input that is not one well-formed JSON value; References then runs
// the token scan. TestReferencesFastAgreesWithScan and FuzzReferencesFast hold the two
// to the same answers.
func referencesFast(raw []byte, base string) ([]string, bool) {
	s := refScanner{data: raw, base: base}
	s.ws()
	if !s.value(0) {
		return nil, false
	}
	s.ws()
	if s.pos != len(s.data) {
		return nil, false
	}
	return s.out, true
}

// maxFastRefDepth bounds the scanner's recursion; deeper resources take the token scan.
const maxFastRefDepth = 64

type refScanner struct {
	data []byte
	pos  int
	base string
	out  []string
	from int             // out[from:] is what was found (AppendReferencesOf's dst before)
	seen map[string]bool // once out is long: a linear search before that
}

func (s *refScanner) ws() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

// value reads one value at s.pos (whitespace before it already skipped).
func (s *refScanner) value(depth int) bool {
	if s.pos >= len(s.data) {
		return false
	}
	switch c := s.data[s.pos]; {
	case c == '{':
		return s.object(depth + 1)
	case c == '[':
		return s.array(depth + 1)
	case c == '"':
		_, _, ok := s.str()
		return ok
	case c == 't':
		return s.literal("true")
	case c == 'f':
		return s.literal("false")
	case c == 'n':
		return s.literal("null")
	default:
		return s.number()
	}
}

func (s *refScanner) literal(lit string) bool {
	if !strings.HasPrefix(string(s.data[s.pos:min(len(s.data), s.pos+len(lit))]), lit) {
		return false
	}
	s.pos += len(lit)
	return true
}

// number reads a JSON number (numberEnd).
func (s *refScanner) number() bool {
	end, ok := numberEnd(s.data, s.pos)
	if ok {
		s.pos = end
	}
	return ok
}

// str reads a string at s.pos: its bytes with the quotes, and whether it holds an escape.
// Bytes of 0x80 and above are taken as they are (the decoder allows invalid UTF-8); a
// control character, a bad escape or a \u escape of a surrogate is not read here.
func (s *refScanner) str() (v []byte, escaped, ok bool) {
	d := s.data
	start := s.pos
	p := start + 1
	for p < len(d) {
		c := d[p]
		if plainStringByte[c] {
			p++
			continue
		}
		switch {
		case c == '"':
			s.pos = p + 1
			return d[start:s.pos], escaped, true
		case c == '\\':
			escaped = true
			if p+1 >= len(d) {
				return nil, false, false
			}
			switch d[p+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				p += 2
			case 'u':
				if p+6 > len(d) {
					return nil, false, false
				}
				r := 0
				for _, h := range d[p+2 : p+6] {
					switch {
					case h >= '0' && h <= '9':
						r = r<<4 | int(h-'0')
					case h >= 'a' && h <= 'f':
						r = r<<4 | int(h-'a'+10)
					case h >= 'A' && h <= 'F':
						r = r<<4 | int(h-'A'+10)
					default:
						return nil, false, false
					}
				}
				if r >= 0xd800 && r <= 0xdfff {
					return nil, false, false // surrogates: the token scan decides
				}
				p += 6
			default:
				return nil, false, false
			}
		case c < 0x20:
			return nil, false, false
		default: // 0x80 and above
			p++
		}
	}
	return nil, false, false
}

func (s *refScanner) array(depth int) bool {
	if depth > maxFastRefDepth {
		return false
	}
	s.pos++ // [
	s.ws()
	if s.pos < len(s.data) && s.data[s.pos] == ']' {
		s.pos++
		return true
	}
	for {
		if !s.value(depth) {
			return false
		}
		if more, ok := s.after(']'); !ok || !more {
			return ok
		}
	}
}

// after reads what follows a value in an array or an object: a comma (more follows) or the
// closing byte (the end); anything else is not the plain form (ok false).
func (s *refScanner) after(closing byte) (more, ok bool) {
	s.ws()
	if s.pos >= len(s.data) {
		return false, false
	}
	switch s.data[s.pos] {
	case ',':
		s.pos++
		s.ws()
		return true, true
	case closing:
		s.pos++
		return false, true
	}
	return false, false
}

// object reads an object; when it ends, the last "reference" member's value, if a
// string (not overruled by a later non-string, non-container "reference"), is found.
func (s *refScanner) object(depth int) bool {
	if depth > maxFastRefDepth {
		return false
	}
	s.pos++ // {
	var ref string
	hasRef := false
	s.ws()
	if s.pos < len(s.data) && s.data[s.pos] == '}' {
		s.pos++
		return true
	}
	for {
		if s.pos >= len(s.data) || s.data[s.pos] != '"' {
			return false
		}
		name, escaped, ok := s.str()
		if !ok || escaped {
			return false
		}
		isRef := string(name) == `"reference"`
		s.ws()
		if s.pos >= len(s.data) || s.data[s.pos] != ':' {
			return false
		}
		s.pos++
		s.ws()
		if s.pos >= len(s.data) {
			return false
		}
		if c := s.data[s.pos]; isRef && c != '{' && c != '[' {
			// As the token scan: a string sets the reference, any other primitive clears it.
			start := s.pos
			if !s.value(depth) {
				return false
			}
			hasRef = false
			if c == '"' {
				if u, ok := unquoted(s.data[start:s.pos]); ok {
					ref, hasRef = u, true
				}
			}
		} else if !s.value(depth) {
			return false
		}
		more, ok := s.after('}')
		if !ok {
			return false
		}
		if !more {
			if hasRef {
				s.found(ref)
			}
			return true
		}
	}
}

// found keeps ref as References does: trimmed, base removed, a relative "Type/id", once.
func (s *refScanner) found(ref string) {
	// strings.TrimPrefix(r, s.base+"/") without making base+"/" for every reference.
	r := strings.TrimSpace(ref)
	if b := s.base; len(r) > len(b) && r[len(b)] == '/' && r[:len(b)] == b {
		r = r[len(b)+1:]
	}
	typ, id, ok := strings.Cut(r, "/")
	if !ok || typ == "" || id == "" || notAnID(id) || strings.IndexByte(typ, ':') >= 0 {
		return
	}
	if s.seen != nil {
		if s.seen[r] {
			return
		}
		s.seen[r] = true
	} else if slices.Contains(s.out[s.from:], r) {
		return
	} else if len(s.out)-s.from >= 16 {
		s.seen = make(map[string]bool, 2*(len(s.out)-s.from))
		for _, o := range s.out[s.from:] {
			s.seen[o] = true
		}
		s.seen[r] = true
	}
	s.out = append(s.out, r)
}

// notAnID reports whether id holds '/', ':', '#' or '?' (strings.ContainsAny(id, "/:#?")
// without making its set of bytes at every call).
func notAnID(id string) bool {
	for i := 0; i < len(id); i++ {
		switch id[i] {
		case '/', ':', '#', '?':
			return true
		}
	}
	return false
}
