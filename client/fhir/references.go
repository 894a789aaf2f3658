package fhir

import (
	"io"
	"slices"
	"strings"

	"github.com/go-json-experiment/json/jsontext"
)

// References lists the references a resource holds, in one scan of its JSON with no
// decode into maps: every object member named "reference" whose value is a string,
// anywhere in the resource (contained resources and extensions too), trimmed, with base+"/"
// removed, kept when it is a relative "Type/id" (a type without ":" and an id without
// "/", ":", "#" or "?"), each once, in the order their objects end. Invalid JSON gives nil.
//
// It returns what client.references (a decode into map[string]any and a walk) returns, as a
// set, at a fraction of the cost: the fetch code can switch to it. The plain, well-formed
// common case is read by a byte scanner (referencesFast), the rest by the token scan.
func References(raw []byte, base string) []string {
	if out, ok := referencesFast(raw, base); ok {
		return out
	}
	var out []string
	var seen map[string]bool
	if !scanReferences(raw, base, false, func(ref, _ string) {
		if seen == nil {
			seen = map[string]bool{}
		}
		if !seen[ref] {
			seen[ref] = true
			out = append(out, ref)
		}
	}) {
		return nil
	}
	return out
}

// RefAt is a reference and the path of the element holding it: member names from the
// resource down to the Reference, arrays left out ("participant.individual").
type RefAt struct{ Ref, Path string }

// ReferencePaths is References with where each reference stands: every occurrence (one
// reference may stand in several elements), in the order their objects end.
func ReferencePaths(raw []byte, base string) []RefAt {
	var out []RefAt
	if !scanReferences(raw, base, true, func(ref, path string) { out = append(out, RefAt{ref, path}) }) {
		return nil
	}
	return out
}

// scanReferences calls found for every relative reference in raw (with its element's
// path when paths is set); false when raw is not one valid JSON value.
func scanReferences(raw []byte, base string, paths bool, found func(ref, path string)) bool {
	dec := getDecoder(raw)
	defer putDecoder(dec)
	type frame struct {
		object, expectName, nextIsRef, hasRef bool
		ref                                   string
		path, name                            string // the container's path; the member being read
	}
	stack := make([]frame, 0, 16)
	valueDone := func() {
		if n := len(stack); n > 0 && stack[n-1].object {
			stack[n-1].expectName, stack[n-1].nextIsRef = true, false
		}
	}
	for {
		switch k := dec.PeekKind(); k {
		case 0:
			_, err := dec.ReadToken()
			return err == io.EOF && len(stack) == 0 && dec.InputOffset() > 0 // one value, then the end
		case '{', '[':
			if _, err := dec.ReadToken(); err != nil {
				return false
			}
			f := frame{object: k == '{', expectName: k == '{'}
			if n := len(stack); paths && n > 0 {
				f.path = stack[n-1].path
				if stack[n-1].object {
					f.path = joinPath(f.path, stack[n-1].name)
				}
			}
			stack = append(stack, f)
		case '}', ']':
			if _, err := dec.ReadToken(); err != nil || len(stack) == 0 {
				return false
			}
			f := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if f.hasRef {
				s := strings.TrimPrefix(strings.TrimSpace(f.ref), base+"/")
				typ, id, ok := strings.Cut(s, "/")
				if ok && typ != "" && id != "" && !strings.ContainsAny(id, "/:#?") && !strings.Contains(typ, ":") {
					found(s, f.path)
				}
			}
			valueDone()
		default:
			v, err := dec.ReadValue()
			if err != nil {
				return false
			}
			n := len(stack)
			if n > 0 && stack[n-1].object && stack[n-1].expectName {
				stack[n-1].expectName = false
				stack[n-1].nextIsRef = string(v) == `"reference"` || (v.Kind() == '"' && isEscapedReference(v))
				if paths {
					stack[n-1].name, _ = unquoted(v)
				}
				continue
			}
			if n > 0 && stack[n-1].object && stack[n-1].nextIsRef {
				stack[n-1].hasRef = false
				if v.Kind() == '"' {
					if s, ok := unquoted(v); ok {
						stack[n-1].ref, stack[n-1].hasRef = s, true
					}
				}
			}
			valueDone()
		}
	}
}

func joinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// includePaths are the elements the _include values shcr sends bring, by R4 search
// parameter: the path of the Reference and the types it brings (none: any).
var includePaths = map[string]struct {
	path    string
	targets []string
}{
	"Encounter:location":              {"location.location", []string{"Location"}},
	"Encounter:service-provider":      {"serviceProvider", []string{"Organization"}},
	"Encounter:practitioner":          {"participant.individual", []string{"Practitioner"}},
	"Encounter:participant":           {"participant.individual", nil},
	"Flag:author":                     {"author", nil},
	"DeviceRequest:device":            {"codeReference", []string{"Device"}},
	"DeviceRequest:performer":         {"performer", nil},
	"CareTeam:participant":            {"participant.member", nil},
	"MedicationRequest:medication":    {"medicationReference", []string{"Medication"}},
	"MedicationRequest:requester":     {"requester", nil},
	"MedicationStatement:medication":  {"medicationReference", []string{"Medication"}},
	"AllergyIntolerance:recorder":     {"recorder", nil},
	"AllergyIntolerance:asserter":     {"asserter", nil},
	"EpisodeOfCare:care-manager":      {"careManager", []string{"Practitioner"}},
	"EpisodeOfCare:organization":      {"managingOrganization", []string{"Organization"}},
	"DocumentReference:author":        {"author", nil},
	"DocumentReference:custodian":     {"custodian", []string{"Organization"}},
	"ServiceRequest:performer":        {"performer", nil},
	"ServiceRequest:requester":        {"requester", nil},
	"Composition:author":              {"author", nil},
	"PractitionerRole:practitioner":   {"practitioner", []string{"Practitioner"}},
	"PractitionerRole:organization":   {"organization", []string{"Organization"}},
	"EpisodeOfCare:incoming-referral": {"referralRequest", []string{"ServiceRequest"}},
	"CarePlan:care-team":              {"careTeam", []string{"CareTeam"}},
}

// IncludeBrings reports whether one of the _include values sent ("Type:param" or
// "Type:param:Target") brings the reference ref (to refType) standing at path in a
// resource of type typ: then a server that answered the search and did not send it does
// not have it to give.
func IncludeBrings(includes []string, typ, path, refType string) bool {
	for _, inc := range includes {
		parts := strings.Split(inc, ":")
		if len(parts) < 2 || parts[0] != typ {
			continue
		}
		def, ok := includePaths[parts[0]+":"+parts[1]]
		if !ok || def.path != path {
			continue
		}
		if len(parts) == 3 && parts[2] != refType {
			continue
		}
		if def.targets == nil || slices.Contains(def.targets, refType) {
			return true
		}
	}
	return false
}

// isEscapedReference reports whether a quoted name with escapes reads "reference".
func isEscapedReference(v jsontext.Value) bool {
	if len(v) == len(`"reference"`) {
		return false // no escape fits in the same length
	}
	s, ok := unquoted(v)
	return ok && s == "reference"
}
