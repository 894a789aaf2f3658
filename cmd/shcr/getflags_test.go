package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/shcr-project/shcr/internal/demo"
)

// flagsDoc is the part of `get --output json` this file checks.
type flagsDoc struct {
	Flags []struct {
		Programme string `json:"programme"`
		Current   bool   `json:"current"`
		Notes     string `json:"notes"`
		Plan      *struct {
			PlanType       string `json:"plan_type"`
			LocalAuthority string `json:"local_authority"`
			OutOfHours     []struct {
				Number string `json:"number"`
			} `json:"out_of_hours"`
			Notified bool `json:"unscheduled_access_notified"`
		} `json:"child_protection_plan"`
	} `json:"flags"`
	Consent struct {
		Objected        []string `json:"objected_backends"`
		Withheld        bool     `json:"withheld"`
		EmergencyAccess []string `json:"emergency_access"`
		OptOut          string   `json:"national_data_opt_out"`
	} `json:"consent"`
	Sections struct {
		Encounters []map[string]any `json:"encounters"`
	} `json:"sections"`
	SectionStatus []struct {
		Backend string `json:"backend"`
		Section string `json:"section"`
		State   string `json:"state"`
	} `json:"section_status"`
}

func getFlagsJSON(t *testing.T, r result) flagsDoc {
	t.Helper()
	var d flagsDoc
	if err := json.Unmarshal([]byte(r.stdout), &d); err != nil {
		t.Fatalf("%v\n%s", err, r)
	}
	return d
}

func trailKinds(t *testing.T, env []string) []string {
	t.Helper()
	var out []string
	for _, e := range readTrail(t, env) {
		out = append(out, e["event"].(string))
	}
	return out
}

// `get` reads the child protection plan as scheduled care, and tells the local authority only
// with --unscheduled-access (recorded); a dispatcher's get does not read it at all (exit 4).
func TestGetChildProtection(t *testing.T) {
	t.Parallel()
	env := testEnv(t)
	r := shcr(t, env, "get", "--demo", demo.FlagsChildNHS, "--output", "json", "--purpose", "safeguarding")
	d := getFlagsJSON(t, r)
	if r.code != 0 || len(d.Flags) != 1 || d.Flags[0].Programme != "child-protection" || !d.Flags[0].Current || d.Flags[0].Plan == nil ||
		d.Flags[0].Plan.PlanType != "CPPI" || d.Flags[0].Plan.OutOfHours[0].Number != "01632 960599" || d.Flags[0].Plan.Notified {
		t.Fatalf("scheduled: %+v\n%s", d.Flags, r)
	}
	if strings.Contains(strings.Join(trailKinds(t, env), ","), "child-protection-accessed") {
		t.Error("a scheduled read recorded as a notification")
	}

	r = shcr(t, env, "get", "--demo", demo.FlagsChildNHS, "--role", "dispatcher", "--output", "json")
	d = getFlagsJSON(t, r)
	if r.code != 4 || d.Flags[0].Plan != nil || !strings.Contains(r.stderr, "opened on request") {
		t.Fatalf("dispatcher without --unscheduled-access: %+v\n%s", d.Flags, r)
	}
	r = shcr(t, env, "get", "--demo", demo.FlagsChildNHS, "--role", "dispatcher", "--unscheduled-access")
	if r.code != 0 || !strings.Contains(r.stdout, "out of hours 01632 960599") || !strings.Contains(r.stdout, "the local authority was told") {
		t.Fatalf("--unscheduled-access:\n%s", r)
	}
	if kinds := trailKinds(t, env); kinds[len(kinds)-1] != "child-protection-accessed" {
		t.Errorf("trail = %v", kinds)
	}
}

// An objection: withheld (never "none"), say so in JSON; --break-glass needs the emergency
// purpose and a reason, shows the data and is recorded as break-glass-started.
func TestGetObjectionAndBreakGlass(t *testing.T) {
	t.Parallel()
	env := testEnv(t)
	r := shcr(t, env, "get", "--demo", demo.FlagsObjectionNHS, "--output", "json", "--section", "encounters,consent")
	d := getFlagsJSON(t, r)
	if r.code != 0 || len(d.Consent.Objected) != 1 || d.Consent.Objected[0] != demo.NameNHS || !d.Consent.Withheld ||
		len(d.Sections.Encounters) != 1 || d.Sections.Encounters[0]["withheld"] != "objection" || d.Sections.Encounters[0]["type"] != "" ||
		!strings.Contains(d.Consent.OptOut, "does not apply") {
		t.Fatalf("objection: %+v\n%s", d, r)
	}
	r = shcr(t, env, "get", "--demo", demo.FlagsObjectionNHS, "--section", "encounters")
	if !strings.Contains(r.stdout, "OBJECTED TO SHARING FROM "+demo.NameNHS) || !strings.Contains(r.stdout, "Withheld: objection to sharing") ||
		strings.Contains(r.stdout, "Inpatient stay") {
		t.Fatalf("text:\n%s", r)
	}
	if r = shcr(t, env, "get", "--demo", demo.FlagsObjectionNHS, "--break-glass", "collapsed"); r.code != 2 || !strings.Contains(r.stderr, "--purpose emergency") {
		t.Errorf("--break-glass without emergency:\n%s", r)
	}
	if r = shcr(t, env, "get", "--demo", demo.FlagsObjectionNHS, "--purpose", "emergency", "--break-glass", " "); r.code != 2 {
		t.Errorf("--break-glass without a reason:\n%s", r)
	}
	r = shcr(t, env, "get", "--demo", demo.FlagsObjectionNHS, "--purpose", "emergency", "--break-glass", "collapsed at home", "--output", "json", "--section", "encounters,consent")
	d = getFlagsJSON(t, r)
	if r.code != 0 || d.Consent.Withheld || len(d.Consent.EmergencyAccess) != 1 || d.Sections.Encounters[0]["type"] != "Inpatient stay" {
		t.Fatalf("break glass: %+v\n%s", d, r)
	}
	evs := readTrail(t, env)
	last := evs[len(evs)-1]
	if last["event"] != "break-glass-started" || last["reason"] != "collapsed at home" || last["purpose"] != "emergency" {
		t.Errorf("last audit event = %v", last)
	}
}
