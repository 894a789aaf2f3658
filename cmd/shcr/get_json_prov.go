package main

import (
	"slices"

	"github.com/shcr-project/shcr/record"
)

// The parts every item shares, written by hand (get_json_enc.go says how): each writes
// its fields in record's declared order with their JSON tags' rules, the value starting
// where the writer is and its members at depth d+1. TestHandWriterFieldsMatchGeneric fails
// when one of these types gains, loses or renames a JSON field; TestProvenanceFieldsKnown
// names Provenance's and Author's.

// item writes the fields of record.Item (the first of every item type: the caller has
// opened the object).
func (w *itemWriter) item(b []byte, d int, it *record.Item) []byte {
	b = w.str(b, d, "key", it.Key)
	b = w.key(b, d, "provenance")
	b = w.provenance(b, d, &it.Provenance)
	if len(it.AlsoFrom) > 0 {
		b = w.key(b, d, "also_reported_by")
		b = list(w, b, d, it.AlsoFrom, w.provenance)
	}
	b = w.boolean(b, d, "restricted", it.Restricted)
	b = w.strOmit(b, d, "withheld", it.Withheld)
	return b
}

// provenance writes a record.Provenance; security is a list, never null (as the generic
// path's marshaler in sectionJSONOptions writes it). Its head (backend to author) and its
// tail but the resource (server update to security) are most often those of one of the
// last few provenances written (a few sources' items, interleaved): each is then copied
// from the bytes written for it, kept with the values and depth they were written for
// (provParts).
func (w *itemWriter) provenance(b []byte, d int, p *record.Provenance) []byte {
	start := len(b)
	if h := w.provHeads.find(d, p); h != nil {
		b = append(b, h.b...)
	} else {
		b = w.open(b, '{')
		b = w.str(b, d+1, "backend", p.Backend)
		b = w.str(b, d+1, "organisation", p.Organisation)
		b = w.strOmit(b, d+1, "organisation_code", p.OrganisationCode)
		b = w.str(b, d+1, "domain", string(p.Domain))
		b = w.key(b, d+1, "author")
		b = w.open(b, '{')
		b = w.strOmit(b, d+2, "name", p.Author.Name)
		b = w.strOmit(b, d+2, "role", p.Author.Role)
		b = w.close(b, d+2, '}')
		w.provHeads.next().set(d, p, b[start:])
	}
	d++
	b = w.timeOmitZero(b, d, "recorded", p.Recorded)
	b = w.strOmit(b, d, "recorded_text", p.RecordedText)
	// The tail follows a member (never '{'): its first member's comma is always written.
	if t := w.provTails.find(d, p); t != nil {
		b = append(b, t.b...)
	} else {
		start = len(b)
		b = w.boolOmit(b, d, "recorded_is_server_update", p.ServerUpdated)
		b = w.strOmit(b, d, "via", p.Via)
		b = w.str(b, d, "source_system", p.SourceSystem)
		b = w.key(b, d, "security")
		b = list(w, b, d, p.Security, stringElem)
		w.provTails.next().set(d, p, b[start:])
	}
	b = w.strOmit(b, d, "resource", p.Resource)
	b = w.close(b, d, '}')
	return b
}

// provParts keeps the bytes of the last few heads or tails written (a hit is looked for
// from the last one found or written), each replaced in turn.
type provParts[T any, P interface {
	*T
	is(d int, p *record.Provenance) bool
}] struct {
	parts [4]T
	n     int // parts in use
	last  int // the part last found or written
	older int // the part written next, once all are in use
}

// find is the part written for these values at depth d, or nil.
func (c *provParts[T, P]) find(d int, p *record.Provenance) *T {
	for k := range c.n {
		i := c.last + k
		if i >= c.n {
			i -= c.n
		}
		if P(&c.parts[i]).is(d, p) {
			c.last = i
			return &c.parts[i]
		}
	}
	return nil
}

// next is the part to write the next head or tail into: a free one, else the next in turn.
func (c *provParts[T, P]) next() *T {
	i := c.n
	if c.n < len(c.parts) {
		c.n++
	} else {
		i = c.older
		c.older = (c.older + 1) % len(c.parts)
	}
	c.last = i
	return &c.parts[i]
}

// provHead is the bytes last written for a provenance's head ("{" to the author's "}")
// at depth d, and the values they were written from.
type provHead struct {
	ok                            bool
	d                             int
	backend, org, orgCode, domain string
	authorName, authorRole        string
	b                             []byte
}

func (h *provHead) is(d int, p *record.Provenance) bool {
	return h.ok && h.d == d && h.backend == p.Backend && h.org == p.Organisation && h.orgCode == p.OrganisationCode &&
		h.domain == string(p.Domain) && h.authorName == p.Author.Name && h.authorRole == p.Author.Role
}

func (h *provHead) set(d int, p *record.Provenance, b []byte) {
	*h = provHead{ok: true, d: d, backend: p.Backend, org: p.Organisation, orgCode: p.OrganisationCode,
		domain: string(p.Domain), authorName: p.Author.Name, authorRole: p.Author.Role, b: append(h.b[:0], b...)}
}

// provTail is the bytes last written for a provenance's members from
// recorded_is_server_update to security (members at depth d), and the values they were
// written from (security copied: the bytes are keyed by its strings, not the slice).
type provTail struct {
	ok                bool
	d                 int
	serverUpdated     bool
	via, sourceSystem string
	security          []string
	b                 []byte
}

func (t *provTail) is(d int, p *record.Provenance) bool {
	return t.ok && t.d == d && t.serverUpdated == p.ServerUpdated && t.via == p.Via &&
		t.sourceSystem == p.SourceSystem && slices.Equal(t.security, p.Security)
}

func (t *provTail) set(d int, p *record.Provenance, b []byte) {
	*t = provTail{ok: true, d: d, serverUpdated: p.ServerUpdated, via: p.Via, sourceSystem: p.SourceSystem,
		security: append(t.security[:0], p.Security...), b: append(t.b[:0], b...)}
}

// period writes a record.Period member; omitZero: left out when every field is zero (v1's
// omitzero on a struct without an IsZero method).
func (w *itemWriter) period(b []byte, d int, name string, p *record.Period, omitZero bool) []byte {
	if omitZero && *p == (record.Period{}) {
		return b
	}
	b = w.key(b, d, name)
	b = w.open(b, '{')
	b = w.timeOmitZero(b, d+1, "start", p.Start)
	b = w.timeOmitZero(b, d+1, "end", p.End)
	b = w.strOmit(b, d+1, "start_text", p.StartText)
	b = w.strOmit(b, d+1, "end_text", p.EndText)
	b = w.close(b, d+1, '}')
	return b
}

// phones writes a list of record.Phone: null when nil (unless omitted as empty).
func (w *itemWriter) phones(b []byte, d int, name string, v []record.Phone, omitEmpty bool) []byte {
	if omitEmpty && len(v) == 0 {
		return b
	}
	b = w.key(b, d, name)
	if v == nil {
		return append(b, "null"...)
	}
	return list(w, b, d, v, w.phone)
}

// phone writes a record.Phone object at depth d (list's elem).
func (w *itemWriter) phone(b []byte, d int, p *record.Phone) []byte {
	b = w.open(b, '{')
	b = w.str(b, d+1, "number", p.Number)
	b = w.strOmit(b, d+1, "use", p.Use)
	b = w.strOmit(b, d+1, "system", p.System)
	b = w.period(b, d+1, "period", &p.Period, true)
	return w.close(b, d+1, '}')
}

// address writes a record.Address member.
func (w *itemWriter) address(b []byte, d int, name string, a *record.Address) []byte {
	b = w.key(b, d, name)
	b = w.open(b, '{')
	b = w.strings(b, d+1, "lines", a.Lines, true)
	b = w.strOmit(b, d+1, "city", a.City)
	b = w.strOmit(b, d+1, "district", a.District)
	b = w.strOmit(b, d+1, "postcode", a.Postcode)
	b = w.strOmit(b, d+1, "use", a.Use)
	b = w.close(b, d+1, '}')
	return b
}
