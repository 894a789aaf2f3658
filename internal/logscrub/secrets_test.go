package logscrub

import (
	"regexp"
	"strings"
	"testing"

	"github.com/shcr-project/shcr/internal/safetext"
)

const (
	testToken = "mF_9.B5f-4.1JqM"
	testJWT   = "eyJhbGciOiJSUzM4NCIsImtpZCI6IjEifQ.eyJzdWIiOiJ1c2VyLTEiLCJzY29wZSI6InN5c3RlbS8qLnJlYWQifQ.c2lnbmF0dXJlLWJ5dGVz"
)

func TestSecretsRedacts(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"token rejected: Bearer " + testToken, "token rejected: Bearer [redacted:token]"},
		{"Authorization: Bearer " + testToken + "\nnext", "Authorization: Bearer [redacted:token]\nnext"},
		{"header authorization=Basic dXNlcjpwYXNz;", "header authorization=Basic [redacted:token];"},
		{`{"Authorization":"DPoP ` + testToken + `"}`, `{"Authorization":"DPoP [redacted:token]"}`},
		{"Proxy-Authorization: abc123", "Proxy-Authorization: [redacted:token]"},
		{"bad jwt " + testJWT + " seen", "bad jwt [redacted:token] seen"},
		{"bearer%20" + testToken, "bearer [redacted:token]"},
		{"Bearer Bearer " + testToken, "Bearer Bearer [redacted:token]"},
		{"Authorization: Bearer Bearer " + testToken, "Authorization: Bearer Bearer [redacted:token]"},
		{"?code=SplxlOBeZQQYbYS6WxSbIA&state=af0ifjsldkj", "?code=[redacted:token]&state=af0ifjsldkj"},
		{"grant_type=refresh_token&refresh_token=tGzv3JOkF0XG5Qx2TlKWIA&client_secret=s3cr3t", "grant_type=refresh_token&refresh_token=[redacted:token]&client_secret=[redacted:token]"},
		{"client_assertion=" + testJWT + "&client_id=shcr", "client_assertion=[redacted:token]&client_id=shcr"},
		{`{"access_token": "` + testToken + `", "id_token":"x\"y", "token_type":"Bearer"}`, `{"access_token": "[redacted:token]", "id_token":"[redacted:token]", "token_type":"Bearer"}`},
		{"the access_token: " + testToken + " expired", "the access_token: [redacted:token] expired"},
		{"password=hunter2 user=a", "password=[redacted:token] user=a"},
	} {
		if got := Secrets(tc.in); got != tc.want {
			t.Errorf("Secrets(%q)\n got %q\nwant %q", tc.in, got, tc.want)
		}
	}
}

func TestSecretsKeeps(t *testing.T) {
	for _, s := range []string{
		"error (not-found): Patient/123 is not known",
		`Bearer realm="shcr", error="invalid_token", error_description="The access token expired"`,
		"Bearer error=invalid_token",
		"the GP system does not support this request [NOT_IMPLEMENTED]",
		"Spine error code: INVALID_NHS_NUMBER",
		"error_code=5 response_code=400",
		"Mrs Jane Smith, 12 Acacia Avenue, Leeds LS1 4AP, 07700 900123, 943 476 5919",
		"journey planning.service.nhs.uk",
		"",
	} {
		if got := Secrets(s); got != s {
			t.Errorf("Secrets(%q) = %q; it should be unchanged", s, got)
		}
	}
}

var tokenChars = regexp.MustCompile(`^[A-Za-z0-9\-._~+/]{8,}$`)

// forms places a secret in text the way servers echo one.
var forms = []string{
	"Bearer %s", "bearer\t%s", "Authorization: Bearer %s", "authorization=%s", `"Authorization": "Basic %s"`,
	"access_token=%s", "refresh_token=%s&x=1", "id_token=%s", "client_secret=%s", "client_assertion=%s",
	"code=%s", `{"access_token":"%s"}`, `"refresh_token" : "%s"`, "access_token: %s", "DPoP %s",
}

func FuzzSecrets(f *testing.F) {
	f.Add("before ", testToken, " after", uint8(0))
	f.Add("Bearer ", testToken, "", uint8(1))
	f.Add("", testJWT, "", uint8(5))
	f.Add(`x="`, "abcdefgh12", `"`, uint8(11))
	f.Fuzz(func(t *testing.T, prefix, secret, suffix string, form uint8) {
		if !tokenChars.MatchString(secret) || isScheme(secret) {
			return
		}
		// The secret stands on its own: a space either side (unless the form quotes it), so
		// prefix and suffix cannot lengthen it; and they must not hold it themselves.
		if strings.Contains(prefix+" "+suffix, secret) {
			return
		}
		in := prefix + " " + strings.Replace(forms[int(form)%len(forms)], "%s", secret, 1) + " " + suffix
		if strings.Count(in, secret) != 1 {
			return
		}
		out := Secrets(in)
		if strings.Contains(out, secret) {
			t.Fatalf("Secrets(%q) = %q still holds the secret %q", in, out, secret)
		}
		if s := String(in); strings.Contains(s, secret) {
			t.Fatalf("String(%q) = %q still holds the secret %q", in, s, secret)
		}
		if s := ServerText(in); strings.Contains(s, secret) || !safetext.Safe(s, false) {
			t.Fatalf("ServerText(%q) = %q holds the secret %q or is not terminal-safe", in, s, secret)
		}
		if s := ServerTextMulti(in); strings.Contains(s, secret) || !safetext.Safe(s, true) {
			t.Fatalf("ServerTextMulti(%q) = %q holds the secret %q or is not terminal-safe", in, s, secret)
		}
	})
}

func TestStringMakesLogTextTerminalSafe(t *testing.T) {
	in := "mapping failed: \x1b]52;c;ZXZpbA==\x07 name \u202eevil\u202c\nstack:\n\tmain.go:1"
	want := "mapping failed: \ufffd name evil\nstack:\n\tmain.go:1"
	if got := String(in); got != want {
		t.Errorf("String(%q) = %q, want %q", in, got, want)
	}
}

func TestServerText(t *testing.T) {
	for _, tc := range []struct{ in, secret, keep string }{
		// The escape sequence after a token is removed whole, its payload with it.
		{"access_token=abc123\x1b]52;c;ZXZpbA==\x07 end", "abc123", " end"},
		// A key name the sanitiser would cut ("ESC SP c" is a sequence of its own) is read first.
		{"\x1b code=s3cr3t-value", "s3cr3t-value", "ode="},
		// A zero-width character inside a token does not split it.
		{"Bearer abc\u200bdef123 x", "def123", "Bearer [redacted:token] x"},
		{"refresh_token=abc\u200bdef123", "def123", "refresh_token=[redacted:token]"},
	} {
		got := ServerText(tc.in)
		if strings.Contains(got, tc.secret) || strings.Contains(got, "ZXZpbA==") || !strings.Contains(got, tc.keep) || !safetext.Safe(got, false) {
			t.Errorf("ServerText(%q) = %q: want no %q, keeping %q", tc.in, got, tc.secret, tc.keep)
		}
	}
}
