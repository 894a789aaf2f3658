package fhir

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// terminalActive describes the first thing in s a terminal would act on, or "".
func terminalActive(s string) string {
	if !utf8.ValidString(s) {
		return "invalid UTF-8"
	}
	for _, r := range s {
		switch {
		case r < 0x20 || r == 0x7f:
			return "C0 control or DEL"
		case r >= 0x80 && r <= 0x9f:
			return "C1 control"
		case unicode.Is(unicode.Cf, r):
			return "format character"
		}
	}
	return ""
}

func outcomeBody(t testing.TB, diagnostics, details string) []byte {
	b, err := json.Marshal(map[string]any{"resourceType": "OperationOutcome", "issue": []any{map[string]any{
		"severity": "error", "code": "exception", "diagnostics": diagnostics,
		"details": map[string]any{"text": details, "coding": []any{map[string]any{"system": "https://example.org", "code": "X", "display": details}}},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Diagnostics and details a server sends are shown and logged: escape sequences, bidi
// controls and line breaks are gone, and a token the server echoed is redacted.
func TestReadErrorIsSafe(t *testing.T) {
	const token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl"
	body := outcomeBody(t, "\x1b[2J\x1b]0;PWNED\x07Failed for Authorization: Bearer abc.def-123\n\u202eaccess_token=s3cr3t-value "+token,
		"\x1b]52;c;ZXZpbA==\x07details")
	msg := ReadError("application/fhir+json", body)
	if what := terminalActive(msg); what != "" {
		t.Errorf("ReadError = %q holds a %s", msg, what)
	}
	for _, secret := range []string{"abc.def-123", "s3cr3t-value", token, "PWNED", "ZXZpbA=="} {
		if strings.Contains(msg, secret) {
			t.Errorf("ReadError = %q holds %q", msg, secret)
		}
	}
	if !strings.Contains(msg, "Failed for Authorization") || !strings.Contains(msg, "[redacted:token]") {
		t.Errorf("ReadError = %q should keep the words and say what was redacted", msg)
	}
	// Details, when there are no diagnostics.
	msg = ReadError("application/fhir+json", outcomeBody(t, "", "\x1b]52;c;ZXZpbA==\x07Patient \u202enot\u202c known"))
	if what := terminalActive(msg); what != "" || !strings.Contains(msg, "Patient not known") {
		t.Errorf("ReadError = %q (%s)", msg, what)
	}
	// An HTML error page is named, never quoted; a resource type or content type that is
	// quoted is made safe.
	for _, tc := range []struct{ ct, body string }{
		{"text/html", "<html><title>\x1b]0;PWNED\x07</title>Bearer abc.def-123</html>"},
		{"application/json", `{"resourceType":"Pati\u001b]0;PWNED\u0007ent"}`},
		{"text/x-\x1b]0;PWNED\x07", "plain"},
	} {
		msg := ReadError(tc.ct, []byte(tc.body))
		if what := terminalActive(msg); what != "" || strings.Contains(msg, "PWNED") || strings.Contains(msg, "abc.def-123") {
			t.Errorf("ReadError(%q, %q) = %q (%s)", tc.ct, tc.body, msg, what)
		}
	}
}

var secretChars = regexp.MustCompile(`^[A-Za-z0-9\-._~]{8,}$`)

// FuzzOutcomeText: whatever a server puts in an OperationOutcome, the line shcr makes of it
// holds nothing a terminal acts on, and a bearer token it echoes does not come through.
func FuzzOutcomeText(f *testing.F) {
	f.Add("\x1b]52;c;ZXZpbA==\x07 failed", "details\u202e", "tok3n-value-123")
	f.Add("Authorization: Bearer", "", "abcdefgh")
	f.Add("", "\u009b31m", "eyJhbGciOiJub25lIn0.eyJ4IjoxfQ.x")
	f.Fuzz(func(t *testing.T, diagnostics, details, secret string) {
		body := outcomeBody(t, diagnostics+" Bearer "+secret+" ", details)
		msg := ReadError("application/fhir+json", body)
		if what := terminalActive(msg); what != "" {
			t.Fatalf("ReadError(%q, %q) = %q holds a %s", diagnostics, details, msg, what)
		}
		if !secretChars.MatchString(secret) || strings.Contains(diagnostics+" "+details, secret) || len(msg) < len(secret) {
			return
		}
		// The diagnostics are cut at 300 runes: a token past the cut is not shown at all.
		if strings.Contains(msg, secret) {
			t.Fatalf("ReadError(%q) = %q holds the token %q", diagnostics, msg, secret)
		}
	})
}
