package demo

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

func gpMeta(profile string) jobj { return jobj{"profile": jarr{gpcProfile + profile}} }

func gpList(title, code, display, pid string, entries []string) jobj {
	l := jobj{"resourceType": "List", "meta": gpMeta("CareConnect-GPC-List-1"), "status": "current", "mode": "snapshot",
		"title": title, "code": jobj{"coding": jarr{coding(sysSNOMED, code, display)}},
		"subject": reference("Patient", pid, ""), "date": ReferenceDate.Format(time.RFC3339),
		"orderedBy": jobj{"coding": jarr{coding("http://hl7.org/fhir/list-order", "event-date", "Sorted by Event Date")}}}
	if len(entries) == 0 {
		l["emptyReason"] = jobj{"coding": jarr{coding(gpcEmptyReason, "no-content-recorded", "No Content Recorded")}}
		l["note"] = jarr{jobj{"text": "Information not available"}}
	} else {
		var es jarr
		for _, e := range entries {
			es = append(es, jobj{"item": jobj{"reference": e}})
		}
		l["entry"] = es
	}
	return l
}

// gpBundle builds the structured record for one person, as the demo practice holds it.
func (ds *dataset) gpBundle(i int, q gpQuery) jobj {
	p := ds.seed.People[i]
	pre := personPrefix(i)
	pid := "gp-" + pre
	var entries jarr
	add := func(r jobj) { entries = append(entries, jobj{"resource": r}) }
	pracs := []string{"pr-ashdown"}
	usePrac := func(id string) {
		if id != "" && !slices.Contains(pracs, id) {
			pracs = append(pracs, id)
		}
	}
	roleRef := func(id string) jobj { usePrac(id); return reference("PractitionerRole", "role-"+id, "") }

	// Patient, with contacts where only relationship.text names the role.
	ids := jarr{jobj{"system": sysNHSNumber, "value": p.NHS, "extension": jarr{jobj{"url": gpcVerifyExt,
		"valueCodeableConcept": jobj{"coding": jarr{coding(gpcVerifySystem, "01", "Number present and verified")}}}}}}
	pat := jobj{"resourceType": "Patient", "id": pid, "meta": gpMeta("CareConnect-GPC-Patient-1"), "identifier": ids,
		"active": true, "name": jarr{humanName(p.Title, p.Family, p.Given)}, "telecom": phones(p.Phones),
		"gender": p.Gender, "birthDate": p.BirthDate, "address": jarr{address(p.Address)},
		"generalPractitioner":  jarr{reference("Practitioner", "pr-ashdown", "")},
		"managingOrganization": reference("Organization", gpPracticeOrg, "")}
	var contacts jarr
	for _, c := range p.Contacts {
		if !in(c.In, "gp") {
			continue
		}
		text := c.RelDisplay
		if in(c.Roles, "NOK") {
			text = "Next of kin"
		} else if in(c.Roles, "EC") {
			text = "Emergency contact"
		}
		contacts = append(contacts, jobj{"relationship": jarr{jobj{"text": text}}, "name": humanName(c.Title, c.Family, c.Given), "telecom": phones(c.Phones)})
	}
	if len(contacts) > 0 {
		pat["contact"] = contacts
	}
	if p.Interpreter != "" {
		pat["communication"] = jarr{jobj{"language": concept(p.Language, coding("urn:ietf:bcp:47", p.Interpreter, p.Language)), "preferred": true,
			"extension": jarr{jobj{"url": "https://fhir.hl7.org.uk/STU3/StructureDefinition/Extension-CareConnect-NHSCommunication-1",
				"extension": jarr{jobj{"url": "interpreterRequired", "valueBoolean": true}}}}}}
	}
	add(pat)

	if q.allergies {
		var active []string
		var ended []jobj
		for j, a := range p.Allergies {
			cat := a.Category
			if cat == "food" {
				cat = "environment" // GP Connect STU3 uses medication | environment only
			}
			r := jobj{"resourceType": "AllergyIntolerance", "id": fmt.Sprintf("gal-%s-%d", pre, j+1),
				"meta":           gpMeta("CareConnect-GPC-AllergyIntolerance-1"),
				"identifier":     jarr{jobj{"system": gpcDataID, "value": fmt.Sprintf("gal-%s-%d", pre, j+1)}},
				"clinicalStatus": a.Status, "verificationStatus": "unconfirmed", "type": "allergy",
				"category": jarr{cat}, "code": jobj{"coding": jarr{coding(sysSNOMED, a.Code, a.Display)}},
				"patient": reference("Patient", pid, ""), "assertedDate": instant(a.Recorded),
				"recorder": roleRef(gpRecorder(a.Recorder))}
			if a.Reaction != "" {
				r["reaction"] = jarr{jobj{"manifestation": jarr{jobj{"text": a.Reaction}}, "severity": a.Severity}}
			}
			if a.Criticality != "" {
				r["criticality"] = a.Criticality
			}
			if a.Status == "resolved" {
				r["id"] = fmt.Sprintf("ended-%d", j+1)
				ended = append(ended, r)
				continue
			}
			active = append(active, "AllergyIntolerance/"+r["id"].(string))
			add(r)
		}
		if p.NKA {
			id := "gal-" + pre + "-nka"
			add(jobj{"resourceType": "AllergyIntolerance", "id": id, "meta": gpMeta("CareConnect-GPC-AllergyIntolerance-1"),
				"identifier": jarr{jobj{"system": gpcDataID, "value": id}}, "clinicalStatus": "active", "verificationStatus": "unconfirmed",
				"type": "allergy", "category": jarr{"medication"}, "code": jobj{"coding": jarr{coding(sysSNOMED, "716186003", "No known allergy")}},
				"patient": reference("Patient", pid, ""), "assertedDate": "2024-05-01T09:00:00+00:00",
				"recorder": roleRef("pr-ashdown")})
			active = append(active, "AllergyIntolerance/"+id)
		}
		l := gpList("Allergies and adverse reactions", listAllergies, "Allergies and adverse reaction", pid, active)
		if p.GPConfidential {
			warn(l, "confidential-items", "Items excluded due to confidentiality and/or patient preferences.")
		}
		ds.inTransit(l, p)
		add(l)
		if q.resolved {
			var refs []string
			for _, e := range ended {
				refs = append(refs, "#"+e["id"].(string))
			}
			el := gpList("Ended allergies", listEnded, "Ended allergies", pid, refs)
			if len(ended) > 0 {
				var contained jarr
				for _, e := range ended {
					contained = append(contained, e)
				}
				el["contained"] = contained
			}
			add(el)
		}
	}

	if q.meds {
		var listed []string
		usedMeds := map[string]bool{}
		all := append(slices.Clone(p.Meds), ds.largeMeds(p)...)
		for j, m := range all {
			end := m.End
			if q.medsFrom != "" && end != "" && end < q.medsFrom {
				continue
			}
			med := ds.meds[m.Medicine]
			usedMeds[med.ID] = true
			prescriber := m.Prescriber
			if prescriber == "" {
				prescriber = "pr-ashdown"
			}
			k := fmt.Sprintf("%s-%d", pre, j+1)
			planID, orderID, msID := "gmp-"+k, "gmo-"+k, "gms-"+k
			rxType := "repeat"
			if m.End != "" {
				rxType = "acute"
			}
			ext := jarr{jobj{"url": gpcProfile + "Extension-CareConnect-GPC-PrescriptionType-1",
				"valueCodeableConcept": jobj{"coding": jarr{coding("https://fhir.nhs.uk/STU3/CodeSystem/CareConnect-PrescriptionType-1", rxType, strings.ToUpper(rxType[:1])+rxType[1:])}}}}
			add(jobj{"resourceType": "MedicationStatement", "id": msID, "meta": gpMeta("CareConnect-GPC-MedicationStatement-1"),
				"extension": jarr{
					jobj{"url": gpcProfile + "Extension-CareConnect-GPC-MedicationStatementLastIssueDate-1", "valueDateTime": m.Start},
					jobj{"url": gpcProfile + "Extension-CareConnect-GPC-PrescribingAgency-1", "valueCodeableConcept": jobj{"coding": jarr{
						coding("https://fhir.nhs.uk/STU3/CodeSystem/CareConnect-PrescribingAgency-1", "prescribed-at-gp-practice", "Prescribed at GP practice")}}},
				},
				"identifier": jarr{jobj{"system": gpcDataID, "value": msID}}, "basedOn": jarr{reference("MedicationRequest", planID, "")},
				"status": m.Status, "medicationReference": reference("Medication", med.ID, ""), "effectivePeriod": period(m.Start, m.End),
				"dateAsserted": m.Start, "subject": reference("Patient", pid, ""), "taken": "unk", "dosage": jarr{jobj{"text": m.Dosage}}})
			planStatus := map[string]string{"active": "active", "completed": "completed", "stopped": "stopped"}[m.Status]
			add(jobj{"resourceType": "MedicationRequest", "id": planID, "meta": gpMeta("CareConnect-GPC-MedicationRequest-1"), "extension": ext,
				"identifier": jarr{jobj{"system": gpcDataID, "value": planID}}, "status": planStatus, "intent": "plan",
				"medicationReference": reference("Medication", med.ID, ""), "subject": reference("Patient", pid, ""),
				"authoredOn": m.Start, "recorder": roleRef(prescriber), "dosageInstruction": jarr{jobj{"text": m.Dosage}},
				"dispenseRequest": jobj{"validityPeriod": period(m.Start, m.End)}})
			add(jobj{"resourceType": "MedicationRequest", "id": orderID, "meta": gpMeta("CareConnect-GPC-MedicationRequest-1"), "extension": ext,
				"identifier": jarr{jobj{"system": gpcDataID, "value": orderID}}, "basedOn": jarr{reference("MedicationRequest", planID, "")},
				"status": "completed", "intent": "order",
				"medicationReference": reference("Medication", med.ID, ""), "subject": reference("Patient", pid, ""),
				"authoredOn": m.Start, "recorder": roleRef(prescriber), "dosageInstruction": jarr{jobj{"text": m.Dosage}},
				"dispenseRequest": jobj{"validityPeriod": period(m.Start, "")}})
			listed = append(listed, "MedicationStatement/"+msID)
		}
		for _, med := range ds.seed.Medicines {
			if usedMeds[med.ID] {
				add(jobj{"resourceType": "Medication", "id": med.ID, "meta": gpMeta("CareConnect-GPC-Medication-1"),
					"code": jobj{"coding": jarr{coding(sysSNOMED, med.Code, med.Display)}}})
			}
		}
		l := gpList("Medications and medical devices", listMedications, "Medications and medical devices", pid, listed)
		ds.inTransit(l, p)
		add(l)
	}

	if q.consultations {
		cons := slices.Clone(p.Consultations)
		slices.SortFunc(cons, func(a, b seedConsult) int { return strings.Compare(b.Date, a.Date) })
		var kept []seedConsult
		for _, c := range cons {
			if q.periodStart != "" && c.Date[:10] < q.periodStart {
				continue
			}
			if q.period != "" && c.Date[:10] > q.period {
				continue
			}
			kept = append(kept, c)
		}
		if q.mostRecent > 0 && len(kept) > q.mostRecent {
			kept = kept[:q.mostRecent]
		}
		var encRefs []string
		for j, c := range kept {
			k := fmt.Sprintf("%s-%d", pre, j+1)
			encID, obsID := "genc-"+k, "gobs-"+k
			start, _ := time.Parse(time.RFC3339, c.Date)
			usePrac(c.Clinician)
			add(jobj{"resourceType": "Encounter", "id": encID, "meta": gpMeta("CareConnect-GPC-Encounter-1"),
				"identifier": jarr{jobj{"system": gpcDataID, "value": encID}}, "status": "finished", "type": jarr{jobj{"text": c.Type}},
				"subject": reference("Patient", pid, ""),
				"participant": jarr{jobj{"type": jarr{jobj{"coding": jarr{coding("http://hl7.org/fhir/v3/ParticipationType", "PPRF", "primary performer")}}},
					"individual": reference("Practitioner", c.Clinician, "")}},
				"period":          period(c.Date, start.Add(10*time.Minute).Format(time.RFC3339)),
				"serviceProvider": reference("Organization", gpPracticeOrg, "")})
			add(jobj{"resourceType": "List", "id": "gcons-" + k, "meta": gpMeta("CareConnect-GPC-List-1"), "status": "current", "mode": "snapshot",
				"title": c.Type, "code": jobj{"coding": jarr{coding(sysSNOMED, "325851000000107", "Consultation")}},
				"subject": reference("Patient", pid, ""), "encounter": reference("Encounter", encID, ""), "date": c.Date,
				"entry": jarr{jobj{"item": reference("List", "gtopic-"+k, "")}}})
			add(jobj{"resourceType": "List", "id": "gtopic-" + k, "meta": gpMeta("CareConnect-GPC-List-1"), "status": "current", "mode": "snapshot",
				"title": c.Topic, "code": jobj{"coding": jarr{coding(sysSNOMED, "25851000000105", "Topic (EHR)")}},
				"subject": reference("Patient", pid, ""), "encounter": reference("Encounter", encID, ""), "date": c.Date,
				"entry": jarr{jobj{"item": reference("Observation", obsID, "")}}})
			add(jobj{"resourceType": "Observation", "id": obsID, "meta": gpMeta("CareConnect-GPC-Observation-1"),
				"identifier": jarr{jobj{"system": gpcDataID, "value": obsID}}, "status": "final",
				"code":    jobj{"coding": jarr{coding(sysSNOMED, "37331000000100", "Comment note")}},
				"subject": reference("Patient", pid, ""), "context": reference("Encounter", encID, ""),
				"effectiveDateTime": c.Date, "issued": c.Date, "performer": jarr{reference("Practitioner", c.Clinician, "")},
				"comment": c.Comment})
			encRefs = append(encRefs, "Encounter/"+encID)
		}
		l := gpList("List of consultations", listConsultation, "List of consultations", pid, encRefs)
		ds.inTransit(l, p)
		add(l)
	}

	// The practice, its clinicians and their roles.
	o := ds.orgs[gpPracticeOrg]
	add(jobj{"resourceType": "Organization", "id": o.ID, "meta": gpMeta("CareConnect-GPC-Organization-1"),
		"identifier": jarr{jobj{"system": sysODS, "value": o.ODS}}, "name": o.Name,
		"telecom": jarr{jobj{"system": "phone", "value": o.Phone, "use": "work"}}})
	for _, id := range pracs {
		pr := ds.pracs[id]
		add(jobj{"resourceType": "Practitioner", "id": id, "meta": gpMeta("CareConnect-GPC-Practitioner-1"),
			"identifier": jarr{jobj{"system": "https://fhir.nhs.uk/Id/sds-user-id", "value": "DM" + strings.ToUpper(pr.Family[:3]) + "01"}},
			"name":       jarr{jobj{"use": "usual", "family": pr.Family, "given": toA(pr.Given), "prefix": jarr{pr.Title}}}})
		code := jarr{jobj{"coding": jarr{coding("https://fhir.hl7.org.uk/STU3/CodeSystem/CareConnect-SDSJobRoleName-1", pr.JobRole, pr.JobDisplay)}}}
		if pr.JobRole == "" {
			code = jarr{jobj{"text": pr.RoleDisplay}}
		}
		add(jobj{"resourceType": "PractitionerRole", "id": "role-" + id, "meta": gpMeta("CareConnect-GPC-PractitionerRole-1"),
			"practitioner": reference("Practitioner", id, ""), "organization": reference("Organization", gpPracticeOrg, ""), "code": code})
	}
	return jobj{"resourceType": "Bundle", "meta": gpMeta("GPConnect-StructuredRecord-Bundle-1"), "type": "collection", "entry": entries}
}

// warn adds a GP Connect list warning code with the text the specification gives it.
func warn(l jobj, code, text string) {
	l["extension"] = append(asList(l["extension"]), jobj{"url": gpcWarningExt, "valueCode": code})
	l["note"] = append(asList(l["note"]), jobj{"text": text})
}

// inTransit warns that the record is still arriving from the previous practice.
func (ds *dataset) inTransit(l jobj, p seedPerson) {
	if p.GPInTransit == "" {
		return
	}
	d, err := time.Parse("2006-01-02", p.GPInTransit)
	if err != nil {
		return
	}
	warn(l, "data-in-transit", "Patient record transfer from previous GP practice not yet complete; information recorded before "+
		d.Format("02-Jan-2006")+" may be missing.")
}

// gpRecorder maps a recorder to a clinician the GP practice knows.
func gpRecorder(id string) string {
	if id == "pr-ashdown" || id == "pr-okafor" {
		return id
	}
	return "pr-ashdown"
}
