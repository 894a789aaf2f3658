package fhir

import (
	"encoding/json"
	"strings"
	"time"
)

// The resources and probes that care packages, equipment, referrals and "now versus then"
// read, beside those in resources.go.

// mappingNow is what "now" is when the mapping decides whether a service has ended. A variable
// so that a test can pin it.
var mappingNow = time.Now

// deviceRequestRes is an R4 DeviceRequest: community equipment provision.
type deviceRequestRes struct {
	domainResource
	Status              string           `json:"status"`
	Intent              string           `json:"intent"`
	CodeReference       *Reference       `json:"codeReference"`
	CodeCodeableConcept *CodeableConcept `json:"codeCodeableConcept"`
	OccurrenceDateTime  string           `json:"occurrenceDateTime"`
	OccurrencePeriod    *Period          `json:"occurrencePeriod"`
	OccurrenceTiming    *Timing          `json:"occurrenceTiming"`
	AuthoredOn          string           `json:"authoredOn"`
	Requester           *Reference       `json:"requester"`
	PerformerType       *CodeableConcept `json:"performerType"`
	Performer           *Reference       `json:"performer"`
	ReasonCode          Concepts         `json:"reasonCode"`
	Note                []Annotation     `json:"note"`
}

// deviceRes is a Device, as DeviceRequest.codeReference names it (R4 deviceName; STU3 and
// some servers: type and model only).
type deviceRes struct {
	domainResource
	DeviceName []struct {
		Name string `json:"name"`
		Type string `json:"type"`
	} `json:"deviceName"`
	Type        CodeableConcept `json:"type"`
	ModelNumber string          `json:"modelNumber"`
	Model       string          `json:"model"` // STU3
}

// name is the Device's user-friendly name, else any name, else its type.
func (d deviceRes) name() string {
	for _, want := range []string{"user-friendly-name", ""} {
		for _, n := range d.DeviceName {
			if strings.TrimSpace(n.Name) != "" && (want == "" || n.Type == want) {
				return strings.TrimSpace(n.Name)
			}
		}
	}
	return firstNonEmpty(d.Type.Label(), d.Model, d.ModelNumber)
}

// packageProbe is what deciding whether a service is social care reads. Each element is
// decoded on its own, so that one odd element does not hide the others.
type packageProbe struct {
	Meta struct {
		Profile json.RawMessage `json:"profile"`
	} `json:"meta"`
	Extension     json.RawMessage `json:"extension"`
	Category      json.RawMessage `json:"category"`
	Type          json.RawMessage `json:"type"`
	Code          json.RawMessage `json:"code"`
	PerformerType json.RawMessage `json:"performerType"`
	Title         json.RawMessage `json:"title"`       // CarePlan
	Description   json.RawMessage `json:"description"` // CarePlan
}

// packageSignals is the probe decoded: the concepts and profile and extension URLs.
type packageSignals struct {
	concepts   []CodeableConcept // category, type, code, performerType, and coded extension values
	categories []CodeableConcept // category alone (orders are categorised there)
	urls       []string          // meta.profile and extension URLs
}

func probePackage(raw []byte) packageSignals {
	var p packageProbe
	var s packageSignals
	if unmarshal(raw, &p) != nil {
		return s
	}
	var profiles []string
	if oneOrMany(p.Meta.Profile, &profiles) == nil {
		s.urls = append(s.urls, profiles...)
	}
	var exts []Extension
	if len(p.Extension) > 0 && unmarshal(p.Extension, &exts) == nil {
		for _, e := range exts {
			s.urls = append(s.urls, e.URL)
			if e.ValueCodeableConcept != nil {
				s.concepts = append(s.concepts, *e.ValueCodeableConcept)
			}
			if e.ValueCoding != nil {
				s.concepts = append(s.concepts, CodeableConcept{Coding: []Coding{*e.ValueCoding}})
			}
		}
	}
	var cats Concepts
	if len(p.Category) > 0 && unmarshal(p.Category, &cats) == nil {
		s.categories = cats
		s.concepts = append(s.concepts, cats...)
	}
	for _, el := range []json.RawMessage{p.Type, p.Code, p.PerformerType} {
		var cs Concepts
		if len(el) > 0 && unmarshal(el, &cs) == nil {
			s.concepts = append(s.concepts, cs...)
		}
	}
	for _, el := range []json.RawMessage{p.Title, p.Description} {
		var t string
		if len(el) > 0 && unmarshal(el, &t) == nil && strings.TrimSpace(t) != "" {
			s.concepts = append(s.concepts, CodeableConcept{Text: t})
		}
	}
	return s
}

// primitiveExtensions is the extension part of a primitive element ("_system": {"extension": […]}).
type primitiveExtensions struct {
	Extension []Extension `json:"extension"`
}
