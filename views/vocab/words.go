package vocab

// The two vocabularies' words: what differs (Health, SocialCare) and what they share (common).

// Health is the NHS vocabulary.
func Health() Vocabulary {
	v := common()
	v.Name, v.Label = NameHealth, "health words"
	v.TabSummary, v.TabCarePackages, v.TabCareTeam, v.TabMedications = "Summary", "Care packages", "Care team", "Medications"
	v.TabAllergies, v.TabNextOfKin, v.TabEncounters, v.TabNotes = "Allergies", "Next of kin", "Encounters", "Clinical notes"
	v.Person, v.People, v.PersonTitle = "patient", "patients", "Patient"
	v.Professional, v.Discharge = "clinician", "discharge"
	v.CarePackage, v.SocialWorker = "care package", "allocated social worker"
	v.Medication, v.Medications, v.Encounter = "medication", "medications", "encounter"

	v.SumIdentity, v.SumRelated = "Patient identity", "Relatives and carers (PDS)"
	v.SearchTitle = "Find a patient"
	v.SearchPrompt = "Patient: "
	v.SearchPlaceholder = "NHS number, family name + date of birth or postcode, or phone"
	v.SearchHelp = "Type an NHS number (943 476 5919), a family name with a date of birth (Smith 12-Mar-1948) or postcode, or a phone number."
	v.ResultsTitle, v.RecentTitle = "Matching patients", "Patients opened this session"
	v.NoMatch = "No patient found for %s in the back ends that answered."
	v.Unmatched = "no NHS number: not matched to a patient in other back ends"
	v.SearchName = "Search patients named %s born %s"
	v.SearchNamePostcode = "Search patients named %s at postcode %s"
	v.SearchNeedMore = "Add a date of birth (12-Mar-1948) or a postcode to the family name, or type an NHS number or phone number."

	v.ColMedication, v.ColProfessional = "Medication", "Clinician"
	v.ColProvider = "Provider"
	v.SumCarePackage, v.SumNextOfKin, v.SumMedications = "Care package", "Next of kin", "Current medications"
	v.SumLastEncounter = "Last encounter"
	v.VerdictYes = "Care package in place: Yes — %s"
	v.VerdictNo = "Care package in place: No — none active at %s"
	v.VerdictUnknown = "Care package in place: Unknown — %s"
	v.VerdictChecking = "Care package in place: checking %s…"
	v.VerdictCheckingSoFar = "Care package in place: checking %s… — so far %s"
	v.DoesNotKnow = "%s does not know this patient"
	v.ReferralsNote = "Referrals and orders (%d) are listed last: they are not care packages."
	v.SumMedicallySafe = "Medically safe for discharge"
	v.ColDischargeDisposition, v.ColDischargeDestination = "Discharge disposition", "Discharge destination"
	v.ColMedicallySafe = "Medically safe"
	v.RoleDischarge = "discharge"
	v.HelpVocab = "social care words"
	v.PurposeQuestion = "Why are you opening this patient's record? Your answer is recorded in the audit trail."
	v.RevealPersonTitle = "Reveal this patient's restricted address and phone numbers"
	v.LockText = "shcr locked after %s without a key. No patient data is shown."
	// Issue 12 §4: bad input and small terminals.
	v.SearchTooLong = "Not pasted: %s characters is too long for a search."
	v.TooSmall = "terminal too small: need %d×%d (now %d×%d)"
	v.TooSmallHint = "Make the window larger to see the patient's record."
	// Issue 14 §3: the job in one screen.
	v.HandoverLastEncounters = "Last %d encounters"
	v.TimelineEncounter, v.TimelineNote = "Encounter", "Clinical note"
	v.TimelinePackageStart, v.TimelinePackageEnd = "Package start", "Package end"
	flagWords(&v, "patient")
	return v
}

// SocialCare is the local authority vocabulary.
func SocialCare() Vocabulary {
	v := common()
	v.Name, v.Label = NameSocialCare, "social care words"
	v.TabSummary, v.TabCarePackages, v.TabCareTeam, v.TabMedications = "Summary", "Care and support", "Professionals", "Medicines"
	v.TabAllergies, v.TabNextOfKin, v.TabEncounters, v.TabNotes = "Allergies", "Family and friends", "Visits and appointments", "Case notes"
	v.Person, v.People, v.PersonTitle = "person", "people", "Person"
	v.SumIdentity, v.SumRelated = "Identity", "Family and others (national)"
	v.Professional, v.Discharge = "professional", "leaving hospital"
	v.CarePackage, v.SocialWorker = "care and support", "allocated social worker"
	v.Medication, v.Medications, v.Encounter = "medicine", "medicines", "visit or appointment"

	v.SearchTitle = "Find a person"
	v.SearchPrompt = "Person: "
	v.SearchPlaceholder = "NHS number, family name + date of birth or postcode, or phone"
	v.SearchHelp = "Type an NHS number (943 476 5919), a family name with a date of birth (Smith 12-Mar-1948) or postcode, or a phone number."
	v.ResultsTitle, v.RecentTitle = "Matching people", "People opened this session"
	v.NoMatch = "No person found for %s in the back ends that answered."
	v.Unmatched = "no NHS number: not matched to a person in other back ends"
	v.SearchName = "Search people named %s born %s"
	v.SearchNamePostcode = "Search people named %s at postcode %s"
	v.SearchNeedMore = "Add a date of birth (12-Mar-1948) or a postcode to the family name, or type an NHS number or phone number."

	v.ColMedication, v.ColProfessional = "Medicine", "Professional"
	v.ColProvider = "Provider"
	v.SumCarePackage, v.SumNextOfKin, v.SumMedications = "Care and support", "Family and friends", "Current medicines"
	v.SumLastEncounter = "Last visit or appointment"
	v.VerdictYes = "Care and support in place: Yes — %s"
	v.VerdictNo = "Care and support in place: No — none active at %s"
	v.VerdictUnknown = "Care and support in place: Unknown — %s"
	v.VerdictChecking = "Care and support in place: checking %s…"
	v.VerdictCheckingSoFar = "Care and support in place: checking %s… — so far %s"
	v.DoesNotKnow = "%s does not know this person"
	v.ReferralsNote = "Referrals and orders (%d) are listed last: they are not care and support."
	v.SumMedicallySafe = "Medically safe to leave hospital"
	v.ColDischargeDisposition, v.ColDischargeDestination = "Leaving: arrangement", "Leaving: destination"
	v.ColMedicallySafe = "Medically safe"
	v.RoleDischarge = "leaving hospital"
	v.HelpVocab = "health words"
	v.PurposeQuestion = "Why are you opening this person's record? Your answer is recorded in the audit trail."
	v.RevealPersonTitle = "Reveal this person's restricted address and phone numbers"
	v.LockText = "shcr locked after %s without a key. No personal data is shown."
	// Issue 12 §4: bad input and small terminals.
	v.SearchTooLong = "Not pasted: %s characters is too long for a search."
	v.TooSmall = "terminal too small: need %d×%d (now %d×%d)"
	v.TooSmallHint = "Make the window larger to see the person's record."
	// Issue 14 §3: the job in one screen.
	v.HandoverLastEncounters = "Last %d visits and appointments"
	v.TimelineEncounter, v.TimelineNote = "Visit", "Case note"
	v.TimelinePackageStart, v.TimelinePackageEnd = "Support starts", "Support ends"
	flagWords(&v, "person")
	return v
}

// common holds the words both vocabularies share; Health and SocialCare set the rest.
func common() Vocabulary {
	return Vocabulary{
		SearchNHSOK:     "NHS number %s: valid. Press enter to search.",
		SearchNHSDigits: "NHS number: %d of 10 digits",
		SearchPhone:     "Phone number %s: press enter to search.",
		Searching:       "Searching %d back ends…",
		DemoHint:        "Demo NHS numbers: %s",
		ResultsHelp:     "up/down to choose, enter to open",
		RecentHelp:      "alt+1…alt+9 reopens",
		SearchFailed:    "Search failed in %s: %s.",
		StillSearching:  "Still searching %s…",
		WaitingFor:      "waiting for %s (%s)",
		WaitingForBare:  "waiting for %s",
		SecondsShort:    "%d s",
		Checking:        "checking %s…",

		ColDomain: "Src", ColType: "Type", ColStatus: "Status", ColStart: "Start", ColEnd: "End",
		ColSchedule: "Schedule", ColName: "Name", ColRole: "Role", ColTeam: "Team",
		ColOrganisation: "Organisation", ColPhone: "Phone", ColDose: "Dose", ColSubstance: "Substance",
		ColReaction: "Reaction", ColCriticality: "Criticality", ColVerification: "Verification",
		ColRelationship: "Relationship", ColRank: "Call", ColClass: "Class", ColLocation: "Location",
		ColReason: "Reason", ColDate: "Date", ColTitle: "Title", ColAuthor: "Author", ColBorn: "Born",
		ColAge: "Age", ColGender: "Gender", ColPostcode: "Postcode", ColNHSNumber: "NHS No.",
		ColKnownTo: "Known to", ColDescription: "Description", ColCareManager: "Care manager",
		ColEmail: "Email", ColAddress: "Address", ColText: "Text", ColCode: "Code",
		ColAsserted: "Asserted", ColCategory: "Category", ColOnset: "Onset", ColPrescriber: "Prescriber",
		ColNote: "Note", ColContent: "Content", ColHoursPerWeek: "Hours a week",
		ColStatusHistory: "Status history", ColKind: "Kind",

		Born: "Born", Age: "y", Gender: "Gender", NHSNumber: "NHS No.",
		Deceased: "DECEASED", Interpreter: "INTERPRETER NEEDED",
		AllergiesPresent: "ALLERGIES", RestrictedExist: "RESTRICTED ITEMS",
		BackendsDisagree: "BACK ENDS DISAGREE", BackendDown: "BACK END FAILED",
		NoNHSNumber: "no NHS number", FieldName: "name", FieldBirthDate: "date of birth", FieldGender: "gender",
		DisagreeOn: "%s: %s",

		RestrictedDemographics:  "RESTRICTED DEMOGRAPHICS",
		NHSReplaced:             "NHS NUMBER %s WAS REPLACED BY %s",
		NHSNotConfirmed:         "NHS NUMBER NOT CONFIRMED: %s does not know it",
		NHSNotChecked:           "NHS NUMBER NOT CHECKED: %s",
		HeldElsewhere:           "Records held elsewhere: %d (%s)",
		HeldElsewhereNotChecked: "Records held elsewhere: not checked (%s)",
		HeldElsewhereNone:       "none listed by %s",
		SumGPPractice:           "Registered GP",
		SumHeldElsewhere:        "Held elsewhere",
		SumAsked:                "Asked",
		IdentityVerified:        "NHS number confirmed by %s",
		IdentityWithheld:        "withheld: restricted demographics",
		AddressWithheld:         "withheld: restricted demographics (only %s's details are shown)",
		DeathFormal:             "death registered",
		DeathInformal:           "informal, unconfirmed",
		DeathRemoved:            "death notice removed",
		PointerOpens:            "opens in shcr from %s",
		PointerNotInShcr:        "not in shcr: contact %s",
		PointerSince:            "since %s",
		AskedLocator:            "the record locator points to it",
		AskedGPArea:             "covers the registered GP",
		AskedConfigured:         "configured",
		RelatedNotChecked:       "not checked (%s)",

		StatusOK: "ok", StatusNotKnown: "not known", StatusSlow: "slow", StatusFailed: "failed",
		StatusPartial: "partly failed (tabs marked !)", StatusNotQueried: "not queried", StatusLoading: "loading",
		BackendsTitle: "Back ends",

		NoneRecorded:       "None recorded in: %s",
		NotReturned:        "Not returned by any back end: no data came back, so this is unknown, not empty.",
		FailedIn:           "Failed in %s: %s",
		ShowingFirst:       "showing first %s of %s at %s",
		NoKnownAllergies:   "No known allergies",
		Loading:            "Loading…",
		WarnConfidential:   "%s: some items are withheld as confidential and are not shown.",
		WarnInTransit:      "%s: some data is in transit from a previous practice and may be incomplete.",
		WarnAwaitingFiling: "%s: some data is awaiting filing and is not shown.",
		WarnOther:          "%s: %s",
		NoRowsMatch:        "No rows match the filter.",

		NotCheckedAt:         "not checked at %s (%s)",
		NotCheckedAtBare:     "not checked at %s",
		TimedOutAt:           "timed out at %s",
		ShowingFirstNoTotal:  "showing first %s at %s (more exist)",
		NotAvailableFrom:     "not available from %s (%s)",
		NotAvailableFromBare: "not available from %s",
		NotAskedAt:           "not asked at %s (%s)",
		NotAskedAtBare:       "not asked at %s",
		LoadingAt:            "checking %s…",
		NothingFrom:          "Nothing came back from %s, but not every back end could be checked: this is unknown, not empty.",
		ReasonServerError:    "server error",
		ReasonAccessRefused:  "access refused",
		ReasonSignInRefused:  "sign-in refused",
		ReasonHTTP:           "HTTP %d",
		ReasonFailed:         "failed",
		RestrictedAllergy:    "%d restricted allergy (content hidden)",
		RestrictedAllergies:  "%d restricted allergies (content hidden)",
		RestrictedCount:      "%d restricted (content hidden)",
		OnlyEnded:            "only ended ones (%d)",
		NoneActiveAt:         "nothing active at %s",
		FoundActive:          "found active: %s",

		Via: "%s, via %s", UpdatedOnServer: "Updated on server",

		SumWarnings: "Warnings", SumNotices: "Notices", SumLanguage: "Preferred language",
		SumLegalStatus: "Legal status", NoticeLine: "Notice: %s: %s",
		SumMore:    "… +%d more lines (Enter): %s",
		PhonesMore: "+%d not to call (Enter)",
		NoticeMore: "… %d more lines about this list: make the window taller, or see the Summary",

		EquipmentMark: "[equipment]", OrderMark: "[order]", Referrals: "Referrals and orders",
		ServerSays: "(server says %s)",

		NameNotRecorded: "name not recorded", NoPhoneRecorded: "no phone recorded", EndedOn: "ended %s",
		NoLongerContact: "no longer a contact", StartsOn: "starts %s",
		PhoneFax: "fax", PhonePager: "pager", PhoneSMS: "texts only", PhoneTextphone: "textphone",
		PhoneOld: "no longer in use",

		Language: "Language", DiedAged: "died aged %d",
		ColAdmitSource: "Admitted from", ColLegalStatus: "Legal status",
		AttachmentLink: "attachment not included (link only): %s",

		Details: "Details", Backend: "Back end", Organisation: "Organisation", Domain: "Domain",
		Author: "Author", Recorded: "Recorded", SourceSystem: "Source system", Security: "Security labels",
		AlsoFrom: "Also reported by", From: "From", DomainHealth: "NHS", DomainSocialCare: "LA",
		DomainHealthLong: "NHS (health)", DomainSocialLong: "LA (local authority, social care)",
		Restricted:        "Restricted item — press x to reveal",
		RestrictedDetails: "This item is restricted. Its content is hidden unless revealed.",
		RestrictedText:    "Restricted item (content hidden)",
		Withheld:          "withheld",

		SumSocialWorker: "Allocated social worker", SumAllergies: "Allergies",
		SumBackends: "Back ends", SumAlerts: "Alerts", SumNone: "none recorded", SumAddress: "Address and phone",

		RoleSocialWorker: "social worker", RoleDispatcher: "dispatcher",
		RoleNextOfKin: "next of kin", RoleEmergencyContact: "emergency contact", RoleKeyHolder: "key holder",
		RoleLPA: "lasting power of attorney", RoleMainCarer: "main carer", RoleCarer: "carer",
		RoleGuardian: "guardian",
		GenderFemale: "Female", GenderMale: "Male", GenderOther: "Other", GenderUnknown: "Unknown",
		PhoneMobile: "mobile", PhoneHome: "home", PhoneWork: "work", PhoneTemp: "temporary",
		StatusActive: "active", StatusPlanned: "planned", StatusOnHold: "on hold", StatusFinished: "ended",
		StatusCancelled: "cancelled", StatusCompleted: "completed", StatusStopped: "stopped",
		StatusInProgress: "in progress", StatusEnteredInError: "entered in error",
		StatusResolved: "resolved", StatusInactive: "inactive", StatusConfirmed: "confirmed",
		StatusUnconfirmed: "unconfirmed", StatusRefuted: "refuted",

		Filter: "Filter", FilterPrompt: "Filter: ", SortedBy: "sorted by %s %s", Ascending: "ascending",
		Descending: "descending", Showing: "showing %s", ShowAll: "all", ShowHealth: "NHS only",
		ShowSocial: "LA only", Copied: "Copied %s to the clipboard", NothingToCopy: "No phone number on this row",
		NoClip:     "Copy works only on a row with a phone number",
		Refreshing: "Refreshing…", VocabSwitched: "Now using %s", Yes: "Yes", No: "No", Rows: "rows",
		Of: "of", Since: "since %s", Until: "until %s", HoursAWeek: "%s h a week",
		Attachment: "attachment", Bytes: "bytes", Newest: "newest first", Oldest: "oldest first",

		HelpTabs: "tabs", HelpNextTab: "next tab", HelpPrevTab: "previous tab", HelpUp: "up",
		HelpDown: "down", HelpPageUp: "page up", HelpPageDown: "page down", HelpTop: "first row",
		HelpBottom: "last row", HelpFilter: "filter", HelpSort: "sort", HelpDomain: "NHS / LA filter",
		HelpRefresh: "refresh", HelpBack: "back to search", HelpCopy: "copy", HelpHelp: "more keys",
		HelpQuit: "quit", HelpForceQuit: "quit anywhere", HelpOpen: "open", HelpClear: "clear",
		HelpRecent: "reopen recent", HelpList: "field / list", HelpReveal: "reveal restricted",
		HelpSearch: "search",

		ErrorTitle: "Something went wrong", ErrorBack: "esc back",

		SignInNeeded:         "Sign in to %s to see what it holds — press %s",
		SignInTitle:          "Sign in to %s",
		SignInStarting:       "Contacting the sign-in service…",
		SignInDeviceOpen:     "1. On any device, open this address:",
		SignInDeviceCode:     "2. Enter the code:",
		SignInDeviceComplete: "Or open this address, which has the code filled in:",
		SignInExpires:        "The code expires in %s. Waiting for approval…",
		SignInBrowser:        "A browser window has opened: sign in there. If none opened, open this address:",
		SignInNoBrowser:      "shcr could not open a browser (%s). Open this address yourself:",
		SignInWaiting:        "Waiting for the sign-in to finish (%s left)…",
		SignInFailed:         "Sign-in did not complete: %s",
		SignInKeys:           "%s cancel",
		SignInRetryKeys:      "%s try again · %s close",
		SignInCopyKey:        "%s copy the address",
		SignedInAs:           "Signed in to %s as %s",
		NotSignedIn:          "not signed in",
		DemoSignedIn:         "demo: no sign-in",
		SignOutTitle:         "Sign out",
		SignOutConfirm:       "Sign out of every back end, close the record on screen and clear the list opened this session?",
		SignOutKeys:          "%s sign out · %s keep working",
		SignedOut:            "Signed out of every back end. The next member of staff can sign in.",
		SignOutFailed:        "Sign-out did not complete: %s",
		SignInShort:          "sign-in needed (press %s)",
		HelpSignIn:           "sign in",
		HelpSignOut:          "sign out (shared PC)",

		PurposeTitle:          "Purpose of access",
		PurposeUnlockQuestion: "Confirm your purpose of access to unlock.",
		PurposePreset:         "%s (preset)",
		PurposeDirectCare:     "Direct care",
		PurposeSafeguarding:   "Safeguarding",
		PurposeEmergency:      "Emergency",
		PurposeOther:          "Other (type a reason)",
		PurposeDemo:           "Demo",
		PurposeReason:         "Reason: ",
		PurposeNeedReason:     "Type a reason for \"other\".",
		PurposeHelp:           "↑/↓ or 1–4 choose · enter confirm · esc back to search",
		PurposeReasonHelp:     "type the reason · enter confirm · esc choose again",

		RevealTitle:      "Reveal a restricted item",
		RevealQuestion:   "Why do you need to see it? The reason is recorded in the audit trail.",
		RevealPrompt:     "Reason: ",
		RevealNeedReason: "A reason is needed to reveal a restricted item.",
		RevealHelp:       "enter reveal · esc cancel",
		RevealDone:       "Revealed while this record is open; recorded in the audit trail",
		RevealNothing:    "Nothing restricted to reveal here",

		AuditFailed:       "Not shown: the audit trail could not record this look (%s).",
		AuditNotForwarded: "Audit events are not being sent to the central audit service (%s); they stay in the audit trail and are sent later.",

		LockTitle:        "Screen locked",
		LockUnlockSignIn: "enter   sign in again to unlock",
		LockUnlockKey:    "enter   unlock (confirm the purpose of access)",
		LockSignOut:      "ctrl+o  sign out, for the next member of staff",
		LockSigningIn:    "Signing in…",
		LockFailed:       "Still locked: %s",
		HelpUnlock:       "unlock",

		CopiedTerminal:     "Copied %s (terminal only)",
		CopiedBoth:         "Copied %s to the clipboard",
		CopyNothing:        "Nothing to copy on this row",
		CopyNHSNumber:      "NHS number",
		CopyPhone:          "phone number",
		CopyAddress:        "address",
		CopyRow:            "row as text",
		CopyTitle:          "Copy",
		CopyHelp:           "↑/↓ choose · enter copy · esc close",
		HelpCopyChoose:     "copy…",
		CopyHandover:       "handover summary",
		HandoverTitle:      "Handover summary",
		HandoverPrinted:    "Printed %s by shcr from the shared care record. Check the record before acting on it.",
		HandoverCoverage:   "What could not be checked",
		HandoverAllChecked: "Every back end that knows this record answered every section in full.",
		HandoverWritten:    "Handover summary written to %s",
		HandoverNotWritten: "Handover summary not written: %s",
		ExportNotAudited:   "the audit trail could not record it (%s)",
		HelpHandover:       "handover summary",
		HandoverNoPhone:    "no phone recorded",
		HandoverNone:       "none recorded",
		NoteHelp:           "enter or esc close",
		TimelineTitle:      "Timeline",
		TimelineState:      "timeline: everything, newest first",
		ColSource:          "Source",
		TimelineAlert:      "Alert",
		HelpTimeline:       "timeline",
		AlertsNotChecked:   "ALERTS NOT CHECKED: %s",
		MoreEnter:          "+%d more (Enter)",
		MoreLine:           "… +1 more line (Enter)",
		MoreLines:          "… +%d more lines (Enter)",
		ReadFind:           "Find: ",
		ReadMatches:        "%d/%d",
		ReadNoMatch:        "not found",
		ReadPosition:       "lines %d–%d of %d",
		HelpRead:           "read in full",
		HelpFind:           "find",
		HelpFindNext:       "next match",
		HelpFindPrev:       "previous match",
		HelpClose:          "close",
		HelpTextTop:        "top",
		HelpTextEnd:        "end",
		RowsShown:          "(%d–%d shown)",
	}
}

// flagWords are the words of national flags, child protection (CP-IS), consent and
// objections to sharing, and emergency access: the same in both vocabularies but for the
// person's noun.
func flagWords(v *Vocabulary, person string) {
	v.TitleChildProtection = "Child protection"
	v.FlagChildProtection = "CHILD PROTECTION"
	v.FlagReasonableAdjustment = "REASONABLE ADJUSTMENTS"
	v.FlagFGM = "FGM"
	v.PlanCPPI, v.PlanLACI, v.PlanUCPI = "child protection plan", "looked after child", "unborn child protection plan"
	v.CPCall = "local authority %s"
	v.CPOfficeHours, v.CPOutOfHours = "office hours", "out of hours"
	v.CPNotAsked = "contacts not asked yet: in unscheduled care, opening them tells the local authority"
	v.CPNotified = "the local authority was told of this access"
	v.CPNoContacts = "no local authority contacts returned"
	v.CPLastAccess = "last unscheduled-care access %s (%s)"
	v.CPAccesses = "Unscheduled-care accesses"
	v.CPAccessesNone = "none recorded by CP-IS"
	v.CPAccessesFailed = "not known: could not be read (%s)"
	v.HelpChildProtection = "child protection contacts"
	v.CPOpenTitle = "Child protection: open the local authority's contacts"
	v.CPOpenQuestion = "This " + person + " has a child protection flag. Opening the plan in unscheduled care tells the responsible local authority (CP-IS), and is recorded in the audit trail."
	v.CPOpenHelp = "enter open and tell the local authority · esc cancel"
	v.CPOpened = "Child protection plan opened: the local authority is told; recorded in the audit trail"
	v.CPNoFlag = "No child protection flag on this record"
	v.ColPlan, v.ColLocalAuthority, v.ColOfficeHours, v.ColOutOfHours, v.ColDecision = "Plan", "Local authority", "Office hours", "Out of hours", "Decision"

	v.TitleConsent = "Consent and objections"
	v.ObjectedBanner = "OBJECTED TO SHARING FROM %s — EMERGENCY ACCESS ONLY"
	v.ObjectedRevealed = "OBJECTED TO SHARING FROM %s — SHOWN UNDER EMERGENCY ACCESS (AUDITED)"
	v.ObjectedNational = "OBJECTED TO SHARING ANY CARE RECORD (NHS RECORD SHARING DISSENT AT %s) — EMERGENCY ACCESS ONLY"
	v.ObjectedNationalRevealed = "OBJECTED TO SHARING ANY CARE RECORD (NHS RECORD SHARING DISSENT AT %s) — SHOWN UNDER EMERGENCY ACCESS (AUDITED)"
	v.WithheldObjection = "Withheld: objection to sharing — emergency access only (x)"
	v.WithheldObjectionText = "Withheld: objection to sharing (emergency access only)"
	v.WithheldObjectionDetails = "This " + person + " objected to sharing from this back end. Its content is withheld unless emergency access (break glass: x, with a reason) is used; that is recorded in the audit trail."
	v.ConsentKindConsent, v.ConsentKindFinding, v.ConsentKindNCRS = "consent record", "refusal recorded", "NHS record sharing: dissent"
	v.ConsentDeny, v.ConsentPermit, v.ConsentEmergency = "objected", "agreed", "emergency access only"
	v.BreakGlassTitle = "Emergency access (break glass)"
	v.BreakGlassQuestion = "This " + person + " objected to sharing from %s. Emergency access shows it, sets the purpose of access to emergency and is recorded in the audit trail as break glass. Why is it needed?"
	v.BreakGlassNationalQuestion = "This " + person + " objected to sharing any care record (an NHS record sharing dissent recorded at %s). Emergency access shows every record, sets the purpose of access to emergency and is recorded in the audit trail as break glass. Why is it needed?"
	v.BreakGlassNeedReason = "A reason is needed for emergency access."
	v.BreakGlassDone = "Emergency access: objected data shown while this record is open; recorded in the audit trail"
}
