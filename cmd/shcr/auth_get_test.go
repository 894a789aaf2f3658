package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zalando/go-keyring"

	"github.com/shcr-project/shcr/internal/demo"
	"github.com/shcr-project/shcr/internal/nhsnumber"
	"github.com/shcr-project/shcr/internal/oidctest"
)

// shcr get against a council back end that refuses requests without a token from a real
// OpenID provider (zitadel's example OP), next to an NHS back end that needs no sign-in.
// In-process (run), with go-keyring's mock keyring; not parallel.

const getCouncilNHS = "9991230009" // the demo person with an active home care package (council data)

type getSignInSetup struct {
	op      *oidctest.Provider
	guard   *oidctest.Guard
	cfgPath string
	env     func(string) string
}

func newGetSignInSetup(t *testing.T) getSignInSetup {
	t.Helper()
	keyring.MockInit()
	t.Setenv("XDG_STATE_HOME", filepath.Join(t.TempDir(), "state")) // the audit trail
	servers, err := demo.Start(demo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(servers.Close)
	nhs, _ := servers.Backend(demo.NameNHS)
	council, _ := servers.Backend(demo.NameCouncil)
	op := oidctest.Start(t)
	guard := op.RequireToken(t, council.URL)
	cfg := fmt.Sprintf(`backends:
  - name: region
    kind: fhir-r4
    url: %s
    domain: health
  - name: council
    kind: fhir-r4
    url: %s
    domain: social-care
    auth:
      type: device
      issuer: %s
      client_id: %s
      client_secret_env: SHCR_DEVICE_SECRET
      scopes: [openid, profile]
`, nhs.URL, guard.URL, op.Issuer, oidctest.DeviceClientID)
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return getSignInSetup{op: op, guard: guard, cfgPath: path,
		env: authGetenv(t, "SHCR_DEVICE_SECRET", oidctest.DeviceSecret)}
}

func (s getSignInSetup) get(t *testing.T, stderr *authBuffer, args ...string) (stdout string, code int) {
	t.Helper()
	out := &authBuffer{}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	args = append([]string{"get", "--config", s.cfgPath, "--purpose", "direct-care"}, args...)
	a := &app{stdin: strings.NewReader(""), stdout: out, stderr: stderr, getenv: s.env, after: oidctest.NoWait}
	code = a.run(ctx, args)
	return out.String(), code
}

func TestGetNoLoginNamesTheBackEndAndExits4(t *testing.T) {
	s := newGetSignInSetup(t)
	stderr := &authBuffer{}
	out, code := s.get(t, stderr, "--no-login", getCouncilNHS)
	if code != exitPartial {
		t.Fatalf("exit %d, want 4\n%s\n%s", code, out, stderr)
	}
	// The NHS back end still answered: the record is printed.
	if !strings.Contains(out, nhsnumber.Format(getCouncilNHS)) {
		t.Errorf("the record from the other back end should be printed:\n%s", out)
	}
	// One line names the back end and says how to sign in; no prompt was shown.
	var lines []string
	for _, l := range strings.Split(stderr.String(), "\n") {
		if strings.Contains(l, "council") {
			lines = append(lines, l)
		}
	}
	if len(lines) != 1 || !strings.Contains(lines[0], "not signed in") || !strings.Contains(lines[0], "shcr login council") {
		t.Fatalf("want one line naming council and how to sign in, got:\n%s", stderr)
	}
	if strings.Contains(stderr.String(), "Enter the code") {
		t.Fatalf("--no-login must never prompt:\n%s", stderr)
	}
	if _, passed := s.guard.Counts(); passed != 0 {
		t.Fatalf("council was asked %d times without a sign-in", passed)
	}
}

func TestGetSignsInItselfThenPrintsTheRecord(t *testing.T) {
	s := newGetSignInSetup(t)
	// The member of staff reads the code off stderr and approves it on another device.
	approved := make(chan string, 1)
	stderr := approveOnPrompt(t, s.op.Approve, approved)
	out, code := s.get(t, stderr, getCouncilNHS, "--section", "care-packages")
	select {
	case <-approved:
	default:
		t.Fatalf("no device code was shown on stderr:\n%s", stderr)
	}
	if code != exitOK {
		t.Fatalf("exit %d, want 0\n%s\n%s", code, out, stderr)
	}
	for _, want := range []string{"Sign in to council:", s.op.Issuer + "device", "The code expires in",
		"Signed in to council as " + oidctest.UserName + " (" + s.op.Username() + ")."} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	// The council's care package is in the record: the token reached the guarded back end.
	if !strings.Contains(out, nhsnumber.Format(getCouncilNHS)) || !strings.Contains(out, "council ok (2)") ||
		!strings.Contains(out, "Brightwater Home Care Ltd") {
		t.Fatalf("record:\n%s", out)
	}
	if _, passed := s.guard.Counts(); passed == 0 {
		t.Fatal("council was never asked with a token")
	}

	// A second get uses the stored sign-in: no prompt.
	stderr2 := &authBuffer{}
	out2, code := s.get(t, stderr2, getCouncilNHS, "--section", "care-packages", "--no-login")
	if code != exitOK || strings.Contains(stderr2.String(), "Enter the code") || out2 != out {
		t.Fatalf("second get: exit %d\n%s\n%s", code, out2, stderr2)
	}
}
