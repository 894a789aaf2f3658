package fhir

import (
	"fmt"
	"strings"

	"github.com/shcr-project/shcr/record"
)

// Care packages: EpisodeOfCare (+ organization, care-manager), CarePlan, ServiceRequest
// (+ performer), and DeviceRequest (+ device, performer; optional) for equipment provision.
// Not part of GP Connect.
func init() {
	registerMapping(record.SectionCarePackages, sectionMapping{
		queries: func() []Query {
			device := search("DeviceRequest", "DeviceRequest:device", "DeviceRequest:performer")
			device.Optional = true
			return []Query{
				search("EpisodeOfCare", "EpisodeOfCare:organization", "EpisodeOfCare:care-manager"),
				search("CarePlan"),
				search("ServiceRequest", "ServiceRequest:performer"),
				device,
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
