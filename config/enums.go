package config

import (
	"time"

	"github.com/shcr-project/shcr/record"
)

// The enums of the configuration, typed, and their defaults. Validate checks every value of
// a loaded config against these lists once; other packages take the typed values as given.

// Vocabulary names one of the two vocabularies (views/vocab): every on-screen word comes
// from one of them.
type Vocabulary string

const (
	VocabularyHealth     Vocabulary = "health"
	VocabularySocialCare Vocabulary = "social-care"
)

// Role shapes what the TUI shows first; "" is no role (the summary).
type Role string

const (
	RoleDischarge    Role = "discharge"
	RoleSocialWorker Role = "social-worker"
	RoleDispatcher   Role = "dispatcher"
)

// StartTabSummary is the start tab that is the summary (the other start tabs are the names
// of the sections with a tab).
const StartTabSummary = "summary"

// StartTab is the tab a role's records open on (the interface's first screen): a discharge
// coordinator's the summary with the care package verdict, a social worker's the notes, a
// dispatcher's the next of kin (with the contact to call first selected); no role, the
// summary. Config start_tab and --tab win over it.
func (r Role) StartTab() string {
	switch r {
	case RoleSocialWorker:
		return string(record.SectionNotes)
	case RoleDispatcher:
		return string(record.SectionNextOfKin)
	}
	return StartTabSummary
}

// StartTabs lists the start tab names: the summary, then each section with a tab.
func StartTabs() []string {
	out := []string{StartTabSummary}
	for _, s := range record.TabSections() {
		out = append(out, string(s))
	}
	return out
}

// Kind is the kind of a back end: how shcr talks to it.
type Kind string

const (
	KindFHIRR4    Kind = "fhir-r4"
	KindGPConnect Kind = "gp-connect"
	// KindPDS is the national demographics service (PDS FHIR R4): identity only, never
	// asked for clinical sections.
	KindPDS Kind = "pds"
	// KindNRL is the national record locator's consumer API: pointers to records held
	// elsewhere, never asked for clinical sections.
	KindNRL Kind = "nrl"
	// KindFlags is a national patient flags service (NHS England Patient Flags, CP-IS):
	// asked Flag?patient=<NHS number> for national flags, and the child protection plan's
	// CareTeam; never asked for clinical sections. No domain needed (health).
	KindFlags Kind = "flags"
)

// National reports whether a back end of this kind is a national service (demographics or
// the record locator) rather than a record: it has no domain and serves no sections.
func (k Kind) National() bool { return k == KindPDS || k == KindNRL }

// Domain is the care domain of a back end's or an organisation's items: the record's own.
type Domain = record.Domain

const (
	DomainHealth     = record.DomainHealth
	DomainSocialCare = record.DomainSocialCare
)

// AuthType is how shcr signs in to a back end.
type AuthType string

const (
	AuthNone              AuthType = "none"
	AuthBearer            AuthType = "bearer"
	AuthPKCE              AuthType = "pkce"
	AuthDevice            AuthType = "device"
	AuthClientCredentials AuthType = "client-credentials"
)

// Defaults.
const (
	DefaultVocabulary          = VocabularyHealth
	DefaultIdleLock            = 5 * time.Minute
	DefaultTimeout             = 15 * time.Second
	DefaultMaxEntries          = 60000
	DefaultMedicationMonths    = 12
	DefaultConsultationsRecent = 3
)

// Vocabularies lists the vocabulary names.
func Vocabularies() []Vocabulary { return []Vocabulary{VocabularyHealth, VocabularySocialCare} }

// Roles lists the role names.
func Roles() []Role { return []Role{RoleDischarge, RoleSocialWorker, RoleDispatcher} }

// Kinds lists the back end kinds.
func Kinds() []Kind { return []Kind{KindFHIRR4, KindGPConnect, KindPDS, KindNRL, KindFlags} }

// AuthTypes lists the sign-in types.
func AuthTypes() []AuthType {
	return []AuthType{AuthNone, AuthBearer, AuthPKCE, AuthDevice, AuthClientCredentials}
}

// Domains lists the domains.
func Domains() []Domain { return []Domain{DomainHealth, DomainSocialCare} }

// Algs lists the signing algorithms for client-credentials with private_key_jwt.
func Algs() []string { return []string{"RS384", "ES384", "RS512"} }
