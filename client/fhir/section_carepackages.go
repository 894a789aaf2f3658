package fhir

import (
	"fmt"
	"strings"

	"github.com/shcr-project/shcr/record"
)

// Care packages: EpisodeOfCare (+ organization, care-manager), CarePlan, ServiceRequest
// (+ performer, requester), and DeviceRequest (+ device, performer) for equipment provision.
// Not part of GP Connect.
func init() {
	registerMapping(record.SectionCarePackages, sectionMapping{
		queries: func() []Query {
			return []Query{
				search("EpisodeOfCare", "EpisodeOfCare:organization", "EpisodeOfCare:care-manager"),
				search("CarePlan"),
				search("ServiceRequest", "ServiceRequest:performer", "ServiceRequest:requester"),
				search("DeviceRequest", "DeviceRequest:device", "DeviceRequest:performer"),
			}
		},
		mapR4: func(m *mapper, _ *Resource, items []Resource, out *record.SectionsData) {
			out.CarePackages, out.Referrals = m.carePackages(items)
		},
	})
}

// ---- care packages ----

// carePackages maps the care package resources into care packages (with equipment) and
// referrals and orders (see packageCategory for what counts as which). A ServiceRequest
// that an EpisodeOfCare names as its referralRequest is the same service seen from the
// request side: it is folded into the episode (which takes its schedule, hours and
// provider when it has none) rather than listed twice.
func (m *mapper) carePackages(items []Resource) (packages, referrals []record.CarePackage) {
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
	for _, cp := range out {
		if cp.PackageCategory == record.PackageOrder {
			referrals = append(referrals, cp)
		} else {
			packages = append(packages, cp)
		}
	}
	return packages, referrals
}

// classify sets a mapped service's category and reads its status as of now.
func classify(r Resource, cp record.CarePackage, done string) record.CarePackage {
	cp.PackageCategory = packageCategory(r, cp.Item, cp.Provider)
	if cp.PackageCategory == record.PackageCare {
		cp.PackageCategory = careCategory(r)
	}
	settleStatus(&cp, mappingNow(), done)
	return cp
}

// periodOf maps a period and keeps its dates as the source wrote them (StartText,
// EndText), for those that parse.
func (m *mapper) periodWithText(r Resource, field string, p *Period) record.Period {
	out := m.period(r, field, p)
	if p == nil {
		return out
	}
	if out.StartText == "" && !out.Start.IsZero() {
		out.StartText = strings.TrimSpace(p.Start)
	}
	if out.EndText == "" && !out.End.IsZero() {
		out.EndText = strings.TrimSpace(p.End)
	}
	return out
}

// dateOf maps a single date as a period start, keeping the text.
func (m *mapper) dateAsPeriod(r Resource, field, s string) record.Period {
	t := m.date(r, field, s)
	if t.IsZero() {
		return record.Period{}
	}
	return record.Period{Start: t, StartText: strings.TrimSpace(s)}
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
			Item: m.item(r, &e.domainResource, itemFacts{}), Kind: record.PackageKindEpisode, Type: e.Type.Label(),
			Status: e.Status, Period: m.periodWithText(r, "period", &e.Period),
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
			cp.StatusHistory = append(cp.StatusHistory, record.StatusPeriod{Status: h.Status, Period: m.periodWithText(r, fmt.Sprintf("statusHistory[%d].period", i), &h.Period)})
		}
		cp.Schedule, cp.HoursPerWeek = scheduleFromExtensions(e.Extension)
		return classify(r, cp, "finished"), true
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
			Kind: record.PackageKindPlan, Type: c.Category.Label(), Status: c.Status,
			Description: firstNonEmpty(c.Title, c.Description), Period: m.periodWithText(r, "period", &c.Period),
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
		return classify(r, cp, "completed"), true
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
			Kind: record.PackageKindRequest, Type: firstNonEmpty(s.Code.Label(), s.Category.Label()), Status: s.Status,
			Description: firstNonEmpty(notes(s.Note), s.PatientInstructio),
		}
		if cp.Type != s.Category.Label() && s.Category.Label() != "" && cp.Description == "" {
			cp.Description = s.Category.Label()
		}
		switch {
		case s.OccurrencePeriod != nil:
			cp.Period = m.periodWithText(r, "occurrencePeriod", s.OccurrencePeriod)
		case s.OccurrenceDate != "":
			cp.Period = m.dateAsPeriod(r, "occurrenceDateTime", s.OccurrenceDate)
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
		return classify(r, cp, "completed"), true
	case "DeviceRequest":
		return m.deviceRequest(r)
	}
	return record.CarePackage{}, false
}

// deviceRequest maps equipment provision: the device (codeCodeableConcept, or the Device
// that codeReference names), status, when (occurrence, else authoredOn as the recorded
// date), who provides it (performer, else performerType) and why.
func (m *mapper) deviceRequest(r Resource) (record.CarePackage, bool) {
	var d deviceRequestRes
	if err := decodeAs(r, &d); err != nil {
		m.warn("%s; skipped", err)
		return record.CarePackage{}, false
	}
	if d.Status == "entered-in-error" {
		return record.CarePackage{}, false
	}
	cp := record.CarePackage{
		Item: m.item(r, &d.domainResource, itemFacts{author: d.Requester, recorded: d.AuthoredOn, field: "authoredOn"}),
		Kind: record.PackageKindDevice, PackageCategory: record.PackageEquipment, Status: d.Status,
		Description: firstNonEmpty(notes(d.Note), d.ReasonCode.Label()),
	}
	switch {
	case d.CodeCodeableConcept != nil:
		cp.Type = d.CodeCodeableConcept.Label()
	case d.CodeReference != nil:
		if res, ok := m.resolve(d.CodeReference, &d.domainResource); ok && res.Type == "Device" {
			var dev deviceRes
			if decodeAs(res, &dev) == nil {
				cp.Type = dev.name()
			}
		}
		cp.Type = firstNonEmpty(cp.Type, d.CodeReference.Display)
	}
	if cp.Type == "" {
		cp.Type = "Equipment"
	}
	if d.ReasonCode.Label() != "" && cp.Description != d.ReasonCode.Label() {
		cp.Description = strings.TrimSpace(cp.Description + "\n" + d.ReasonCode.Label())
	}
	switch {
	case d.OccurrencePeriod != nil:
		cp.Period = m.periodWithText(r, "occurrencePeriod", d.OccurrencePeriod)
	case d.OccurrenceDateTime != "":
		cp.Period = m.dateAsPeriod(r, "occurrenceDateTime", d.OccurrenceDateTime)
	}
	cp.Schedule = timingText(d.OccurrenceTiming)
	if d.Performer != nil {
		cp.Provider = m.who(d.Performer, &d.domainResource).name
	}
	if cp.Provider == "" && d.PerformerType != nil {
		cp.Provider = cleanTerm(d.PerformerType.Label())
	}
	settleStatus(&cp, mappingNow(), "completed")
	return cp, true
}
