package audit

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"strings"
	"time"
)

// This file gives each local event its FHIR R4 AuditEvent form, following IHE Basic Audit Log
// Patterns (BALP 1.1): a look at a record is a PatientRead, a search a PatientQuery, a reveal
// of a restricted item or a break-glass start a Security Alert, and sign-in, sign-out, the
// screen lock and a refused or failed access each have their own type. Central audit services
// (a FHIR audit repository, a SIEM over syslog) receive this form; the local file keeps its own.

// Kinds that shcr may record besides those in audit.go; the AuditEvent form knows them so that
// a trail which holds them forwards them with the right shape.
const (
	SignedIn          Kind = "signed-in"           // the member of staff signed in
	BreakGlassStarted Kind = "break-glass-started" // emergency access overriding a restriction began
)

// Code systems.
const (
	sysDCM            = "http://dicom.nema.org/resources/ontology/DCM"
	sysEventType      = "http://terminology.hl7.org/CodeSystem/audit-event-type"
	sysRestful        = "http://hl7.org/fhir/restful-interaction"
	sysActReason      = "http://terminology.hl7.org/CodeSystem/v3-ActReason"
	sysParticipation  = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
	sysRoleClass      = "http://terminology.hl7.org/CodeSystem/v3-RoleClass"
	sysEntityType     = "http://terminology.hl7.org/CodeSystem/audit-entity-type"
	sysObjectRole     = "http://terminology.hl7.org/CodeSystem/object-role"
	sysSourceType     = "http://terminology.hl7.org/CodeSystem/security-source-type"
	sysNHSNumber      = "https://fhir.nhs.uk/Id/nhs-number"
	sysSDSUser        = "https://fhir.nhs.uk/Id/sds-user-id"
	sysSDSRole        = "https://fhir.nhs.uk/CodeSystem/NHSDigital-SDS-JobRoleCode"
	sysODS            = "https://fhir.nhs.uk/Id/ods-organization-code"
	sysShcrEvent      = "https://github.com/shcr-project/shcr/audit-event"
	sysShcrBackend    = "https://github.com/shcr-project/shcr/backend"
	sysBALPEntityType = "https://profiles.ihe.net/ITI/BALP/CodeSystem/BasicAuditEntityType"
	profileBALP       = "https://profiles.ihe.net/ITI/BALP/StructureDefinition/"
	profilePatientRd  = profileBALP + "IHE.BasicAudit.PatientRead"
	profilePatientQry = profileBALP + "IHE.BasicAudit.PatientQuery"
)

// Site is who and where the events come from, beyond what each event carries: the member of
// staff (from config or sign-in), their organisation and this machine.
type Site struct {
	UserID   string // SDS user id (or employee number)
	UserName string // "Dr Jane Carter"
	UserRole string // SDS job role code, e.g. R8000
	OrgODS   string // the organisation's ODS code
	OrgName  string
	Host     string // this machine's name (the audit source)
}

// Coding is a FHIR Coding.
type Coding struct {
	System  string `json:"system,omitempty"`
	Code    string `json:"code,omitempty"`
	Display string `json:"display,omitempty"`
}

// CodeableConcept is a FHIR CodeableConcept.
type CodeableConcept struct {
	Coding []Coding `json:"coding,omitempty"`
	Text   string   `json:"text,omitempty"`
}

// Identifier is a FHIR Identifier.
type Identifier struct {
	System string `json:"system,omitempty"`
	Value  string `json:"value"`
}

// Reference is a FHIR Reference (logical, by identifier, as shcr keeps no server ids).
type Reference struct {
	Identifier *Identifier `json:"identifier,omitempty"`
	Display    string      `json:"display,omitempty"`
}

// AuditAgent is AuditEvent.agent.
type AuditAgent struct {
	Type         *CodeableConcept  `json:"type,omitempty"`
	Role         []CodeableConcept `json:"role,omitempty"`
	Who          *Reference        `json:"who,omitempty"`
	AltID        string            `json:"altId,omitempty"`
	Name         string            `json:"name,omitempty"`
	Requestor    bool              `json:"requestor"`
	Network      *AgentNetwork     `json:"network,omitempty"`
	PurposeOfUse []CodeableConcept `json:"purposeOfUse,omitempty"`
}

// AgentNetwork is AuditEvent.agent.network.
type AgentNetwork struct {
	Address string `json:"address"`
	Type    string `json:"type"` // 1 machine name
}

// AuditSource is AuditEvent.source.
type AuditSource struct {
	Site     string    `json:"site,omitempty"`
	Observer Reference `json:"observer"`
	Type     []Coding  `json:"type,omitempty"`
}

// AuditEntity is AuditEvent.entity.
type AuditEntity struct {
	What        *Reference `json:"what,omitempty"`
	Type        *Coding    `json:"type,omitempty"`
	Role        *Coding    `json:"role,omitempty"`
	Name        string     `json:"name,omitempty"`
	Description string     `json:"description,omitempty"`
}

// Meta is Resource.meta.
type Meta struct {
	Profile []string `json:"profile,omitempty"`
	Tag     []Coding `json:"tag,omitempty"`
}

// IDTagSystem tags each AuditEvent with its stable id (meta.tag): a FHIR server assigns its
// own id on create, so the tag is what lets a sink find and drop a copy sent again.
const IDTagSystem = "https://github.com/shcr-project/shcr/audit-event-id"

// AuditEvent is a FHIR R4 AuditEvent resource.
type AuditEvent struct {
	ResourceType   string            `json:"resourceType"`
	ID             string            `json:"id"`
	Meta           *Meta             `json:"meta,omitempty"`
	Type           Coding            `json:"type"`
	Subtype        []Coding          `json:"subtype,omitempty"`
	Action         string            `json:"action,omitempty"`
	Recorded       string            `json:"recorded"`
	Outcome        string            `json:"outcome"`
	OutcomeDesc    string            `json:"outcomeDesc,omitempty"`
	PurposeOfEvent []CodeableConcept `json:"purposeOfEvent,omitempty"`
	Agent          []AuditAgent      `json:"agent"`
	Source         AuditSource       `json:"source"`
	Entity         []AuditEntity     `json:"entity,omitempty"`
}

// EventID is the stable id of the event written at byte offset off of the trail as line
// (without its newline): the same line at the same place always has the same id, so a sink
// that receives it twice can drop the copy. It is a valid FHIR id (64 characters at most).
func EventID(off int64, line []byte) string {
	h := sha256.New()
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(off))
	h.Write(b[:])
	h.Write(line)
	return "shcr-" + hex.EncodeToString(h.Sum(nil)[:20])
}

// Severity is the syslog severity of the event (RFC 5424): 4 warning for security alerts and
// refused or failed access, 5 notice otherwise (as IHE ITI-20 uses).
func Severity(k Kind) int {
	switch k {
	case RestrictedRevealed, BreakGlassStarted, AccessRefused, AccessFailed:
		return 4
	}
	return 5
}

// MsgID is the syslog MSGID of the event: its kind ("record-opened"), at most 32 characters.
func MsgID(k Kind) string {
	var b strings.Builder
	for _, r := range k {
		if r > ' ' && r < 0x7f && b.Len() < 32 {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return "-"
	}
	return b.String()
}

var (
	typeRest     = Coding{System: sysEventType, Code: "rest", Display: "Restful Operation"}
	typeQuery    = Coding{System: sysDCM, Code: "110112", Display: "Query"}
	typeAlert    = Coding{System: sysDCM, Code: "110113", Display: "Security Alert"}
	typeUserAuth = Coding{System: sysDCM, Code: "110114", Display: "User Authentication"}
	typeAppAct   = Coding{System: sysDCM, Code: "110100", Display: "Application Activity"}
	typeExport   = Coding{System: sysDCM, Code: "110106", Display: "Export"}

	subRead      = Coding{System: sysRestful, Code: "read", Display: "read"}
	subSearch    = Coding{System: sysRestful, Code: "search-type", Display: "search type"}
	subLogin     = Coding{System: sysDCM, Code: "110122", Display: "Login"}
	subLogout    = Coding{System: sysDCM, Code: "110123", Display: "Logout"}
	subOverride  = Coding{System: sysDCM, Code: "110127", Display: "Emergency Override Started"}
	roleSource   = Coding{System: sysDCM, Code: "110153", Display: "Source Role ID"}
	roleDest     = Coding{System: sysDCM, Code: "110152", Display: "Destination Role ID"}
	entityPerson = Coding{System: sysEntityType, Code: "1", Display: "Person"}
	entitySystem = Coding{System: sysEntityType, Code: "2", Display: "System Object"}
	rolePatient  = Coding{System: sysObjectRole, Code: "1", Display: "Patient"}
	roleDomain   = Coding{System: sysObjectRole, Code: "4", Display: "Domain Resource"}
	roleQuery    = Coding{System: sysObjectRole, Code: "24", Display: "Query"}
	reasonTREAT  = Coding{System: sysActReason, Code: "TREAT", Display: "treatment"}
	reasonETREAT = Coding{System: sysActReason, Code: "ETREAT", Display: "Emergency Treatment"}
	reasonBTG    = Coding{System: sysActReason, Code: "BTG", Display: "break the glass"}
	reasonHTEST  = Coding{System: sysActReason, Code: "HTEST", Display: "test health data"}
)

func shcrCode(k Kind) Coding { return Coding{System: sysShcrEvent, Code: k} }

// PurposeOfUse is the v3-ActReason form of a local purpose of access: TREAT for direct care
// and safeguarding, ETREAT with BTG (how) for emergency access, HTEST for the demo; the local
// purpose is kept as the text. breakGlass adds BTG whatever the purpose (a reveal).
func PurposeOfUse(purpose string, breakGlass bool) []CodeableConcept {
	if purpose == "" && !breakGlass {
		return nil
	}
	var c []Coding
	switch purpose {
	case "emergency":
		c = []Coding{reasonETREAT, reasonBTG}
	case "demo":
		c = []Coding{reasonHTEST}
	default:
		c = []Coding{reasonTREAT}
	}
	if breakGlass && c[len(c)-1] != reasonBTG {
		c = append(c, reasonBTG)
	}
	return []CodeableConcept{{Coding: c, Text: purpose}}
}

// ToAuditEvent is the AuditEvent form of e, with id (EventID) and the site's user,
// organisation and machine.
func ToAuditEvent(e Event, id string, s Site) AuditEvent {
	a := AuditEvent{
		ResourceType: "AuditEvent",
		ID:           id,
		Recorded:     e.Time.UTC().Format(time.RFC3339Nano),
		Outcome:      "0",
		Action:       "E",
	}
	breakGlass := e.Event == RestrictedRevealed || e.Event == BreakGlassStarted
	pou := PurposeOfUse(e.Purpose, breakGlass)
	if e.Reason != "" && len(pou) > 0 {
		pou[0].Text = e.Purpose + ": " + e.Reason
	}
	a.PurposeOfEvent = pou

	user := userAgent(e, s, pou)
	client := AuditAgent{
		Type:      &CodeableConcept{Coding: []Coding{roleDest}},
		Who:       &Reference{Display: "shcr"},
		Requestor: false,
	}
	if s.Host != "" {
		client.Network = &AgentNetwork{Address: s.Host, Type: "1"}
	}
	server := AuditAgent{
		Type:      &CodeableConcept{Coding: []Coding{roleSource}},
		Who:       &Reference{Display: strings.Join(e.Backends, ", ")},
		Requestor: false,
	}
	var patient []AuditEntity
	if e.NHSNumber != "" {
		patient = []AuditEntity{{
			What: &Reference{Identifier: &Identifier{System: sysNHSNumber, Value: e.NHSNumber}},
			Type: &entityPerson,
			Role: &rolePatient,
		}}
	}
	data := backendEntities(e)
	if e.RequestID != "" {
		// BALP transaction entity: the X-Request-ID sent with the back end requests.
		data = append([]AuditEntity{{
			What: &Reference{Identifier: &Identifier{Value: e.RequestID}},
			Type: &Coding{System: sysBALPEntityType, Code: "XrequestId", Display: "X-Request-Id"},
		}}, data...)
	}

	switch e.Event {
	case RecordOpened, SectionViewed, ChildProtectionAccessed:
		// BALP PatientRead: the client received data from the back ends (the servers).
		a.Meta = &Meta{Profile: []string{profilePatientRd}}
		a.Type, a.Subtype, a.Action = typeRest, []Coding{subRead, shcrCode(e.Event)}, "R"
		a.Agent = []AuditAgent{client, server, user}
		a.Entity = append(patient, data...)
	case PersonNotFound:
		// BALP PatientQuery: roles reversed (the client established the query); the query is
		// described by its kind only (never the name or birth date typed).
		a.Meta = &Meta{Profile: []string{profilePatientQry}}
		a.Type, a.Subtype = typeRest, []Coding{subSearch, shcrCode(e.Event)}
		client.Type = &CodeableConcept{Coding: []Coding{roleSource}}
		server.Type = &CodeableConcept{Coding: []Coding{roleDest}}
		a.Agent = []AuditAgent{client, server, user}
		a.Entity = append(patient, AuditEntity{Type: &entitySystem, Role: &roleQuery, Description: orText(e.Detail, "search") + "; found nobody"})
		a.Entity = append(a.Entity, data...)
	case RestrictedRevealed:
		a.Type, a.Subtype = typeAlert, []Coding{shcrCode(e.Event)}
		a.Agent = []AuditAgent{user, client}
		a.Entity = append(patient, data...)
		if len(e.Items) > 0 {
			a.Entity = append(a.Entity, AuditEntity{Type: &entitySystem, Role: &roleDomain, Name: "restricted items revealed", Description: strings.Join(e.Items, ", ")})
		}
	case RecordExported:
		// DICOM Export: data about the patient left the application (a file, the clipboard).
		a.Type, a.Subtype, a.Action = typeExport, []Coding{shcrCode(e.Event)}, "R"
		a.Agent = []AuditAgent{user, client}
		a.Entity = append(patient, data...)
	case BreakGlassStarted:
		a.Type, a.Subtype = typeAlert, []Coding{subOverride, shcrCode(e.Event)}
		a.Agent = []AuditAgent{user, client}
		a.Entity = append(patient, data...)
	case AccessRefused:
		a.Type, a.Subtype = typeAlert, []Coding{shcrCode(e.Event)}
		a.Outcome, a.OutcomeDesc = "4", orText(e.Detail, "refused")
		a.Agent = []AuditAgent{client, server, user}
		a.Entity = append(patient, data...)
	case AccessFailed:
		a.Type, a.Subtype = typeRest, []Coding{subRead, shcrCode(e.Event)}
		a.Outcome, a.OutcomeDesc = "8", orText(e.Detail, "failed")
		a.Agent = []AuditAgent{client, server, user}
		a.Entity = append(patient, data...)
	case SignedIn, ScreenUnlocked:
		a.Type, a.Subtype = typeUserAuth, []Coding{subLogin, shcrCode(e.Event)}
		a.Agent = []AuditAgent{user, client}
	case SignedOut, ScreenLocked:
		a.Type, a.Subtype = typeUserAuth, []Coding{subLogout, shcrCode(e.Event)}
		a.Agent = []AuditAgent{user, client}
	default:
		a.Type, a.Subtype = typeAppAct, []Coding{shcrCode(e.Event)}
		a.Agent = []AuditAgent{user, client}
		a.Entity = append(patient, data...)
	}
	if e.Detail != "" && a.OutcomeDesc == "" && e.Event != PersonNotFound {
		a.OutcomeDesc = e.Detail
	}
	a.Source = AuditSource{
		Site:     s.OrgODS,
		Observer: Reference{Display: "shcr" + orPrefix(" on ", s.Host)},
		Type:     []Coding{{System: sysSourceType, Code: "1", Display: "User Device"}},
	}
	if len(a.Entity) == 0 {
		a.Entity = nil
	}
	if a.Meta == nil {
		a.Meta = &Meta{}
	}
	a.Meta.Tag = []Coding{{System: IDTagSystem, Code: id}}
	return a
}

// userAgent is the member of staff: BALP's user agent (IRCP, requestor), with their SDS
// role and organisation, the signed-in identity as who and the OS account as altId.
func userAgent(e Event, s Site, pou []CodeableConcept) AuditAgent {
	u := AuditAgent{
		Type:         &CodeableConcept{Coding: []Coding{{System: sysParticipation, Code: "IRCP", Display: "information recipient"}}},
		Requestor:    true,
		AltID:        e.OSUser,
		PurposeOfUse: pou,
	}
	who := &Reference{Display: orText(e.SignedInUser, s.UserName)}
	if s.UserID != "" {
		who.Identifier = &Identifier{System: sysSDSUser, Value: s.UserID}
	}
	if who.Display == "" {
		who.Display = e.OSUser
	}
	u.Who = who
	u.Name = orText(s.UserName, e.SignedInUser)
	if s.UserRole != "" {
		u.Role = append(u.Role, CodeableConcept{Coding: []Coding{{System: sysSDSRole, Code: s.UserRole}}})
	}
	if s.OrgODS != "" || s.OrgName != "" {
		org := CodeableConcept{Coding: []Coding{{System: sysRoleClass, Code: "PROV", Display: "healthcare provider"}}, Text: s.OrgName}
		if s.OrgODS != "" {
			org.Coding = append(org.Coding, Coding{System: sysODS, Code: s.OrgODS, Display: s.OrgName})
		}
		u.Role = append(u.Role, org)
	}
	return u
}

// backendEntities names each back end asked (BALP data entity: a system object in the role of
// domain resource), with the sections asked of it.
func backendEntities(e Event) []AuditEntity {
	var out []AuditEntity
	for _, b := range e.Backends {
		ent := AuditEntity{
			What: &Reference{Identifier: &Identifier{System: sysShcrBackend, Value: b}, Display: b},
			Type: &entitySystem,
			Role: &roleDomain,
			Name: b,
		}
		if len(e.Sections) > 0 {
			ent.Description = "sections: " + strings.Join(e.Sections, ", ")
		}
		out = append(out, ent)
	}
	return out
}

func orText(s, dflt string) string {
	if s == "" {
		return dflt
	}
	return s
}

func orPrefix(p, s string) string {
	if s == "" {
		return ""
	}
	return p + s
}

// MarshalAuditEvent is the JSON of the AuditEvent form of e.
func MarshalAuditEvent(e Event, id string, s Site) ([]byte, error) {
	return json.Marshal(ToAuditEvent(e, id, s))
}
