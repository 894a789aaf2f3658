package record

import "github.com/shcr-project/shcr/internal/safetext"

// The typed walk: what Sanitised does for a Part, a Person and a []Person (a back end's
// answers, on the mapping goroutine's path: a Part can hold 50,000 encounters), without
// reflection. It gives exactly what the reflective walk (sanitise) gives — the same strings
// made safe, the same values copied, the rest shared — which TestTypedSanitiseMatchesReflection
// holds it to, field by field, for every string reachable from a Part: a field added to a
// record type and not to this file makes that test fail.
//
// Each san* function reads *src without changing it and returns nil when nothing in it
// needs changing (no allocation, nothing copied), else a new copy with every change made:
// what holds a changed string is copied, the rest of the copy shares with src.

// cow returns *out, first setting it to a copy of src: the copy a change is written to.
func cow[T any](out **T, src *T) *T {
	if *out == nil {
		c := *src
		*out = &c
	}
	return *out
}

// line returns s made safe for a single-line field, and whether that changed it.
func line[S ~string](s S) (S, bool) {
	if safetext.Safe(string(s), false) {
		return s, false
	}
	c := S(safetext.Line(string(s)))
	return c, c != s
}

// multi returns s made safe for a multi-line field (a note's text), and whether that changed it.
func multi[S ~string](s S) (S, bool) {
	if safetext.Safe(string(s), true) {
		return s, false
	}
	c := S(safetext.Multi(string(s)))
	return c, c != s
}

// lines returns s with every element made safe for a single-line field: s itself when
// none changes, else a copy.
func lines(s []string) ([]string, bool) {
	var out []string
	for i, e := range s {
		c, ok := line(e)
		if !ok {
			continue
		}
		if out == nil {
			out = make([]string, len(s))
			copy(out, s)
		}
		out[i] = c
	}
	if out == nil {
		return s, false
	}
	return out, true
}

// each returns s with san applied to every element: s itself when none changes, else a copy.
func each[T any](s []T, san func(*T) *T) ([]T, bool) {
	var out []T
	for i := range s {
		c := san(&s[i])
		if c == nil {
			continue
		}
		if out == nil {
			out = make([]T, len(s))
			copy(out, s)
		}
		out[i] = *c
	}
	if out == nil {
		return s, false
	}
	return out, true
}

// ptr returns p when san changes nothing in *p (or p is nil), else a pointer to the copy.
func ptr[T any](p *T, san func(*T) *T) (*T, bool) {
	if p == nil {
		return nil, false
	}
	if c := san(p); c != nil {
		return c, true
	}
	return p, false
}

func sanPart(src *Part) *Part {
	var o *Part
	if s, ok := line(src.Backend); ok {
		cow(&o, src).Backend = s
	}
	if p, ok := ptr(src.Person, sanPerson); ok {
		cow(&o, src).Person = p
	}
	if c := sanSections(&src.Sections); c != nil {
		cow(&o, src).Sections = *c
	}
	if s, ok := each(src.Status, sanSectionStatus); ok {
		cow(&o, src).Status = s
	}
	if s, ok := each(src.Notices, sanNotice); ok {
		cow(&o, src).Notices = s
	}
	if p, ok := ptr(src.Identity, sanIdentity); ok {
		cow(&o, src).Identity = p
	}
	if p, ok := ptr(src.Locator, sanLocator); ok {
		cow(&o, src).Locator = p
	}
	if s, ok := each(src.Routing, sanRoute); ok {
		cow(&o, src).Routing = s
	}
	return o
}

func sanSections(src *SectionsData) *SectionsData {
	var o *SectionsData
	if s, ok := each(src.CarePackages, sanCarePackage); ok {
		cow(&o, src).CarePackages = s
	}
	if s, ok := each(src.Referrals, sanCarePackage); ok {
		cow(&o, src).Referrals = s
	}
	if s, ok := each(src.CareTeam, sanCareTeamMember); ok {
		cow(&o, src).CareTeam = s
	}
	if s, ok := each(src.Medications, sanMedication); ok {
		cow(&o, src).Medications = s
	}
	if s, ok := each(src.Allergies, sanAllergy); ok {
		cow(&o, src).Allergies = s
	}
	if s, ok := each(src.NextOfKin, sanContact); ok {
		cow(&o, src).NextOfKin = s
	}
	if s, ok := each(src.Encounters, sanEncounter); ok {
		cow(&o, src).Encounters = s
	}
	if s, ok := each(src.Notes, sanNote); ok {
		cow(&o, src).Notes = s
	}
	if s, ok := each(src.Alerts, sanAlert); ok {
		cow(&o, src).Alerts = s
	}
	if s, ok := each(src.ChildProtection, sanChildProtectionPlan); ok {
		cow(&o, src).ChildProtection = s
	}
	if s, ok := each(src.Consent, sanConsentRecord); ok {
		cow(&o, src).Consent = s
	}
	return o
}

func sanPerson(src *Person) *Person {
	var o *Person
	if s, ok := line(src.NHSNumber); ok {
		cow(&o, src).NHSNumber = s
	}
	if s, ok := line(src.NHSNumberVerification); ok {
		cow(&o, src).NHSNumberVerification = s
	}
	if c := sanName(&src.Name); c != nil {
		cow(&o, src).Name = *c
	}
	if s, ok := line(src.BirthDate); ok {
		cow(&o, src).BirthDate = s
	}
	if s, ok := line(src.Gender); ok {
		cow(&o, src).Gender = s
	}
	if c := sanAddress(&src.Address); c != nil {
		cow(&o, src).Address = *c
	}
	if s, ok := each(src.Phones, sanPhone); ok {
		cow(&o, src).Phones = s
	}
	if s, ok := line(src.LocalAuthorityID); ok {
		cow(&o, src).LocalAuthorityID = s
	}
	if s, ok := line(src.DeceasedText); ok {
		cow(&o, src).DeceasedText = s
	}
	if s, ok := line(src.InterpreterLanguage); ok {
		cow(&o, src).InterpreterLanguage = s
	}
	if s, ok := line(src.Language); ok {
		cow(&o, src).Language = s
	}
	if s, ok := each(src.Sources, sanPersonSource); ok {
		cow(&o, src).Sources = s
	}
	return o
}

func sanPersonSource(src *PersonSource) *PersonSource {
	var o *PersonSource
	if s, ok := line(src.Backend); ok {
		cow(&o, src).Backend = s
	}
	if s, ok := line(src.ID); ok {
		cow(&o, src).ID = s
	}
	if c := sanName(&src.Name); c != nil {
		cow(&o, src).Name = *c
	}
	if s, ok := line(src.BirthDate); ok {
		cow(&o, src).BirthDate = s
	}
	if s, ok := line(src.Gender); ok {
		cow(&o, src).Gender = s
	}
	if s, ok := line(src.Postcode); ok {
		cow(&o, src).Postcode = s
	}
	return o
}

func sanName(src *Name) *Name {
	var o *Name
	if s, ok := line(src.Family); ok {
		cow(&o, src).Family = s
	}
	if s, ok := lines(src.Given); ok {
		cow(&o, src).Given = s
	}
	if s, ok := lines(src.Prefix); ok {
		cow(&o, src).Prefix = s
	}
	return o
}

func sanAddress(src *Address) *Address {
	var o *Address
	if s, ok := lines(src.Lines); ok {
		cow(&o, src).Lines = s
	}
	if s, ok := line(src.City); ok {
		cow(&o, src).City = s
	}
	if s, ok := line(src.District); ok {
		cow(&o, src).District = s
	}
	if s, ok := line(src.Postcode); ok {
		cow(&o, src).Postcode = s
	}
	if s, ok := line(src.Use); ok {
		cow(&o, src).Use = s
	}
	return o
}

func sanPhone(src *Phone) *Phone {
	var o *Phone
	if s, ok := line(src.Number); ok {
		cow(&o, src).Number = s
	}
	if s, ok := line(src.Use); ok {
		cow(&o, src).Use = s
	}
	if s, ok := line(src.System); ok {
		cow(&o, src).System = s
	}
	if c := sanPeriod(&src.Period); c != nil {
		cow(&o, src).Period = *c
	}
	return o
}

func sanPeriod(src *Period) *Period {
	var o *Period
	if s, ok := line(src.StartText); ok {
		cow(&o, src).StartText = s
	}
	if s, ok := line(src.EndText); ok {
		cow(&o, src).EndText = s
	}
	return o
}

func sanItem(src *Item) *Item {
	var o *Item
	if s, ok := line(src.Key); ok {
		cow(&o, src).Key = s
	}
	if s, ok := lines(src.AlsoKnownAs); ok {
		cow(&o, src).AlsoKnownAs = s
	}
	if c := sanProvenance(&src.Provenance); c != nil {
		cow(&o, src).Provenance = *c
	}
	if s, ok := each(src.AlsoFrom, sanProvenance); ok {
		cow(&o, src).AlsoFrom = s
	}
	if s, ok := line(src.Withheld); ok {
		cow(&o, src).Withheld = s
	}
	return o
}

func sanProvenance(src *Provenance) *Provenance {
	var o *Provenance
	if s, ok := line(src.Backend); ok {
		cow(&o, src).Backend = s
	}
	if s, ok := line(src.Organisation); ok {
		cow(&o, src).Organisation = s
	}
	if s, ok := line(src.OrganisationCode); ok {
		cow(&o, src).OrganisationCode = s
	}
	if s, ok := line(src.Domain); ok {
		cow(&o, src).Domain = s
	}
	if s, ok := line(src.Author.Name); ok {
		cow(&o, src).Author.Name = s
	}
	if s, ok := line(src.Author.Role); ok {
		cow(&o, src).Author.Role = s
	}
	if s, ok := line(src.RecordedText); ok {
		cow(&o, src).RecordedText = s
	}
	if s, ok := line(src.Via); ok {
		cow(&o, src).Via = s
	}
	if s, ok := line(src.SourceSystem); ok {
		cow(&o, src).SourceSystem = s
	}
	if s, ok := lines(src.Security); ok {
		cow(&o, src).Security = s
	}
	if s, ok := line(src.Resource); ok {
		cow(&o, src).Resource = s
	}
	return o
}
