package fhir

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/shcr-project/shcr/internal/ukdate"
	"github.com/shcr-project/shcr/record"
)

// Source is the back end's configured defaults, the last step of the provenance order.
type Source struct {
	Backend      string        // configured back end name
	Domain       record.Domain // default domain of its items
	Organisation string        // organisation to name when nothing more specific is known
	// OrganisationCode is the ODS code of Organisation, where known (GP Connect: the practice).
	OrganisationCode string
	// Organisations are the organisations config names (`organisations:`), by ODS code: an
	// item's organisation code is named and given its domain from here first, then from the
	// built-in table of ODS code shapes (odsShapes).
	Organisations Organisations
	// DomainFixed: every item of this back end is of Domain whatever its organisation says
	// (GP Connect: a GP practice record is health).
	DomainFixed bool
}

// Code systems and identifiers the mapping recognises.
const (
	SystemNHSNumber = "https://fhir.nhs.uk/Id/nhs-number"
	SystemODS       = "https://fhir.nhs.uk/Id/ods-organization-code"
	SystemSNOMED    = "http://snomed.info/sct"
	SystemSDSUserID = "https://fhir.nhs.uk/Id/sds-user-id" // a member of NHS staff, nationally
	// SystemCrossCareSetting is GP Connect's identifier of a clinical item across care settings.
	SystemCrossCareSetting = "https://fhir.nhs.uk/Id/cross-care-setting-identifier"
	SystemInterweaveSrc    = "https://yhcr.nhs.uk/Source"     // meta.tag: the system that created the item
	SystemInterweaveProvn  = "https://yhcr.nhs.uk/Provenance" // meta.tag: the responsible organisation (code + name)
)

// mapper holds what mapping one response needs: the resources by reference, the
// Provenance resources by target, and the warnings gathered on the way.
type mapper struct {
	src      Source
	byRef    map[string]*Resource  // "Type/id" and fullUrl → resource (in the slices mapped)
	provs    map[string][]provInfo // "Type/id" of target → provenance
	warnings []string
	keys     map[string]string  // Item.Key → resource ref that took it
	parties  map[partyKey]party // described referenced resources, by ref (not contained ones)
	// outer are the resources whose contained resources are being described: a contained
	// resource's "#id" names a sibling in its container.
	outer []*domainResource
	// own is item's scratch for an item's own facts (decoded into, read, and left: one
	// allocation fewer per item).
	own ownFacts
	// enc is encounter's scratch for the Encounter it decodes.
	enc encounterRes
	// srcOrgs are sourceOrg's answers by meta.source.
	srcOrgs    map[string]srcOrg
	srcOrgsFor [2]string // the source's organisation and code they were worked out with
	// orgDoms are orgDomain's answers by code and name, profiles socialCareProfile's by
	// profile.
	orgDoms  map[[2]string]record.Domain
	profiles map[string]bool
	// whoRecent are who's last answers (recentWho), whoN of them, whoNext the next to
	// replace; whoSrc the source's organisation and code they were worked out with.
	whoRecent     [8]recentWho
	whoN, whoNext int
	whoSrc        [2]string
}

type provInfo struct {
	author       record.Author
	org          string
	orgCode      string
	orgDom       record.Domain
	recorded     time.Time
	recordedText string
}

func newMapper(src Source, resources []Resource) *mapper {
	m := &mapper{src: src, byRef: make(map[string]*Resource, 2*len(resources)), provs: map[string][]provInfo{},
		keys: make(map[string]string, len(resources)), parties: map[partyKey]party{}}
	for i := range resources {
		m.add(&resources[i])
	}
	for _, r := range resources {
		if r.Type == "Provenance" {
			m.addProvenance(r)
		}
	}
	return m
}

func (m *mapper) add(r *Resource) {
	if r.Type == "" {
		return
	}
	m.forgetWho() // a reference may resolve to r now
	if r.ID != "" {
		ref := r.Ref()
		if old, ok := m.byRef[ref]; !ok || (old.Mode == "include" && r.Mode != "include") {
			m.byRef[ref] = r
		}
	}
	if r.FullURL != "" {
		m.byRef[r.FullURL] = r
	}
}

func (m *mapper) warn(format string, args ...any) {
	w := clean(fmt.Sprintf(format, args...))
	if !slices.Contains(m.warnings, w) { // the same element may be read twice (item facts)
		m.warnings = append(m.warnings, w)
	}
}

// normRef reduces a reference to "Type/id": it drops a base URL and a _history suffix.
func normRef(ref string) string {
	ref = strings.TrimSpace(ref)
	if ref == "" || strings.HasPrefix(ref, "#") || strings.HasPrefix(ref, "urn:") {
		return ref
	}
	if i := strings.Index(ref, "/_history/"); i >= 0 {
		ref = ref[:i]
	}
	parts := strings.Split(strings.TrimRight(ref, "/"), "/")
	if len(parts) >= 2 {
		return parts[len(parts)-2] + "/" + parts[len(parts)-1]
	}
	return ref
}

// resolve finds the resource a reference points at: in the response (by Type/id or
// fullUrl) or, for "#id", among the containing resource's contained resources.
func (m *mapper) resolve(ref *Reference, container *domainResource) (Resource, bool) {
	if ref == nil || ref.Reference == "" {
		return Resource{}, false
	}
	r := strings.TrimSpace(ref.Reference)
	if strings.HasPrefix(r, "#") {
		if container != nil {
			if res, ok := findContained(container.Contained, r[1:]); ok {
				return res, true
			}
		}
		for i := len(m.outer) - 1; i >= 0; i-- {
			if res, ok := findContained(m.outer[i].Contained, r[1:]); ok {
				return res, true
			}
		}
		return Resource{}, false
	}
	if res, ok := m.byRef[r]; ok {
		return *res, true
	}
	if res, ok := m.byRef[normRef(r)]; ok {
		return *res, true
	}
	return Resource{}, false
}

func findContained(contained []json.RawMessage, id string) (Resource, bool) {
	for _, raw := range contained {
		var h resourceHead
		if unmarshal(raw, &h) == nil && h.ID == id && h.ResourceType != "" {
			return Resource{Type: h.ResourceType, ID: h.ID, Raw: raw}, true
		}
	}
	return Resource{}, false
}

// date parses a FHIR date or dateTime of resource r; a bad value is blanked with a warning
// naming the resource and the element.
func (m *mapper) date(r Resource, field, s string) time.Time {
	return m.dateIn(r, field, "", s)
}

// dateIn is date for the element field+sub ("period" ".start"): the name is only put
// together for a warning, not for every date read.
func (m *mapper) dateIn(r Resource, field, sub, s string) time.Time {
	if strings.TrimSpace(s) == "" {
		return time.Time{}
	}
	t, _, err := ukdate.ParseFHIR(s)
	if err != nil {
		// The value itself is not repeated: it may be personal data (a birth date), and
		// warnings are logged as well as shown.
		m.warn("%s: %s: not a FHIR date; left blank", r.Ref(), field+sub)
		return time.Time{}
	}
	return t
}

// dateText parses a FHIR date or dateTime like date, and also returns the value as written
// (so that "2024-03" keeps its precision); both are blank when the value is not a date.
func (m *mapper) dateText(r Resource, field, s string) (time.Time, string) {
	t := m.date(r, field, s)
	if t.IsZero() {
		return t, ""
	}
	return t, strings.TrimSpace(s)
}

// period maps a FHIR Period, keeping each date as written beside its parsed time.
func (m *mapper) period(r Resource, field string, p *Period) record.Period {
	if p == nil {
		return record.Period{}
	}
	var out record.Period
	if out.Start = m.dateIn(r, field, ".start", p.Start); !out.Start.IsZero() {
		out.StartText = strings.TrimSpace(p.Start)
	}
	if out.End = m.dateIn(r, field, ".end", p.End); !out.End.IsZero() {
		out.EndText = strings.TrimSpace(p.End)
	}
	return out
}
