package fhir

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strings"
	"sync"
	"unicode/utf8"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	jsonv1 "github.com/go-json-experiment/json/v1"
)

// Decoding is done in one pass with github.com/go-json-experiment/json (the maintained
// module of encoding/json/v2), with the v1 options so that what is accepted, and how it is
// read (case-insensitive member names, duplicate names, invalid UTF-8 replaced, null leaves
// a value alone), is exactly what encoding/json accepted before. Only when that fast pass
// fails is encoding/json run again, to give the same error message as always: errors are
// rare, their words are part of the behaviour (tests and users read them).
//
// The custom element types (one-or-many, code-or-concept, decimal…) implement both
// UnmarshalJSONFrom (streaming, used by the fast pass: no re-scan of their bytes) and
// UnmarshalJSON (used by the fallback and by any encoding/json caller).

// decOpts are the options of every fast decode: the v2 defaults with what encoding/json
// does differently when reading (names matched ignoring case but not "_" or "-", duplicate
// names and invalid UTF-8 accepted, null and repeated members merged as before). The rest
// of DefaultOptionsV1 concerns errors (the slow path words them) or features shcr's types
// do not use (",string", Go arrays, time.Time), and costs a fifth of the speed.
var decOpts = jsonv2.JoinOptions(
	jsonv2.MatchCaseInsensitiveNames(true),
	jsonv1.MatchCaseSensitiveDelimiter(true),
	jsontext.AllowDuplicateNames(true),
	jsontext.AllowInvalidUTF8(true),
	jsonv1.MergeWithLegacySemantics(true),
)

// decodeAs decodes r into v; an error names the resource and the element:
// "Encounter/enc-9: period.start: expected a string, got number".
func decodeAs(r Resource, v any) error {
	if jsonv2.Unmarshal(r.Raw, v, decOpts) == nil {
		return nil
	}
	// The fast pass failed: start again from zero with encoding/json for its exact error.
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.Pointer && !rv.IsNil() {
		rv.Elem().SetZero()
	}
	if err := json.Unmarshal(r.Raw, v); err != nil {
		return decodeError(r, err)
	}
	return nil
}

// unmarshal is json.Unmarshal in one fast pass (same semantics, same error on failure).
func unmarshal(data []byte, v any) error {
	if jsonv2.Unmarshal(data, v, decOpts) == nil {
		return nil
	}
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.Pointer && !rv.IsNil() {
		rv.Elem().SetZero()
	}
	return json.Unmarshal(data, v)
}

// decoderPool keeps token decoders for the scans of one resource (head, references).
var decoderPool = sync.Pool{New: func() any { return jsontext.NewDecoder(bytes.NewBuffer(nil)) }}

func getDecoder(data []byte) *jsontext.Decoder {
	d := decoderPool.Get().(*jsontext.Decoder)
	d.Reset(bytes.NewBuffer(data), decOpts)
	return d
}

var emptyBuffer = bytes.NewBuffer(nil)

func putDecoder(d *jsontext.Decoder) {
	d.Reset(emptyBuffer)
	decoderPool.Put(d)
}

// oneOrManyFrom is oneOrMany reading from a token stream: a JSON array into *dst, a single
// value as a one-element slice, null as nil.
func oneOrManyFrom[T any](dec *jsontext.Decoder, dst *[]T) error {
	switch dec.PeekKind() {
	case 'n':
		_, err := dec.ReadToken()
		*dst = nil
		return err
	case '[':
		// As encoding/json: a repeated member decodes into the elements already there.
		// Into *dst itself: a copy of the slice header would be one allocation more.
		return jsonv2.UnmarshalDecode(dec, dst)
	}
	var one T
	if err := jsonv2.UnmarshalDecode(dec, &one); err != nil {
		return err
	}
	*dst = []T{one}
	return nil
}

// unquoteName returns a JSON string value's text; names and the values shcr routes on
// rarely have escapes, so the common case is a slice of the input.
func unquoted(v jsontext.Value) (string, bool) {
	if len(v) < 2 || v[0] != '"' {
		return "", false
	}
	inner := v[1 : len(v)-1]
	if bytes.IndexByte(inner, '\\') < 0 && utf8.Valid(inner) {
		return string(inner), true
	}
	// Escapes, or bad UTF-8 that encoding/json replaces with U+FFFD: read as it reads.
	var s string
	if json.Unmarshal(v, &s) != nil {
		return "", false
	}
	return s, true
}

// nameIs reports whether the JSON object name v (quoted, as read) matches name the way
// encoding/json matches a struct field: exactly, else ignoring case.
func nameIs(v jsontext.Value, name string) bool {
	if len(v) == len(name)+2 && v[0] == '"' {
		// No escapes (then the lengths differ) and ASCII folding keeps the length.
		return string(v[1:len(v)-1]) == name || equalFoldASCII(v[1:len(v)-1], name)
	}
	if bytes.IndexByte(v, '\\') < 0 && !hasHighBit(v) {
		return false // a plain name of another length
	}
	s, ok := unquoted(v)
	return ok && len(s) == len(name) && equalFoldASCII(s, name)
}

// plainNameIs is nameIs for a name plainName accepted (no escapes, ASCII only): then only
// the same length can match.
func plainNameIs(v jsontext.Value, name string) bool {
	return len(v) == len(name)+2 && (string(v[1:len(v)-1]) == name || equalFoldASCII(v[1:len(v)-1], name))
}

func hasHighBit(v []byte) bool {
	for _, c := range v {
		if c >= 0x80 {
			return true
		}
	}
	return false
}

// errUnusualName stops a one-pass read at an object name with escapes or non-ASCII bytes:
// encoding/json matches those with Unicode case folding ("ſ" is "s"), so the slow path reads
// them.
var errUnusualName = errors.New("unusual member name")

// plainName reports whether a quoted name has no escapes and only ASCII bytes.
func plainName(v jsontext.Value) bool {
	for _, c := range v {
		if c >= 0x80 || c == '\\' {
			return false
		}
	}
	return true
}

func equalFoldASCII[S ~string | ~[]byte](a S, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if x == y {
			continue
		}
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// internType returns the resource type as a constant string for the types shcr knows, so
// that thousands of entries share one string.
func internType(v jsontext.Value) (string, bool) {
	if len(v) >= 2 && v[0] == '"' {
		if s, ok := knownTypes[string(v[1:len(v)-1])]; ok {
			return s, true
		}
	}
	return unquoted(v)
}

var knownTypes = func() map[string]string {
	m := map[string]string{}
	for _, t := range []string{"Bundle", "Patient", "RelatedPerson", "Encounter", "EpisodeOfCare",
		"CarePlan", "CareTeam", "ServiceRequest", "Practitioner", "PractitionerRole", "Organization",
		"Location", "Medication", "MedicationStatement", "MedicationRequest", "AllergyIntolerance",
		"Flag", "Condition", "Observation", "DocumentReference", "Composition", "List", "Provenance",
		"Device", "OperationOutcome", "Appointment", "Consent", "Goal", "Procedure", "Immunization",
		"DiagnosticReport", "Specimen", "ProcedureRequest", "ReferralRequest", "HealthcareService",
		"QuestionnaireResponse", "Communication", "Task", "Coverage", "ClinicalImpression"} {
		m[t] = t
	}
	return m
}()

// readHead reads the resource object that comes next in dec (its '{' not yet read) in one
// pass, keeping only resourceType and id, as encoding/json would read them into
// resourceHead: names matched ignoring case, the last of duplicates wins, null leaves "".
// ok is false when either is there but not a string (encoding/json would fail); err is a
// syntax or read error. start and end are the object's input offsets.
//
// own, when not nil, gets the members an item's own facts are read from (ownFacts: its
// dates, author, organisation), as one small JSON object, so that mapping never has to
// scan the whole resource again for them.
func readHead(dec *jsontext.Decoder, own *[]byte) (typ, id string, start, end int64, ok bool, err error) {
	if _, err = dec.ReadToken(); err != nil {
		return
	}
	start = dec.InputOffset() - 1
	ok = true
	if own != nil {
		*own = append((*own)[:0], '{')
	}
	for dec.PeekKind() != '}' {
		var name jsontext.Value
		if name, err = dec.ReadValue(); err != nil {
			return
		}
		if !plainName(name) {
			err = errUnusualName
			return
		}
		isType, isID := plainNameIs(name, "resourceType"), false
		if !isType {
			isID = plainNameIs(name, "id")
		}
		if !isType && !isID {
			if own != nil && isOwnFactName(name) {
				// name is copied before the value is read: reading on may move the
				// decoder's buffer under it when it streams from a response body.
				if len(*own) > 1 {
					*own = append(*own, ',')
				}
				*own = append(append(*own, name...), ':')
				var v jsontext.Value
				if v, err = dec.ReadValue(); err != nil {
					return
				}
				*own = append(*own, v...)
				continue
			}
			if err = dec.SkipValue(); err != nil {
				return
			}
			continue
		}
		var v jsontext.Value
		if v, err = dec.ReadValue(); err != nil {
			return
		}
		switch {
		case v.Kind() == 'n':
		case v.Kind() != '"':
			ok = false
		case isType:
			t, good := internType(v)
			ok = ok && good
			typ = t
		default:
			s, good := unquoted(v)
			ok = ok && good
			id = s
		}
	}
	if _, err = dec.ReadToken(); err != nil {
		return
	}
	end = dec.InputOffset()
	if own != nil {
		*own = append(*own, '}')
	}
	return
}

// ownFactNames are the JSON names of ownFacts' fields, and of subjectHead's (whom the
// resource is about: Subject reads them from the same members), lower case.
var ownFactNames = func() map[string]bool {
	m := map[string]bool{}
	for _, t := range []reflect.Type{reflect.TypeFor[ownFacts](), reflect.TypeFor[subjectHead]()} {
		for i := range t.NumField() {
			name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
			m[strings.ToLower(name)] = true
		}
	}
	return m
}()

// isOwnFactName reports whether encoding/json could match the quoted name to an ownFacts
// field: ignoring ASCII case, and any name with escapes or non-ASCII bytes (Unicode case
// folding) to be safe — the decode of the captured members decides.
func isOwnFactName(name jsontext.Value) bool {
	if len(name) < 2 {
		return false
	}
	inner := name[1 : len(name)-1]
	var buf [32]byte
	if len(inner) > len(buf) {
		return false // longer than any ownFacts name, even folded
	}
	for i, c := range inner {
		switch {
		case c >= 0x80 || c == '\\':
			return true
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	return isOwnFactLower(string(buf[:len(inner)]))
}

// isOwnFactLower is ownFactNames[name] as a switch (no hashing: a name is looked up for
// every member of every resource); TestOwnFactNamesSwitch keeps the two the same.
func isOwnFactLower(name string) bool {
	switch name {
	case "recordeddate", "asserteddate", "dateasserted", "authoredon", "date", "issued", "created",
		"datetime", "effectivedatetime", "occurrencedatetime", "effectiveperiod", "period", "recorder",
		"asserter", "author", "requester", "informationsource", "managingorganization", "custodian",
		"serviceprovider", "subject", "patient", "beneficiary":
		return true
	}
	return false
}

// atEOF reports whether dec has nothing left but whitespace.
func atEOF(dec *jsontext.Decoder) bool {
	_, err := dec.ReadToken()
	return err == io.EOF
}
