package main

import (
	"time"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/shcr-project/shcr/record"
)

// writeProvenance writes an item's provenance with the encoder's own tokens, as the
// generic marshal of provenanceFields writes it (record.Provenance's JSON tags, v1 rules:
// omitempty strings and bool, omitzero time as RFC 3339 with nanoseconds, security a list,
// never null), without a nested MarshalEncode per item (most of the writer's time). It
// writes nothing and reports false when a string is not valid UTF-8 or the time is outside
// the years 0-9999: the generic marshal then writes it (bad bytes as encoding/json did).
// TestWriteJSONOnePassMatchesOldWriter holds the two
// to the same bytes; TestProvenanceFieldsKnown fails when record.Provenance changes shape.
func writeProvenance(enc *jsontext.Encoder, p *record.Provenance) (bool, error) {
	if !provenanceWritable(p) {
		return false, nil
	}
	var err error
	str := func(name, v string, omitEmpty bool) {
		if err != nil || (omitEmpty && v == "") {
			return
		}
		if err = enc.WriteToken(jsontext.String(name)); err == nil {
			err = enc.WriteToken(jsontext.String(v))
		}
	}
	name := func(n string) {
		if err == nil {
			err = enc.WriteToken(jsontext.String(n))
		}
	}
	tok := func(t jsontext.Token) {
		if err == nil {
			err = enc.WriteToken(t)
		}
	}
	tok(jsontext.BeginObject)
	str("backend", p.Backend, false)
	str("organisation", p.Organisation, false)
	str("organisation_code", p.OrganisationCode, true)
	str("domain", string(p.Domain), false)
	name("author")
	tok(jsontext.BeginObject)
	str("name", p.Author.Name, true)
	str("role", p.Author.Role, true)
	tok(jsontext.EndObject)
	if !p.Recorded.IsZero() {
		name("recorded")
		var buf [64]byte
		b := append(buf[:0], '"')
		b = p.Recorded.AppendFormat(b, time.RFC3339Nano)
		b = append(b, '"')
		if err == nil {
			err = enc.WriteValue(jsontext.Value(b))
		}
	}
	str("recorded_text", p.RecordedText, true)
	if p.ServerUpdated {
		name("recorded_is_server_update")
		tok(jsontext.True)
	}
	str("via", p.Via, true)
	str("source_system", p.SourceSystem, false)
	name("security")
	tok(jsontext.BeginArray)
	for _, s := range p.Security {
		tok(jsontext.String(s))
	}
	tok(jsontext.EndArray)
	str("resource", p.Resource, true)
	tok(jsontext.EndObject)
	return true, err
}

// provenanceWritable: every string valid UTF-8, the time's year within 0-9999.
func provenanceWritable(p *record.Provenance) bool {
	if y := p.Recorded.Year(); !p.Recorded.IsZero() && (y < 0 || y > 9999) {
		return false
	}
	for _, s := range [...]string{p.Backend, p.Organisation, p.OrganisationCode, string(p.Domain), p.Author.Name,
		p.Author.Role, p.RecordedText, p.Via, p.SourceSystem, p.Resource} {
		if !utf8.ValidString(s) {
			return false
		}
	}
	for _, s := range p.Security {
		if !utf8.ValidString(s) {
			return false
		}
	}
	return true
}
