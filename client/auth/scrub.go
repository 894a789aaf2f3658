package auth

import (
	"regexp"
	"strings"

	"github.com/shcr-project/shcr/internal/logscrub"
	"github.com/shcr-project/shcr/internal/safetext"
)

// secretParamRE finds OAuth parameters whose values are secrets, as a server may echo them
// in an error description: access_token=…, refresh_token=…, id_token=…, client_secret=…,
// client_assertion=…, code=…, code_verifier=…, device_code=…, password=… (form or JSON).
var secretParamRE = regexp.MustCompile(`(?i)\b(access_token|refresh_token|id_token|client_secret|client_assertion|code_verifier|device_code|code|password|assertion)("?\s*[=:]\s*"?)[^\s&",;}]+`)

// basicRE finds an HTTP Basic credential (client id and secret).
var basicRE = regexp.MustCompile(`(?i)\b(basic)(\s+|%20)[A-Za-z0-9+/_-]+=*`)

// serverText makes text a sign-in server sent (an error description, a WWW-Authenticate
// value) fit to show or log: credentials, JWTs and secret-valued parameters removed and the
// text made terminal-safe (logscrub.ServerText), plus the parameters only OAuth uses
// (code_verifier, device_code, assertion) and Basic credentials, and cut to one short line.
func serverText(s string) string {
	s = logscrub.ServerText(s)
	s = secretParamRE.ReplaceAllString(s, "${1}${2}"+logscrub.RedactedToken)
	s = basicRE.ReplaceAllString(s, "${1} "+logscrub.RedactedToken)
	return oneLine(s)
}

// errorCode keeps an OAuth error code (RFC 6749 §5.2: printable ASCII without quotes or
// backslash; in practice lower case and underscores) to what is safe to show and log.
func errorCode(s string) string {
	var b strings.Builder
	for _, r := range safetext.Line(s) { // a whole escape sequence goes, not only its ESC

		if (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') || r == '_' || r == '-' || r == '.' {
			b.WriteRune(r)
		}
		if b.Len() >= 40 {
			break
		}
	}
	return b.String()
}
