// Package fhir is the one place shcr decodes FHIR JSON and maps it to the record model
// (record). It reads FHIR R4 (UK Core, regional social care records such as
// Interweave) and the GP Connect Access Record Structured STU3 bundles.
//
// The structs here are lean: only the elements the mapping uses, nothing else. Unknown
// elements are ignored. Where R4 and STU3 (or real servers) disagree on the shape of an
// element, the type accepts both: a CodeableConcept or a bare code, one object or an array,
// a decimal as a number or a string.
package fhir

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"strings"
)

// Coding is a code from a code system.
type Coding struct {
	System    string      `json:"system"`
	Code      string      `json:"code"`
	Display   string      `json:"display"`
	Extension []Extension `json:"extension"`
}

// CodeableConcept is codings plus text.
type CodeableConcept struct {
	Coding []Coding `json:"coding"`
	Text   string   `json:"text"`
}

// Label is the text a person reads: the text, else the first display (or the SNOMED
// DescriptionDisplay that GP Connect puts in an extension), else the first code.
func (c CodeableConcept) Label() string {
	if t := strings.TrimSpace(c.Text); t != "" {
		return t
	}
	for _, cd := range c.Coding {
		if d := descriptionDisplay(cd); d != "" {
			return d
		}
		if d := strings.TrimSpace(cd.Display); d != "" {
			return d
		}
	}
	for _, cd := range c.Coding {
		if cd.Code != "" {
			return cd.Code
		}
	}
	return ""
}

// Has reports whether the concept carries code in system (system "" matches any system).
func (c CodeableConcept) Has(system, code string) bool {
	for _, cd := range c.Coding {
		if cd.Code == code && (system == "" || cd.System == system) {
			return true
		}
	}
	return false
}

// First returns the first coding with a code, if any.
func (c CodeableConcept) First() (Coding, bool) {
	for _, cd := range c.Coding {
		if cd.Code != "" {
			return cd, true
		}
	}
	return Coding{}, false
}

// descriptionDisplay reads the GP Connect / CareConnect sctdescid extension's
// DescriptionDisplay (the term the clinician chose), if present.
func descriptionDisplay(c Coding) string {
	for _, e := range c.Extension {
		if !strings.Contains(strings.ToLower(e.URL), "sctdescid") {
			continue
		}
		for _, sub := range e.Extension {
			if strings.EqualFold(sub.URL, "descriptionDisplay") && strings.TrimSpace(sub.ValueString) != "" {
				return strings.TrimSpace(sub.ValueString)
			}
		}
	}
	return ""
}

// Concepts is 0..* CodeableConcept, also accepting a single object (STU3 RelatedPerson.relationship).
type Concepts []CodeableConcept

func (c *Concepts) UnmarshalJSON(b []byte) error {
	return oneOrMany(b, (*[]CodeableConcept)(c))
}

// Label joins the labels of every concept.
func (c Concepts) Label() string {
	var out []string
	for _, cc := range c {
		if l := cc.Label(); l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, ", ")
}

// Has reports whether any concept carries code in system.
func (c Concepts) Has(system, code string) bool {
	for _, cc := range c {
		if cc.Has(system, code) {
			return true
		}
	}
	return false
}

// CodeOrConcept is an element that is a bare code in STU3 and a CodeableConcept in R4
// (AllergyIntolerance.clinicalStatus, verificationStatus).
type CodeOrConcept struct {
	Code    string
	Concept CodeableConcept
}

func (c *CodeOrConcept) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		return json.Unmarshal(b, &c.Code)
	}
	if err := json.Unmarshal(b, &c.Concept); err != nil {
		return err
	}
	if cd, ok := c.Concept.First(); ok {
		c.Code = cd.Code
	}
	return nil
}

// Value is the code, else the concept's label.
func (c CodeOrConcept) Value() string {
	if c.Code != "" {
		return c.Code
	}
	return c.Concept.Label()
}

// Reference points at another resource.
type Reference struct {
	Reference  string      `json:"reference"`
	Display    string      `json:"display"`
	Type       string      `json:"type"`
	Identifier *Identifier `json:"identifier"`
}

// Refs is 0..* Reference, also accepting one object (STU3 Observation.performer as published).
type Refs []Reference

func (r *Refs) UnmarshalJSON(b []byte) error { return oneOrMany(b, (*[]Reference)(r)) }

// Identifier is a business identifier.
type Identifier struct {
	Use       string          `json:"use"`
	System    string          `json:"system"`
	Value     string          `json:"value"`
	Type      CodeableConcept `json:"type"`
	Extension []Extension     `json:"extension"`
}

// Identifiers is 0..* Identifier, also accepting one object (Composition.identifier is 0..1).
type Identifiers []Identifier

func (i *Identifiers) UnmarshalJSON(b []byte) error { return oneOrMany(b, (*[]Identifier)(i)) }

// Period is a FHIR Period; the dates are parsed by the mapper so that a bad one is reported.
type Period struct {
	Start string `json:"start"`
	End   string `json:"end"`
}

// HumanName is a person's name.
type HumanName struct {
	Use    string   `json:"use"`
	Text   string   `json:"text"`
	Family string   `json:"family"`
	Given  []string `json:"given"`
	Prefix []string `json:"prefix"`
	Period Period   `json:"period"`
}

// Names is 0..* HumanName, also accepting one object (R4 Patient.contact.name is 0..1).
type Names []HumanName

func (n *Names) UnmarshalJSON(b []byte) error { return oneOrMany(b, (*[]HumanName)(n)) }

// ContactPoint is a phone number, email…
type ContactPoint struct {
	System string `json:"system"`
	Value  string `json:"value"`
	Use    string `json:"use"`
	Rank   int    `json:"rank"`
	Period Period `json:"period"`
	// Extension carries UK Core OtherContactSystem (textphone…) as PDS sends it; SystemExt
	// the same extension on the system element ("_system"), as UK Core profiles place it.
	Extension []Extension          `json:"extension"`
	SystemExt *primitiveExtensions `json:"_system"`
}

// Address is a postal address.
type Address struct {
	Use        string   `json:"use"`
	Type       string   `json:"type"`
	Text       string   `json:"text"`
	Line       []string `json:"line"`
	City       string   `json:"city"`
	District   string   `json:"district"`
	PostalCode string   `json:"postalCode"`
	Period     Period   `json:"period"`
}

// Addresses is 0..* Address, also accepting one object (Patient.contact.address is 0..1).
type Addresses []Address

func (a *Addresses) UnmarshalJSON(b []byte) error { return oneOrMany(b, (*[]Address)(a)) }

// Decimal is a FHIR decimal, accepting a JSON number or a numeric string (as some
// published GP Connect examples write it).
type Decimal float64

func (d *Decimal) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil {
			return &json.UnmarshalTypeError{Value: "string " + strconv.Quote(s), Type: decimalType}
		}
		*d = Decimal(f)
		return nil
	}
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	*d = Decimal(f)
	return nil
}

var decimalType = reflect.TypeFor[float64]()

var errNotDecimal = errors.New("not a decimal")

// Quantity is a measured amount.
type Quantity struct {
	Value  *Decimal `json:"value"`
	Unit   string   `json:"unit"`
	System string   `json:"system"`
	Code   flexCode `json:"code"`
}

// flexCode is a code that a published example writes as an array ("code": ["d"]).
type flexCode string

func (f *flexCode) UnmarshalJSON(b []byte) error {
	var many []string
	if err := oneOrMany(b, &many); err != nil {
		return err
	}
	if len(many) > 0 {
		*f = flexCode(many[0])
	}
	return nil
}

// Timing is a schedule.
type Timing struct {
	Repeat *TimingRepeat   `json:"repeat"`
	Code   CodeableConcept `json:"code"`
}

// TimingRepeat is the repeat part of a Timing.
type TimingRepeat struct {
	Frequency    int      `json:"frequency"`
	FrequencyMax int      `json:"frequencyMax"`
	Period       Decimal  `json:"period"`
	PeriodUnit   string   `json:"periodUnit"`
	Duration     Decimal  `json:"duration"`
	DurationUnit string   `json:"durationUnit"`
	DayOfWeek    []string `json:"dayOfWeek"`
	When         []string `json:"when"`
	TimeOfDay    []string `json:"timeOfDay"`
}

// Extension is a FHIR extension with the value types the mapping reads.
type Extension struct {
	URL                  string           `json:"url"`
	Extension            []Extension      `json:"extension"`
	ValueString          string           `json:"valueString"`
	ValueCode            string           `json:"valueCode"`
	ValueBoolean         *bool            `json:"valueBoolean"`
	ValueInteger         *int             `json:"valueInteger"`
	ValuePositiveInt     *int             `json:"valuePositiveInt"`
	ValueDecimal         *Decimal         `json:"valueDecimal"`
	ValueDateTime        string           `json:"valueDateTime"`
	ValueDate            string           `json:"valueDate"`
	ValueCodeableConcept *CodeableConcept `json:"valueCodeableConcept"`
	ValueCoding          *Coding          `json:"valueCoding"`
	ValuePeriod          *Period          `json:"valuePeriod"`
	ValueReference       *Reference       `json:"valueReference"`
	ValueQuantity        *Quantity        `json:"valueQuantity"`
	ValueTiming          *Timing          `json:"valueTiming"`
}

// Sub returns the first nested extension whose url equals name (case-insensitive).
func (e Extension) Sub(name string) (Extension, bool) {
	for _, s := range e.Extension {
		if strings.EqualFold(s.URL, name) {
			return s, true
		}
	}
	return Extension{}, false
}

// Text is a readable value of a simple extension: string, code, concept or coding label.
func (e Extension) Text() string {
	switch {
	case e.ValueString != "":
		return e.ValueString
	case e.ValueCodeableConcept != nil:
		return e.ValueCodeableConcept.Label()
	case e.ValueCoding != nil:
		if e.ValueCoding.Display != "" {
			return e.ValueCoding.Display
		}
		return e.ValueCoding.Code
	case e.ValueCode != "":
		return e.ValueCode
	}
	return ""
}

// Int is the integer value (valueInteger or valuePositiveInt).
func (e Extension) Int() (int, bool) {
	if e.ValuePositiveInt != nil {
		return *e.ValuePositiveInt, true
	}
	if e.ValueInteger != nil {
		return *e.ValueInteger, true
	}
	return 0, false
}

// findExt returns the first extension whose url ends with suffix (case-insensitive), so
// that the UK Core, CareConnect STU3 and PDS spellings of the same extension all match.
func findExt(exts []Extension, suffix string) (Extension, bool) {
	suffix = strings.ToLower(suffix)
	for _, e := range exts {
		if strings.HasSuffix(strings.ToLower(e.URL), suffix) {
			return e, true
		}
	}
	return Extension{}, false
}

// Meta is resource metadata.
type Meta struct {
	LastUpdated string   `json:"lastUpdated"`
	Profile     []string `json:"profile"`
	Source      string   `json:"source"`
	Tag         []Coding `json:"tag"`
	Security    []Coding `json:"security"`
}

// Narrative is human-readable XHTML.
type Narrative struct {
	Status string `json:"status"`
	Div    string `json:"div"`
}

// Annotation is a note.
type Annotation struct {
	Text string `json:"text"`
	Time string `json:"time"`
}

// Attachment is document content.
type Attachment struct {
	ContentType string `json:"contentType"`
	Data        string `json:"data"`
	URL         string `json:"url"`
	Size        int64  `json:"size"`
	Title       string `json:"title"`
	Creation    string `json:"creation"`
}

// domainResource holds what every resource the mapping reads has.
type domainResource struct {
	ResourceType string            `json:"resourceType"`
	ID           string            `json:"id"`
	Meta         Meta              `json:"meta"`
	Text         *Narrative        `json:"text"`
	Contained    []json.RawMessage `json:"contained"`
	Extension    []Extension       `json:"extension"`
	Identifier   Identifiers       `json:"identifier"`
}

// oneOrMany decodes a JSON array into *dst, or a single value as a one-element slice.
func oneOrMany[T any](b []byte, dst *[]T) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || string(b) == "null" {
		*dst = nil
		return nil
	}
	if b[0] == '[' {
		return json.Unmarshal(b, dst)
	}
	var one T
	if err := json.Unmarshal(b, &one); err != nil {
		return err
	}
	*dst = []T{one}
	return nil
}
