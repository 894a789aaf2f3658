package views

import (
	"fmt"
	"strings"
	"time"

	"github.com/shcr-project/shcr/internal/nhsnumber"
	"github.com/shcr-project/shcr/internal/text"
	"github.com/shcr-project/shcr/internal/ukdate"
	"github.com/shcr-project/shcr/record"
	"github.com/shcr-project/shcr/views/vocab"
)

// What the national services said: the demographics service's identity (restricted,
// replaced NHS number, not confirmed) as banner chips, the record locator's "Records held
// elsewhere" banner line, and the Summary's identity, pointers and routing lines. Held
// elsewhere is a Summary block, not a section: the section table lists what record back
// ends serve per section (with a state per back end), and pointers come from one locator.

// IdentityChips are the banner chips of the person's identity.
func IdentityChips(rec *record.Record, v vocab.Vocabulary, st Styles) []string {
	id := rec.Identity
	if id == nil {
		return nil
	}
	var out []string
	if id.Restricted {
		out = append(out, st.ChipAlert.Render("["+v.RestrictedDemographics+"]"))
	}
	for _, old := range id.Superseded {
		out = append(out, st.ChipWarn.Render("["+fmt.Sprintf(v.NHSReplaced, nhsnumber.Format(old), nhsnumber.Format(rec.Person.NHSNumber))+"]"))
	}
	switch id.State {
	case record.IdentityNotFound:
		out = append(out, st.ChipWarn.Render("["+fmt.Sprintf(v.NHSNotConfirmed, id.Backend)+"]"))
	case record.IdentityFailed, record.IdentityNotQueried:
		out = append(out, st.ChipWarn.Render("["+fmt.Sprintf(v.NHSNotChecked, firstNonEmptyText(id.Error, id.Backend))+"]"))
	}
	return out
}

// HeldElsewhereLine is the banner's "Records held elsewhere: N (…)" line, "" without a locator.
func HeldElsewhereLine(rec *record.Record, v vocab.Vocabulary, st Styles, width int) string {
	l := rec.Locator
	if l == nil {
		return ""
	}
	var s string
	switch {
	case l.State != record.IdentityOK:
		s = st.Warning.Render(fmt.Sprintf(v.HeldElsewhereNotChecked, firstNonEmptyText(l.Error, l.Backend)))
	case len(l.Pointers) == 0:
		// The locator answered and holds no pointer: the Summary says so ("none listed by
		// X"); the banner, on every tab, keeps its lines for what needs acting on.
		return ""
	default:
		var who []string
		for _, p := range l.Pointers {
			who = appendNew(who, custodian(p))
		}
		s = st.Text.Render(fmt.Sprintf(v.HeldElsewhere, len(l.Pointers), strings.Join(who, ", ")))
	}
	return text.WrapStyled(s, width)
}

func custodian(p record.Pointer) string {
	if p.CustodianName == "" {
		return p.CustodianCode
	}
	return p.CustodianName + " (" + p.CustodianCode + ")"
}

func firstNonEmptyText(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// IdentityFields are the Summary's lines about identity, records held elsewhere and which
// back ends were asked: nothing when no national service is configured.
func IdentityFields(rec *record.Record, v vocab.Vocabulary, now time.Time) []Field {
	var out []Field
	if id := rec.Identity; id != nil {
		var parts []string
		if id.Verified {
			parts = append(parts, fmt.Sprintf(v.IdentityVerified, id.Backend))
		}
		parts = append(parts, strings.Trim(strings.Join(stripBrackets(IdentityChips(rec, v, Styles{})), "; "), " "))
		if d := id.Deceased; d != nil {
			w := v.Deceased
			if !d.At.IsZero() {
				w += " " + ukdate.Partial(d.At, d.Text)
			}
			switch d.Status {
			case record.DeathFormal:
				w += " (" + v.DeathFormal + ")"
			case record.DeathInformal:
				w += " (" + v.DeathInformal + ")"
			case record.DeathRemoved:
				w += " (" + v.DeathRemoved + ")"
			}
			parts = append(parts, w)
		}
		out = append(out, Field{v.SumIdentity, joinNonEmpty("; ", parts...)})
		gp := id.GPPractice
		switch {
		case id.Restricted && gp == "":
			gp = v.IdentityWithheld
		case gp != "" && id.GPPracticeName != "":
			gp = id.GPPracticeName + " (" + gp + ")"
		}
		if gp != "" {
			out = append(out, Field{v.SumGPPractice, gp})
		}
		switch id.RelatedState {
		case record.IdentityOK:
			var rs []string
			for _, r := range id.Related {
				rs = append(rs, joinNonEmpty(" ", PersonName(r.Name), paren(r.Relationship), phonesText(r.Phones, v, now)))
			}
			if len(rs) > 0 {
				out = append(out, Field{v.SumRelated, strings.Join(rs, "\n")})
			}
		case record.IdentityWithheld:
			out = append(out, Field{v.SumRelated, v.IdentityWithheld})
		case record.IdentityFailed:
			out = append(out, Field{v.SumRelated, fmt.Sprintf(v.RelatedNotChecked, id.Backend)})
		}
	}
	if l := rec.Locator; l != nil && l.State == record.IdentityOK && len(l.Pointers) > 0 {
		var ps []string
		for _, p := range l.Pointers {
			line := firstNonEmptyText(p.Type, p.TypeCode) + " — " + custodian(p)
			if !p.Date.IsZero() {
				line += ", " + fmt.Sprintf(v.PointerSince, ukdate.Date(p.Date))
			}
			if p.Backend != "" {
				line += "; " + fmt.Sprintf(v.PointerOpens, p.Backend)
			} else {
				line += "; " + fmt.Sprintf(v.PointerNotInShcr, joinNonEmpty(", ", custodian(p), p.URL))
			}
			ps = append(ps, line)
		}
		out = append(out, Field{v.SumHeldElsewhere, strings.Join(ps, "\n")})
	} else if l != nil && l.State == record.IdentityOK {
		out = append(out, Field{v.SumHeldElsewhere, fmt.Sprintf(v.HeldElsewhereNone, l.Backend)})
	}
	if len(rec.Routing) > 0 {
		var as []string
		for _, r := range rec.Routing {
			why := v.AskedConfigured
			switch r.Reason {
			case record.RouteLocator:
				why = v.AskedLocator
			case record.RouteGPArea:
				why = v.AskedGPArea
			}
			as = append(as, r.Backend+" ("+why+")")
		}
		out = append(out, Field{v.SumAsked, strings.Join(as, ", ")})
	}
	return out
}

// stripBrackets turns unstyled chips "[TEXT]" into "TEXT".
func stripBrackets(chips []string) []string {
	out := make([]string, len(chips))
	for i, c := range chips {
		out[i] = strings.TrimSuffix(strings.TrimPrefix(c, "["), "]")
	}
	return out
}

// identityText is IdentityFields as "Label: value" lines for `shcr get`, "" without them.
func identityText(rec *record.Record, v vocab.Vocabulary, width int, now time.Time) string {
	var b strings.Builder
	for _, f := range IdentityFields(rec, v, now) {
		lead := f.Label + ": "
		indent := strings.Repeat(" ", min(text.Width(lead), width/3))
		for i, para := range strings.Split(f.Value, "\n") {
			first := lead
			if i > 0 {
				first = indent
			}
			for j, l := range text.WrapHard(para, max(width-text.Width(indent), 20)) {
				if j == 0 {
					b.WriteString(first)
				} else {
					b.WriteString(indent)
				}
				b.WriteString(l)
				b.WriteString("\n")
			}
		}
	}
	return b.String()
}
