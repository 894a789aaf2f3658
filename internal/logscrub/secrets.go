package logscrub

import (
	"regexp"
	"strings"

	"github.com/shcr-project/shcr/internal/safetext"
)

// Secrets removes credentials from text a server sent back — OperationOutcome diagnostics,
// error pages, token endpoint error descriptions, WWW-Authenticate values — before shcr shows
// or logs it: a careless server may echo the request's Authorization header or token.
//
// Removed: the credentials after an authorization scheme (Bearer, Basic, DPoP, Negotiate,
// MAC) and of an Authorization or Proxy-Authorization header; JWTs (a base64url JSON header
// and two more segments); and the value of access_token, refresh_token, id_token,
// client_secret, client_assertion, assertion, code, device_code, password, token and
// subject_token whether written key=value (query string, form), "key": "value" (JSON) or
// key: value. Each becomes RedactedToken; the key or scheme is kept, so the message still
// says what was there. An auth-param such as realm="x" after a scheme is kept.
//
// Secrets is for honest but careless servers: text shaped to evade it (a token split or
// encoded) is not caught. It keeps NHS numbers and telephone numbers; String removes those
// too, and calls Secrets.
func Secrets(s string) string {
	if !mayHoldSecret(s) {
		return s
	}
	// Named values first: a scheme followed by "access_token: x" must not take the name
	// for the credentials and leave the value.
	s = jsonKVRE.ReplaceAllString(s, "${1}"+RedactedToken+"${3}")
	s = kvRE.ReplaceAllString(s, "${1}"+RedactedToken)
	s = colonKVRE.ReplaceAllString(s, "${1}"+RedactedToken)
	s = headerRE.ReplaceAllStringFunc(s, redactHeader)
	s = schemes(s)
	return jwtAnyRE.ReplaceAllString(s, RedactedToken)
}

// secretKeys are the names whose values are secrets in a query string, form or JSON body.
const secretKeys = `access_token|refresh_token|id_token|client_secret|client_assertion|subject_token|device_code|assertion|password|token|code`

// Values end at a control character: an escape sequence after a token is left
// whole, for the terminal sanitiser to remove as one.
var (
	// authorization header, as a header line, a form or query value, or a JSON member; the
	// scheme (if any) is kept.
	headerRE = regexp.MustCompile(`(?i)\b((?:proxy-)?authorization"?\s*[:=]\s*"?)((?:bearer|basic|dpop|negotiate|mac)(?:\s|%20|\+)+)?([^"\s,;&\p{Cc}]+)`)
	// a scheme followed by credentials (token68; an invisible format character inside does
	// not end them).
	schemeRE = regexp.MustCompile(`(?i)\b(bearer|basic|dpop|negotiate|mac)((?:\s|%20|\+)+)([A-Za-z0-9\-._~+/\p{Cf}]+=*)`)
	// "key": "value" in JSON.
	jsonKVRE = regexp.MustCompile(`(?i)("(?:` + secretKeys + `)"\s*:\s*")((?:[^"\\]|\\.)*)(")`)
	// key=value in a query string or form (also key = "value").
	kvRE = regexp.MustCompile(`(?i)\b((?:` + secretKeys + `)\s*=\s*"?)([^\s"&,;<>'\p{Cc}]+)`)
	// key: value in prose, for the token names only (a "code: 123" in prose is not a secret).
	colonKVRE = regexp.MustCompile(`(?i)\b((?:access_token|refresh_token|id_token|client_secret|client_assertion|subject_token|device_code)"?\s*:\s*"?)([^\s"&,;<>'\[\p{Cc}]+)`)
	// a JWT (JWS or JWE): its header is base64url JSON, so it starts "ey" (or "ew" after "{\n").
	jwtAnyRE = regexp.MustCompile(`\be[wy][A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]*){0,2}`)
)

// mayHoldSecret is a cheap first look: most server text holds none of the words.
func mayHoldSecret(s string) bool {
	l := strings.ToLower(s)
	for _, w := range []string{"bearer", "basic", "dpop", "negotiate", "mac", "authorization", "token", "secret", "assertion", "code", "password", "ey"} {
		if strings.Contains(l, w) {
			return true
		}
	}
	return false
}

func redactHeader(m string) string {
	sub := headerRE.FindStringSubmatch(m)
	if strings.HasPrefix(sub[3], "[redacted") || isScheme(sub[3]) {
		return m // done already, or "Authorization: Bearer Bearer x": the scheme rule reads on
	}
	out := sub[1]
	if sub[2] != "" {
		out += strings.TrimRight(sub[2], " \t\r\n+%20") + " "
	}
	return out + RedactedToken
}

// schemes redacts the credentials after each authorization scheme. A scheme word followed
// by another ("Bearer Bearer abc") is read as the second; a name followed by = and a value
// (realm="x", error=invalid_token) is an auth-param and kept.
func schemes(s string) string {
	var b strings.Builder
	last, pos := 0, 0
	for pos < len(s) {
		loc := schemeRE.FindStringSubmatchIndex(s[pos:])
		if loc == nil {
			break
		}
		for i := range loc {
			loc[i] += pos
		}
		tokStart, tokEnd := loc[6], loc[7]
		tok := s[tokStart:tokEnd]
		switch {
		case isScheme(tok):
			pos = tokStart // the "token" is itself a scheme: read from there
			continue
		case authParam(s, tok, tokEnd):
			pos = tokEnd
			continue
		}
		b.WriteString(s[last:loc[2]])
		b.WriteString(s[loc[2]:loc[3]]) // the scheme as written
		b.WriteString(" " + RedactedToken)
		last, pos = tokEnd, tokEnd
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

func isScheme(w string) bool {
	switch strings.ToLower(w) {
	case "bearer", "basic", "dpop", "negotiate", "mac":
		return true
	}
	return false
}

// authParam reports whether tok (ending at end in s) is the name of an auth-param
// (realm="x", error=invalid_token) or of another name=value pair rather than credentials: a
// name with one '=' right after it and a value straight after that. A quoted value counts only
// after a known auth-param name, so that a token ending in '=' inside quotes is still caught.
// Secret names (code=, access_token=…) are left to the key=value rule.
func authParam(s, tok string, end int) bool {
	name := strings.TrimRight(tok, "=")
	if len(tok)-len(name) != 1 || end >= len(s) || strings.ContainsAny(name, "./+~") {
		return false
	}
	switch c := s[end]; {
	case c == '"':
		switch strings.ToLower(name) {
		case "realm", "scope", "error", "error_description", "error_uri", "algs", "charset", "nonce", "resource_metadata":
			return true
		}
		return false
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_', c == '-', c == '.', c == '~', c == '+', c == '/':
		return true
	}
	return false
}

// ServerText makes one line of text a server sent safe to show and log: nothing a terminal
// would act on (safetext.Line) and no credential (Secrets). Secrets runs before the
// sanitiser, so that a removed escape sequence cannot swallow part of a key name
// ("ESC code=x": ESC SP c is a sequence of its own), and after it, so that a zero-width
// character cannot hide a token from it.
func ServerText(s string) string { return Secrets(safetext.Line(Secrets(s))) }

// ServerTextMulti is ServerText for text that keeps its lines (safetext.Multi).
func ServerTextMulti(s string) string { return Secrets(safetext.Multi(Secrets(s))) }
