package auth

import (
	"net/http"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/oauth2"
)

func terminalActive(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f || unicode.Is(unicode.Cf, r) {
			return true
		}
	}
	return false
}

// What a sign-in server sends back (an error code, an error description) reaches the
// terminal and the log without escape sequences, bidi controls, or a secret it echoed.
func TestSignInServerTextIsSafe(t *testing.T) {
	errs := []error{
		tokenError(&oauth2.RetrieveError{Response: &http.Response{StatusCode: 401}, ErrorCode: "invalid_client\x1b]0;PWNED\x07",
			ErrorDescription: "bad client_secret=s3cr3t-value\x1b]52;c;ZXZpbA==\x07 for \u202eAuthorization: Basic c2hjcjpzM2NyM3Q="}),
		authorizeError("council", "access_denied\x1b[2J", "refused \u2066code=SplxlOBeZQQYbYS6WxSbIA\x9b"),
		authorizeError("council", "weird\x1bP1$r\x1b\\", "id_token=eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.sig"),
	}
	for _, err := range errs {
		msg := err.Error()
		if terminalActive(msg) || strings.Contains(msg, "PWNED") || strings.Contains(msg, "ZXZpbA==") {
			t.Errorf("%q acts on the terminal", msg)
		}
		for _, secret := range []string{"s3cr3t-value", "c2hjcjpzM2NyM3Q=", "SplxlOBeZQQYbYS6WxSbIA", "eyJhbGciOiJub25lIn0"} {
			if strings.Contains(msg, secret) {
				t.Errorf("%q holds the secret %q", msg, secret)
			}
		}
	}
	if msg := errs[0].Error(); !strings.Contains(msg, "the sign-in server refused (HTTP 401, invalid_client") {
		t.Errorf("the message should still say what happened: %q", msg)
	}
}

// The signed-in member of staff's name, id and email come from the identity provider's ID
// token and are shown in the status bar and written to the audit trail.
func TestIdentityFromClaimsIsSafe(t *testing.T) {
	id := idClaims{Name: "Dr Jane\x1b]52;c;ZXZpbA==\x07 Carter\u202e", PreferredUsername: "jcarter\x1b[2J", Email: "jane@example.org\u200b", Subject: "s1"}.identity("https://idp.example.org")
	for _, s := range []string{id.Name, id.ID, id.Email} {
		if terminalActive(s) || strings.Contains(s, "ZXZpbA==") {
			t.Errorf("%q acts on the terminal", s)
		}
	}
	if !strings.HasPrefix(id.Name, "Dr Jane") || !strings.HasPrefix(id.ID, "jcarter") || id.Email != "jane@example.org" {
		t.Errorf("identity %+v", id)
	}
}
