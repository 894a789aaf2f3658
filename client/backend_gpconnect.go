package client

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/shcr-project/shcr/client/fhir"
	"github.com/shcr-project/shcr/config"
	"github.com/shcr-project/shcr/internal/version"
	"github.com/shcr-project/shcr/record"
)

// GP Connect constants fixed by the specification.
const (
	GPConnectInteractionID = "urn:nhs:names:services:gpconnect:fhir:operation:gpc.getstructuredrecord-1"
	gpcOperation           = "/Patient/$gpc.getstructuredrecord"
	gpcReason              = "directcare"
	gpcScope               = "patient/*.read"
	gpcJWTLifetime         = 300 // seconds: exp = iat + 5 minutes
	requestingSystem       = "https://github.com/shcr-project/shcr"
	odsSystem              = "https://fhir.nhs.uk/Id/ods-organization-code"
	sdsUserSystem          = "https://fhir.nhs.uk/Id/sds-user-id"
	sdsRoleProfileSystem   = "https://fhir.nhs.uk/Id/sds-role-profile-id"
	sdsUnknown             = "UNK" // the specification's value for an id the user does not have
	localUserSystem        = "https://github.com/shcr-project/shcr/Id/user"
	deviceSystem           = "https://github.com/shcr-project/shcr/Id/device"
)

// ErrNoUser: GP Connect must name the real member of staff, never a generic user.
var ErrNoUser = errors.New("GP Connect needs the signed-in member of staff's name: sign in or set user: in config")

// gpcBackend is a GP practice system answering GP Connect Access Record: Structured.
type gpcBackend struct {
	backendCore
}

func newGPConnect(cfg config.Backend, base *url.URL, opts Options) (*gpcBackend, error) {
	g := cfg.GPConnect
	var missing []string
	if g.FromASID == "" {
		missing = append(missing, "gp_connect.from_asid")
	}
	if g.ToASID == "" {
		missing = append(missing, "gp_connect.to_asid")
	}
	if g.FromODS == "" {
		missing = append(missing, "gp_connect.from_ods")
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("back end %s: GP Connect needs %s", cfg.Name, strings.Join(missing, ", "))
	}
	if cfg.GPConnect.InteractionID == "" {
		cfg.GPConnect.InteractionID = GPConnectInteractionID
	}
	if cfg.GPConnect.MedicationMonths <= 0 {
		cfg.GPConnect.MedicationMonths = config.DefaultMedicationMonths
	}
	if cfg.GPConnect.ConsultationsRecent <= 0 {
		cfg.GPConnect.ConsultationsRecent = config.DefaultConsultationsRecent
	}
	b := &gpcBackend{backendCore: newCore(cfg, base, opts)}
	c, err := newResty(transportConfig{cfg: cfg, opts: opts, auth: b.headers, log: b.log,
		timeout: cfg.Timeout, maxBytes: opts.maxBytes()}, base)
	if err != nil {
		return nil, err
	}
	c.SetHeader("Ssp-From", g.FromASID).
		SetHeader("Ssp-To", g.ToASID).
		SetHeader("Ssp-InteractionID", cfg.GPConnect.InteractionID).
		SetHeader("Content-Type", fhirJSON)
	b.http = c
	return b, nil
}

// headers are added to every attempt sent to the GP system itself (never after a redirect
// elsewhere): a new Ssp-TraceID and a freshly built JWT.
// The open's request id is not sent (GP Connect has no such header): it is logged beside
// the Ssp-TraceID, so that the audit event of the open can be matched to the GP's trace.
func (g *gpcBackend) headers(req *http.Request) (http.Header, error) {
	tok, err := g.jwt(g.opts.now())
	if err != nil {
		return nil, err
	}
	trace := uuid.NewString()
	if id := RequestID(req.Context()); id != "" {
		g.log.Debug("gp connect request", "request_id", id, "ssp_trace_id", trace)
	}
	return http.Header{
		headerAuthorization: {"Bearer " + tok},
		"Ssp-Traceid":       {trace},
	}, nil
}

// jwt builds the unsigned JWT the specification requires (alg none, exp = iat + 300 s),
// naming the real member of staff.
func (g *gpcBackend) jwt(now time.Time) (string, error) {
	claims, err := gpcClaims(g.opts.user(), g.cfg, g.baseStr, now)
	if err != nil {
		return "", err
	}
	head, _ := json.Marshal(map[string]string{"alg": "none", "typ": "JWT"})
	body, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	enc := base64.RawURLEncoding
	return enc.EncodeToString(head) + "." + enc.EncodeToString(body) + ".", nil
}

func gpcClaims(u config.User, cfg config.Backend, aud string, now time.Time) (map[string]any, error) {
	if strings.TrimSpace(u.Name) == "" {
		return nil, ErrNoUser
	}
	id := strings.TrimSpace(u.ID)
	if id == "" {
		id = strings.TrimSpace(u.Email)
	}
	if id == "" {
		id = strings.ToLower(strings.Join(strings.Fields(u.Name), "-"))
	}
	// requesting_practitioner.identifier, as the GP Connect "cross organisation audit and
	// provenance" page requires: the SDS user id and the SDS role profile id (each "UNK"
	// when the user is not signed in with an NHS smartcard), then the local user id.
	identifiers := []map[string]string{
		{"system": sdsUserSystem, "value": sdsUserID(u)},
		{"system": sdsRoleProfileSystem, "value": orDefault(strings.TrimSpace(u.SDSRoleProfileID), sdsUnknown)},
		{"system": localUserSystem, "value": id},
	}
	iat := now.Unix()
	return map[string]any{
		"iss":                requestingSystem,
		"sub":                id,
		"aud":                aud,
		"exp":                iat + gpcJWTLifetime,
		"iat":                iat,
		"reason_for_request": gpcReason,
		"requested_scope":    gpcScope,
		"requesting_device": map[string]any{
			"resourceType": "Device",
			"identifier":   []map[string]string{{"system": deviceSystem, "value": "shcr"}},
			"model":        "shcr",
			"version":      version.String(),
		},
		"requesting_organization": map[string]any{
			"resourceType": "Organization",
			"identifier":   []map[string]string{{"system": odsSystem, "value": cfg.GPConnect.FromODS}},
			"name":         orDefault(cfg.GPConnect.OrgName, cfg.GPConnect.FromODS),
		},
		"requesting_practitioner": map[string]any{
			"resourceType": "Practitioner",
			"id":           id,
			"identifier":   identifiers,
			"name":         []map[string]any{splitName(u.Name)},
		},
	}, nil
}

// sdsUserID is the user's SDS user id: an id that is one (SDS user ids are 12 digits; sign-in
// through NHS CIS2 gives it as the user's id, and it wins over a configured sds_user_id, which
// may be another person's when someone else signs in), else user.sds_user_id, else UNK.
func sdsUserID(u config.User) string {
	if id := strings.TrimSpace(u.ID); len(id) == 12 && config.CheckSDSID(id) == nil {
		return id
	}
	if v := strings.TrimSpace(u.SDSUserID); v != "" {
		return v
	}
	return sdsUnknown
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

var titles = map[string]bool{"dr": true, "mr": true, "mrs": true, "ms": true, "miss": true, "mx": true, "prof": true, "professor": true, "sr": true, "sister": true, "nurse": true}

// splitName turns "Dr Jane Carter" into a FHIR HumanName {prefix [Dr], given [Jane], family Carter}.
func splitName(name string) map[string]any {
	f := strings.Fields(name)
	out := map[string]any{"text": strings.Join(f, " ")}
	var prefix []string
	for len(f) > 1 && titles[strings.ToLower(strings.TrimSuffix(f[0], "."))] {
		prefix, f = append(prefix, f[0]), f[1:]
	}
	if len(prefix) > 0 {
		out["prefix"] = prefix
	}
	out["family"] = f[len(f)-1]
	if len(f) > 1 {
		out["given"] = f[:len(f)-1]
	}
	return out
}

// parameters builds the $gpc.getstructuredrecord Parameters body for the sections asked.
func (g *gpcBackend) parameters(nhs string, sections []record.Section, now time.Time) []byte {
	params := []map[string]any{{
		"name":            "patientNHSNumber",
		"valueIdentifier": map[string]string{"system": nhsNumberSystem, "value": nhs},
	}}
	params = append(params, fhir.GPConnectParameters(sections, fhir.GPConnectAsk{Now: now,
		MedicationMonths: g.cfg.GPConnect.MedicationMonths, ConsultationsRecent: g.cfg.GPConnect.ConsultationsRecent})...)
	b, _ := json.Marshal(map[string]any{"resourceType": "Parameters", "parameter": params})
	return b
}

// structured POSTs the operation and returns the Bundle's bytes.
func (g *gpcBackend) structured(ctx context.Context, nhs string, sections []record.Section) ([]byte, error) {
	if strings.TrimSpace(g.opts.user().Name) == "" {
		return nil, &Error{Backend: g.cfg.Name, Reason: "cannot be asked: " + ErrNoUser.Error(), Err: ErrNoUser}
	}
	start := time.Now()
	resp, err := g.http.R().SetContext(ctx).
		SetBody(g.parameters(nhs, sections, g.opts.now())).
		Post(g.baseStr + gpcOperation)
	if err != nil {
		if errors.Is(err, ErrNoUser) {
			return nil, &Error{Backend: g.cfg.Name, Reason: "cannot be asked: " + ErrNoUser.Error(), Err: ErrNoUser}
		}
		if g.base.Scheme == "https" && g.cfg.TLS.CertFile == "" && connDropped(err) {
			// Spine demands mutual TLS; under TLS 1.3 the refusal arrives as an alert or as
			// a dropped connection, depending on timing: one message for both.
			return nil, &Error{Backend: g.cfg.Name, Reason: "refused the secure connection: GP Connect needs a client certificate (set tls.cert_file and tls.key_file)", Err: err}
		}
		err = describe(g.cfg.Name, requestTimeout(ctx, g.cfg.Timeout), g.opts.maxBytes(), err)
		g.log.Debug("structured record failed", "elapsed", time.Since(start), "error", err)
		return nil, err
	}
	body := resp.Body()
	status := resp.StatusCode()
	ct := resp.Header().Get("Content-Type")
	g.log.Debug("structured record", "status", status, "bytes", len(body), "elapsed", time.Since(start), "sections", len(sections))
	if status < 200 || status > 299 {
		return nil, &HTTPError{Backend: g.cfg.Name, Status: status, Reason: fhir.ReadError(ct, body), Code: outcomeCode(body), Issue: outcomeIssue(body)}
	}
	if looksHTML(ct, body) {
		return nil, &Error{Backend: g.cfg.Name, Reason: fmt.Sprintf("answered %d with %s instead of FHIR", status, fhir.ReadError(ct, body)), Err: ErrMalformedFHIR}
	}
	return body, nil
}

func patientNotFound(err error) bool {
	var he *HTTPError
	return errors.As(err, &he) && he.Code == "PATIENT_NOT_FOUND"
}

// Search asks the GP system for the patient by NHS number (the only search GP Connect
// offers): the operation with no clinical areas returns the Patient alone.
func (g *gpcBackend) Search(ctx context.Context, q record.Query) ([]record.Person, error) {
	if q.NHSNumber == "" {
		return nil, &NotQueriedError{Backend: g.cfg.Name, Reason: "it searches by NHS number only"}
	}
	body, err := g.structured(ctx, q.NHSNumber, nil)
	if patientNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	part, err := fhir.MapGPConnect(body, g.src, nil)
	if err != nil {
		return nil, &Error{Backend: g.cfg.Name, Reason: "sent a malformed structured record: " + parseReason(err), Err: ErrMalformedFHIR}
	}
	if part.Person == nil {
		return nil, &Error{Backend: g.cfg.Name, Reason: "sent a structured record without a Patient", Err: ErrMalformedFHIR}
	}
	p := *part.Person
	id := ""
	for _, s := range p.Sources {
		if s.Backend == g.cfg.Name {
			id = s.ID
		}
	}
	return []record.Person{withSource(p, g.cfg.Name, id)}, nil
}

// gpcNotServed names the sections GP Connect Access Record: Structured can answer; the others
// are not part of the specification and are not-supported, with the reason.
var gpcNotServed = map[record.Section]string{
	record.SectionCarePackages: "care packages",
	record.SectionAlerts:       "alerts",
}

// Fetch asks for every requested clinical area in one operation and emits one Part, with
// exactly one state for every section asked: the mapping's (returned), not-supported for
// areas GP Connect does not serve, not-known when the GP system does not hold the patient,
// and not-queried, timed-out or failed when the operation could not be completed.
func (g *gpcBackend) Fetch(ctx context.Context, who record.PersonSource, nhs string, sections []record.Section, emit func(record.Part)) {
	fail := func(err error) {
		part := record.Part{Backend: g.cfg.Name}
		for _, s := range sections {
			st := failedStatus(g.cfg.Name, s, err)
			if patientNotFound(err) {
				st = record.SectionStatus{Backend: g.cfg.Name, Section: s, State: record.StateNotKnown}
			} else if errors.Is(err, ErrNoUser) {
				st.State = record.StateNotQueried
			}
			part.Status = append(part.Status, st)
		}
		emit(part)
	}
	if nhs == "" {
		fail(&NotQueriedError{Backend: g.cfg.Name, Reason: "it cannot be asked without an NHS number"})
		return
	}
	body, err := g.structured(ctx, nhs, sections)
	if err != nil {
		fail(err)
		return
	}
	part, err := fhir.MapGPConnect(body, g.src, sections)
	if err != nil {
		fail(&Error{Backend: g.cfg.Name, Reason: "sent a malformed structured record: " + parseReason(err), Err: ErrMalformedFHIR})
		return
	}
	part.Backend = g.cfg.Name
	// Every section asked gets a status; areas GP Connect does not serve are not-supported.
	have := map[record.Section]bool{}
	for i := range part.Status {
		st := &part.Status[i]
		st.Backend = g.cfg.Name
		have[st.Section] = true
		if st.State == record.StateNotSupported && st.Error == "" {
			st.Error = g.notServed(st.Section)
		}
	}
	for _, s := range sections {
		if !have[s] {
			part.Status = append(part.Status, record.SectionStatus{Backend: g.cfg.Name, Section: s, State: record.StateNotSupported, Error: g.notServed(s)})
		}
	}
	if part.Person != nil {
		p := withSource(*part.Person, g.cfg.Name, who.ID)
		part.Person = &p
	}
	emit(part)
}

// notServed is the reason a section is not-supported by GP Connect.
func (g *gpcBackend) notServed(s record.Section) string {
	if what, ok := gpcNotServed[s]; ok {
		return "GP Connect does not serve " + what
	}
	return "the GP system did not send " + strings.ReplaceAll(string(s), "-", " ")
}

// CloseIdleConnections drops kept-alive connections (Federation.Close).
func (g *gpcBackend) CloseIdleConnections() { g.http.GetClient().CloseIdleConnections() }
