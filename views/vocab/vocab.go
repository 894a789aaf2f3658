// Package vocab holds the two vocabularies shcr speaks: health (NHS words) and social care
// (local authority words). Every word on every screen comes from one of these tables, so a
// social worker never reads "patient" and a discharge nurse never reads "Case notes".
package vocab

import (
	"fmt"
	"strings"
)

// Names of the vocabularies, as typed in config and on the command line.
const (
	NameHealth     = "health"
	NameSocialCare = "social-care"
)

// Vocabulary is one complete table of on-screen words. Every field is set in both tables.
type Vocabulary struct {
	Name  string // health | social-care
	Label string // the vocabulary's own name, shown in the status bar

	// Tab names, in tab order.
	TabSummary, TabCarePackages, TabCareTeam, TabMedications, TabAllergies, TabNextOfKin, TabEncounters, TabNotes string

	// Core words.
	Person, People, PersonTitle string // patient / person
	Professional                string // clinician / professional
	Discharge                   string // discharge / leaving hospital
	CarePackage                 string // "care package" / "care and support" (lower case, in sentences)
	SocialWorker                string // allocated social worker
	Medication, Medications     string // medication / medicine
	Encounter                   string // encounter / visit or appointment

	// Search screen.
	SearchTitle, SearchPrompt, SearchPlaceholder, SearchHelp string
	SearchNHSOK, SearchNHSDigits, SearchPhone, SearchName    string
	SearchNamePostcode                                       string
	SearchNeedMore, Searching, ResultsTitle, RecentTitle     string
	NoMatch, Unmatched, DemoHint, ResultsHelp, RecentHelp    string
	SearchFailed                                             string

	// Columns.
	ColDomain, ColType, ColStatus, ColProvider, ColStart, ColEnd, ColSchedule     string
	ColName, ColRole, ColTeam, ColOrganisation, ColPhone, ColMedication, ColDose  string
	ColSubstance, ColReaction, ColCriticality, ColVerification, ColRelationship   string
	ColRank, ColClass, ColLocation, ColReason, ColProfessional, ColDate, ColTitle string
	ColAuthor, ColBorn, ColAge, ColGender, ColPostcode, ColNHSNumber, ColKnownTo  string
	ColDescription, ColCareManager, ColEmail, ColAddress, ColText, ColCode        string
	ColAsserted, ColCategory, ColOnset, ColPrescriber, ColNote, ColContent        string
	ColHoursPerWeek, ColStatusHistory, ColKind                                    string

	// Banner.
	Born, Age, Gender, NHSNumber, Deceased, Interpreter              string
	AllergiesPresent, RestrictedExist, BackendsDisagree, BackendDown string
	NoNHSNumber, FieldName, FieldBirthDate, FieldGender, DisagreeOn  string

	// Back end status words.
	StatusOK, StatusNotKnown, StatusSlow, StatusFailed, StatusPartial, StatusNotQueried, StatusLoading string
	BackendsTitle                                                                                      string

	// Section states.
	NoneRecorded, NotReturned, FailedIn, ShowingFirst, NoKnownAllergies, Loading string
	// What could not be checked, back end by back end (each takes the back end's name first).
	NotCheckedAt, NotCheckedAtBare, TimedOutAt, ShowingFirstNoTotal, NotAvailableFrom             string
	NotAvailableFromBare, DoesNotKnow, NotAskedAt, NotAskedAtBare, LoadingAt, NothingFrom         string
	ReasonServerError, ReasonAccessRefused, ReasonSignInRefused, ReasonHTTP, ReasonFailed         string
	RestrictedAllergy, RestrictedAllergies, RestrictedCount, OnlyEnded, NoneActiveAt, FoundActive string
	WarnConfidential, WarnInTransit, WarnAwaitingFiling, WarnOther                                string
	NoRowsMatch                                                                                   string

	// Provenance (details pane).
	Details, Backend, Organisation, Domain, Author, Recorded, SourceSystem, Security, AlsoFrom string
	Via, UpdatedOnServer                                                                       string
	From                                                                                       string
	DomainHealth, DomainSocialCare, DomainHealthLong, DomainSocialLong                         string
	Restricted, RestrictedDetails, RestrictedText, Withheld                                    string

	// Summary tab.
	SumCarePackage, SumSocialWorker, SumNextOfKin, SumAllergies, SumMedications string
	SumLastEncounter, SumBackends, SumAlerts, SumNone, SumAddress               string
	SumWarnings, SumNotices, SumLanguage, SumLegalStatus, SumMedicallySafe      string
	NoticeLine, SumMore, NoticeMore                                             string

	// Care packages: equipment, referrals and orders, finished services the server calls active.
	EquipmentMark, OrderMark, Referrals, ReferralsNote, ServerSays string

	// Contacts and phones: ended, missing, not a voice line.
	NameNotRecorded, NoPhoneRecorded, EndedOn, NoLongerContact, StartsOn string
	PhoneFax, PhonePager, PhoneSMS, PhoneTextphone, PhoneOld, PhonesMore string

	// Person and encounters.
	Language, DiedAged                                               string
	ColAdmitSource, ColDischargeDisposition, ColDischargeDestination string
	ColMedicallySafe, ColLegalStatus                                 string
	AttachmentLink                                                   string

	// Role verdicts.
	VerdictYes, VerdictNo, VerdictUnknown string

	// Roles (as shown) and contact roles.
	RoleDischarge, RoleSocialWorker, RoleDispatcher                                   string
	RoleNextOfKin, RoleEmergencyContact, RoleKeyHolder, RoleLPA, RoleMainCarer        string
	RoleCarer, RoleGuardian                                                           string
	GenderFemale, GenderMale, GenderOther, GenderUnknown                              string
	PhoneMobile, PhoneHome, PhoneWork, PhoneTemp                                      string
	StatusActive, StatusPlanned, StatusOnHold, StatusFinished, StatusCancelled        string
	StatusCompleted, StatusStopped, StatusInProgress, StatusEnteredInError            string
	StatusResolved, StatusInactive, StatusConfirmed, StatusUnconfirmed, StatusRefuted string

	// Table state and messages.
	Filter, FilterPrompt, SortedBy, Ascending, Descending, Showing string
	ShowAll, ShowHealth, ShowSocial, Copied, NothingToCopy, NoClip string
	Refreshing, VocabSwitched, Yes, No, Rows, Of, Since, Until     string
	HoursAWeek, Attachment, Bytes, Newest, Oldest                  string

	// Help texts (key descriptions).
	HelpTabs, HelpNextTab, HelpPrevTab, HelpUp, HelpDown, HelpPageUp, HelpPageDown string
	HelpTop, HelpBottom, HelpFilter, HelpSort, HelpDomain, HelpRefresh, HelpBack   string
	HelpVocab, HelpCopy, HelpHelp, HelpQuit, HelpForceQuit, HelpOpen, HelpClear    string
	HelpRecent, HelpList, HelpReveal, HelpSearch                                   string

	// Full-pane errors.
	ErrorTitle, ErrorBack string

	// Sign-in panel, signed-in user and sign-out (back end names and keys are filled in).
	SignInNeeded, SignInTitle, SignInStarting, SignInDeviceOpen, SignInDeviceCode      string
	SignInDeviceComplete, SignInExpires, SignInBrowser, SignInNoBrowser, SignInWaiting string
	SignInFailed, SignInKeys, SignInRetryKeys, SignInCopyKey, SignedInAs, NotSignedIn  string
	DemoSignedIn, SignOutTitle, SignOutConfirm, SignOutKeys, SignedOut, SignOutFailed  string
	HelpSignIn, HelpSignOut, SignInShort                                               string

	// Purpose of access (asked once per person per session when nothing is preset).
	PurposeTitle, PurposeQuestion, PurposeUnlockQuestion, PurposePreset           string
	PurposeDirectCare, PurposeSafeguarding, PurposeEmergency, PurposeOther        string
	PurposeDemo, PurposeReason, PurposeNeedReason, PurposeHelp, PurposeReasonHelp string

	// Restricted items: reveal with a reason.
	RevealTitle, RevealPersonTitle, RevealQuestion, RevealPrompt, RevealNeedReason string
	RevealHelp, RevealDone, RevealNothing                                          string

	// Audit trail.
	AuditFailed string

	// Idle lock.
	LockTitle, LockText, LockUnlockSignIn, LockUnlockKey, LockSignOut, LockSigningIn string
	LockFailed, HelpUnlock                                                           string

	// Bad input and small terminals (issue 12 §4). SearchTooLong takes the length ("10,000");
	// TooSmall the width and height needed, then the terminal's; TooSmallHint says what to do.
	SearchTooLong, TooSmall, TooSmallHint string
}

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
	return v
}

// SocialCare is the local authority vocabulary.
func SocialCare() Vocabulary {
	v := common()
	v.Name, v.Label = NameSocialCare, "social care words"
	v.TabSummary, v.TabCarePackages, v.TabCareTeam, v.TabMedications = "Summary", "Care and support", "Professionals", "Medicines"
	v.TabAllergies, v.TabNextOfKin, v.TabEncounters, v.TabNotes = "Allergies", "Family and friends", "Visits and appointments", "Case notes"
	v.Person, v.People, v.PersonTitle = "person", "people", "Person"
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
		LoadingAt:            "loading at %s",
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
		SumMore:    "… %d more lines below (%s): make the window taller to see them",
		PhonesMore: "+%d not to call (see details)",
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
		HelpRefresh: "refresh", HelpBack: "back to search", HelpCopy: "copy phone", HelpHelp: "more keys",
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

		AuditFailed: "Not shown: the audit trail could not record this look (%s).",

		LockTitle:        "Screen locked",
		LockUnlockSignIn: "enter   sign in again to unlock",
		LockUnlockKey:    "enter   unlock (confirm the purpose of access)",
		LockSignOut:      "ctrl+o  sign out, for the next member of staff",
		LockSigningIn:    "Signing in…",
		LockFailed:       "Still locked: %s",
		HelpUnlock:       "unlock",
	}
}

// Parse returns the vocabulary named s: "health" or "social-care" ("" means health).
func Parse(s string) (Vocabulary, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", NameHealth:
		return Health(), nil
	case NameSocialCare, "social_care", "socialcare":
		return SocialCare(), nil
	}
	return Vocabulary{}, fmt.Errorf("vocabulary %q: use health or social-care", s)
}

// Other returns the other vocabulary: what `v` switches to.
func (v Vocabulary) Other() Vocabulary {
	if v.Name == NameSocialCare {
		return Health()
	}
	return SocialCare()
}

// ContactRole gives the shown name of a normalised contact role (record.Role*).
func (v Vocabulary) ContactRole(role string) string {
	switch role {
	case "next-of-kin":
		return v.RoleNextOfKin
	case "emergency-contact":
		return v.RoleEmergencyContact
	case "key-holder":
		return v.RoleKeyHolder
	case "lasting-power-of-attorney":
		return v.RoleLPA
	case "main-carer":
		return v.RoleMainCarer
	case "carer":
		return v.RoleCarer
	case "guardian":
		return v.RoleGuardian
	}
	return strings.ReplaceAll(role, "-", " ")
}

// GenderWord gives the shown word for a FHIR administrative gender.
func (v Vocabulary) GenderWord(g string) string {
	switch strings.ToLower(g) {
	case "female":
		return v.GenderFemale
	case "male":
		return v.GenderMale
	case "other":
		return v.GenderOther
	case "", "unknown":
		return v.GenderUnknown
	}
	return g
}

// PhoneUse gives the shown word for a FHIR ContactPoint use.
func (v Vocabulary) PhoneUse(use string) string {
	switch use {
	case "mobile":
		return v.PhoneMobile
	case "home":
		return v.PhoneHome
	case "work":
		return v.PhoneWork
	case "temp":
		return v.PhoneTemp
	}
	return use
}

// StatusWord gives the shown word for a FHIR status code (EpisodeOfCare, MedicationStatement,
// AllergyIntolerance, Encounter…). Unknown codes are shown as given, with dashes as spaces.
func (v Vocabulary) StatusWord(s string) string {
	switch strings.ToLower(s) {
	case "active":
		return v.StatusActive
	case "planned", "draft", "proposal", "plan":
		return v.StatusPlanned
	case "onhold", "on-hold", "suspended":
		return v.StatusOnHold
	case "finished":
		return v.StatusFinished
	case "cancelled", "revoked":
		return v.StatusCancelled
	case "completed":
		return v.StatusCompleted
	case "stopped":
		return v.StatusStopped
	case "in-progress", "arrived", "triaged":
		return v.StatusInProgress
	case "entered-in-error":
		return v.StatusEnteredInError
	case "resolved":
		return v.StatusResolved
	case "inactive":
		return v.StatusInactive
	case "confirmed":
		return v.StatusConfirmed
	case "unconfirmed", "provisional", "differential":
		return v.StatusUnconfirmed
	case "refuted":
		return v.StatusRefuted
	}
	return strings.ReplaceAll(s, "-", " ")
}

// Distinctive lists the words that belong to this vocabulary only: a screen in the other
// vocabulary must never show them. ("Next of kin" is not among them: it is also the legal
// name of a contact role, shown in both.)
func (v Vocabulary) Distinctive() []string {
	if v.Name == NameSocialCare {
		return []string{"Care and support", "Professionals", "Professional", "Medicines", "Medicine",
			"Family and friends", "Visits and appointments", "Visit or appointment", "Case notes",
			"person", "people", "leaving hospital"}
	}
	return []string{"Care packages", "Care package", "Care team", "Medications", "Medication", "Encounters",
		"Encounter", "Clinical notes", "patient", "patients", "clinician", "discharge"}
}
