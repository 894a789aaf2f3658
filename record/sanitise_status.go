package record

// The typed walk (sanitise_typed.go) of the statuses, the notices and the national
// services' answers (identity, locator, routing).

func sanSectionStatus(src *SectionStatus) *SectionStatus {
	var o *SectionStatus
	if s, ok := line(src.Backend); ok {
		cow(&o, src).Backend = s
	}
	if s, ok := line(src.Section); ok {
		cow(&o, src).Section = s
	}
	if s, ok := line(src.State); ok {
		cow(&o, src).State = s
	}
	if s, ok := line(src.Error); ok {
		cow(&o, src).Error = s
	}
	if s, ok := lines(src.Warnings); ok {
		cow(&o, src).Warnings = s
	}
	if s, ok := line(src.NotServed); ok {
		cow(&o, src).NotServed = s
	}
	return o
}

func sanNotice(src *Notice) *Notice {
	var o *Notice
	if s, ok := line(src.Backend); ok {
		cow(&o, src).Backend = s
	}
	if s, ok := line(src.Kind); ok {
		cow(&o, src).Kind = s
	}
	if s, ok := line(src.Text); ok {
		cow(&o, src).Text = s
	}
	return o
}

func sanIdentity(src *Identity) *Identity {
	var o *Identity
	if s, ok := line(src.Backend); ok {
		cow(&o, src).Backend = s
	}
	if s, ok := line(src.State); ok {
		cow(&o, src).State = s
	}
	if s, ok := line(src.Error); ok {
		cow(&o, src).Error = s
	}
	if s, ok := lines(src.Superseded); ok {
		cow(&o, src).Superseded = s
	}
	if s, ok := line(src.Confidentiality); ok {
		cow(&o, src).Confidentiality = s
	}
	if s, ok := line(src.GPPractice); ok {
		cow(&o, src).GPPractice = s
	}
	if s, ok := line(src.GPPracticeName); ok {
		cow(&o, src).GPPracticeName = s
	}
	if p, ok := ptr(src.Deceased, sanDeath); ok {
		cow(&o, src).Deceased = p
	}
	if s, ok := each(src.Related, sanRelatedPerson); ok {
		cow(&o, src).Related = s
	}
	if s, ok := line(src.RelatedState); ok {
		cow(&o, src).RelatedState = s
	}
	return o
}

func sanDeath(src *Death) *Death {
	var o *Death
	if s, ok := line(src.Text); ok {
		cow(&o, src).Text = s
	}
	if s, ok := line(src.Status); ok {
		cow(&o, src).Status = s
	}
	return o
}

func sanRelatedPerson(src *RelatedPerson) *RelatedPerson {
	var o *RelatedPerson
	if c := sanName(&src.Name); c != nil {
		cow(&o, src).Name = *c
	}
	if s, ok := line(src.NHSNumber); ok {
		cow(&o, src).NHSNumber = s
	}
	if s, ok := line(src.Relationship); ok {
		cow(&o, src).Relationship = s
	}
	if s, ok := each(src.Phones, sanPhone); ok {
		cow(&o, src).Phones = s
	}
	if c := sanPeriod(&src.Period); c != nil {
		cow(&o, src).Period = *c
	}
	return o
}

func sanLocator(src *Locator) *Locator {
	var o *Locator
	if s, ok := line(src.Backend); ok {
		cow(&o, src).Backend = s
	}
	if s, ok := line(src.State); ok {
		cow(&o, src).State = s
	}
	if s, ok := line(src.Error); ok {
		cow(&o, src).Error = s
	}
	if s, ok := each(src.Pointers, sanPointer); ok {
		cow(&o, src).Pointers = s
	}
	return o
}

func sanPointer(src *Pointer) *Pointer {
	var o *Pointer
	if s, ok := line(src.ID); ok {
		cow(&o, src).ID = s
	}
	if s, ok := line(src.CustodianCode); ok {
		cow(&o, src).CustodianCode = s
	}
	if s, ok := line(src.CustodianName); ok {
		cow(&o, src).CustodianName = s
	}
	if s, ok := line(src.Type); ok {
		cow(&o, src).Type = s
	}
	if s, ok := line(src.TypeCode); ok {
		cow(&o, src).TypeCode = s
	}
	if s, ok := line(src.Category); ok {
		cow(&o, src).Category = s
	}
	if s, ok := line(src.DateText); ok {
		cow(&o, src).DateText = s
	}
	if s, ok := line(src.URL); ok {
		cow(&o, src).URL = s
	}
	if s, ok := line(src.ContentType); ok {
		cow(&o, src).ContentType = s
	}
	if s, ok := line(src.Format); ok {
		cow(&o, src).Format = s
	}
	if s, ok := line(src.Retrieval); ok {
		cow(&o, src).Retrieval = s
	}
	if s, ok := line(src.Contact); ok {
		cow(&o, src).Contact = s
	}
	if s, ok := line(src.Backend); ok {
		cow(&o, src).Backend = s
	}
	return o
}

func sanRoute(src *Route) *Route {
	var o *Route
	if s, ok := line(src.Backend); ok {
		cow(&o, src).Backend = s
	}
	if s, ok := line(src.Reason); ok {
		cow(&o, src).Reason = s
	}
	return o
}
