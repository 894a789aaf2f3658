package fhir

// Shared decoding of small FHIR values: names, identifiers, phones, addresses, notes.

import (
	"slices"
	"strings"

	"github.com/shcr-project/shcr/internal/ukdate"
	"github.com/shcr-project/shcr/record"
)

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return ""
}

func identifierValue(ids []Identifier, system string) string {
	for _, id := range ids {
		if id.System == system {
			return strings.TrimSpace(id.Value)
		}
	}
	return ""
}

// personName formats the best name for reading: "Dr Paul Rastall".
func personName(names []HumanName) string {
	n, ok := bestName(names)
	if !ok {
		return ""
	}
	if n.Family == "" && len(n.Given) == 0 {
		return strings.TrimSpace(n.Text)
	}
	parts := append(append(append([]string{}, n.Prefix...), n.Given...), n.Family)
	return strings.Join(strings.Fields(strings.Join(parts, " ")), " ")
}

// bestName picks the official name, else usual, else the first.
func bestName(names []HumanName) (HumanName, bool) {
	if len(names) == 0 {
		return HumanName{}, false
	}
	for _, use := range []string{"official", "usual"} {
		for _, n := range names {
			if n.Use == use {
				return n, true
			}
		}
	}
	for _, n := range names {
		if n.Use != "old" && n.Use != "maiden" {
			return n, true
		}
	}
	return names[0], true
}

// phonesOf splits telecom into phones and the email to show. Each phone keeps its use,
// what kind of number it is (System: a voice phone, fax, pager, SMS-only or text-phone;
// ContactPoint.system "other" is a text-phone when the UK Core OtherContactSystem extension,
// its use or its value say minicom, textphone or text relay) and when it is or was in use
// (ContactPoint.period; a number whose period ended is kept, marked by its period, and is
// never record.Phone.Callable). The email is the first one not ended.
func phonesOf(tel []ContactPoint) ([]record.Phone, string) {
	var phones []record.Phone
	email := ""
	now := mappingNow()
	for _, t := range tel {
		v := strings.TrimSpace(t.Value)
		if v == "" {
			continue
		}
		period := contactPointPeriod(t.Period)
		switch strings.ToLower(strings.TrimSpace(t.System)) {
		case "email":
			// An ended email is not offered: there is no field to show it as ended.
			if email == "" && !period.Ended(now) && t.Use != "old" {
				email = v
			}
		case "phone", "":
			sys := record.PhoneVoice
			if isTextphone(t) {
				sys = record.PhoneTextphone
			}
			phones = append(phones, record.Phone{Number: v, Use: t.Use, System: sys, Period: period})
		case "fax":
			phones = append(phones, record.Phone{Number: v, Use: t.Use, System: record.PhoneFax, Period: period})
		case "pager":
			phones = append(phones, record.Phone{Number: v, Use: t.Use, System: record.PhonePager, Period: period})
		case "sms":
			phones = append(phones, record.Phone{Number: v, Use: t.Use, System: record.PhoneSMS, Period: period})
		case "other":
			// PDS and UK Core: a text-phone is "other" with the OtherContactSystem extension.
			// Any other "other" (a URL, a messaging account) is not a number to call.
			sys := "other"
			if isTextphone(t) {
				sys = record.PhoneTextphone
			}
			phones = append(phones, record.Phone{Number: v, Use: t.Use, System: sys, Period: period})
		}
	}
	return phones, email
}

// isTextphone: the OtherContactSystem extension (on the ContactPoint or its system), the
// use or the value say minicom, textphone or text relay.
func isTextphone(t ContactPoint) bool {
	exts := t.Extension
	if t.SystemExt != nil {
		exts = append(slices.Clone(exts), t.SystemExt.Extension...)
	}
	texts := []string{t.Use, t.Value}
	for _, e := range exts {
		if strings.Contains(strings.ToLower(e.URL), "othercontactsystem") {
			texts = append(texts, e.Text(), e.ValueCode)
			if e.ValueCoding != nil {
				texts = append(texts, e.ValueCoding.Code, e.ValueCoding.Display)
			}
		}
	}
	l := strings.ToLower(strings.Join(texts, " "))
	for _, w := range []string{"textphone", "text phone", "minicom", "text relay", "textrelay", "typetalk", "text-phone"} {
		if strings.Contains(l, w) {
			return true
		}
	}
	return false
}

// contactPointPeriod parses a ContactPoint period; a value that is not a FHIR date is left
// blank (phonesOf has no resource to name in a warning).
func contactPointPeriod(p Period) record.Period {
	var out record.Period
	if t, _, err := ukdate.ParseFHIR(strings.TrimSpace(p.Start)); err == nil && strings.TrimSpace(p.Start) != "" {
		out.Start, out.StartText = t, strings.TrimSpace(p.Start)
	}
	if t, _, err := ukdate.ParseFHIR(strings.TrimSpace(p.End)); err == nil && strings.TrimSpace(p.End) != "" {
		out.End, out.EndText = t, strings.TrimSpace(p.End)
	}
	return out
}

func address(a []Address) record.Address {
	if len(a) == 0 {
		return record.Address{}
	}
	best := a[0]
	for _, x := range a {
		if x.Use == "home" {
			best = x
			break
		}
	}
	for _, x := range a {
		if x.Use == "home" && x.Period.End == "" {
			best = x
			break
		}
	}
	return record.Address{Lines: best.Line, City: best.City, District: best.District, Postcode: best.PostalCode, Use: best.Use}
}

func notes(ns []Annotation) string {
	var out []string
	for _, n := range ns {
		if t := strings.TrimSpace(n.Text); t != "" {
			out = append(out, t)
		}
	}
	return strings.Join(out, "\n")
}

func dedupePhones(ps []record.Phone) []record.Phone {
	var out []record.Phone
	for _, p := range ps {
		dup := false
		for _, o := range out {
			if strings.ReplaceAll(o.Number, " ", "") == strings.ReplaceAll(p.Number, " ", "") {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, p)
		}
	}
	return out
}
