// Package config holds shcr's configuration: its shape (this file) is the interface that
// users' YAML files and every other package rely on.
package config

import "time"

// Config is the whole configuration file.
type Config struct {
	Vocabulary Vocabulary `mapstructure:"vocabulary"` // health | social-care
	// VocabularyDefaulted: nobody chose the vocabulary (no flag, environment or file), so
	// the role may choose it (ApplyRole).
	VocabularyDefaulted bool `mapstructure:"-"`
	Role                Role `mapstructure:"role"` // discharge | social-worker | dispatcher | ""
	// StartTab is the tab a record opens on: "summary" or a section with a tab
	// ("next-of-kin", "notes", …); "" means the role's (Role.StartTab).
	StartTab string        `mapstructure:"start_tab"`
	Purpose  string        `mapstructure:"purpose"`   // direct-care | safeguarding | emergency | other | demo | ""
	IdleLock time.Duration `mapstructure:"idle_lock"` // minutes without a key before the screen locks (default 5m)
	Backends []Backend     `mapstructure:"backends"`
	// User names the member of staff where no sign-in provides one (GP Connect needs a real user).
	User User `mapstructure:"user"`
	// Organisations names organisations by ODS code, with their care domain, so that an
	// item carrying only a code (a local authority's, say) is named and given its domain.
	// In YAML either a mapping from code to {name, domain} or a list of {code, name, domain}.
	Organisations []Organisation `mapstructure:"organisations"`
	// Audit is where the audit trail is kept and forwarded (audit.go).
	Audit Audit `mapstructure:"audit"`

	// File is the path the config was read from ("" for defaults or the demo). Not read from YAML.
	File string `mapstructure:"-"`
	// Demo is true when the back ends are the embedded demo ones. Not read from YAML.
	Demo bool `mapstructure:"-"`
}

// Organisation is one entry of `organisations:`: an ODS code, the organisation's name and
// the domain of its items.
type Organisation struct {
	Code   string `mapstructure:"code"`   // ODS code, e.g. "706" (a council) or "RR8"; upper case after loading
	Name   string `mapstructure:"name"`   // shown wherever the code is met
	Domain Domain `mapstructure:"domain"` // health | social-care
	key    string // where the file said it ("organisations.706" or "organisations[0]"), for errors
}

// User is the member of staff using shcr, from config when no sign-in names them.
type User struct {
	Name  string `mapstructure:"name"` // "Dr Jane Carter"
	ID    string `mapstructure:"id"`   // SDS user id or employee number
	Role  string `mapstructure:"role"` // SDS job role code, e.g. R8000
	Email string `mapstructure:"email"`
	// SDSUserID is the user's SDS user id (the 12-digit number on their NHS smartcard). An
	// id that is an SDS user id (12 digits, as NHS CIS2 sign-in gives) wins over it; GP
	// Connect sends UNK when there is neither.
	SDSUserID string `mapstructure:"sds_user_id"`
	// SDSRoleProfileID is the smartcard role profile the user acts in (the numeric
	// role profile id); GP Connect sends UNK when empty.
	SDSRoleProfileID string `mapstructure:"sds_role_profile_id"`
	// Organisation is the ODS code of the user's organisation, sent where national services
	// require it (NHSD-End-User-Organisation-ODS to the demographics service and the record
	// locator). Upper case after loading.
	Organisation string `mapstructure:"organisation"`
}

// Backend is one shared care record (or GP system) shcr queries.
type Backend struct {
	Name    string        `mapstructure:"name"`
	Kind    Kind          `mapstructure:"kind"`   // fhir-r4 | gp-connect | pds | nrl | flags
	URL     string        `mapstructure:"url"`    // FHIR base URL
	Domain  Domain        `mapstructure:"domain"` // health | social-care: default domain of its items
	Timeout time.Duration `mapstructure:"timeout"`
	// MaxEntries caps how many entries one section search collects across pages (default 60,000:
	// a 50,000-encounter record fits).
	MaxEntries int       `mapstructure:"max_entries"`
	Auth       Auth      `mapstructure:"auth"`
	GPConnect  GPConnect `mapstructure:"gp_connect"`
	TLS        TLS       `mapstructure:"tls"`
	// Organisations are the ODS codes of the organisations whose records this back end
	// holds (GP practices, trusts, councils of its area): a record locator pointer whose
	// custodian is one of them opens this back end's record, and a person registered with
	// one of these GP practices is asked here first. Upper case after loading.
	Organisations []string `mapstructure:"organisations"`
}

// Auth is how shcr signs in to a back end.
type Auth struct {
	Type            AuthType `mapstructure:"type"`      // none | bearer | pkce | device | client-credentials
	TokenEnv        string   `mapstructure:"token_env"` // bearer: environment variable holding the token
	Issuer          string   `mapstructure:"issuer"`
	TokenURL        string   `mapstructure:"token_url"`
	AuthorizeURL    string   `mapstructure:"authorize_url"`
	DeviceURL       string   `mapstructure:"device_url"`
	ClientID        string   `mapstructure:"client_id"`
	Scopes          []string `mapstructure:"scopes"`
	Audience        string   `mapstructure:"audience"`
	ClientSecretEnv string   `mapstructure:"client_secret_env"`
	KeyFile         string   `mapstructure:"key_file"`
	KeyID           string   `mapstructure:"key_id"`
	Alg             string   `mapstructure:"alg"` // RS384 (default) | ES384 | RS512
}

// GPConnect holds the Spine settings GP Connect needs.
type GPConnect struct {
	FromASID      string `mapstructure:"from_asid"`
	ToASID        string `mapstructure:"to_asid"`
	FromODS       string `mapstructure:"from_ods"` // the requesting organisation's ODS code
	OrgName       string `mapstructure:"org_name"`
	InteractionID string `mapstructure:"interaction_id"`
	// MedicationSearchFrom limits medications to those from this many months ago (default 12).
	MedicationMonths int `mapstructure:"medication_months"`
	// ConsultationsRecent asks for the N most recent consultations (default 3).
	ConsultationsRecent int `mapstructure:"consultations_recent"`
}

// TLS names client certificates (mutual TLS, as Spine requires) and extra CAs.
type TLS struct {
	CertFile string `mapstructure:"cert_file"`
	KeyFile  string `mapstructure:"key_file"`
	CAFile   string `mapstructure:"ca_file"`
}
