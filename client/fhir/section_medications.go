package fhir

import (
	"slices"
	"strings"
	"time"

	"github.com/shcr-project/shcr/record"
)

// Medications: MedicationStatement (+ medication) and MedicationRequest (+ medication,
// requester). From GP Connect, includeMedication for the configured months, without issues.
func init() {
	registerMapping(record.SectionMedications, sectionMapping{
		queries: func() []Query {
			return []Query{
				search("MedicationStatement", "MedicationStatement:medication"),
				search("MedicationRequest", "MedicationRequest:medication", "MedicationRequest:requester"),
			}
		},
		mapR4: func(m *mapper, _ *Resource, items []Resource, out *record.SectionsData) {
			out.Medications = m.medications(items)
		},
		gpc: &gpcSection{
			ask: func(a GPConnectAsk) (string, []map[string]any) {
				from := a.Now.In(time.UTC).AddDate(0, -a.MedicationMonths, 0).Format("2006-01-02")
				return "includeMedication", []map[string]any{
					{"name": "includePrescriptionIssues", "valueBoolean": false},
					{"name": "medicationSearchFromDate", "valueDate": from},
				}
			},
			mapping: gpcMedications,
		},
	})
}

func gpcMedications(c *gpcResponse, part *record.Part, st *record.SectionStatus) {
	if !c.lists.has(gpcListMedications) && !hasType(c.entries, "MedicationStatement") {
		return
	}
	st.State = record.StateReturned
	var meds []Resource
	for _, e := range c.entries {
		if e.Type == "MedicationStatement" || e.Type == "MedicationRequest" {
			meds = append(meds, e)
		}
	}
	part.Sections.Medications = c.m.medications(meds)
	st.Warnings = append(st.Warnings, c.lists.warnings(record.SectionMedications)...)
	st.Count = len(part.Sections.Medications)
}

// ---- medications ----

// medications maps MedicationStatement and MedicationRequest. A MedicationRequest that a
// MedicationStatement is based on (a GP Connect plan), and the orders (issues) based on
// such a plan, are folded into that statement rather than listed again; the statement takes
// its prescriber and intent from the plan when it has none of its own.
func (m *mapper) medications(items []Resource) []record.Medication {
	folded := map[string]bool{}
	planOf := map[string]string{} // statement ref → request ref
	reqs := map[string]*medicationRequestRes{}
	stmts := map[string]*medicationStatementRes{}
	for _, r := range items {
		switch r.Type {
		case "MedicationStatement":
			var s medicationStatementRes
			if err := decodeAs(r, &s); err != nil {
				m.warn("%s; skipped", err)
				continue
			}
			stmts[r.Ref()] = &s
			for _, b := range s.BasedOn {
				if ref := requestRef(b.Reference); strings.HasPrefix(ref, "MedicationRequest/") {
					folded[ref] = true
					if planOf[r.Ref()] == "" {
						planOf[r.Ref()] = ref
					}
				}
			}
		case "MedicationRequest":
			var q medicationRequestRes
			if err := decodeAs(r, &q); err != nil {
				m.warn("%s; skipped", err)
				continue
			}
			reqs[r.Ref()] = &q
		}
	}
	if len(folded) > 0 {
		for changed := true; changed; {
			changed = false
			for ref, q := range reqs {
				if folded[ref] {
					continue
				}
				for _, b := range q.BasedOn {
					if folded[requestRef(b.Reference)] {
						folded[ref], changed = true, true
						break
					}
				}
			}
		}
	}
	var out []record.Medication
	for _, r := range items {
		switch r.Type {
		case "MedicationStatement":
			s, ok := stmts[r.Ref()]
			if !ok || s.Status == "entered-in-error" {
				continue
			}
			med := record.Medication{
				Item: m.item(r, &s.domainResource, itemFacts{author: s.InformationSource, recorded: s.DateAsserted, field: "dateAsserted"}),
				Kind: "statement", Status: s.Status, Dosage: dosageText(s.Dosage), Note: notes(s.Note),
			}
			med.Name, med.Code, med.CodeSystem = m.medicationName(s.MedicationCodeableConcept, s.MedicationReference, &s.domainResource)
			switch {
			case s.EffectivePeriod != nil:
				med.Period = m.period(r, "effectivePeriod", s.EffectivePeriod)
			case s.EffectiveDateTime != "":
				med.Period.Start, med.Period.StartText = m.dateText(r, "effectiveDateTime", s.EffectiveDateTime)
			}
			if s.InformationSource != nil {
				med.Prescriber = m.who(s.InformationSource, &s.domainResource).name
			}
			if plan, ok := reqs[planOf[r.Ref()]]; ok {
				for _, k := range foldedIdentifiers(planOf[r.Ref()], reqs) {
					if k != med.Key && !slices.Contains(med.AlsoKnownAs, k) {
						med.AlsoKnownAs = append(med.AlsoKnownAs, k)
					}
				}
				med.Intent = plan.Intent
				if med.Prescriber == "" {
					med.Prescriber = m.prescriber(plan)
				}
				if med.Provenance.Author.Name == "" {
					for _, ref := range []*Reference{plan.Recorder, plan.Requester.ref()} {
						if ref != nil {
							if w := m.who(ref, &plan.domainResource); w.name != "" {
								med.Provenance.Author = record.Author{Name: w.name, Role: w.role}
								break
							}
						}
					}
				}
				if pt, ok := findExt(plan.Extension, "PrescriptionType-1"); ok && pt.Text() != "" {
					med.Note = strings.TrimSpace("Prescription type: " + pt.Text() + "\n" + med.Note)
				}
			}
			out = append(out, med)
		case "MedicationRequest":
			q, ok := reqs[r.Ref()]
			if !ok || folded[r.Ref()] || q.Status == "entered-in-error" {
				continue
			}
			author := q.Requester.ref()
			if author == nil {
				author = q.Recorder
			}
			med := record.Medication{
				Item: m.item(r, &q.domainResource, itemFacts{author: author, recorded: q.AuthoredOn, field: "authoredOn"}),
				Kind: "request", Status: q.Status, Intent: q.Intent, Dosage: dosageText(q.DosageInstruction),
				Note: notes(q.Note), Prescriber: m.prescriber(q),
			}
			med.Name, med.Code, med.CodeSystem = m.medicationName(q.MedicationCodeableConcept, q.MedicationReference, &q.domainResource)
			if q.DispenseRequest != nil && q.DispenseRequest.ValidityPeriod != nil {
				med.Period = m.period(r, "dispenseRequest.validityPeriod", q.DispenseRequest.ValidityPeriod)
			}
			if med.Period.Start.IsZero() {
				med.Period.Start, med.Period.StartText = m.dateText(r, "authoredOn", q.AuthoredOn)
			}
			out = append(out, med)
		}
	}
	return out
}

// foldedIdentifiers are the business identifiers ("system|value") of a statement's plan and
// of the issues based on that plan: another back end (a shared care record fed by the GP
// system) may report the medication under one of them.
func foldedIdentifiers(planRef string, reqs map[string]*medicationRequestRes) []string {
	var out []string
	add := func(ids Identifiers) {
		for _, id := range ids {
			if id.System != "" && id.Value != "" && !slices.Contains(out, id.System+"|"+id.Value) {
				out = append(out, id.System+"|"+id.Value)
			}
		}
	}
	add(reqs[planRef].Identifier)
	refs := make([]string, 0, len(reqs))
	for ref := range reqs {
		refs = append(refs, ref)
	}
	slices.Sort(refs) // one order, whatever the map's
	for _, ref := range refs {
		if ref != planRef && slices.ContainsFunc(reqs[ref].BasedOn, func(b Reference) bool { return requestRef(b.Reference) == planRef }) {
			add(reqs[ref].Identifier)
		}
	}
	return out
}

// requestRef normalises a basedOn reference to a MedicationRequest; a bare id (as one
// published GP Connect example writes it) is taken as a MedicationRequest id.
func requestRef(ref string) string {
	r := normRef(ref)
	if r != "" && !strings.Contains(r, "/") && !strings.HasPrefix(r, "#") {
		return "MedicationRequest/" + r
	}
	return r
}

func (m *mapper) prescriber(q *medicationRequestRes) string {
	for _, ref := range []*Reference{q.Requester.ref(), q.Recorder} {
		if ref != nil {
			if n := m.who(ref, &q.domainResource).name; n != "" {
				return n
			}
		}
	}
	return ""
}

// medicationName reads the medication from a code, or from a Medication reference resolved
// in the response, among contained resources, or by its display.
func (m *mapper) medicationName(cc *CodeableConcept, ref *Reference, container *domainResource) (name, code, system string) {
	var concept CodeableConcept
	switch {
	case cc != nil:
		concept = *cc
	case ref != nil:
		if res, ok := m.resolve(ref, container); ok && res.Type == "Medication" {
			var med medicationRes
			if decodeAs(res, &med) == nil {
				concept = med.Code
			}
		}
		if concept.Label() == "" {
			if strings.TrimSpace(ref.Display) == "" {
				m.warn("medication %s is not in the response; its name is unknown", ref.Reference)
			}
			return strings.TrimSpace(ref.Display), "", ""
		}
	}
	name = concept.Label()
	// Prefer the dm+d coding, then SNOMED CT, then the first.
	best, ok := Coding{}, false
	for _, pref := range []string{"dmd", "snomed"} {
		for _, c := range concept.Coding {
			if c.Code != "" && strings.Contains(strings.ToLower(c.System), pref) {
				best, ok = c, true
				break
			}
		}
		if ok {
			break
		}
	}
	if !ok {
		best, ok = concept.First()
	}
	if ok {
		code, system = best.Code, best.System
		if concept.Text == "" && descriptionDisplay(best) == "" && best.Display != "" {
			name = best.Display
		}
	}
	name = termOf(name) // "39732411000001106 | Amoxicillin 500mg capsules |" reads as its term
	if name == "" || isCodeOnly(name) {
		if r := readable(concept); r != "" {
			name = r
		} else if code != "" {
			name = "medication not named by the source (code " + code + ")"
		}
	}
	return name, code, system
}

func dosageText(ds []dosage) string {
	var out []string
	for _, d := range ds {
		t := strings.TrimSpace(d.Text)
		if t == "" {
			t = timingText(d.Timing)
		}
		if pi := strings.TrimSpace(d.PatientInstruction); pi != "" && !strings.EqualFold(pi, t) {
			t = strings.TrimSpace(t + " (" + pi + ")")
		}
		if t != "" {
			out = append(out, t)
		}
	}
	return strings.Join(out, "; ")
}
