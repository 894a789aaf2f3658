package record

// The typed walk (sanitise_typed.go) of the section items.

func sanEncounter(src *Encounter) *Encounter {
	var o *Encounter
	if c := sanItem(&src.Item); c != nil {
		cow(&o, src).Item = *c
	}
	if s, ok := line(src.Class); ok {
		cow(&o, src).Class = s
	}
	if s, ok := line(src.Type); ok {
		cow(&o, src).Type = s
	}
	if s, ok := line(src.Status); ok {
		cow(&o, src).Status = s
	}
	if c := sanPeriod(&src.Period); c != nil {
		cow(&o, src).Period = *c
	}
	if s, ok := line(src.Location); ok {
		cow(&o, src).Location = s
	}
	if s, ok := line(src.Provider); ok {
		cow(&o, src).Provider = s
	}
	if s, ok := line(src.Reason); ok {
		cow(&o, src).Reason = s
	}
	if s, ok := line(src.Clinician); ok {
		cow(&o, src).Clinician = s
	}
	if s, ok := line(src.AdmitSource); ok {
		cow(&o, src).AdmitSource = s
	}
	if s, ok := line(src.DischargeDisposition); ok {
		cow(&o, src).DischargeDisposition = s
	}
	if s, ok := line(src.DischargeDestination); ok {
		cow(&o, src).DischargeDestination = s
	}
	if c := sanPeriod(&src.MedicallySafe); c != nil {
		cow(&o, src).MedicallySafe = *c
	}
	if s, ok := line(src.LegalStatus); ok {
		cow(&o, src).LegalStatus = s
	}
	return o
}

func sanCarePackage(src *CarePackage) *CarePackage {
	var o *CarePackage
	if c := sanItem(&src.Item); c != nil {
		cow(&o, src).Item = *c
	}
	if s, ok := line(src.Kind); ok {
		cow(&o, src).Kind = s
	}
	if s, ok := line(src.PackageCategory); ok {
		cow(&o, src).PackageCategory = s
	}
	if s, ok := line(src.Type); ok {
		cow(&o, src).Type = s
	}
	if s, ok := line(src.Status); ok {
		cow(&o, src).Status = s
	}
	if s, ok := line(src.ReportedStatus); ok {
		cow(&o, src).ReportedStatus = s
	}
	if s, ok := line(src.Description); ok {
		cow(&o, src).Description = s
	}
	if s, ok := line(src.Provider); ok {
		cow(&o, src).Provider = s
	}
	if c := sanPeriod(&src.Period); c != nil {
		cow(&o, src).Period = *c
	}
	if s, ok := line(src.Schedule); ok {
		cow(&o, src).Schedule = s
	}
	if s, ok := line(src.CareManager); ok {
		cow(&o, src).CareManager = s
	}
	if s, ok := each(src.StatusHistory, sanStatusPeriod); ok {
		cow(&o, src).StatusHistory = s
	}
	return o
}

func sanStatusPeriod(src *StatusPeriod) *StatusPeriod {
	var o *StatusPeriod
	if s, ok := line(src.Status); ok {
		cow(&o, src).Status = s
	}
	if c := sanPeriod(&src.Period); c != nil {
		cow(&o, src).Period = *c
	}
	return o
}

func sanCareTeamMember(src *CareTeamMember) *CareTeamMember {
	var o *CareTeamMember
	if c := sanItem(&src.Item); c != nil {
		cow(&o, src).Item = *c
	}
	if s, ok := line(src.Name); ok {
		cow(&o, src).Name = s
	}
	if s, ok := line(src.Role); ok {
		cow(&o, src).Role = s
	}
	if s, ok := line(src.RoleCode); ok {
		cow(&o, src).RoleCode = s
	}
	if s, ok := line(src.Team); ok {
		cow(&o, src).Team = s
	}
	if s, ok := line(src.Organisation); ok {
		cow(&o, src).Organisation = s
	}
	if s, ok := each(src.Phones, sanPhone); ok {
		cow(&o, src).Phones = s
	}
	if s, ok := line(src.Email); ok {
		cow(&o, src).Email = s
	}
	if c := sanPeriod(&src.Period); c != nil {
		cow(&o, src).Period = *c
	}
	if s, ok := line(src.Status); ok {
		cow(&o, src).Status = s
	}
	return o
}

func sanMedication(src *Medication) *Medication {
	var o *Medication
	if c := sanItem(&src.Item); c != nil {
		cow(&o, src).Item = *c
	}
	if s, ok := line(src.Kind); ok {
		cow(&o, src).Kind = s
	}
	if s, ok := line(src.Name); ok {
		cow(&o, src).Name = s
	}
	if s, ok := line(src.Code); ok {
		cow(&o, src).Code = s
	}
	if s, ok := line(src.CodeSystem); ok {
		cow(&o, src).CodeSystem = s
	}
	if s, ok := line(src.Dosage); ok {
		cow(&o, src).Dosage = s
	}
	if s, ok := line(src.Status); ok {
		cow(&o, src).Status = s
	}
	if s, ok := line(src.Intent); ok {
		cow(&o, src).Intent = s
	}
	if c := sanPeriod(&src.Period); c != nil {
		cow(&o, src).Period = *c
	}
	if s, ok := line(src.Prescriber); ok {
		cow(&o, src).Prescriber = s
	}
	if s, ok := line(src.Note); ok {
		cow(&o, src).Note = s
	}
	return o
}

func sanAllergy(src *Allergy) *Allergy {
	var o *Allergy
	if c := sanItem(&src.Item); c != nil {
		cow(&o, src).Item = *c
	}
	if s, ok := line(src.Substance); ok {
		cow(&o, src).Substance = s
	}
	if s, ok := line(src.Code); ok {
		cow(&o, src).Code = s
	}
	if s, ok := line(src.ClinicalStatus); ok {
		cow(&o, src).ClinicalStatus = s
	}
	if s, ok := line(src.VerificationStatus); ok {
		cow(&o, src).VerificationStatus = s
	}
	if s, ok := line(src.Criticality); ok {
		cow(&o, src).Criticality = s
	}
	if s, ok := lines(src.Category); ok {
		cow(&o, src).Category = s
	}
	if s, ok := lines(src.Reactions); ok {
		cow(&o, src).Reactions = s
	}
	if s, ok := line(src.Onset); ok {
		cow(&o, src).Onset = s
	}
	return o
}

func sanContact(src *Contact) *Contact {
	var o *Contact
	if c := sanItem(&src.Item); c != nil {
		cow(&o, src).Item = *c
	}
	if s, ok := line(src.Name); ok {
		cow(&o, src).Name = s
	}
	if s, ok := lines(src.Roles); ok {
		cow(&o, src).Roles = s
	}
	if s, ok := line(src.Relationship); ok {
		cow(&o, src).Relationship = s
	}
	if s, ok := each(src.Phones, sanPhone); ok {
		cow(&o, src).Phones = s
	}
	if s, ok := line(src.Email); ok {
		cow(&o, src).Email = s
	}
	if c := sanAddress(&src.Address); c != nil {
		cow(&o, src).Address = *c
	}
	if c := sanPeriod(&src.Period); c != nil {
		cow(&o, src).Period = *c
	}
	if s, ok := line(src.Source); ok {
		cow(&o, src).Source = s
	}
	return o
}

func sanNote(src *Note) *Note {
	var o *Note
	if c := sanItem(&src.Item); c != nil {
		cow(&o, src).Item = *c
	}
	if s, ok := line(src.Kind); ok {
		cow(&o, src).Kind = s
	}
	if s, ok := line(src.Title); ok {
		cow(&o, src).Title = s
	}
	if s, ok := line(src.DateText); ok {
		cow(&o, src).DateText = s
	}
	if s, ok := line(src.Status); ok {
		cow(&o, src).Status = s
	}
	if s, ok := multi(src.Text); ok { // multi-line: see MultiLine
		cow(&o, src).Text = s
	}
	if s, ok := line(src.ContentType); ok {
		cow(&o, src).ContentType = s
	}
	if s, ok := line(src.URL); ok {
		cow(&o, src).URL = s
	}
	return o
}

func sanAlert(src *Alert) *Alert {
	var o *Alert
	if c := sanItem(&src.Item); c != nil {
		cow(&o, src).Item = *c
	}
	if s, ok := line(src.Kind); ok {
		cow(&o, src).Kind = s
	}
	if s, ok := line(src.Category); ok {
		cow(&o, src).Category = s
	}
	if s, ok := line(src.Text); ok {
		cow(&o, src).Text = s
	}
	if s, ok := line(src.Status); ok {
		cow(&o, src).Status = s
	}
	if c := sanPeriod(&src.Period); c != nil {
		cow(&o, src).Period = *c
	}
	if s, ok := line(src.Programme); ok {
		cow(&o, src).Programme = s
	}
	if s, ok := line(src.Notes); ok {
		cow(&o, src).Notes = s
	}
	return o
}

func sanChildProtectionPlan(src *ChildProtectionPlan) *ChildProtectionPlan {
	var o *ChildProtectionPlan
	if c := sanItem(&src.Item); c != nil {
		cow(&o, src).Item = *c
	}
	if s, ok := line(src.PlanType); ok {
		cow(&o, src).PlanType = s
	}
	if s, ok := line(src.PlanText); ok {
		cow(&o, src).PlanText = s
	}
	if s, ok := line(src.LocalAuthority); ok {
		cow(&o, src).LocalAuthority = s
	}
	if s, ok := line(src.LocalAuthorityCode); ok {
		cow(&o, src).LocalAuthorityCode = s
	}
	if s, ok := each(src.OfficeHours, sanPhone); ok {
		cow(&o, src).OfficeHours = s
	}
	if s, ok := each(src.OutOfHours, sanPhone); ok {
		cow(&o, src).OutOfHours = s
	}
	if c := sanPeriod(&src.Period); c != nil {
		cow(&o, src).Period = *c
	}
	if s, ok := line(src.Status); ok {
		cow(&o, src).Status = s
	}
	if s, ok := each(src.RecentAccesses, sanChildProtectionAccess); ok {
		cow(&o, src).RecentAccesses = s
	}
	if s, ok := line(src.AccessesError); ok {
		cow(&o, src).AccessesError = s
	}
	return o
}

func sanChildProtectionAccess(src *ChildProtectionAccess) *ChildProtectionAccess {
	var o *ChildProtectionAccess
	if s, ok := line(src.AtText); ok {
		cow(&o, src).AtText = s
	}
	if s, ok := line(src.Organisation); ok {
		cow(&o, src).Organisation = s
	}
	if s, ok := line(src.OrganisationCode); ok {
		cow(&o, src).OrganisationCode = s
	}
	return o
}

func sanConsentRecord(src *ConsentRecord) *ConsentRecord {
	var o *ConsentRecord
	if c := sanItem(&src.Item); c != nil {
		cow(&o, src).Item = *c
	}
	if s, ok := line(src.Kind); ok {
		cow(&o, src).Kind = s
	}
	if s, ok := line(src.Decision); ok {
		cow(&o, src).Decision = s
	}
	if s, ok := line(src.Status); ok {
		cow(&o, src).Status = s
	}
	if s, ok := line(src.Text); ok {
		cow(&o, src).Text = s
	}
	if s, ok := line(src.DateText); ok {
		cow(&o, src).DateText = s
	}
	if c := sanPeriod(&src.Period); c != nil {
		cow(&o, src).Period = *c
	}
	return o
}
