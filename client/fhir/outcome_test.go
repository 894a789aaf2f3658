package fhir

import (
	"strings"
	"testing"
)

func TestReadError(t *testing.T) {
	gpc := func(code, display, diag string) string {
		return `{"resourceType":"OperationOutcome","meta":{"profile":["https://fhir.nhs.uk/STU3/StructureDefinition/GPConnect-OperationOutcome-1"]},
		"issue":[{"severity":"error","code":"value","details":{"coding":[{"system":"https://fhir.nhs.uk/STU3/CodeSystem/Spine-ErrorOrWarningCode-1","code":"` + code + `","display":"` + display + `"}]},"diagnostics":"` + diag + `"}]}`
	}
	tests := []struct {
		name, ct, body, want string
	}{
		{"outcome", "application/fhir+json", `{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"not-found","diagnostics":"Patient/123 is not known"}]}`,
			"error (not-found): Patient/123 is not known"},
		{"details text and more issues", "application/fhir+json", `{"resourceType":"OperationOutcome","issue":[
			{"severity":"fatal","code":"exception","details":{"text":"Database unavailable"}},
			{"severity":"warning","code":"informational"},{"severity":"information","code":"informational"}]}`,
			"fatal (exception): Database unavailable (+2 more)"},
		{"no issues", "application/fhir+json", `{"resourceType":"OperationOutcome"}`, "an OperationOutcome with no issues"},
		{"gp connect invalid nhs number", "application/fhir+json", gpc("INVALID_NHS_NUMBER", "NHS number invalid", ""),
			"error (value): the NHS number is not valid [INVALID_NHS_NUMBER]: NHS number invalid"},
		{"gp connect patient not found", "application/fhir+json;charset=utf-8", gpc("PATIENT_NOT_FOUND", "Patient record not found", "No patient 9999999999"),
			"error (value): the patient is not registered at this GP practice [PATIENT_NOT_FOUND]: No patient [NHS number]"},
		{"NHS number with spaces redacted", "application/fhir+json", `{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"not-found","diagnostics":"No record for 943 476 5919 at this site"}]}`,
			"error (not-found): No record for [NHS number] at this site"},
		{"gp connect no consent", "application/fhir+json", gpc("NO_PATIENT_CONSENT", "Patient has not provided consent to share data", ""),
			"the patient has not consented to sharing their GP record"},
		{"gp connect unknown code", "application/fhir+json", gpc("SOMETHING_NEW", "Something new", ""), "error (value): SOMETHING_NEW Something new"},
		{"html page", "text/html", "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>", "an HTML page"},
		{"html without content type", "", "  <html><body>oops</body></html>", "an HTML page"},
		{"html labelled json", "application/json", "<html><body>Service Unavailable</body></html>", "an HTML page"},
		{"empty", "application/fhir+json", "", "an empty body"},
		{"whitespace", "text/plain", " \n\t ", "an empty body"},
		{"plain text", "text/plain; charset=utf-8", "upstream connect error or disconnect/reset before headers", "a non-FHIR body (text/plain)"},
		{"garbage no type", "", "\x00\x01\xff\xfe binary", "a non-FHIR body (binary data)"},
		{"malformed json", "application/fhir+json", `{"resourceType":"OperationOutcome","issue":[`, "malformed JSON"},
		{"other json", "application/json", `{"error":"invalid_token"}`, "a non-FHIR JSON body"},
		{"other fhir", "application/fhir+json", `{"resourceType":"Patient","id":"1"}`, "a FHIR Patient instead of an error"},
		{"xml", "application/xml", `<?xml version="1.0"?><OperationOutcome/>`, "an XML body"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ReadError(tt.ct, []byte(tt.body))
			if !strings.Contains(got, tt.want) {
				t.Errorf("ReadError = %q, want it to contain %q", got, tt.want)
			}
			if strings.Contains(got, "\n") {
				t.Errorf("ReadError gave more than one line: %q", got)
			}
		})
	}
}

func TestReadErrorLongDiagnosticsIsOneShortLine(t *testing.T) {
	long := strings.Repeat("stack frame at line 42\n", 200)
	body := `{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"exception","diagnostics":"` + strings.ReplaceAll(long, "\n", `\n`) + `"}]}`
	got := ReadError("application/fhir+json", []byte(body))
	if len([]rune(got)) > 340 || strings.Contains(got, "\n") || !strings.HasPrefix(got, "error (exception): stack frame") {
		t.Errorf("got %d runes: %q", len([]rune(got)), got)
	}
}

func TestParseOperationOutcome(t *testing.T) {
	oo, ok := ParseOperationOutcome([]byte(`{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"processing","details":{"coding":[{"system":"https://fhir.nhs.uk/STU3/CodeSystem/Spine-ErrorOrWarningCode-1","code":"INVALID_NHS_NUMBER","display":"Invalid NHS number"}]}}]}`))
	if !ok || len(oo.Issues) != 1 {
		t.Fatalf("ok=%v issues=%d", ok, len(oo.Issues))
	}
	if is := oo.Issues[0]; is.SpineCode != "INVALID_NHS_NUMBER" || is.Details != "Invalid NHS number" || is.Severity != "error" {
		t.Errorf("issue = %+v", is)
	}
	for _, notOO := range []string{``, `{"resourceType":"Bundle"}`, `<html/>`, `{"resourceType":"OperationOutcome","issue":"x"}`} {
		if _, ok := ParseOperationOutcome([]byte(notOO)); ok {
			t.Errorf("%q read as an OperationOutcome", notOO)
		}
	}
	if SpineWords("PATIENT_NOT_FOUND") == "" || SpineWords("NOPE") != "" {
		t.Error("SpineWords table wrong")
	}
}
