package fhir

// Care package schedules: Timing and Quantity as text and as hours a week.

import (
	"fmt"
	"strings"
)

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
