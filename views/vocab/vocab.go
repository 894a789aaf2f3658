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

	// National services: identity (PDS), records held elsewhere (NRL), routing (views/identity.go).
	RestrictedDemographics, NHSReplaced, NHSNotConfirmed, NHSNotChecked       string
	HeldElsewhere, HeldElsewhereNotChecked, HeldElsewhereNone                 string
	SumIdentity, SumGPPractice, SumHeldElsewhere, SumAsked, SumRelated        string
	IdentityVerified, IdentityWithheld, AddressWithheld, DeathFormal          string
	DeathInformal, DeathRemoved, PointerOpens, PointerNotInShcr, PointerSince string
	AskedLocator, AskedGPArea, AskedConfigured, RelatedNotChecked             string

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

	// Audit trail. AuditNotForwarded is the start-up warning that central audit (audit.forward)
	// is not being fed; it takes the sinks and why (never event content).
	AuditFailed, AuditNotForwarded string

	// Idle lock.
	LockTitle, LockText, LockUnlockSignIn, LockUnlockKey, LockSignOut, LockSigningIn string
	LockFailed, HelpUnlock                                                           string

	// Bad input and small terminals (issue 12 §4). SearchTooLong takes the length ("10,000");
	// TooSmall the width and height needed, then the terminal's; TooSmallHint says what to do.
	SearchTooLong, TooSmall, TooSmallHint string

	// Back ends still being asked (issue 14 §1). StillSearching takes the back ends still
	// searching; WaitingFor the back ends a section waits for and the time waited
	// (SecondsShort), WaitingForBare without the time; Checking the back ends a Summary line waits for; VerdictChecking the
	// back ends the care package verdict waits for, VerdictCheckingSoFar those and what was
	// found so far.
	StillSearching, WaitingFor, WaitingForBare, SecondsShort, Checking string
	VerdictChecking, VerdictCheckingSoFar                              string

	// The job in one screen (issue 14 §3). Copy: what was copied and where it went (the value
	// itself is never repeated); the copy chooser (Y); the handover summary (H, get --output
	// md); the timeline (t); the banner's chip for alerts that could not be checked.
	CopiedTerminal, CopiedBoth, CopyNothing, CopyNHSNumber, CopyPhone, CopyAddress          string
	CopyRow, CopyTitle, CopyHelp, HelpCopyChoose, CopyHandover                              string
	HandoverTitle, HandoverPrinted, HandoverLastEncounters, HandoverCoverage                string
	HandoverAllChecked, HandoverWritten, HandoverNotWritten, HelpHandover, ExportNotAudited string
	HandoverNoPhone, HandoverNone, NoteHelp                                                 string
	TimelineTitle, TimelineState, ColSource, TimelineEncounter, TimelineNote                string
	TimelinePackageStart, TimelinePackageEnd, TimelineAlert, HelpTimeline                   string
	AlertsNotChecked                                                                        string
	// The reader (issue 14 §2): an item or the Summary in full. MoreEnter counts what a list
	// left out ("+2 more (Enter)"), MoreLines what a cut text left out; ReadPosition is the
	// lines shown and how many ("lines 1–20 of 64"); ReadMatches the match shown and how many.
	MoreEnter, MoreLine, MoreLines, ReadFind, ReadMatches, ReadNoMatch, ReadPosition string
	HelpRead, HelpFind, HelpFindNext, HelpFindPrev, HelpClose, HelpTextTop           string
	HelpTextEnd, RowsShown                                                           string
	// National flags and child protection (CP-IS); words.go flagWords.
	TitleChildProtection, FlagChildProtection, FlagReasonableAdjustment, FlagFGM string
	PlanCPPI, PlanLACI, PlanUCPI, CPCall, CPOfficeHours, CPOutOfHours            string
	CPNotAsked, CPNotified, CPNoContacts, HelpChildProtection                    string
	CPOpenTitle, CPOpenQuestion, CPOpenHelp, CPOpened, CPNoFlag                  string
	ColPlan, ColLocalAuthority, ColOfficeHours, ColOutOfHours, ColDecision       string

	// Consent and objections to sharing; break glass (emergency access).
	TitleConsent, ObjectedBanner, ObjectedRevealed, WithheldObjection                 string
	ObjectedNational, ObjectedNationalRevealed                                        string // a national dissent (PDS): every care record
	CPLastAccess, CPAccesses, CPAccessesNone, CPAccessesFailed                        string // CP-IS recent unscheduled-care accesses
	WithheldObjectionText, WithheldObjectionDetails, ConsentKindConsent               string
	ConsentKindFinding, ConsentKindNCRS, ConsentDeny, ConsentPermit, ConsentEmergency string
	BreakGlassTitle, BreakGlassQuestion, BreakGlassNeedReason, BreakGlassDone         string
	BreakGlassNationalQuestion                                                        string
}

// Parse returns the vocabulary named s: "health" or "social-care" ("" means health).
func Parse[S ~string](s S) (Vocabulary, error) {
	switch strings.ToLower(strings.TrimSpace(string(s))) {
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
