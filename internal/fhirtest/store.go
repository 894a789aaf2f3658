// Package fhirtest runs an ordinary FHIR R4 server in-process for tests: it serves whatever
// resources it is given (a folder of published examples, say) with the subset of the REST
// API that real servers implement — the CapabilityStatement, read, and search by patient,
// subject, beneficiary, identifier, _id and a few demographic and token parameters, with
// paging, _include, _include:iterate and _revinclude=Provenance:target — and answers what
// it does not do with an OperationOutcome. Like real servers it knows the common R4 types
// whether or not it holds any (a search of one it holds nothing of is an empty searchset). Nothing in it knows shcr or its demo: it stands
// for "a FHIR server shcr did not write". Only _test.go files import it.
package fhirtest

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

// Resource is one stored resource: its type, id, the bytes served (as loaded) and the
// decoded form used for matching.
type Resource struct {
	Type string
	ID   string
	Raw  json.RawMessage
	// File is where it was loaded from ("" when given directly).
	File string

	doc map[string]any
}

// Ref is the resource's relative reference, "Type/id".
func (r Resource) Ref() string { return r.Type + "/" + r.ID }

// Parse decodes one resource. A Bundle is not a resource the server stores: use
// ParseFile, which unpacks it.
func Parse(raw []byte) (Resource, error) {
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return Resource{}, err
	}
	t, _ := doc["resourceType"].(string)
	id, _ := doc["id"].(string)
	if t == "" {
		return Resource{}, fmt.Errorf("no resourceType")
	}
	if id == "" {
		return Resource{}, fmt.Errorf("%s has no id", t)
	}
	return Resource{Type: t, ID: id, Raw: append(json.RawMessage(nil), raw...), doc: doc}, nil
}

// ParseFile decodes a file's resources: the resource itself or, for a Bundle, each entry
// resource that has an id (a searchset's OperationOutcome entries are not stored).
func ParseFile(raw []byte) ([]Resource, error) {
	var head struct {
		ResourceType string `json:"resourceType"`
		Entry        []struct {
			Resource json.RawMessage `json:"resource"`
		} `json:"entry"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return nil, err
	}
	if head.ResourceType != "Bundle" {
		r, err := Parse(raw)
		if err != nil {
			return nil, err
		}
		return []Resource{r}, nil
	}
	var out []Resource
	for i, e := range head.Entry {
		if len(e.Resource) == 0 {
			continue
		}
		r, err := Parse(e.Resource)
		if err != nil {
			if r.Type == "OperationOutcome" {
				continue
			}
			return nil, fmt.Errorf("entry %d: %w", i, err)
		}
		if r.Type == "OperationOutcome" {
			continue
		}
		out = append(out, r)
	}
	return out, nil
}

// Load reads every *.json file under each path (a file or a folder, walked in name order)
// and returns their resources; Bundles are unpacked. The same Type/id twice is an error.
func Load(paths ...string) ([]Resource, error) {
	var out []Resource
	seen := map[string]string{}
	for _, root := range paths {
		var files []string
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && strings.HasSuffix(p, ".json") {
				files = append(files, p)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		sort.Strings(files)
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				return nil, err
			}
			rs, err := ParseFile(b)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", f, err)
			}
			for _, r := range rs {
				if prev, dup := seen[r.Ref()]; dup {
					return nil, fmt.Errorf("%s: %s already loaded from %s", f, r.Ref(), prev)
				}
				seen[r.Ref()] = f
				r.File = f
				out = append(out, r)
			}
		}
	}
	return out, nil
}

// store indexes resources by type (in load order) and by Type/id.
type store struct {
	byType map[string][]*Resource
	byRef  map[string]*Resource
	types  []string // served types (the standard ones and those of the data), sorted
}

func newStore(rs []Resource) *store {
	s := &store{byType: map[string][]*Resource{}, byRef: map[string]*Resource{}}
	for i := range rs {
		r := &rs[i]
		if r.doc == nil {
			p, err := Parse(r.Raw)
			if err != nil {
				continue
			}
			r.doc = p.doc
		}
		if _, dup := s.byRef[r.Ref()]; dup {
			continue
		}
		s.byType[r.Type] = append(s.byType[r.Type], r)
		s.byRef[r.Ref()] = r
	}
	s.types = standardTypes()
	for t := range s.byType {
		s.types = append(s.types, t)
	}
	slices.Sort(s.types)
	s.types = slices.Compact(s.types)
	return s
}

// values returns the values at a dotted element path ("participant.member"), flattening
// arrays at every step. A choice element is named in full ("medicationReference").
func values(doc map[string]any, path string) []any {
	cur := []any{doc}
	for _, step := range strings.Split(path, ".") {
		var next []any
		for _, c := range cur {
			m, ok := c.(map[string]any)
			if !ok {
				continue
			}
			switch v := m[step].(type) {
			case nil:
			case []any:
				next = append(next, v...)
			default:
				next = append(next, v)
			}
		}
		cur = next
	}
	return cur
}

// has reports whether any resource of the type carries the element path.
func (s *store) has(t, path string) bool {
	for _, r := range s.byType[t] {
		if len(values(r.doc, path)) > 0 {
			return true
		}
	}
	return false
}
