package client

import (
	"encoding/json"
	"slices"
	"strings"
)

// capabilities is what a server's CapabilityStatement (GET [base]/metadata) declares: the
// resource types it serves and, per type, its search parameters, _include and _revinclude
// values. It is advice, not truth (servers leave out types they serve and declare types
// they refuse): every section's searches are sent whatever it says, and it only chooses the
// _include, _include:iterate and _revinclude values sent, and which referenced resources
// are read when includes are not. Known=false means the server gave no usable statement:
// no _include is sent.
type capabilities struct {
	Known bool
	Types map[string]*typeCaps
}

type typeCaps struct {
	Params      map[string]bool
	Includes    []string
	RevIncludes []string
}

// capabilityStatement is the lean shape read from /metadata (R4 and STU3 agree on it).
type capabilityStatement struct {
	ResourceType string `json:"resourceType"`
	Rest         []struct {
		Mode     string `json:"mode"`
		Resource []struct {
			Type        string `json:"type"`
			SearchParam []struct {
				Name string `json:"name"`
			} `json:"searchParam"`
			SearchInclude    []string `json:"searchInclude"`
			SearchRevInclude []string `json:"searchRevInclude"`
		} `json:"resource"`
	} `json:"rest"`
}

// parseCapabilities reads a CapabilityStatement (or STU3 Conformance); ok=false if the body
// is not one.
func parseCapabilities(body []byte) (*capabilities, bool) {
	var cs capabilityStatement
	if err := json.Unmarshal(body, &cs); err != nil {
		return &capabilities{}, false
	}
	if cs.ResourceType != "CapabilityStatement" && cs.ResourceType != "Conformance" {
		return &capabilities{}, false
	}
	c := &capabilities{Known: true, Types: map[string]*typeCaps{}}
	for _, rest := range cs.Rest {
		if rest.Mode != "" && rest.Mode != "server" {
			continue
		}
		for _, r := range rest.Resource {
			if r.Type == "" {
				continue
			}
			tc := &typeCaps{Params: map[string]bool{}, Includes: r.SearchInclude, RevIncludes: r.SearchRevInclude}
			for _, sp := range r.SearchParam {
				tc.Params[sp.Name] = true
			}
			c.Types[r.Type] = tc
		}
	}
	return c, true
}

// includes keeps the _include values ("Type:param") that their source type declares (or
// for which it declares "*").
func (c *capabilities) includes(want []string) []string {
	if c == nil || !c.Known {
		return nil
	}
	var out []string
	for _, w := range want {
		t, _, _ := strings.Cut(w, ":")
		tc := c.Types[t]
		if tc == nil {
			continue
		}
		if slices.Contains(tc.Includes, w) || slices.Contains(tc.Includes, "*") {
			out = append(out, w)
		}
	}
	return out
}

// revIncludeProvenance: the type declares _revinclude=Provenance:target.
func (c *capabilities) revIncludeProvenance(t string) bool {
	if c == nil || !c.Known {
		return false
	}
	tc := c.Types[t]
	if tc == nil {
		return false
	}
	return slices.Contains(tc.RevIncludes, "Provenance:target") || slices.Contains(tc.RevIncludes, "*")
}

// sortNewest is the _sort value asking a type's search for the newest first ("-date"), when
// the type declares both the date search parameter and _sort; "" otherwise. A big section
// cut off at max_entries then keeps the newest entries.
func (c *capabilities) sortNewest(t string) string {
	if c == nil || !c.Known {
		return ""
	}
	tc := c.Types[t]
	if tc == nil || !tc.Params["date"] || !tc.Params["_sort"] {
		return ""
	}
	return "-date"
}
