package audit

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

var testSite = Site{UserID: "555123456789", UserName: "Dr Jane Carter", UserRole: "R8000", OrgODS: "RX1", OrgName: "Example Trust", Host: "ward-pc-7"}

// aeJSON returns the AuditEvent form of e as generic JSON, so that the assertions read the
// wire form a sink receives.
func aeJSON(t *testing.T, e Event) map[string]any {
	t.Helper()
	b, err := MarshalAuditEvent(e, "shcr-test", testSite)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// at walks a JSON value by keys and indexes: at(m, "type", "code").
func at(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			l, _ := v.([]any)
			if k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

func codes(v any) []string {
	var out []string
	l, _ := v.([]any)
	for _, c := range l {
		out = append(out, at(c, "code").(string))
	}
	return out
}

func agentByType(m map[string]any, code string) map[string]any {
	for _, a := range m["agent"].([]any) {
		if at(a, "type", "coding", 0, "code") == code {
			return a.(map[string]any)
		}
	}
	return nil
}

func entityByRole(m map[string]any, code string) []map[string]any {
	var out []map[string]any
	l, _ := m["entity"].([]any)
	for _, e := range l {
		if at(e, "role", "code") == code {
			out = append(out, e.(map[string]any))
		}
	}
	return out
}

var t0 = time.Date(2026, 11, 25, 10, 0, 0, 123456789, time.UTC)

func TestAuditEventPatientRead(t *testing.T) {
	m := aeJSON(t, Event{Time: t0, Event: RecordOpened, OSUser: "jc", SignedInUser: "jane.carter@nhs.net", NHSNumber: "9434765919",
		Purpose: "direct-care", Backends: []string{"Leeds ShCR", "GP"}, Sections: []string{"summary", "medications"}})
	if m["resourceType"] != "AuditEvent" || m["id"] != "shcr-test" || m["recorded"] != "2026-11-25T10:00:00.123456789Z" {
		t.Errorf("header: %v %v %v", m["resourceType"], m["id"], m["recorded"])
	}
	if at(m, "meta", "profile", 0) != profileBALP+"IHE.BasicAudit.PatientRead" {
		t.Errorf("profile %v", at(m, "meta"))
	}
	if at(m, "type", "system") != "http://terminology.hl7.org/CodeSystem/audit-event-type" || at(m, "type", "code") != "rest" {
		t.Errorf("type %v", m["type"])
	}
	if at(m, "subtype", 0, "system") != "http://hl7.org/fhir/restful-interaction" || at(m, "subtype", 0, "code") != "read" {
		t.Errorf("subtype %v", m["subtype"])
	}
	if m["action"] != "R" || m["outcome"] != "0" {
		t.Errorf("action %v outcome %v", m["action"], m["outcome"])
	}
	// PatientRead: client is 110152 Destination, server 110153 Source.
	client, server := agentByType(m, "110152"), agentByType(m, "110153")
	if client == nil || server == nil {
		t.Fatalf("client/server agents missing: %v", m["agent"])
	}
	if at(client, "network", "address") != "ward-pc-7" || at(server, "who", "display") != "Leeds ShCR, GP" {
		t.Errorf("client %v server %v", client, server)
	}
	user := agentByType(m, "IRCP")
	if user == nil || user["requestor"] != true || user["altId"] != "jc" {
		t.Fatalf("user agent %v", user)
	}
	if at(user, "who", "identifier", "system") != "https://fhir.nhs.uk/Id/sds-user-id" || at(user, "who", "identifier", "value") != "555123456789" || at(user, "who", "display") != "jane.carter@nhs.net" {
		t.Errorf("user who %v", user["who"])
	}
	if at(user, "role", 0, "coding", 0, "code") != "R8000" || at(user, "role", 1, "coding", 1, "system") != "https://fhir.nhs.uk/Id/ods-organization-code" || at(user, "role", 1, "coding", 1, "code") != "RX1" {
		t.Errorf("user roles %v", user["role"])
	}
	if got := codes(at(user, "purposeOfUse", 0, "coding")); strings.Join(got, ",") != "TREAT" {
		t.Errorf("purposeOfUse %v", got)
	}
	if got := codes(at(m, "purposeOfEvent", 0, "coding")); strings.Join(got, ",") != "TREAT" {
		t.Errorf("purposeOfEvent %v", got)
	}
	p := entityByRole(m, "1")
	if len(p) != 1 || at(p[0], "what", "identifier", "system") != "https://fhir.nhs.uk/Id/nhs-number" || at(p[0], "what", "identifier", "value") != "9434765919" || at(p[0], "type", "code") != "1" {
		t.Errorf("patient entity %v", p)
	}
	d := entityByRole(m, "4")
	if len(d) != 2 || d[0]["name"] != "Leeds ShCR" || d[1]["name"] != "GP" || d[0]["description"] != "sections: summary, medications" {
		t.Errorf("back end entities %v", d)
	}
	if at(m, "source", "site") != "RX1" || at(m, "source", "type", 0, "code") != "1" {
		t.Errorf("source %v", m["source"])
	}
}

func TestAuditEventEmergencyIsETREATWithBTG(t *testing.T) {
	m := aeJSON(t, Event{Time: t0, Event: RecordOpened, NHSNumber: "9434765919", Purpose: "emergency", Backends: []string{"A"}})
	if got := strings.Join(codes(at(m, "purposeOfEvent", 0, "coding")), ","); got != "ETREAT,BTG" {
		t.Errorf("purposeOfEvent = %s", got)
	}
	if got := strings.Join(codes(at(agentByType(m, "IRCP"), "purposeOfUse", 0, "coding")), ","); got != "ETREAT,BTG" {
		t.Errorf("purposeOfUse = %s", got)
	}
	for _, c := range at(m, "purposeOfEvent", 0, "coding").([]any) {
		if at(c, "system") != "http://terminology.hl7.org/CodeSystem/v3-ActReason" {
			t.Errorf("system %v", c)
		}
	}
}

func TestAuditEventPatientQuery(t *testing.T) {
	m := aeJSON(t, Event{Time: t0, Event: PersonNotFound, NHSNumber: "9434765919", Purpose: "safeguarding", Detail: "searched by NHS number", Backends: []string{"A"}})
	if at(m, "meta", "profile", 0) != profileBALP+"IHE.BasicAudit.PatientQuery" || at(m, "type", "code") != "rest" || m["action"] != "E" {
		t.Errorf("query header %v %v %v", m["meta"], m["type"], m["action"])
	}
	if c := at(m, "subtype", 0, "code"); c != "search-type" {
		t.Errorf("subtype %v", c)
	}
	// PatientQuery: roles reversed — the client is 110153 Source.
	if c := agentByType(m, "110153"); c == nil || at(c, "who", "display") != "shcr" {
		t.Errorf("client agent as source: %v", m["agent"])
	}
	q := entityByRole(m, "24")
	if len(q) != 1 || q[0]["description"] != "searched by NHS number; found nobody" {
		t.Errorf("query entity %v", q)
	}
}

func TestAuditEventSecurityAlerts(t *testing.T) {
	m := aeJSON(t, Event{Time: t0, Event: RestrictedRevealed, NHSNumber: "9434765919", Purpose: "direct-care", Reason: "safeguarding meeting", Items: []string{"a1", "a2"}, Backends: []string{"A"}})
	if at(m, "type", "system") != sysDCM || at(m, "type", "code") != "110113" {
		t.Errorf("reveal type %v", m["type"])
	}
	if got := strings.Join(codes(at(m, "purposeOfEvent", 0, "coding")), ","); got != "TREAT,BTG" {
		t.Errorf("reveal purpose %s", got)
	}
	if at(m, "purposeOfEvent", 0, "text") != "direct-care: safeguarding meeting" {
		t.Errorf("reveal text %v", at(m, "purposeOfEvent", 0, "text"))
	}
	m = aeJSON(t, Event{Time: t0, Event: BreakGlassStarted, NHSNumber: "9434765919", Purpose: "emergency"})
	if at(m, "type", "code") != "110113" || at(m, "subtype", 0, "code") != "110127" || m["action"] != "E" {
		t.Errorf("break-glass %v %v", m["type"], m["subtype"])
	}
	if got := strings.Join(codes(at(m, "purposeOfEvent", 0, "coding")), ","); got != "ETREAT,BTG" {
		t.Errorf("break-glass purpose %s", got)
	}
	if len(entityByRole(m, "1")) != 1 {
		t.Errorf("break-glass patient entity missing")
	}
	m = aeJSON(t, Event{Time: t0, Event: AccessRefused, NHSNumber: "9434765919", Detail: "HTTP 403", Backends: []string{"GP"}})
	if at(m, "type", "code") != "110113" || m["outcome"] != "4" || m["outcomeDesc"] != "HTTP 403" {
		t.Errorf("refused %v %v %v", m["type"], m["outcome"], m["outcomeDesc"])
	}
	m = aeJSON(t, Event{Time: t0, Event: AccessFailed, NHSNumber: "9434765919", Detail: "timed out", Backends: []string{"GP"}})
	if at(m, "type", "code") != "rest" || m["outcome"] != "8" || m["outcomeDesc"] != "timed out" {
		t.Errorf("failed %v %v %v", m["type"], m["outcome"], m["outcomeDesc"])
	}
}

func TestAuditEventSessionTypes(t *testing.T) {
	for _, c := range []struct {
		kind    Kind
		subtype string
	}{{SignedIn, "110122"}, {ScreenUnlocked, "110122"}, {SignedOut, "110123"}, {ScreenLocked, "110123"}} {
		m := aeJSON(t, Event{Time: t0, Event: c.kind, OSUser: "jc"})
		if at(m, "type", "code") != "110114" || at(m, "subtype", 0, "code") != c.subtype || at(m, "subtype", 1, "code") != c.kind {
			t.Errorf("%s: type %v subtype %v", c.kind, m["type"], m["subtype"])
		}
		if m["entity"] != nil {
			t.Errorf("%s: entity %v", c.kind, m["entity"])
		}
	}
}

func TestEventIDStable(t *testing.T) {
	line := []byte(`{"time":"2026-11-25T10:00:00Z","event":"record-opened"}`)
	a, b := EventID(0, line), EventID(0, append([]byte(nil), line...))
	if a != b || len(a) > 64 || !strings.HasPrefix(a, "shcr-") {
		t.Errorf("ids %q %q", a, b)
	}
	if EventID(57, line) == a {
		t.Error("the same line at another place has the same id")
	}
}

func TestSeverityAndMsgID(t *testing.T) {
	if Severity(RecordOpened) != 5 || Severity(RestrictedRevealed) != 4 || Severity(AccessRefused) != 4 {
		t.Error("severities")
	}
	if MsgID(RecordOpened) != "record-opened" || MsgID("a b\n") != "ab" || MsgID("") != "-" {
		t.Error("msgid")
	}
}
