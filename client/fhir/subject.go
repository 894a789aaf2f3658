package fhir

import (
	"encoding/json"
	"strings"
)

// subjectHead is the part of a resource that says whom it is about. Clinical and care
// resources use subject (Encounter, Flag, CarePlan…), patient (AllergyIntolerance,
// EpisodeOfCare, RelatedPerson…) or beneficiary (Coverage).
type subjectHead struct {
	Subject     *Reference `json:"subject"`
	Patient     *Reference `json:"patient"`
	Beneficiary *Reference `json:"beneficiary"`
}

// Subject returns the reference saying whom r is about (subject, patient or beneficiary,
// whichever it has), and false when it has none (or the JSON does not decode as one).
//
// An Encounter decoded first (Predecoder) whose subject was read with it is not read again:
// the answer is the same (TestPredecodedSubjectAgrees, FuzzPredecodedSubject).
func Subject(r Resource) (Reference, bool) {
	if p := predecodedFor(r); p != nil && p.subjectKnown {
		return p.subject, p.subjectOK
	}
	var h subjectHead
	// From the members the bundle decode set aside when there are (they include these),
	// else from the whole resource; encoding/json's reading, by the hand-written reader
	// where it can (decodeSubjectFast), else in one fast pass.
	raw := r.Raw
	if r.own != nil {
		raw = r.own
	}
	if !decodeSubjectFast(raw, &h) {
		h = subjectHead{}
		if unmarshal(raw, &h) != nil {
			return Reference{}, false
		}
	}
	return pickSubject(h)
}

// pickSubject is the first of h's subject, patient and beneficiary that says whom (a
// reference or an identifier's value), false when none does.
func pickSubject(h subjectHead) (Reference, bool) {
	for _, ref := range []*Reference{h.Subject, h.Patient, h.Beneficiary} {
		if ref != nil && (strings.TrimSpace(ref.Reference) != "" || ref.Identifier != nil && ref.Identifier.Value != "") {
			return *ref, true
		}
	}
	return Reference{}, false
}

// PatientLink is one Patient.link: another Patient record of the same person.
type PatientLink struct {
	Reference string // as written: "Patient/123" or an absolute URL
	Type      string // replaced-by | replaces | refer | seealso
}

// PatientLinks returns a Patient's links (nil when it has none or is not a Patient).
func PatientLinks(r Resource) []PatientLink {
	if r.Type != "Patient" {
		return nil
	}
	var p struct {
		Link []struct {
			Other Reference `json:"other"`
			Type  string    `json:"type"`
		} `json:"link"`
	}
	if json.Unmarshal(r.Raw, &p) != nil {
		return nil
	}
	var out []PatientLink
	for _, l := range p.Link {
		if ref := strings.TrimSpace(l.Other.Reference); ref != "" {
			out = append(out, PatientLink{Reference: ref, Type: l.Type})
		}
	}
	return out
}
