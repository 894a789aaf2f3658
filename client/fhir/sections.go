package fhir

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/shcr-project/shcr/client/record"
	"github.com/shcr-project/shcr/internal/ukdate"
)

// MapSection maps everything returned for one section — the matches and the _include'd
// resources (Practitioner, PractitionerRole, Organization, Medication, Location,
// Provenance…) across all its queries — plus the Patient resource (Patient.contact → next of
// kin; deceased and interpreter need → alerts). patient may be nil.
//
// A resource that does not decode is skipped and named in the warnings; a value that
// decodes but is not valid (a date that is not a FHIR date) is left blank with a warning.
// Bundle entries with search.mode "outcome" (OperationOutcome) become warnings.
func MapSection(sec record.Section, patient *Resource, resources []Resource, src Source) (record.SectionsData, []string) {
	all := resources
	if patient != nil {
		all = append(slices.Clone(resources), *patient)
	}
	m := newMapper(src, all)
	var out record.SectionsData
	seen := map[string]bool{}
	var items []Resource
	for _, r := range resources {
		if r.Type == "OperationOutcome" {
			if oo, ok := ParseOperationOutcome(r.Raw); ok && len(oo.Issues) > 0 {
				m.warn("the back end said: %s", oo.String())
			}
			continue
		}
		if r.Mode == "include" || r.Mode == "outcome" {
			continue
		}
		if r.ID != "" {
			if seen[r.Ref()] {
				continue
			}
			seen[r.Ref()] = true
		}
		items = append(items, r)
	}
	switch sec {
	case record.SectionCarePackages:
		out.CarePackages = m.carePackages(items)
	case record.SectionCareTeam:
		for _, r := range items {
			out.CareTeam = appendMembers(out.CareTeam, m.careTeam(r)...)
		}
	case record.SectionMedications:
		out.Medications = m.medications(items)
	case record.SectionAllergies:
		for _, r := range items {
			if r.Type == "AllergyIntolerance" {
				if a, ok := m.allergy(r, nil); ok {
					out.Allergies = append(out.Allergies, a)
				}
			}
		}
	case record.SectionNextOfKin:
		if patient != nil {
			out.NextOfKin = append(out.NextOfKin, m.patientContacts(*patient)...)
		}
		for _, r := range items {
			if r.Type == "RelatedPerson" {
				if c, ok := m.relatedPerson(r); ok {
					out.NextOfKin = append(out.NextOfKin, c)
				}
			}
		}
	case record.SectionEncounters:
		for _, r := range items {
			if r.Type == "Encounter" {
				if e, ok := m.encounter(r); ok {
					out.Encounters = append(out.Encounters, e)
				}
			}
		}
	case record.SectionNotes:
		for _, r := range items {
			if n, ok := m.note(r, ""); ok {
				out.Notes = append(out.Notes, n)
			}
		}
	case record.SectionAlerts:
		if patient != nil {
			out.Alerts = append(out.Alerts, m.patientAlerts(*patient)...)
		}
		for _, r := range items {
			if r.Type == "Flag" {
				if a, ok := m.flag(r); ok {
					out.Alerts = append(out.Alerts, a)
				}
			}
		}
	default:
		m.warn("unknown section %q", sec)
	}
	return out, m.warnings
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
		dst[i] = keep
	}
	return dst
}

// ---- care packages ----

// carePackages maps the care package resources. A ServiceRequest that an EpisodeOfCare
// names as its referralRequest is the same service seen from the request side: it is
// folded into the episode (which takes its schedule, hours and provider when it has none)
// rather than listed twice.
func (m *mapper) carePackages(items []Resource) []record.CarePackage {
	referral := map[string]string{} // ServiceRequest ref → EpisodeOfCare ref
	for _, r := range items {
		if r.Type != "EpisodeOfCare" {
			continue
		}
		var e struct {
			ReferralRequest Refs `json:"referralRequest"`
		}
		if decodeAs(r, &e) != nil {
			continue
		}
		for _, rr := range e.ReferralRequest {
			if ref := normRef(rr.Reference); strings.HasPrefix(ref, "ServiceRequest/") {
				referral[ref] = r.Ref()
			}
		}
	}
	var out []record.CarePackage
	index := map[string]int{} // EpisodeOfCare ref → position in out
	var folded []record.CarePackage
	for _, r := range items {
		cp, ok := m.carePackage(r)
		if !ok {
			continue
		}
		if _, isReferral := referral[r.Ref()]; isReferral {
			folded = append(folded, cp)
			continue
		}
		index[r.Ref()] = len(out)
		out = append(out, cp)
	}
	for _, sr := range folded {
		i, ok := index[referral[sr.Provenance.Resource]]
		if !ok {
			out = append(out, sr) // its episode did not map: keep the request
			continue
		}
		eoc := &out[i]
		if eoc.Schedule == "" {
			eoc.Schedule = sr.Schedule
		}
		if eoc.HoursPerWeek == 0 {
			eoc.HoursPerWeek = sr.HoursPerWeek
		}
		if eoc.Provider == "" {
			eoc.Provider = sr.Provider
		}
	}
	return out
}

// Care packages read EpisodeOfCare (council services, Interweave SocialCareService),
// CarePlan (care and support plans) and ServiceRequest (requested or referred services).
//
// FHIR has no standard element for how much care is given. These shapes are read, first
// found wins, into Schedule (text) and HoursPerWeek:
//   - ServiceRequest.quantityQuantity with a weekly unit ("h/wk", "hours per week") or a
//     daily one ("h/d", ×7);
//   - ServiceRequest.occurrenceTiming.repeat and CarePlan.activity.detail.scheduledTiming:
//     frequency per period (d, wk, mo) with dayOfWeek, and duration (min, h) per visit —
//     hours per week = visits per week × duration;
//   - CarePlan.activity.detail.scheduledString (schedule text) and detail.quantity (as above);
//   - any extension whose url contains "hours" (valueDecimal, valueInteger or valueQuantity;
//     per week unless the url or unit says per day), and any extension whose url contains
//     "schedule" or "frequency" (valueString, or a Timing).
func (m *mapper) carePackage(r Resource) (record.CarePackage, bool) {
	switch r.Type {
	case "EpisodeOfCare":
		var e episodeOfCareRes
		if err := decodeAs(r, &e); err != nil {
			m.warn("%s; skipped", err)
			return record.CarePackage{}, false
		}
		if e.Status == "entered-in-error" {
			return record.CarePackage{}, false
		}
		cp := record.CarePackage{
			Item: m.item(r, &e.domainResource, itemFacts{}), Kind: "EpisodeOfCare", Type: e.Type.Label(),
			Status: e.Status, Period: m.period(r, "period", &e.Period),
		}
		if cat, ok := findExt(e.Extension, "SocialCareServiceCategory"); ok {
			cp.Description = cat.Text()
		}
		if e.ManagingOrg != nil {
			cp.Provider = m.who(e.ManagingOrg, &e.domainResource).name
		}
		if e.CareManager != nil {
			cp.CareManager = m.who(e.CareManager, &e.domainResource).name
		}
		for i, h := range e.StatusHistory {
			cp.StatusHistory = append(cp.StatusHistory, record.StatusPeriod{Status: h.Status, Period: m.period(r, fmt.Sprintf("statusHistory[%d].period", i), &h.Period)})
		}
		cp.Schedule, cp.HoursPerWeek = scheduleFromExtensions(e.Extension)
		return cp, true
	case "CarePlan":
		var c carePlanRes
		if err := decodeAs(r, &c); err != nil {
			m.warn("%s; skipped", err)
			return record.CarePackage{}, false
		}
		if c.Status == "entered-in-error" {
			return record.CarePackage{}, false
		}
		cp := record.CarePackage{
			Item: m.item(r, &c.domainResource, itemFacts{author: firstRef(c.Author), recorded: c.Created, field: "created"}),
			Kind: "CarePlan", Type: c.Category.Label(), Status: c.Status,
			Description: firstNonEmpty(c.Title, c.Description), Period: m.period(r, "period", &c.Period),
		}
		if c.Title != "" && c.Description != "" {
			cp.Description = c.Title + ": " + c.Description
		}
		var sched []string
		for _, a := range c.Activity {
			d := a.Detail
			if d == nil {
				continue
			}
			what := firstNonEmpty(d.Code.Label(), d.Description)
			when := firstNonEmpty(d.ScheduledString, timingText(d.ScheduledTiming))
			if when != "" {
				sched = append(sched, strings.TrimSpace(strings.TrimSuffix(what+": "+when, ": ")))
				if what == "" {
					sched[len(sched)-1] = when
				}
			}
			if cp.HoursPerWeek == 0 {
				if h, ok := timingHours(d.ScheduledTiming); ok {
					cp.HoursPerWeek = h
				} else if h, ok := quantityHours(d.Quantity); ok {
					cp.HoursPerWeek = h
				} else if _, h := scheduleFromExtensions(d.Extension); h > 0 {
					cp.HoursPerWeek = h
				}
			}
			if cp.Provider == "" {
				for _, p := range d.Performer {
					if t := strings.SplitN(normRef(p.Reference), "/", 2)[0]; t == "Patient" || t == "RelatedPerson" {
						continue
					}
					cp.Provider = m.who(&p, &c.domainResource).name
					break
				}
			}
		}
		cp.Schedule = strings.Join(sched, "; ")
		if s, h := scheduleFromExtensions(c.Extension); cp.Schedule == "" || cp.HoursPerWeek == 0 {
			cp.Schedule = firstNonEmpty(cp.Schedule, s)
			if cp.HoursPerWeek == 0 {
				cp.HoursPerWeek = h
			}
		}
		// Without a performer, the organisation that wrote the plan stands for its provider;
		// a person who wrote it (the social worker) is its author, shown in the provenance,
		// and is not called the provider.
		if cp.Provider == "" && len(c.Author) > 0 {
			cp.Provider = m.who(&c.Author[0], &c.domainResource).org
		}
		return cp, true
	case "ServiceRequest":
		var s serviceRequestRes
		if err := decodeAs(r, &s); err != nil {
			m.warn("%s; skipped", err)
			return record.CarePackage{}, false
		}
		if s.Status == "entered-in-error" {
			return record.CarePackage{}, false
		}
		cp := record.CarePackage{
			Item: m.item(r, &s.domainResource, itemFacts{author: s.Requester, recorded: s.AuthoredOn, field: "authoredOn"}),
			Kind: "ServiceRequest", Type: firstNonEmpty(s.Code.Label(), s.Category.Label()), Status: s.Status,
			Description: firstNonEmpty(notes(s.Note), s.PatientInstructio),
		}
		if cp.Type != s.Category.Label() && s.Category.Label() != "" && cp.Description == "" {
			cp.Description = s.Category.Label()
		}
		switch {
		case s.OccurrencePeriod != nil:
			cp.Period = m.period(r, "occurrencePeriod", s.OccurrencePeriod)
		case s.OccurrenceDate != "":
			cp.Period.Start = m.date(r, "occurrenceDateTime", s.OccurrenceDate)
		}
		if len(s.Performer) > 0 {
			cp.Provider = m.who(&s.Performer[0], &s.domainResource).name
		}
		cp.Schedule = timingText(s.OccurrenceTiming)
		if h, ok := quantityHours(s.QuantityQuantity); ok {
			cp.HoursPerWeek = h
			if cp.Schedule == "" {
				cp.Schedule = quantityText(s.QuantityQuantity)
			}
		} else if h, ok := timingHours(s.OccurrenceTiming); ok {
			cp.HoursPerWeek = h
		}
		if es, eh := scheduleFromExtensions(s.Extension); es != "" || eh > 0 {
			cp.Schedule = firstNonEmpty(cp.Schedule, es)
			if cp.HoursPerWeek == 0 {
				cp.HoursPerWeek = eh
			}
		}
		return cp, true
	}
	return record.CarePackage{}, false
}

var perWeek = map[string]float64{"h": 168, "d": 7, "wk": 1, "mo": 12.0 / 52, "a": 1.0 / 52}

var unitWords = map[string][2]string{"h": {"hour", "hours"}, "d": {"day", "days"}, "wk": {"week", "weeks"}, "mo": {"month", "months"}, "a": {"year", "years"}, "min": {"min", "min"}}

// timingText describes a Timing: "4 visits a day, 30 min each (Mon, Wed, Fri)".
func timingText(t *Timing) string {
	if t == nil {
		return ""
	}
	if t.Repeat == nil {
		return t.Code.Label()
	}
	rp := t.Repeat
	freq := max(rp.Frequency, 1)
	period := float64(rp.Period)
	if period <= 0 {
		period = 1
	}
	var s string
	unit := unitWords[rp.PeriodUnit]
	switch {
	case rp.PeriodUnit == "":
		s = ""
	case period == 1 && freq == 1:
		s = "once a " + unit[0]
	case period == 1:
		s = fmt.Sprintf("%d visits a %s", freq, unit[0])
	case freq == 1:
		s = fmt.Sprintf("every %s %s", trimFloat(period), unit[1])
	default:
		s = fmt.Sprintf("%d visits every %s %s", freq, trimFloat(period), unit[1])
	}
	if rp.Duration > 0 {
		du := rp.DurationUnit
		if du == "h" {
			s += fmt.Sprintf(", %s h each", trimFloat(float64(rp.Duration)))
		} else if du != "" {
			s += fmt.Sprintf(", %s %s each", trimFloat(float64(rp.Duration)), unitWords[du][1])
		}
	}
	if len(rp.DayOfWeek) > 0 {
		days := make([]string, len(rp.DayOfWeek))
		for i, d := range rp.DayOfWeek {
			days[i] = title(d)
		}
		s += " (" + strings.Join(days, ", ") + ")"
	}
	s = strings.TrimPrefix(s, ", ")
	// The back end's own words for the schedule win; the computed text is for codes.
	if txt := strings.TrimSpace(t.Code.Text); txt != "" {
		return txt
	}
	if s == "" {
		return t.Code.Label()
	}
	return s
}

// timingHours is hours per week from a Timing with a frequency and a duration per visit.
func timingHours(t *Timing) (float64, bool) {
	if t == nil || t.Repeat == nil || t.Repeat.Duration <= 0 {
		return 0, false
	}
	rp := t.Repeat
	factor, ok := perWeek[rp.PeriodUnit]
	if !ok {
		return 0, false
	}
	period := float64(rp.Period)
	if period <= 0 {
		period = 1
	}
	visits := float64(max(rp.Frequency, 1)) / period * factor
	if rp.PeriodUnit == "d" && len(rp.DayOfWeek) > 0 {
		visits = float64(max(rp.Frequency, 1)) / period * float64(len(rp.DayOfWeek))
	}
	var hours float64
	switch rp.DurationUnit {
	case "min":
		hours = float64(rp.Duration) / 60
	case "h":
		hours = float64(rp.Duration)
	case "d":
		hours = float64(rp.Duration) * 24
	default:
		return 0, false
	}
	return round2(visits * hours), true
}

// quantityHours reads a quantity of care: "h/wk" (or words to that effect), or "h/d" ×7.
func quantityHours(q *Quantity) (float64, bool) {
	if q == nil || q.Value == nil {
		return 0, false
	}
	u := strings.ToLower(strings.NewReplacer(" ", "", "{", "", "}", "").Replace(firstNonEmpty(string(q.Code), q.Unit)))
	u2 := strings.ToLower(strings.ReplaceAll(q.Unit, " ", ""))
	isHours := func(s string) bool {
		return strings.HasPrefix(s, "h/") || strings.HasPrefix(s, "hour") || strings.HasPrefix(s, "hrs")
	}
	weekly := func(s string) bool { return strings.Contains(s, "wk") || strings.Contains(s, "week") }
	daily := func(s string) bool { return strings.HasSuffix(s, "/d") || strings.Contains(s, "day") }
	v := float64(*q.Value)
	for _, s := range []string{u, u2} {
		switch {
		case isHours(s) && weekly(s):
			return round2(v), true
		case isHours(s) && daily(s):
			return round2(v * 7), true
		}
	}
	return 0, false
}

func quantityText(q *Quantity) string {
	if q == nil || q.Value == nil {
		return ""
	}
	u := firstNonEmpty(q.Unit, string(q.Code))
	switch u {
	case "h/wk":
		return trimFloat(float64(*q.Value)) + " hours a week"
	case "h/d":
		return trimFloat(float64(*q.Value)) + " hours a day"
	}
	return strings.TrimSpace(trimFloat(float64(*q.Value)) + " " + u)
}

// scheduleFromExtensions reads local extensions for a schedule text and hours per week.
func scheduleFromExtensions(exts []Extension) (string, float64) {
	sched, hours := "", 0.0
	for _, e := range exts {
		u := strings.ToLower(e.URL)
		switch {
		case strings.Contains(u, "hours"):
			v, ok := 0.0, false
			switch {
			case e.ValueDecimal != nil:
				v, ok = float64(*e.ValueDecimal), true
			case e.ValueInteger != nil || e.ValuePositiveInt != nil:
				n, _ := e.Int()
				v, ok = float64(n), true
			case e.ValueQuantity != nil && e.ValueQuantity.Value != nil:
				if h, hok := quantityHours(e.ValueQuantity); hok {
					hours = h
					continue
				}
				v, ok = float64(*e.ValueQuantity.Value), true
			}
			if ok && hours == 0 {
				if strings.Contains(u, "day") || strings.Contains(u, "daily") {
					v *= 7
				}
				hours = round2(v)
			}
		case strings.Contains(u, "schedule") || strings.Contains(u, "frequency"):
			if sched == "" {
				sched = firstNonEmpty(e.ValueString, timingText(e.ValueTiming), e.Text())
			}
		}
	}
	return sched, hours
}

func round2(f float64) float64 { return float64(int(f*100+0.5)) / 100 }

func trimFloat(f float64) string {
	s := fmt.Sprintf("%.2f", f)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s
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
			if role == "" {
				role = w.role
				if res, ok := m.resolve(p.Member, &ct.domainResource); ok && res.Type == "PractitionerRole" {
					var pr practitionerRoleRes
					if decodeAs(res, &pr) == nil {
						role, code = roleOf(pr.Code)
					}
				}
			}
			org := w.org
			if p.OnBehalfOf != nil {
				org = firstNonEmpty(m.who(p.OnBehalfOf, &ct.domainResource).name, org)
			}
			period := m.period(r, fmt.Sprintf("participant[%d].period", i), &p.Period)
			if period.Start.IsZero() && period.End.IsZero() {
				period = m.period(r, "period", &ct.Period)
			}
			it := base
			it.Key, it.AlsoKnownAs = m.memberKey(p.Member, &ct.domainResource, w.name, m.scope(base)), nil
			if w.name == "" {
				m.warn("%s: participant[%d].member %s is not in the response; name unknown", r.Ref(), i, p.Member.Reference)
			}
			out = append(out, record.CareTeamMember{
				Item: it, Name: w.name, Role: role, RoleCode: code, Team: strings.TrimSpace(ct.Name),
				Organisation: firstNonEmpty(org, teamOrg), Phones: w.phones, Email: w.email, Period: period, Status: ct.Status,
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
		if res, ok := m.resolve(e.CareManager, &e.domainResource); ok && res.Type == "PractitionerRole" {
			var pr practitionerRoleRes
			if decodeAs(res, &pr) == nil {
				if l, c := roleOf(pr.Code); l != "" {
					role, code = l, c
				}
			}
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
			Phones: w.phones, Email: w.email, Period: m.period(r, "period", &e.Period), Status: e.Status,
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
		return []record.CareTeamMember{{
			Item: it, Name: w.name, Role: role, RoleCode: code, Organisation: w.org, Phones: w.phones,
			Email: w.email, Period: m.period(r, "period", &pr.Period),
		}}
	}
	return nil
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
				med.Period.Start = m.date(r, "effectiveDateTime", s.EffectiveDateTime)
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
				med.Period.Start = m.date(r, "authoredOn", q.AuthoredOn)
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

// ---- allergies ----

// noKnownAllergyCodes are SNOMED CT situations stating the person has no known allergy.
var noKnownAllergyCodes = map[string]bool{
	"716186003": true, // No known allergy
	"409137002": true, // No known drug allergy
	"428607008": true, // No known environmental allergy
	"429625007": true, // No known food allergy
	"428197003": true, // No known insect allergy
}

func isNoKnownAllergy(c CodeableConcept) bool {
	for _, cd := range c.Coding {
		if noKnownAllergyCodes[cd.Code] {
			return true
		}
	}
	l := strings.ToLower(c.Label())
	return strings.HasPrefix(l, "no known") && strings.Contains(l, "allerg")
}

// allergy maps an AllergyIntolerance (R4 CodeableConcept statuses or STU3 codes).
// container is the resource holding it when it is a contained resource (GP Connect
// resolved allergies).
func (m *mapper) allergy(r Resource, container *domainResource) (record.Allergy, bool) {
	var a allergyRes
	if err := decodeAs(r, &a); err != nil {
		m.warn("%s; skipped", err)
		return record.Allergy{}, false
	}
	if a.VerificationStatus.Value() == "entered-in-error" {
		return record.Allergy{}, false
	}
	recorded, field := a.RecordedDate, "recordedDate"
	if recorded == "" {
		recorded, field = a.AssertedDate, "assertedDate"
	}
	author := a.Recorder
	if author == nil {
		author = a.Asserter
	}
	al := record.Allergy{
		Item:      m.item(r, &a.domainResource, itemFacts{author: author, recorded: recorded, field: field}),
		Substance: a.Code.Label(), ClinicalStatus: a.ClinicalStatus.Value(),
		VerificationStatus: a.VerificationStatus.Value(), Criticality: a.Criticality, Category: a.Category,
		Asserted: m.date(r, field, recorded),
	}
	if container != nil && al.Provenance.Author.Name == "" && author != nil {
		al.Provenance.Author.Name = m.who(author, container).name
	}
	if cd, ok := a.Code.First(); ok {
		al.Code = cd.Code
	}
	al.NoKnownAllergies = isNoKnownAllergy(a.Code) && a.VerificationStatus.Value() != "refuted"
	for _, rx := range a.Reaction {
		text := firstNonEmpty(rx.Manifestation.Label(), rx.Description)
		if text == "" {
			continue
		}
		if rx.Severity != "" {
			text += " (" + rx.Severity + ")"
		}
		al.Reactions = append(al.Reactions, text)
	}
	switch {
	case a.OnsetString != "":
		al.Onset = a.OnsetString
	case a.OnsetDateTime != "":
		al.Onset = ukdate.Date(m.date(r, "onsetDateTime", a.OnsetDateTime))
	}
	return al, true
}

// ---- encounters ----

var encounterClasses = map[string]string{
	"IMP": "inpatient", "ACUTE": "inpatient", "NONAC": "inpatient", "AMB": "ambulatory", "EMER": "emergency",
	"HH": "home", "VR": "virtual", "FLD": "field", "OBSENC": "observation", "PRENC": "pre-admission", "SS": "short stay",
}

func (m *mapper) encounter(r Resource) (record.Encounter, bool) {
	var e encounterRes
	if err := decodeAs(r, &e); err != nil {
		m.warn("%s; skipped", err)
		return record.Encounter{}, false
	}
	if e.Status == "entered-in-error" {
		return record.Encounter{}, false
	}
	enc := record.Encounter{
		Item: m.item(r, &e.domainResource, itemFacts{}), Type: e.Type.Label(), Status: e.Status,
		Period: m.period(r, "period", &e.Period), Reason: firstNonEmpty(e.ReasonCode.Label(), e.Reason.Label()),
	}
	if e.Class != nil {
		enc.Class = firstNonEmpty(encounterClasses[strings.ToUpper(e.Class.Code)], e.Class.Display, e.Class.Code)
	}
	for _, l := range e.Location {
		if n := m.who(&l.Location, &e.domainResource).name; n != "" {
			enc.Location = n
			break
		}
	}
	if e.ServiceProvider != nil {
		enc.Provider = m.who(e.ServiceProvider, &e.domainResource).name
	}
	// The primary performer or attender, else the first participant.
	best := -1
	for i, p := range e.Participant {
		if p.Individual == nil {
			continue
		}
		if best < 0 {
			best = i
		}
		if p.Type.Has("", "PPRF") || p.Type.Has("", "ATND") {
			best = i
			break
		}
	}
	if best >= 0 {
		enc.Clinician = m.who(e.Participant[best].Individual, &e.domainResource).name
	}
	return enc, true
}

// ---- notes ----

// maxNoteText bounds the text kept from one note (a huge inline document is cut, and says so).
const maxNoteText = 64 << 10

// note maps a DocumentReference, Composition or note-like Observation. title overrides the
// title (GP Connect consultation headings).
func (m *mapper) note(r Resource, title string) (record.Note, bool) {
	docKind := "document"
	if m.src.Domain == record.DomainSocialCare {
		docKind = "case-note"
	}
	switch r.Type {
	case "DocumentReference":
		var d documentReferenceRes
		if err := decodeAs(r, &d); err != nil {
			m.warn("%s; skipped", err)
			return record.Note{}, false
		}
		if d.Status == "entered-in-error" {
			return record.Note{}, false
		}
		var author *Reference
		if len(d.Author) > 0 {
			author = &d.Author[0]
		}
		date, field := d.Date, "date"
		if date == "" {
			date, field = firstNonEmpty(d.Created, d.Indexed), "created"
		}
		n := record.Note{
			Item: m.item(r, &d.domainResource, itemFacts{author: author, recorded: date, field: field}),
			Kind: docKind, Title: firstNonEmpty(title, d.Desc, d.Type.Label()), Date: m.date(r, field, date),
			Status: firstNonEmpty(d.DocStatus, d.Status),
		}
		inline := false
		for i, c := range d.Content {
			at := c.Attachment
			if n.Title == "" || (i == 0 && at.Title != "" && title == "" && d.Desc == "") {
				n.Title = firstNonEmpty(at.Title, n.Title)
			}
			mt := strings.ToLower(strings.TrimSpace(strings.SplitN(at.ContentType, ";", 2)[0]))
			if !inline && at.Data != "" && strings.HasPrefix(mt, "text/") {
				raw, err := decodeBase64(at.Data)
				if err != nil {
					m.warn("%s: content[%d].attachment.data: not valid base64; not shown", r.Ref(), i)
					continue
				}
				text := string(raw)
				if !utf8.ValidString(text) {
					text = strings.ToValidUTF8(text, "?")
				}
				if mt == "text/html" || mt == "application/xhtml+xml" {
					text = HTMLText(text)
				}
				n.Text, inline = cutText(strings.TrimSpace(text)), true
				continue
			}
			if n.ContentType == "" && !inline {
				n.ContentType, n.URL = at.ContentType, at.URL
				n.Size = at.Size
				if n.Size == 0 && at.Data != "" {
					if raw, err := decodeBase64(at.Data); err == nil {
						n.Size = int64(len(raw))
					}
				}
			}
		}
		if inline {
			n.ContentType, n.URL, n.Size = "", "", 0
		}
		return n, true
	case "Composition":
		var c compositionRes
		if err := decodeAs(r, &c); err != nil {
			m.warn("%s; skipped", err)
			return record.Note{}, false
		}
		if c.Status == "entered-in-error" {
			return record.Note{}, false
		}
		var author *Reference
		if len(c.Author) > 0 {
			author = &c.Author[0]
		}
		n := record.Note{
			Item: m.item(r, &c.domainResource, itemFacts{author: author, recorded: c.Date, field: "date"}),
			Kind: docKind, Title: firstNonEmpty(title, c.Title, c.Type.Label()), Date: m.date(r, "date", c.Date), Status: c.Status,
		}
		if docKind == "document" {
			n.Kind = "composition"
		}
		var parts []string
		sectionText(c.Section, 0, &parts)
		n.Text = cutText(strings.Join(parts, "\n\n"))
		return n, true
	case "Observation":
		var o observationRes
		if err := decodeAs(r, &o); err != nil {
			m.warn("%s; skipped", err)
			return record.Note{}, false
		}
		if o.Status == "entered-in-error" || o.Status == "cancelled" {
			return record.Note{}, false
		}
		var texts []string
		for _, t := range []string{o.ValueString, o.Comment, notes(o.Note)} {
			if t = strings.TrimSpace(t); t != "" && !slices.Contains(texts, t) {
				texts = append(texts, t)
			}
		}
		if len(texts) == 0 {
			return record.Note{}, false
		}
		var author *Reference
		if len(o.Performer) > 0 {
			author = &o.Performer[0]
		}
		date, field := o.EffectiveDateTime, "effectiveDateTime"
		if date == "" && o.EffectivePeriod != nil {
			date, field = o.EffectivePeriod.Start, "effectivePeriod.start"
		}
		if date == "" {
			date, field = o.Issued, "issued"
		}
		return record.Note{
			Item: m.item(r, &o.domainResource, itemFacts{author: author, recorded: firstNonEmpty(o.Issued, date), field: "issued"}),
			Kind: "observation", Title: firstNonEmpty(title, o.Code.Label()), Date: m.date(r, field, date),
			Status: o.Status, Text: cutText(strings.Join(texts, "\n")),
		}, true
	}
	return record.Note{}, false
}

func sectionText(secs []compSection, depth int, parts *[]string) {
	for _, s := range secs {
		var b strings.Builder
		if t := firstNonEmpty(s.Title, s.Code.Label()); t != "" {
			b.WriteString(strings.Repeat("  ", depth) + t)
		}
		if s.Text != nil {
			body := HTMLText(s.Text.Div)
			if t := firstNonEmpty(s.Title, s.Code.Label()); t != "" {
				// Narratives often repeat the section title as their first line.
				if first, rest, _ := strings.Cut(body, "\n"); strings.EqualFold(strings.TrimSpace(first), t) {
					body = rest
				}
			}
			if body != "" {
				if b.Len() > 0 {
					b.WriteString("\n")
				}
				b.WriteString(body)
			}
		}
		if b.Len() > 0 {
			*parts = append(*parts, b.String())
		}
		sectionText(s.Section, depth+1, parts)
	}
}

func cutText(s string) string {
	if len(s) <= maxNoteText {
		return s
	}
	cut := s[:maxNoteText]
	for !utf8.ValidString(cut) {
		cut = cut[:len(cut)-1]
	}
	return cut + "\n[… text cut: the note is longer than 64 KB]"
}

// ---- alerts ----

func (m *mapper) flag(r Resource) (record.Alert, bool) {
	var f flagRes
	if err := decodeAs(r, &f); err != nil {
		m.warn("%s; skipped", err)
		return record.Alert{}, false
	}
	if f.Status != "" && f.Status != "active" {
		return record.Alert{}, false
	}
	return record.Alert{
		Item: m.item(r, &f.domainResource, itemFacts{author: f.Author}), Kind: record.AlertFlag,
		Category: cleanTerm(f.Category.Label()), Text: f.Code.Label(), Status: firstNonEmpty(f.Status, "active"),
		Period: m.period(r, "period", &f.Period),
	}, true
}

func firstRef(rs Refs) *Reference {
	if len(rs) == 0 {
		return nil
	}
	return &rs[0]
}
