package client

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/shcr-project/shcr/internal/hostile"
)

// Every error type a back end produces passes its message through safetext and
// logscrub.Secrets, whatever built it: a reason quoting a server (a parse error, a transport
// error, a Spine message) cannot act on the terminal or carry a token into the log.
func TestErrorMessagesAreSafe(t *testing.T) {
	const token = "tok-0123456789.abcdef"
	reason := "said \x1b]0;PWNED-TITLE\x07\u202eno\x1b[2J\nmore: Authorization: Bearer " + token + " access_token=" + token
	errs := []error{
		&HTTPError{Backend: "council", Status: 500, Reason: reason},
		&Error{Backend: "council", Reason: reason},
		&NotQueriedError{Backend: "council", Reason: reason},
		describe("council", 0, 0, fmt.Errorf("wrapped: %w", errors.New(reason))),
	}
	for _, err := range errs {
		msg := err.Error()
		if what := hostile.Interpreted(msg, false); what != "" {
			t.Errorf("%T: %q: %s", err, msg, what)
		}
		if strings.Contains(msg, token) {
			t.Errorf("%T: %q holds the token", err, msg)
		}
		if !strings.Contains(msg, "council") || !strings.Contains(msg, "said") {
			t.Errorf("%T: %q lost its words", err, msg)
		}
	}
	if st := (&Federation{}).statusFor(Info{Name: "council"}, errs[0], 0); hostile.Interpreted(st.Error, false) != "" || strings.Contains(st.Error, token) {
		t.Errorf("back end status error %q", st.Error)
	}
}
