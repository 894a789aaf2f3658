package fhir

import (
	"fmt"
	"slices"
	"strings"

	"github.com/shcr-project/shcr/record"
)

// Care team: CareTeam (+ participant, iterate PractitionerRole:practitioner /
// :organization) and EpisodeOfCare (+ care-manager, organization; iterate the same). From GP
// Connect, the registered GP.
func init() {
	registerMapping(record.SectionCareTeam, sectionMapping{
		queries: func() []Query {
			ct := search("CareTeam", "CareTeam:participant")
			ct.IncludeIterate = roleIterate
			eoc := search("EpisodeOfCare", "EpisodeOfCare:care-manager", "EpisodeOfCare:organization")
			eoc.IncludeIterate = roleIterate
			return []Query{ct, eoc}
		},
		mapR4: func(m *mapper, _ *Resource, items []Resource, out *record.SectionsData) {
			for _, r := range items {
				out.CareTeam = appendMembers(out.CareTeam, m.careTeam(r)...)
			}
		},
		gpc: &gpcSection{mapping: gpcCareTeam},
	})
}

func gpcCareTeam(c *gpcResponse, part *record.Part, st *record.SectionStatus) {
	st.State = record.StateReturned
	for _, gp := range c.pr.GeneralPractition {
		w := c.m.who(&gp, &c.pr.domainResource)
		if w.name == "" {
			continue
		}
		it := c.m.item(*c.patient, &c.pr.domainResource, itemFacts{})
		it.Key, it.AlsoKnownAs = c.m.memberKey(&gp, &c.pr.domainResource, w.name, c.m.scope(it)), nil
		role := firstNonEmpty(w.role, "GP")
		if res, ok := c.m.resolve(&gp, &c.pr.domainResource); ok && res.Type == "Organization" {
			role = "GP practice"
		}
		part.Sections.CareTeam = append(part.Sections.CareTeam, record.CareTeamMember{
			Item: it, Name: w.name, Role: role, Organisation: firstNonEmpty(w.org, c.practice.name),
			Phones: firstPhones(w.phones, c.practice.phones), Status: "active",
		})
	}
	st.Count = len(part.Sections.CareTeam)
}

// ---- care team ----

// roleLabels are short, normalised labels for role codes the care team shows.
var roleLabels = map[string]string{
	"106328005": "Social worker", // SNOMED CT: Social worker (occupation)
	"768832004": "Case manager",  // SNOMED CT: Case manager (occupation)
	"R1330":     "Social worker", // NHS job role
	"R0260":     "GP",            // NHS job role: General Medical Practitioner
	"62247001":  "GP",            // SNOMED CT: General practitioner (occupation)
	"224535009": "Registered nurse",
}

// roleOf gives a short role label and its code from role concepts.
func roleOf(cs []CodeableConcept) (label, code string) {
	for _, cc := range cs {
		for _, c := range cc.Coding {
			if l, ok := roleLabels[c.Code]; ok {
				return l, c.Code
			}
		}
	}
	for _, cc := range cs {
		if cd, ok := cc.First(); ok {
			return cleanTerm(cc.Label()), cd.Code
		}
		if cc.Text != "" {
			return cc.Text, ""
		}
	}
	return "", ""
}

// cleanTerm drops a SNOMED CT semantic tag: "Social worker (occupation)" → "Social worker".
func cleanTerm(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndex(s, " ("); i > 0 && strings.HasSuffix(s, ")") {
		switch strings.ToLower(s[i+2 : len(s)-1]) {
		case "occupation", "situation", "finding", "disorder", "substance", "product", "procedure", "qualifier value", "regime/therapy", "record artifact", "observable entity", "person":
			return s[:i]
		}
	}
	return s
}

// careTeam maps CareTeam participants, EpisodeOfCare.careManager, and a PractitionerRole
// returned as a match.
func (m *mapper) careTeam(r Resource) []record.CareTeamMember {
	switch r.Type {
	case "CareTeam":
		var ct careTeamRes
		if err := decodeAs(r, &ct); err != nil {
			m.warn("%s; skipped", err)
			return nil
		}
		if ct.Status == "entered-in-error" {
			return nil
		}
		base := m.item(r, &ct.domainResource, itemFacts{})
		teamOrg := ""
		if len(ct.ManagingOrg) > 0 {
			teamOrg = m.who(&ct.ManagingOrg[0], &ct.domainResource).name
		}
		var out []record.CareTeamMember
		for i, p := range ct.Participant {
			if p.Member == nil {
				continue
			}
			if t := strings.SplitN(normRef(p.Member.Reference), "/", 2)[0]; t == "Patient" || t == "RelatedPerson" {
				continue
			}
			w := m.who(p.Member, &ct.domainResource)
			role, code := roleOf(p.Role)
			pr, isRole := m.memberRole(p.Member, &ct.domainResource)
			if role == "" {
				role = w.role
				if isRole {
					role, code = roleOf(pr.Code)
				}
			}
			org := w.org
			if p.OnBehalfOf != nil {
				org = firstNonEmpty(m.who(p.OnBehalfOf, &ct.domainResource).name, org)
			}
			// The participant's period, within the team's: a member whose own period or
			// whose team's period has ended is no longer on the team.
			period := endedBy(m.periodWithText(r, fmt.Sprintf("participant[%d].period", i), &p.Period), m.periodWithText(r, "period", &ct.Period))
			status := ct.Status
			if isRole {
				period, status = m.roleEnds(refResource(p.Member), pr, period, status)
			}
			it := base
			it.Key, it.AlsoKnownAs = m.memberKey(p.Member, &ct.domainResource, w.name, m.scope(base)), nil
			if w.name == "" {
				m.warn("%s: participant[%d].member %s is not in the response; name unknown", r.Ref(), i, p.Member.Reference)
			}
			out = append(out, record.CareTeamMember{
				Item: it, Name: w.name, Role: role, RoleCode: code, Team: strings.TrimSpace(ct.Name),
				Organisation: firstNonEmpty(org, teamOrg), Phones: w.phones, Email: w.email, Period: period, Status: status,
			})
		}
		return out
	case "EpisodeOfCare":
		var e episodeOfCareRes
		if err := decodeAs(r, &e); err != nil {
			m.warn("%s; skipped", err)
			return nil
		}
		if e.CareManager == nil || e.Status == "entered-in-error" {
			return nil
		}
		w := m.who(e.CareManager, &e.domainResource)
		role, code := "Care manager", ""
		period, status := m.periodWithText(r, "period", &e.Period), e.Status
		if terminalStatus[strings.ToLower(strings.TrimSpace(e.Status))] {
			status = "inactive" // the episode is over: so is its care manager's part in it
		}
		if pr, ok := m.memberRole(e.CareManager, &e.domainResource); ok {
			if l, c := roleOf(pr.Code); l != "" {
				role, code = l, c
			}
			period, status = m.roleEnds(refResource(e.CareManager), pr, period, status)
		}
		// The managing organisation is often the provider (a care home, a home care
		// agency), not the care manager's team or employer: it is not used for either.
		team, org := "", w.org
		if len(e.Team) > 0 {
			team = m.who(&e.Team[0], &e.domainResource).name
		}
		it := m.item(r, &e.domainResource, itemFacts{})
		it.Key, it.AlsoKnownAs = m.memberKey(e.CareManager, &e.domainResource, w.name, m.scope(it)), nil
		return []record.CareTeamMember{{
			Item: it, Name: w.name, Role: role, RoleCode: code, Team: team, Organisation: org,
			Phones: w.phones, Email: w.email, Period: period, Status: status,
		}}
	case "PractitionerRole":
		var pr practitionerRoleRes
		if err := decodeAs(r, &pr); err != nil {
			m.warn("%s; skipped", err)
			return nil
		}
		w := m.describe(r, 0)
		role, code := roleOf(pr.Code)
		it := m.item(r, &pr.domainResource, itemFacts{})
		self := Reference{Reference: r.Ref()}
		it.Key, it.AlsoKnownAs = m.memberKey(&self, nil, w.name, m.scope(it)), nil
		period, status := m.roleEnds(r, pr, record.Period{}, "")
		return []record.CareTeamMember{{
			Item: it, Name: w.name, Role: role, RoleCode: code, Organisation: w.org, Phones: w.phones,
			Email: w.email, Period: period, Status: status,
		}}
	}
	return nil
}

// memberRole resolves a member reference to the PractitionerRole it names, if it names one.
func (m *mapper) memberRole(ref *Reference, container *domainResource) (practitionerRoleRes, bool) {
	res, ok := m.resolve(ref, container)
	if !ok || res.Type != "PractitionerRole" {
		return practitionerRoleRes{}, false
	}
	var pr practitionerRoleRes
	if decodeAs(res, &pr) != nil {
		return practitionerRoleRes{}, false
	}
	return pr, true
}

// refResource is a stand-in Resource naming a reference, for warnings about the resource it names.
func refResource(ref *Reference) Resource {
	t, id, _ := strings.Cut(normRef(ref.Reference), "/")
	return Resource{Type: t, ID: id}
}

// roleEnds applies a PractitionerRole through which a member is known: a role no longer
// active (active false) makes the member inactive, and the role's period ends the member's
// when it ends earlier.
func (m *mapper) roleEnds(r Resource, pr practitionerRoleRes, period record.Period, status string) (record.Period, string) {
	period = endedBy(period, m.periodWithText(r, "period", &pr.Period))
	if pr.Active != nil && !*pr.Active {
		status = "inactive"
	}
	return period, status
}

// endedBy is p, else (when p has no dates) outer; either way ending no later than outer ends.
func endedBy(p, outer record.Period) record.Period {
	if p.Start.IsZero() && p.End.IsZero() {
		return outer
	}
	if !outer.End.IsZero() && (p.End.IsZero() || outer.End.Before(p.End)) {
		p.End, p.EndText = outer.End, outer.EndText
	}
	return p
}

// memberKey identifies a care team member: the person (a PractitionerRole counts as its
// Practitioner; no reference, the name), scoped by source system or back end, so that a
// social worker named by a CareTeam and as an episode's care manager is listed once.
//
// A practitioner with a national SDS user id is the same person whichever back end names
// them: the key is that identifier alone, so the GP that GP Connect names and the same GP in
// the shared care record's care team are listed once.
func (m *mapper) memberKey(ref *Reference, container *domainResource, name, scope string) string {
	who := ""
	if ref != nil {
		who = normRef(ref.Reference)
		res, ok := m.resolve(ref, container)
		if ok && res.Type == "PractitionerRole" {
			var pr practitionerRoleRes
			if decodeAs(res, &pr) == nil && pr.Practitioner != nil && pr.Practitioner.Reference != "" {
				who = normRef(pr.Practitioner.Reference)
				res, ok = m.resolve(pr.Practitioner, &pr.domainResource)
			}
		}
		if ok && res.Type == "Practitioner" {
			var p practitionerRes
			if decodeAs(res, &p) == nil {
				if sds := identifierValue(p.Identifier, SystemSDSUserID); sds != "" {
					return "member:" + SystemSDSUserID + "|" + sds
				}
			}
		}
	}
	if who == "" || strings.HasPrefix(who, "#") {
		who = "name:" + strings.ToLower(strings.Join(strings.Fields(name), " "))
	}
	return "member:" + who + "@" + scope
}

// appendMembers adds care team members, folding one already present under the same key:
// the entry with a coded role wins, and fills what the other lacks.
func appendMembers(dst []record.CareTeamMember, add ...record.CareTeamMember) []record.CareTeamMember {
	for _, a := range add {
		i := slices.IndexFunc(dst, func(d record.CareTeamMember) bool { return d.Key == a.Key })
		if i < 0 {
			dst = append(dst, a)
			continue
		}
		keep, other := dst[i], a
		if keep.RoleCode == "" && a.RoleCode != "" {
			keep, other = a, dst[i]
		}
		keep.Team = firstNonEmpty(keep.Team, other.Team)
		keep.Organisation = firstNonEmpty(keep.Organisation, other.Organisation)
		keep.Email = firstNonEmpty(keep.Email, other.Email)
		if len(keep.Phones) == 0 {
			keep.Phones = other.Phones
		}
		// One of the two still current (an active team) while the other has ended (a
		// finished episode's care manager): the member is current, as the current one says.
		if now := mappingNow(); !keep.Current(now) && other.Current(now) {
			keep.Period, keep.Status = other.Period, other.Status
		}
		dst[i] = keep
	}
	return dst
}

// roleIterate resolves PractitionerRoles to their practitioner and organisation.
var roleIterate = []string{"PractitionerRole:practitioner", "PractitionerRole:organization"}
