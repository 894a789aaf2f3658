package fhir

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Resource is one resource from a response, decoded just enough to route it.
type Resource struct {
	Type    string          // resourceType
	ID      string          // logical id
	FullURL string          // Bundle entry fullUrl, if any
	Mode    string          // Bundle entry search.mode: "match" | "include" | "outcome" | ""
	Raw     json.RawMessage // the resource's JSON
	// own is, when the resource came from a decoded Bundle, the members of Raw its item's
	// own facts are read from (a small JSON object); nil when not known.
	own []byte
	ref string // Ref(), when the bundle decode made it once
	// pre is the Encounter decoded ahead of its mapping (Predecoder), nil when not.
	pre *predecoded
}

// Ref is the resource's relative reference, "Type/id" (or just "Type" when it has no id).
func (r Resource) Ref() string {
	if r.ref != "" {
		return r.ref
	}
	if r.ID == "" {
		return r.Type
	}
	return r.Type + "/" + r.ID
}

// Detached returns r with its own copy of its bytes: a resource decoded from a page is a
// slice of the page's buffer (and its own-fact members of a slab shared with the page's
// other entries), which keeping it would keep whole.
func (r Resource) Detached() Resource {
	r.Raw = bytes.Clone(r.Raw)
	r.own = bytes.Clone(r.own)
	r.pre = nil // decoded into a page's storage, reused
	return r
}

// Bundle is a FHIR Bundle (searchset, collection…) with its entries left undecoded.
type Bundle struct {
	Type    string
	Total   int    // -1 when absent
	Next    string // link with relation "next", "" if none
	Entries []Resource
	// Warnings name entries that were skipped because they are not resources (no
	// resourceType, not a JSON object): the rest of the bundle is kept.
	Warnings []string
	// body is the buffer the Bundle was read into, for RecycleBody (TakeBody).
	body Body
}

// ErrNotFHIR is wrapped by every ParseBundle/ParseResource error.
var ErrNotFHIR = errors.New("not a FHIR resource")

type bundleJSON struct {
	ResourceType string `json:"resourceType"`
	Type         string `json:"type"`
	Total        *int   `json:"total"`
	Link         []struct {
		Relation string `json:"relation"`
		URL      string `json:"url"`
	} `json:"link"`
	Entry []struct {
		FullURL  string          `json:"fullUrl"`
		Resource json.RawMessage `json:"resource"`
		Search   *struct {
			Mode string `json:"mode"`
		} `json:"search"`
	} `json:"entry"`
}

type resourceHead struct {
	ResourceType string `json:"resourceType"`
	ID           string `json:"id"`
}

// ParseBundle decodes a Bundle. Key order is irrelevant. The error says what is wrong: not
// JSON (and where), not a Bundle (and what it is instead; an OperationOutcome is read out),
// or an element of the wrong type. A single bad entry does not fail the bundle: it is left
// out and named in Warnings.
func ParseBundle(data []byte) (*Bundle, error) {
	b, err := parseBundle(data)
	if err != nil {
		return nil, tidy(err)
	}
	for i, w := range b.Warnings {
		b.Warnings[i] = clean(w)
	}
	return b, nil
}

func parseBundle(data []byte) (*Bundle, error) {
	if b, ok := parseBundleFast(data); ok {
		return b, nil
	}
	return parseBundleSlow(data)
}

// parseBundleSlow is the encoding/json decode: it gives every error its words, and reads
// whatever the one-pass decoder turned down (it never accepts less).
func parseBundleSlow(data []byte) (*Bundle, error) {
	// The head is read on its own only to explain an error.
	var bj bundleJSON
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 || trimmed[0] != '{' || json.Unmarshal(trimmed, &bj) != nil || bj.ResourceType != "Bundle" {
		head, err := parseHead(data)
		if err != nil {
			return nil, fmt.Errorf("bundle: %w", err)
		}
		if head.ResourceType != "Bundle" {
			if head.ResourceType == "OperationOutcome" {
				if oo, ok := ParseOperationOutcome(data); ok {
					return nil, fmt.Errorf("%w: expected a Bundle, got an OperationOutcome: %s", ErrNotFHIR, oo.String())
				}
			}
			return nil, fmt.Errorf("%w: expected a Bundle, got %s", ErrNotFHIR, describeType(head.ResourceType))
		}
		err = json.Unmarshal(trimmed, &bj)
		if err == nil { // unreachable: the first decode failed
			err = errors.New("not a Bundle")
		}
		return nil, fmt.Errorf("%w: Bundle: %s", ErrNotFHIR, describeJSONError(err, trimmed))
	}
	b := &Bundle{Type: bj.Type, Total: -1}
	if bj.Total != nil {
		b.Total = *bj.Total
	}
	for _, l := range bj.Link {
		if l.Relation == "next" {
			b.Next = l.URL
		}
	}
	for i, e := range bj.Entry {
		raw := bytes.TrimSpace(e.Resource)
		if len(raw) == 0 || string(raw) == "null" {
			b.Warnings = append(b.Warnings, fmt.Sprintf("entry %d has no resource; skipped", i+1))
			continue
		}
		var h resourceHead
		if raw[0] != '{' || json.Unmarshal(raw, &h) != nil || h.ResourceType == "" {
			name := e.FullURL
			if name == "" {
				name = fmt.Sprintf("entry %d", i+1)
			}
			b.Warnings = append(b.Warnings, fmt.Sprintf("%s is not a FHIR resource (no resourceType); skipped", name))
			continue
		}
		mode := ""
		if e.Search != nil {
			mode = e.Search.Mode
		}
		b.Entries = append(b.Entries, Resource{Type: h.ResourceType, ID: h.ID, FullURL: e.FullURL, Mode: mode, Raw: raw})
	}
	return b, nil
}

// ParseResource decodes one resource (a read), just enough to route it.
func ParseResource(data []byte) (Resource, error) {
	if r, ok := parseResourceFast(data); ok {
		return r, nil
	}
	head, err := parseHead(data)
	if err != nil {
		return Resource{}, tidy(err)
	}
	return Resource{Type: head.ResourceType, ID: head.ID, Raw: json.RawMessage(bytes.TrimSpace(data))}, nil
}

func parseHead(data []byte) (resourceHead, error) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return resourceHead{}, fmt.Errorf("%w: the body is empty", ErrNotFHIR)
	}
	if data[0] != '{' {
		if data[0] == '<' {
			return resourceHead{}, fmt.Errorf("%w: the body is XML or HTML, not FHIR JSON", ErrNotFHIR)
		}
		return resourceHead{}, fmt.Errorf("%w: the body is not a JSON object", ErrNotFHIR)
	}
	var h resourceHead
	if err := json.Unmarshal(data, &h); err != nil {
		return resourceHead{}, fmt.Errorf("%w: %s", ErrNotFHIR, describeJSONError(err, data))
	}
	if h.ResourceType == "" {
		return resourceHead{}, fmt.Errorf("%w: the JSON has no resourceType", ErrNotFHIR)
	}
	return h, nil
}

func describeType(t string) string {
	if t == "" {
		return "no resourceType"
	}
	return "a " + t
}

// describeJSONError turns an encoding/json error into words naming where it is.
func describeJSONError(err error, data []byte) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		if strings.Contains(se.Error(), "unexpected end") {
			return "the JSON ends too early (truncated body?)"
		}
		line, col := position(data, se.Offset)
		return fmt.Sprintf("malformed JSON at line %d column %d: %s", line, col, se.Error())
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			field = "(top level)"
		}
		// Only the kind of value found ("number"), never the value: it may be personal data.
		got, _, _ := strings.Cut(te.Value, " ")
		return fmt.Sprintf("%s: expected %s, got %s", field, jsonKind(te.Type.Kind().String()), got)
	}
	return err.Error()
}

func jsonKind(k string) string {
	switch k {
	case "string":
		return "a string"
	case "slice", "array":
		return "an array"
	case "struct", "map":
		return "an object"
	case "bool":
		return "true or false"
	case "float64", "int", "int64", "float32", "int32":
		return "a number"
	case "ptr":
		return "a value"
	}
	return k
}

func position(data []byte, off int64) (line, col int) {
	line, col = 1, 1
	for i := int64(0); i < off && i < int64(len(data)); i++ {
		if data[i] == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return line, col
}

// decodeError is the error of a failed decode of r: it names the resource and the element.
func decodeError(r Resource, err error) error {
	return fmt.Errorf("%s: %s", r.Ref(), describeJSONError(err, r.Raw))
}

// maxMessageLen bounds every message this package gives (errors, warnings): one line a user can
// read, naming the resource and the element, never a dump of what the back end sent.
const maxMessageLen = 500

// clean makes s one line of valid UTF-8, at most maxMessageLen characters.
func clean(s string) string {
	return oneLine(strings.ToValidUTF8(s, "?"), maxMessageLen)
}

// tidyError is an error whose text is cleaned; it unwraps to the original (ErrNotFHIR…).
type tidyError struct {
	msg string
	err error
}

func (e *tidyError) Error() string { return e.msg }
func (e *tidyError) Unwrap() error { return e.err }

func tidy(err error) error {
	if err == nil {
		return nil
	}
	return &tidyError{msg: clean(err.Error()), err: err}
}
