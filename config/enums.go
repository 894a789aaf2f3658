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

// Kind is the kind of a back end: how shcr talks to it.
type Kind string

const (
	KindFHIRR4    Kind = "fhir-r4"
	KindGPConnect Kind = "gp-connect"
	// KindFlags is a national patient flags service (NHS England Patient Flags, CP-IS):
	// asked Flag?patient=<NHS number> for national flags, and the child protection plan's
	// CareTeam; never asked for clinical sections. No domain needed (health).
	KindFlags Kind = "flags"
)

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
func Kinds() []Kind { return []Kind{KindFHIRR4, KindGPConnect, KindFlags} }

// AuthTypes lists the sign-in types.
func AuthTypes() []AuthType {
	return []AuthType{AuthNone, AuthBearer, AuthPKCE, AuthDevice, AuthClientCredentials}
}

// Domains lists the domains.
func Domains() []Domain { return []Domain{DomainHealth, DomainSocialCare} }

// Algs lists the signing algorithms for client-credentials with private_key_jwt.
func Algs() []string { return []string{"RS384", "ES384", "RS512"} }
