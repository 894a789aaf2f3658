package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/shcr-project/shcr/internal/purpose"
	"github.com/shcr-project/shcr/internal/safetext"
)

// CheckVocabulary says why s is not a vocabulary (nil when it is).
func CheckVocabulary[S ~string](s S) error {
	return oneOf(Vocabulary(s), "a vocabulary", Vocabularies())
}

// CheckRole says why s is not a role; "" (no role) is allowed.
func CheckRole[S ~string](s S) error {
	if s == "" {
		return nil
	}
	return oneOf(Role(s), "a role", Roles())
}

// CheckPurpose says why s is not a purpose of access ("direct-care", "safeguarding",
// "emergency", "other: REASON"); "" (ask) is allowed, "demo" only when demo is true.
func CheckPurpose(s string, demo bool) error {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	ch, err := purpose.Parse(s)
	if err != nil {
		return err
	}
	if ch.Purpose == purpose.Demo && !demo {
		return fmt.Errorf(`"demo" is only for shcr demo`)
	}
	return nil
}

func oneOf[T ~string](s T, what string, allowed []T) error {
	if slices.Contains(allowed, s) {
		return nil
	}
	names := make([]string, len(allowed))
	for i, a := range allowed {
		names[i] = string(a)
	}
	if s == "" {
		return fmt.Errorf("missing: say %s", orList(names))
	}
	return fmt.Errorf("%q is not %s (%s)", s, what, strings.Join(names, " | "))
}

func orList(xs []string) string {
	if len(xs) < 2 {
		return strings.Join(xs, "")
	}
	return strings.Join(xs[:len(xs)-1], ", ") + " or " + xs[len(xs)-1]
}

// CheckStartTab says why s is not a start tab; "" (the role's) is allowed.
func CheckStartTab(s string) error {
	if s == "" {
		return nil
	}
	return oneOf(s, "a tab", StartTabs())
}

// ApplyRole sets what a role makes sensible where nobody chose otherwise: a social worker
// reads social care words unless a vocabulary was given (flag, environment or file). The
// role's first tab (Role.StartTab) is used where start_tab and --tab say nothing.
func (c *Config) ApplyRole() {
	if c.VocabularyDefaulted && c.Role == RoleSocialWorker {
		c.Vocabulary = VocabularySocialCare
	}
}

// ApplyDefaults fills what the file left out. It does not invent a back end's domain:
// that must be said.
func ApplyDefaults(c *Config) {
	if c.Vocabulary == "" {
		c.Vocabulary, c.VocabularyDefaulted = DefaultVocabulary, true
	}
	c.ApplyRole()
	if c.IdleLock == 0 {
		c.IdleLock = DefaultIdleLock
	}
	for i := range c.Organisations {
		o := &c.Organisations[i]
		o.Code = strings.ToUpper(strings.TrimSpace(o.Code))
		o.Name = strings.TrimSpace(o.Name)
		o.Domain = Domain(strings.TrimSpace(string(o.Domain)))
	}
	c.User.Organisation = strings.ToUpper(strings.TrimSpace(c.User.Organisation))
	for i := range c.Backends {
		b := &c.Backends[i]
		for j, code := range b.Organisations {
			b.Organisations[j] = strings.ToUpper(strings.TrimSpace(code))
		}
		b.Name = strings.TrimSpace(b.Name)
		b.URL = strings.TrimRight(strings.TrimSpace(b.URL), "/")
		if b.Timeout == 0 {
			b.Timeout = DefaultTimeout
		}
		if b.MaxEntries == 0 {
			b.MaxEntries = DefaultMaxEntries
		}
		if b.Auth.Type == "" {
			b.Auth.Type = AuthNone
		}
		if b.Kind == KindFlags && b.Domain == "" {
			b.Domain = DomainHealth // a national NHS service: no domain need be given
		}
		if b.Kind == KindGPConnect {
			if b.GPConnect.MedicationMonths == 0 {
				b.GPConnect.MedicationMonths = DefaultMedicationMonths
			}
			if b.GPConnect.ConsultationsRecent == 0 {
				b.GPConnect.ConsultationsRecent = DefaultConsultationsRecent
			}
		}
	}
}

// Validate checks a loaded config (after ApplyDefaults) and returns the first problem as
// an *Error naming c.File and the key.
func (c *Config) Validate() error {
	fail := func(key string, err error) error {
		return &Error{File: c.File, Key: key, Msg: err.Error()}
	}
	if err := CheckVocabulary(c.Vocabulary); err != nil {
		return fail("vocabulary", err)
	}
	if err := CheckRole(c.Role); err != nil {
		return fail("role", err)
	}
	if err := CheckStartTab(c.StartTab); err != nil {
		return fail("start_tab", err)
	}
	if err := CheckPurpose(c.Purpose, c.Demo); err != nil {
		return fail("purpose", err)
	}
	if c.IdleLock < 0 {
		return fail("idle_lock", fmt.Errorf("must not be negative (e.g. 5m)"))
	}
	for _, kv := range [][2]string{{"user.sds_user_id", c.User.SDSUserID}, {"user.sds_role_profile_id", c.User.SDSRoleProfileID}} {
		if err := CheckSDSID(kv[1]); err != nil {
			return fail(kv[0], err)
		}
	}
	if c.User.Organisation != "" && !odsCode.MatchString(c.User.Organisation) {
		return fail("user.organisation", fmt.Errorf("%q is not an ODS code (3 to 10 letters and digits, e.g. RAJ)", c.User.Organisation))
	}
	names := map[string]int{}
	national := map[Kind]int{}
	for i, b := range c.Backends {
		at := fmt.Sprintf("backends[%d]", i)
		if err := b.validate(); err != nil {
			var ke *keyError
			if errors.As(err, &ke) {
				return fail(at+"."+ke.key, ke.err)
			}
			return fail(at, err)
		}
		if j, dup := names[b.Name]; dup {
			return fail(at+".name", fmt.Errorf("%q is already the name of backends[%d]: names must be unique", b.Name, j))
		}
		names[b.Name] = i
		if b.Kind.National() {
			if j, dup := national[b.Kind]; dup {
				return fail(at+".kind", fmt.Errorf("backends[%d] is already the %s back end: configure one", j, b.Kind))
			}
			national[b.Kind] = i
		}
		if b.Kind == KindNRL && c.User.Organisation == "" {
			return fail(at+".kind", fmt.Errorf("the record locator requires your organisation's ODS code: set user.organisation (e.g. RAJ)"))
		}
	}
	codes := map[string]string{}
	for i, o := range c.Organisations {
		at := o.key
		if at == "" {
			at = fmt.Sprintf("organisations[%d]", i)
		}
		if err := o.validate(); err != nil {
			var ke *keyError
			if errors.As(err, &ke) {
				return fail(at+"."+ke.key, ke.err)
			}
			return fail(at, err)
		}
		if prev, dup := codes[o.Code]; dup {
			return fail(at+".code", fmt.Errorf("%q is listed twice (also at %s)", o.Code, prev))
		}
		codes[o.Code] = at
	}
	if err := c.Audit.validate(); err != nil {
		var ke *keyError
		if errors.As(err, &ke) {
			return fail("audit."+ke.key, ke.err)
		}
		return fail("audit", err)
	}
	return nil
}

// odsCode is the shape of an ODS organisation code: 3 to 10 letters and digits.
var odsCode = regexp.MustCompile(`^[A-Z0-9]{3,10}$`)

func (o Organisation) validate() error {
	if o.Code == "" {
		return keyErr("code", "missing: the organisation's ODS code, e.g. \"706\" or RR8")
	}
	if !odsCode.MatchString(o.Code) {
		return keyErr("code", "%q is not an ODS code (3 to 10 letters and digits, e.g. \"706\"; quote codes that start with 0)", o.Code)
	}
	for _, r := range o.Name {
		if r < ' ' || r == 0x7f {
			return keyErr("name", "%q has a control character", o.Name)
		}
	}
	if o.Domain == "" {
		return keyErr("domain", "missing: say health or social-care (the domain of this organisation's items)")
	}
	if err := oneOf(o.Domain, "a domain", Domains()); err != nil {
		return &keyError{"domain", err}
	}
	return nil
}

type keyError struct {
	key string
	err error
}

func (e *keyError) Error() string { return e.key + ": " + e.err.Error() }

func keyErr(key string, format string, args ...any) error {
	return &keyError{key: key, err: fmt.Errorf(format, args...)}
}

func (b Backend) validate() error {
	if b.Name == "" {
		return keyErr("name", "missing: give each back end a name (it is shown as provenance)")
	}
	// Names are shown on every row as provenance: nothing in them may act on the terminal.
	if !safetext.Safe(b.Name, false) {
		return keyErr("name", "%q has a control, bidirectional or invisible character: use plain text", b.Name)
	}
	if !safetext.Safe(b.GPConnect.OrgName, false) {
		return keyErr("gp_connect.org_name", "%q has a control, bidirectional or invisible character: use plain text", b.GPConnect.OrgName)
	}
	if err := oneOf(b.Kind, "a back end kind", Kinds()); err != nil {
		return &keyError{"kind", err}
	}
	if b.URL == "" {
		return keyErr("url", "missing: the back end's FHIR base URL, e.g. https://shcr.example.org/fhir/R4")
	}
	if err := checkURL(b.URL); err != nil {
		return &keyError{"url", err}
	}
	switch {
	case b.Kind.National() && b.Domain != "":
		return keyErr("domain", "a %s back end has no domain: it holds no care record (remove domain)", b.Kind)
	case b.Kind.National() && len(b.Organisations) > 0:
		return keyErr("organisations", "a %s back end holds no records: list organisations on the back ends that hold them", b.Kind)
	case b.Kind.National():
	case b.Domain == "":
		return keyErr("domain", "missing: say health or social-care (the domain of this back end's items)")
	default:
		if err := oneOf(b.Domain, "a domain", Domains()); err != nil {
			return &keyError{"domain", err}
		}
	}
	for j, code := range b.Organisations {
		if !odsCode.MatchString(code) {
			return keyErr(fmt.Sprintf("organisations[%d]", j), "%q is not an ODS code (3 to 10 letters and digits, e.g. Y12345)", code)
		}
	}
	if b.Timeout < 0 {
		return keyErr("timeout", "must not be negative (e.g. 15s)")
	}
	if b.MaxEntries < 0 {
		return keyErr("max_entries", "must not be negative")
	}
	if err := b.Auth.validate(); err != nil {
		var ke *keyError
		if errors.As(err, &ke) {
			return &keyError{"auth." + ke.key, ke.err}
		}
		return err
	}
	if b.Kind == KindGPConnect {
		g := b.GPConnect
		switch {
		case g.FromASID == "":
			return keyErr("gp_connect.from_asid", "missing: GP Connect needs your Spine ASID")
		case g.ToASID == "":
			return keyErr("gp_connect.to_asid", "missing: GP Connect needs the provider system's ASID")
		case g.FromODS == "":
			return keyErr("gp_connect.from_ods", "missing: GP Connect needs your organisation's ODS code")
		case g.MedicationMonths < 0:
			return keyErr("gp_connect.medication_months", "must not be negative")
		case g.ConsultationsRecent < 0:
			return keyErr("gp_connect.consultations_recent", "must not be negative")
		}
	}
	if (b.TLS.CertFile == "") != (b.TLS.KeyFile == "") {
		if b.TLS.CertFile == "" {
			return keyErr("tls.cert_file", "missing: tls.key_file is set, so the client certificate is needed too")
		}
		return keyErr("tls.key_file", "missing: tls.cert_file is set, so its private key is needed too")
	}
	return nil
}

func (a Auth) validate() error {
	if err := oneOf(a.Type, "an auth type", AuthTypes()); err != nil {
		return &keyError{"type", err}
	}
	for _, u := range []struct{ key, val string }{
		{"issuer", a.Issuer}, {"token_url", a.TokenURL}, {"authorize_url", a.AuthorizeURL}, {"device_url", a.DeviceURL},
	} {
		if u.val == "" {
			continue
		}
		if err := checkURL(u.val); err != nil {
			return &keyError{u.key, err}
		}
	}
	if a.Alg != "" {
		if err := oneOf(a.Alg, "a signing algorithm", Algs()); err != nil {
			return &keyError{"alg", err}
		}
	}
	switch a.Type {
	case AuthBearer:
		if a.TokenEnv == "" {
			return keyErr("token_env", "missing: name the environment variable that holds the token (type bearer)")
		}
	case AuthPKCE, AuthDevice:
		if a.ClientID == "" {
			return keyErr("client_id", "missing: %s sign-in needs the client id registered with the identity provider", a.Type)
		}
	case AuthClientCredentials:
		if a.ClientID == "" {
			return keyErr("client_id", "missing: client-credentials needs the client id registered with the identity provider")
		}
		if a.KeyFile == "" && a.ClientSecretEnv == "" {
			return keyErr("key_file", "missing: client-credentials needs key_file (private_key_jwt) or client_secret_env")
		}
	}
	// A client secret or signed assertion goes only to the configured issuer's token
	// endpoint, never to one a FHIR server's SMART configuration names on its own.
	if (a.Type == AuthClientCredentials || a.ClientSecretEnv != "") && a.Issuer == "" && a.TokenURL == "" {
		what := "a client secret"
		if a.Type == AuthClientCredentials && a.KeyFile != "" {
			what = "a signed client assertion"
		}
		return keyErr("issuer", "missing: %s is sent only to the configured issuer's token endpoint; set issuer (or token_url)", what)
	}
	return nil
}

// checkURL accepts https URLs, and http only on the loopback interface (the demo, tests).
func checkURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return fmt.Errorf("%q is not a URL (e.g. https://shcr.example.org/fhir/R4)", raw)
	}
	if u.User != nil {
		return fmt.Errorf("must not contain a user name or password: use auth")
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("must not have a query (?…) or fragment (#…)")
	}
	if u.Scheme == "http" && !loopback(u.Hostname()) {
		return fmt.Errorf("must be https:// (http:// only for 127.0.0.1/localhost)")
	}
	return nil
}

func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// CheckSDSID says why s is not an SDS identifier (user id or role profile id: digits, or
// UNK for none); "" is allowed.
func CheckSDSID(s string) error {
	if s == "" || s == "UNK" {
		return nil
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return fmt.Errorf("%q is not an SDS id: digits only (as on the NHS smartcard), or UNK", s)
		}
	}
	return nil
}
