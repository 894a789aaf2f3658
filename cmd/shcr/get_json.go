package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	jsonv1 "github.com/go-json-experiment/json/v1"

	"github.com/shcr-project/shcr/record"
)

// The JSON of `shcr get --output json` (documented in README.md). Keys are snake_case;
// items carry the record model's JSON fields and a provenance object.
type getJSON struct {
	Person        *record.Person         `json:"person"` // null when no back end knows the person
	Sections      orderedSections        `json:"sections"`
	SectionStatus []record.SectionStatus `json:"section_status"`
	Backends      []backendJSON          `json:"backends"`
	Discrepancies []record.Discrepancy   `json:"discrepancies"`
	// Notices: entries about another person dropped, duplicate or linked Patient records.
	Notices []record.Notice `json:"notices"`
	// Identity is what the demographics service said (null: none configured); HeldElsewhere
	// the record locator's pointers (null: none configured); Routing why each back end was asked.
	Identity      *record.Identity `json:"identity"`
	HeldElsewhere *record.Locator  `json:"held_elsewhere"`
	Routing       []record.Route   `json:"routing"`
	// Flags are the national flags (get_flags.go); Consent the objections to sharing.
	Flags   []flagJSON  `json:"flags"`
	Consent consentJSON `json:"consent"`
}

// backendJSON is one back end's answer: the fields of record.BackendStatus in a fixed
// shape ("error" always present), "elapsed_ms" in milliseconds as BackendStatus writes it.
type backendJSON struct {
	Name      string         `json:"name"`
	Kind      string         `json:"kind"`
	Domain    record.Domain  `json:"domain"`
	Status    string         `json:"status"`
	Error     string         `json:"error"`
	Counts    map[string]int `json:"counts"`
	ElapsedMS int64          `json:"elapsed_ms"`
}

// orderedSections writes the asked sections in display order, each as a list ([] when
// empty, never null), straight from the record's slices.
type orderedSections struct {
	keys []string
	vals []reflect.Value // a slice of rec.Sections
}

// MarshalJSONTo is the generic path: writeJSON marshals the frame with no sections (it
// writes "{}") and writes them by hand; the tests marshal whole documents with it, the
// writer before the hand one, to hold the two to the same bytes.
func (o orderedSections) MarshalJSONTo(enc *jsontext.Encoder) error {
	if err := enc.WriteToken(jsontext.BeginObject); err != nil {
		return err
	}
	for i, k := range o.keys {
		if err := enc.WriteToken(jsontext.String(k)); err != nil {
			return err
		}
		v := o.vals[i]
		if v.IsNil() {
			v = reflect.MakeSlice(v.Type(), 0, 0)
		}
		if err := jsonv2.MarshalEncode(enc, v.Interface(), sectionJSONOptions); err != nil {
			return err
		}
	}
	return enc.WriteToken(jsontext.EndObject)
}

// sectionFields maps a section's JSON key to its field in record.SectionsData.
var sectionFields = func() map[string]int {
	m := map[string]int{}
	t := reflect.TypeFor[record.SectionsData]()
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		m[name] = i
	}
	return m
}()

// buildJSON makes the document; person is null unless found.
func buildJSON(rec *record.Record, found bool, sections []record.Section) (getJSON, error) {
	out := getJSON{SectionStatus: []record.SectionStatus{}, Backends: []backendJSON{}, Discrepancies: []record.Discrepancy{}, Notices: []record.Notice{}}
	if rec == nil {
		rec = &record.Record{}
	}
	if found {
		p := rec.Person
		out.Person = &p
	}
	all := reflect.ValueOf(&rec.Sections).Elem()
	for _, sec := range sections {
		// Every list of the section: care packages also write referrals and orders.
		for _, k := range sec.JSONKeys() {
			i, ok := sectionFields[k]
			if !ok {
				return out, fmt.Errorf("section %s has no JSON field %q in record.SectionsData", sec, k)
			}
			out.Sections.keys = append(out.Sections.keys, k)
			out.Sections.vals = append(out.Sections.vals, all.Field(i))
		}
	}
	for _, st := range rec.SectionStatus {
		if slices.Contains(sections, st.Section) {
			out.SectionStatus = append(out.SectionStatus, st)
		}
	}
	for _, b := range rec.Backends {
		counts := map[string]int{}
		for sec, n := range b.Counts {
			if slices.Contains(sections, sec) {
				counts[sec.JSON()] = n
			}
		}
		out.Backends = append(out.Backends, backendJSON{Name: b.Name, Kind: b.Kind, Domain: b.Domain,
			Status: b.Status, Error: b.Error, Counts: counts, ElapsedMS: b.Elapsed.Milliseconds()})
	}
	if rec.Discrepancies != nil {
		out.Discrepancies = rec.Discrepancies
	}
	if rec.Notices != nil {
		out.Notices = rec.Notices
	}
	out.Identity, out.HeldElsewhere, out.Routing = rec.Identity, rec.Locator, rec.Routing
	if out.Routing == nil {
		out.Routing = []record.Route{}
	}
	now := time.Now()
	out.Flags, out.Consent = flagsJSON(rec, now), consentOf(rec, now)
	return out, nil
}

// provenanceFields is record.Provenance without a custom marshaler (see sectionJSONOptions).
type provenanceFields record.Provenance

// getJSONOptions write, in one pass over the final structs, exactly what encoding/json's
// Encoder with SetIndent("", "  ") and SetEscapeHTML(false) wrote (the v1 options: same
// field rules, sorted map keys, same number, string and time formats).
var getJSONOptions = jsonv2.JoinOptions(
	jsonv1.DefaultOptionsV1(),
	jsonv2.Deterministic(true),
	jsontext.EscapeForHTML(false),
	jsontext.Multiline(true),
	jsontext.WithIndent("  "),
	jsonv2.WithMarshalers(invalidUTF8AsV1(false)),
)

// invalidUTF8AsV1 writes a string that is not valid UTF-8 as encoding/json did (each bad
// byte as the escape \ufffd, not the character); every other string is left to the
// encoder. The decoders never produce such strings (they replace bad bytes as they read).
func invalidUTF8AsV1(escapeHTML bool) *jsonv2.Marshalers {
	return jsonv2.MarshalToFunc(func(enc *jsontext.Encoder, s string) error {
		if utf8.ValidString(s) {
			return errors.ErrUnsupported
		}
		var b strings.Builder
		v1 := json.NewEncoder(&b)
		v1.SetEscapeHTML(escapeHTML)
		if err := v1.Encode(s); err != nil {
			return err
		}
		return enc.WriteValue(jsontext.Value(strings.TrimSuffix(b.String(), "\n")))
	})
}

// sectionJSONOptions apply within "sections", which were json.Marshal'ed on their own
// before: HTML characters escaped as there, and a provenance's security labels a list,
// never null. The hand writer (get_json_items.go) writes the same bytes; these are for
// what it hands back (and the tests that hold the two together).
var sectionJSONOptions = jsonv2.JoinOptions(
	jsontext.EscapeForHTML(true),
	jsonv2.WithMarshalers(jsonv2.JoinMarshalers(
		jsonv2.MarshalToFunc(func(enc *jsontext.Encoder, p record.Provenance) error {
			q := provenanceFields(p)
			if q.Security == nil {
				q.Security = []string{}
			}
			return jsonv2.MarshalEncode(enc, &q)
		}),
		invalidUTF8AsV1(true),
	)),
)

// sectionsSlot is where the document's frame, marshalled with no sections, has them: a
// newline followed by spaces is never inside a string (a newline is escaped there).
const sectionsSlot = "\n  \"sections\": {}"

// writeJSON writes the document of `shcr get --output json`: the frame (everything but the
// sections: small) with the generic marshal, the sections' items by hand into one buffer
// handed to w as it fills (get_json_items.go), at the place the frame keeps for them; a
// long list by several goroutines, in chunks written in order (get_json_chunks.go).
func writeJSON(w io.Writer, rec *record.Record, found bool, sections []record.Section) error {
	return writeJSONChunked(w, rec, found, sections, getChunking())
}

// writeJSONChunked is writeJSON with long lists cut between goroutines as c says
// (get_json_chunks.go; the zero chunking: none): the same bytes whatever c is.
func writeJSONChunked(w io.Writer, rec *record.Record, found bool, sections []record.Section, c chunking) error {
	doc, err := buildJSON(rec, found, sections)
	if err != nil {
		return err
	}
	secs := doc.Sections
	doc.Sections = orderedSections{}
	frame, err := jsonv2.Marshal(doc, getJSONOptions)
	if err != nil {
		return err
	}
	at := bytes.Index(frame, []byte(sectionsSlot))
	if at < 0 {
		return fmt.Errorf("get's JSON: no %q in the document's frame", sectionsSlot)
	}
	at += len(sectionsSlot) - len("{}")
	iw := itemWriter{b: make([]byte, 0, flushAt+flushAt/4), chunks: c}
	iw.b = append(iw.b, frame[:at]...)
	iw.b = append(iw.b, '{')
	for i, k := range secs.keys {
		iw.b = iw.key(iw.b, 2, k)
		if err := iw.section(w, 2, secs.vals[i]); err != nil {
			return err
		}
	}
	iw.b = iw.close(iw.b, 2, '}')
	iw.b = append(iw.b, frame[at+len("{}"):]...)
	iw.b = append(iw.b, '\n')
	_, err = w.Write(iw.b)
	return err
}

// pipedWidth is the width text output is laid out in when it goes to a pipe or a file and
// no --width is given: wide enough that no line is cut; trailing spaces are then trimmed.
const pipedWidth = 1000
