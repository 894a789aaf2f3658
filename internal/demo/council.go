package demo

import "fmt"

const sysIWServiceID = "https://fhir.yhcr.nhs.uk/Id/local-SocialCareService-identifier"

func (ds *dataset) buildCouncil() *store {
	types := []string{"Patient", "EpisodeOfCare", "ServiceRequest", "CarePlan", "CareTeam", "RelatedPerson",
		"DocumentReference", "Flag", "Practitioner", "PractitionerRole", "Organization", "Provenance"}
	s := newStore(NameCouncil, types)
	for _, t := range types {
		switch t {
		case "Patient":
			s.search[t] = patientParams
		case "Practitioner", "Organization", "PractitionerRole":
			s.search[t] = refParams
		default:
			s.search[t] = sectionParams
		}
	}
	s.includes["EpisodeOfCare"] = []string{"care-manager", "organization", "incoming-referral"}
	s.includes["ServiceRequest"] = []string{"performer", "requester"}
	s.includes["CarePlan"] = []string{"care-team"}
	s.includes["CareTeam"] = []string{"participant"}
	s.includes["DocumentReference"] = []string{"author"}
	s.includes["Flag"] = []string{"author"}
	s.includes["PractitionerRole"] = []string{"practitioner", "organization"}

	ds.addOrganisations(s, "council")
	ds.addPractitioners(s, "council")
	for i, p := range ds.seed.People {
		if !in(p.Backends, "council") {
			continue
		}
		pid := "dcc-" + personPrefix(i)
		ds.councilID[p.Key] = pid
		s.add(ds.patientResource(p, pid, "council"), pid, nil)
		ds.addCouncilSections(s, i, p, pid)
	}
	return s
}

func serviceType(pk seedPackage) jobj {
	if pk.TypeCode == "R" {
		return concept(pk.Type, coding(sysServiceType, "R", "Reablement"))
	}
	return concept(pk.Type, coding("https://demo-county.example.gov.uk/CodeSystem/service-type", pk.TypeCode, pk.Type))
}

func (ds *dataset) addCouncilSections(s *store, i int, p seedPerson, pid string) {
	pre := personPrefix(i)
	subj := reference("Patient", pid, "")
	var careTeamID string
	if len(p.SocialWorkers) > 0 {
		careTeamID = "ct-" + pre + "-asc"
		s.add(ds.careTeam(careTeamID, pid, "Allocated workers", p.SocialWorkers, "org-team-north", councilMeta("CareTeam", instant(p.SocialWorkers[0].Start)), true), pid,
			map[string][]string{"participant": pracRefs(p.SocialWorkers, "PractitionerRole/role-")})
	}
	for _, pk := range p.Packages {
		eocID := "eoc-" + pk.ID
		var hist jarr
		for _, h := range pk.StatusHistory {
			hist = append(hist, jobj{"status": h.Status, "period": period(instant(h.Start), endInstant(h.End))})
		}
		eoc := jobj{"resourceType": "EpisodeOfCare", "id": eocID, "meta": councilMeta("SocialCareService", instant(pk.StatusHistory[len(pk.StatusHistory)-1].Start)),
			"identifier":           jarr{jobj{"system": sysIWServiceID, "value": pk.ID}},
			"status":               pk.Status,
			"statusHistory":        hist,
			"type":                 jarr{serviceType(pk)},
			"patient":              subj,
			"managingOrganization": ds.orgRef(pk.Provider),
			"period":               period(pk.Start, pk.End),
			"careManager":          ds.pracRef(pk.CareManager),
		}
		refs := map[string][]string{"care-manager": {"Practitioner/" + pk.CareManager}, "organization": {"Organization/" + pk.Provider}}
		if careTeamID != "" {
			eoc["team"] = jarr{reference("CareTeam", careTeamID, "")}
		}
		if pk.HoursPerWeek > 0 || pk.Schedule != "" {
			srID := "sr-" + pk.ID
			srStatus := map[string]string{"planned": "active", "active": "active", "onhold": "on-hold", "finished": "completed", "cancelled": "revoked"}[pk.Status]
			timing := jobj{"code": concept(pk.Schedule), "repeat": jobj{"boundsPeriod": period(pk.Start, pk.End)}}
			if pk.VisitsPerDay > 0 {
				timing["repeat"].(jobj)["frequency"] = pk.VisitsPerDay
				timing["repeat"].(jobj)["period"] = 1
				timing["repeat"].(jobj)["periodUnit"] = "d"
			}
			sr := jobj{"resourceType": "ServiceRequest", "id": srID, "meta": councilMeta("ServiceRequest", instant(pk.StatusHistory[0].Start)),
				"identifier":       jarr{jobj{"system": sysIWServiceID, "value": pk.ID + "-request"}},
				"status":           srStatus,
				"intent":           "order",
				"category":         jarr{concept("Social care service")},
				"code":             serviceType(pk),
				"subject":          subj,
				"authoredOn":       pk.StatusHistory[0].Start,
				"requester":        ds.pracRef(pk.CareManager),
				"performer":        jarr{ds.orgRef(pk.Provider)},
				"occurrenceTiming": timing,
			}
			if pk.HoursPerWeek > 0 {
				sr["quantityQuantity"] = jobj{"value": pk.HoursPerWeek, "unit": "hours per week", "system": sysUCUM, "code": "h/wk"}
			}
			s.add(sr, pid, map[string][]string{"performer": {"Organization/" + pk.Provider}, "requester": {"Practitioner/" + pk.CareManager}})
			eoc["referralRequest"] = jarr{reference("ServiceRequest", srID, "")}
			refs["incoming-referral"] = []string{"ServiceRequest/" + srID}
		}
		s.add(eoc, pid, refs)
		if pk.Status == "active" {
			s.add(jobj{"resourceType": "Provenance", "id": "prov-EpisodeOfCare-" + eocID,
				"meta":     councilMeta("Provenance", ""),
				"target":   jarr{reference("EpisodeOfCare", eocID, "")},
				"recorded": instant(pk.Start),
				"activity": concept("", coding("http://terminology.hl7.org/CodeSystem/v3-DataOperation", "CREATE", "create")),
				"agent": jarr{jobj{
					"type":       concept("", coding("http://terminology.hl7.org/CodeSystem/provenance-participant-type", "author", "Author")),
					"who":        ds.pracRef(pk.CareManager),
					"onBehalfOf": ds.orgRef("org-council"),
				}},
				"patient": subj,
			}, pid, nil)
		}
	}
	if cp := p.CarePlan; cp != nil {
		var acts jarr
		for _, a := range cp.Activities {
			acts = append(acts, jobj{"detail": jobj{"status": "in-progress", "description": a}})
		}
		r := jobj{"resourceType": "CarePlan", "id": "cp-" + pre + "-1", "meta": councilMeta("CarePlan", instant(cp.Start)),
			"identifier": jarr{jobj{"system": sysLALocalID, "value": "cp-" + pre + "-1"}},
			"status":     "active", "intent": "plan",
			"category":    jarr{concept("Care and support plan")},
			"title":       cp.Title,
			"description": cp.Summary,
			"subject":     subj,
			"period":      period(cp.Start, ""),
			"created":     cp.Start,
			"author":      ds.pracRef(cp.Author),
			"activity":    acts}
		refs := map[string][]string{}
		if careTeamID != "" {
			r["careTeam"] = jarr{reference("CareTeam", careTeamID, "")}
			refs["care-team"] = []string{"CareTeam/" + careTeamID}
		}
		s.add(r, pid, refs)
	}
	for j, c := range p.Contacts {
		if !in(c.In, "council") {
			continue
		}
		var ext jarr
		for _, role := range c.Roles {
			ext = append(ext, jobj{"url": extSupportRole, "extension": jarr{
				jobj{"url": "supportRoleType", "valueCodeableConcept": concept("", coding(sysSupportRole, role, supportRoleDisplay[role]))},
				jobj{"url": "supportRolePeriod", "valuePeriod": period("2024-01-01", "")},
			}})
		}
		if c.Rank > 0 {
			ext = append(ext, jobj{"url": extContactRank, "valuePositiveInt": c.Rank})
		}
		id := fmt.Sprintf("rp-%s-%d", pre, j+1)
		s.add(jobj{"resourceType": "RelatedPerson", "id": id, "meta": councilMeta("RelatedPerson", "2026-01-01T09:00:00Z"),
			"extension":    ext,
			"identifier":   jarr{jobj{"system": sysLALocalID, "value": id}},
			"active":       true,
			"patient":      subj,
			"relationship": jarr{concept(c.RelDisplay, coding(sysV3RoleCode, c.Relationship, c.RelDisplay))},
			"name":         jarr{humanName(c.Title, c.Family, c.Given)},
			"telecom":      phones(c.Phones),
		}, pid, nil)
	}
	for j, n := range p.Notes {
		if n.Backend != "council" {
			continue
		}
		ds.addDocument(s, pid, fmt.Sprintf("cn-%s-%d", pre, j+1), n, "council")
	}
	for j, f := range p.Flags {
		if f.Backend != "council" {
			continue
		}
		s.add(flagResource(fmt.Sprintf("flag-%s-%d", pre, j+1), pid, f, ds.orgRef(f.Author), councilMeta("Flag", instant(f.Start))), pid,
			map[string][]string{"author": {"Organization/" + f.Author}})
	}
}

func endInstant(s string) string {
	if s == "" {
		return ""
	}
	return instant(s)
}
