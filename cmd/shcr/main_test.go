package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/shcr-project/shcr/config"
	"github.com/shcr-project/shcr/internal/demo"
	"github.com/shcr-project/shcr/internal/nhsnumber"
)

// binary is shcr built once for every test that runs it as a real process.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "shcr-cmd-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "shcr")
	if runtime.GOOS == "windows" {
		binary += ".exe"
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	build := exec.Command(goTool, "build", "-o", binary, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building shcr:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type result struct {
	stdout, stderr string
	code           int
}

// testEnv is a clean environment: its own home, config and state directories, and no
// SHCR_ variables from whoever runs the tests.
func testEnv(t *testing.T) []string {
	t.Helper()
	home := t.TempDir()
	return []string{
		"HOME=" + home,
		"XDG_CONFIG_HOME=" + filepath.Join(home, "config"),
		"XDG_STATE_HOME=" + filepath.Join(home, "state"),
		"PATH=" + os.Getenv("PATH"),
	}
}

func envValue(env []string, key string) string {
	for _, kv := range env {
		if k, v, ok := strings.Cut(kv, "="); ok && k == key {
			return v
		}
	}
	return ""
}

// shcr runs the binary and waits for it (at most two minutes).
func shcr(t *testing.T, env []string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Env = env
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errb.String()}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	default:
		t.Fatalf("shcr %v: %v", args, err)
	}
	return r
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\n--- stdout\n%s\n--- stderr\n%s", r.code, r.stdout, r.stderr)
}

// demoPerson returns the demo person whose "shows" line contains what.
func demoPerson(t *testing.T, what string) demo.Person {
	t.Helper()
	for _, p := range demo.People() {
		if p.NHSNumber != "" && strings.Contains(p.Shows, what) {
			return p
		}
	}
	t.Fatalf("no demo person shows %q", what)
	return demo.Person{}
}

// unknownNHSNumber is a valid NHS number that no demo person has.
func unknownNHSNumber(t *testing.T) string {
	t.Helper()
	known := map[string]bool{}
	for _, p := range demo.People() {
		known[p.NHSNumber] = true
	}
	for n := 999999999; n > 999000000; n-- {
		nine := fmt.Sprint(n)
		if d, ok := nhsnumber.CheckDigit(nine); ok && !known[nine+fmt.Sprint(d)] {
			return nine + fmt.Sprint(d)
		}
	}
	t.Fatal("no unknown NHS number found")
	return ""
}

type jsonDoc struct {
	Person *struct {
		NHSNumber string `json:"nhs_number"`
		Name      struct {
			Family string   `json:"family"`
			Given  []string `json:"given"`
			Prefix []string `json:"prefix"`
		} `json:"name"`
		BirthDate string `json:"birth_date"`
		Gender    string `json:"gender"`
	} `json:"person"`
	Sections      map[string][]map[string]any `json:"sections"`
	SectionStatus []map[string]any            `json:"section_status"`
	Backends      []struct {
		Name, Kind, Domain, Status, Error string
	} `json:"backends"`
	Discrepancies []map[string]any `json:"discrepancies"`
}

func parseJSON(t *testing.T, r result) jsonDoc {
	t.Helper()
	var doc jsonDoc
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, r)
	}
	return doc
}

func TestGetDemoJSON(t *testing.T) {
	t.Parallel() // runs the binary with its own home, config and state
	p := demoPerson(t, "Active home-care package")
	r := shcr(t, testEnv(t), "get", "--demo", p.NHSNumber, "--output", "json")
	if r.code != 0 {
		t.Fatalf("want exit 0\n%s", r)
	}
	doc := parseJSON(t, r)
	if doc.Person == nil {
		t.Fatalf("person is null\n%s", r)
	}
	if doc.Person.NHSNumber != p.NHSNumber {
		t.Errorf("nhs_number %q, want %q (10 digits, no spaces)", doc.Person.NHSNumber, p.NHSNumber)
	}
	if !strings.EqualFold(doc.Person.Name.Family, p.Family) || len(doc.Person.Name.Given) == 0 || doc.Person.Name.Given[0] != strings.Fields(p.Given)[0] {
		t.Errorf("name %+v, want family %q given %q", doc.Person.Name, p.Family, p.Given)
	}
	if doc.Person.BirthDate != p.BirthDate || !regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`).MatchString(doc.Person.BirthDate) {
		t.Errorf("birth_date %q, want ISO %q", doc.Person.BirthDate, p.BirthDate)
	}
	want := []string{"care_packages", "referrals_and_orders", "care_team", "medications", "allergies", "next_of_kin", "encounters", "notes", "alerts", "child_protection", "consent"}
	for _, k := range want {
		if _, ok := doc.Sections[k]; !ok {
			t.Errorf("sections has no %q list", k)
		}
	}
	if len(doc.Sections) != len(want) {
		t.Errorf("sections has %d lists, want %d", len(doc.Sections), len(want))
	}
	if len(doc.Sections["care_packages"]) == 0 {
		t.Errorf("this person has an active care package, but care_packages is empty")
	}

	backendNames := map[string]bool{}
	for _, b := range doc.Backends {
		backendNames[b.Name] = true
		if b.Status == "" {
			t.Errorf("back end %q has no status", b.Name)
		}
	}
	if len(doc.Backends) < 2 {
		t.Errorf("want every demo back end in backends, got %+v", doc.Backends)
	}

	items, recorded := 0, 0
	for sec, list := range doc.Sections {
		for i, it := range list {
			items++
			prov, ok := it["provenance"].(map[string]any)
			if !ok {
				t.Errorf("%s[%d] has no provenance object", sec, i)
				continue
			}
			for _, k := range []string{"backend", "organisation", "domain", "author", "source_system", "security"} {
				if _, ok := prov[k]; !ok {
					t.Errorf("%s[%d].provenance has no %q", sec, i, k)
				}
			}
			if sl, ok := prov["security"].([]any); !ok || sl == nil {
				t.Errorf("%s[%d].provenance.security should be a list, is %v", sec, i, prov["security"])
			}
			if _, ok := prov["recorded"]; ok {
				recorded++
			}
			if b, _ := prov["backend"].(string); !backendNames[b] {
				t.Errorf("%s[%d].provenance.backend %q is not one of the back ends", sec, i, b)
			}
			if d, _ := prov["domain"].(string); d != "health" && d != "social-care" {
				t.Errorf("%s[%d].provenance.domain %q", sec, i, d)
			}
		}
	}
	if items == 0 || recorded == 0 {
		t.Errorf("items %d, with a recorded time %d: want some of each", items, recorded)
	}
	for _, secret := range []string{"Bearer", "access_token", "eyJ"} {
		if strings.Contains(r.stdout, secret) {
			t.Errorf("output contains %q", secret)
		}
	}
}

func TestGetDemoOneSectionJSON(t *testing.T) {
	t.Parallel() // runs the binary with its own home, config and state
	p := demoPerson(t, "Dispatcher case")
	r := shcr(t, testEnv(t), "get", "--demo", nhsnumber.Format(p.NHSNumber), "--section", "next-of-kin", "-o", "json")
	if r.code != 0 {
		t.Fatalf("want exit 0\n%s", r)
	}
	doc := parseJSON(t, r)
	if len(doc.Sections) != 1 {
		t.Fatalf("want only next_of_kin, got %d sections", len(doc.Sections))
	}
	kin := doc.Sections["next_of_kin"]
	if len(kin) < 3 {
		t.Errorf("the dispatcher case has several next of kin, got %d", len(kin))
	}
	for _, st := range doc.SectionStatus {
		if st["section"] != "next-of-kin" {
			t.Errorf("section_status lists a section not asked for: %v", st)
		}
	}
}

func TestGetRestrictedItemsAreMasked(t *testing.T) {
	t.Parallel() // runs the binary with its own home, config and state
	p := demoPerson(t, "restricted (R) case note")
	env := testEnv(t)
	r := shcr(t, env, "get", "--demo", p.NHSNumber, "--section", "notes", "--output", "json")
	if r.code != 0 {
		t.Fatalf("want exit 0\n%s", r)
	}
	doc := parseJSON(t, r)
	restricted := 0
	for _, n := range doc.Sections["notes"] {
		if n["restricted"] != true {
			continue
		}
		restricted++
		if txt, _ := n["text"].(string); txt != "" {
			t.Errorf("a restricted note's text is shown: %q", txt)
		}
		if _, ok := n["provenance"].(map[string]any); !ok {
			t.Errorf("a restricted note lost its provenance")
		}
	}
	if restricted == 0 {
		t.Errorf("want the restricted note listed with \"restricted\": true\n%s", r.stdout)
	}

	// Revealing needs a reason, and is audited.
	if r := shcr(t, env, "get", "--demo", p.NHSNumber, "--reveal-restricted", " "); r.code != 2 || !strings.Contains(r.stderr, "needs a reason") {
		t.Errorf("--reveal-restricted without a reason: want exit 2\n%s", r)
	}
	r = shcr(t, env, "get", "--demo", p.NHSNumber, "--section", "notes", "--output", "json", "--reveal-restricted", "safeguarding strategy meeting")
	if r.code != 0 {
		t.Fatalf("want exit 0\n%s", r)
	}
	shown := 0
	for _, n := range parseJSON(t, r).Sections["notes"] {
		if txt, _ := n["text"].(string); n["restricted"] == true && txt != "" {
			shown++
		}
	}
	if shown != restricted {
		t.Errorf("revealed %d of %d restricted notes", shown, restricted)
	}
	events := auditEvents(t, env)
	var opened, revealed int
	requestIDs := map[string]bool{}
	for _, e := range events {
		if e["nhs_number"] != p.NHSNumber || e["purpose"] != "demo" {
			t.Errorf("audit event for the wrong person or purpose: %v", e)
		}
		switch e["event"] {
		case "record-opened":
			opened++
			// Each get sends one request id to the back ends and records it with the open.
			id, _ := e["request_id"].(string)
			if _, err := uuid.Parse(id); err != nil || requestIDs[id] {
				t.Errorf("record-opened request_id %q: not a UUID (%v) or used by an earlier get", id, err)
			}
			requestIDs[id] = true
		case "restricted-revealed":
			revealed++
			if e["reason"] != "safeguarding strategy meeting" {
				t.Errorf("reveal reason %v", e["reason"])
			}
		}
	}
	if opened != 2 || revealed != 1 {
		t.Errorf("want 2 record-opened and 1 restricted-revealed events, got %d and %d: %v", opened, revealed, events)
	}
}

// auditEvents reads the demo audit trail (shcr get --demo) under the test's XDG_STATE_HOME.
func auditEvents(t *testing.T, env []string) []map[string]any {
	t.Helper()
	path := filepath.Join(envValue(env, "XDG_STATE_HOME"), "shcr", "audit-demo.jsonl")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("audit trail: %v", err)
	}
	if fi, err := os.Stat(path); err == nil && runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Errorf("audit trail mode %v, want 0600", fi.Mode().Perm())
	}
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("audit line %q: %v", line, err)
		}
		out = append(out, m)
	}
	return out
}

func TestGetDemoText(t *testing.T) {
	t.Parallel() // runs the binary with its own home, config and state
	p := demoPerson(t, "Active home-care package")
	r := shcr(t, testEnv(t), "get", "--demo", p.NHSNumber)
	if r.code != 0 {
		t.Fatalf("want exit 0\n%s", r)
	}
	banner := strings.SplitN(r.stdout, "\n", 2)[0]
	if !strings.Contains(banner, nhsnumber.Format(p.NHSNumber)) || !strings.Contains(banner, strings.ToUpper(p.Family)) {
		t.Errorf("first line should be the banner with %s and %s: %q", strings.ToUpper(p.Family), nhsnumber.Format(p.NHSNumber), banner)
	}
	if !strings.Contains(r.stdout, "Care packages") {
		t.Errorf("health words expected (Care packages)\n%s", r.stdout)
	}
	if strings.Contains(r.stdout, "\x1b[") {
		t.Errorf("text output has terminal escapes")
	}

	// --vocabulary overrides: the same record in social care words.
	r = shcr(t, testEnv(t), "get", "--demo", p.NHSNumber, "--vocabulary", "social-care", "--section", "care-packages")
	if r.code != 0 || !strings.Contains(r.stdout, "Care and support") {
		t.Errorf("--vocabulary social-care should say Care and support\n%s", r)
	}
}

func TestExitCodes(t *testing.T) {
	t.Parallel() // runs the binary with its own home, config and state
	p := demoPerson(t, "Active home-care package")
	env := testEnv(t)
	defaultPath := filepath.Join(envValue(env, "XDG_CONFIG_HOME"), "shcr", "config.yaml")

	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		stderr string // the whole of stderr must contain this
	}{
		{"found", []string{"get", "--demo", p.NHSNumber}, 0, ""},
		{"modulus 11", []string{"get", "--demo", "999 123 0008"}, 2, "check digit is wrong (Modulus 11)"},
		{"too short", []string{"get", "--demo", "12345"}, 2, "an NHS number has 10 digits, not 5"},
		{"no number", []string{"get", "--demo"}, 2, "give an NHS number"},
		{"no config", []string{"get", p.NHSNumber}, 2, "create " + defaultPath},
		{"no config, interface", []string{}, 2, "shcr demo"},
		{"unknown person", []string{"get", "--demo", unknownNHSNumber(t)}, 3, "no back end knows NHS number"},
		{"bad section", []string{"get", "--demo", p.NHSNumber, "--section", "bloods"}, 2, `--section "bloods" is not a section`},
		{"bad output", []string{"get", "--demo", p.NHSNumber, "--output", "xml"}, 2, `--output "xml": use text, json or md`},
		{"bad vocabulary", []string{"get", "--demo", p.NHSNumber, "--vocabulary", "medical"}, 2, `--vocabulary: "medical" is not a vocabulary (health | social-care)`},
		{"bad role", []string{"get", "--demo", p.NHSNumber, "--role", "nurse"}, 2, `--role: "nurse" is not a role`},
		{"unknown flag", []string{"get", "--demo", p.NHSNumber, "--colour"}, 2, "unknown flag: --colour"},
		{"missing explicit config", []string{"get", "--config", "/nonexistent/shcr.yaml", p.NHSNumber}, 2, "config /nonexistent/shcr.yaml: no such file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := shcr(t, env, tc.args...)
			if r.code != tc.code {
				t.Fatalf("want exit %d\n%s", tc.code, r)
			}
			if !strings.Contains(r.stderr, tc.stderr) {
				t.Errorf("stderr should contain %q\n%s", tc.stderr, r)
			}
		})
	}
	// The look at an unknown person is audited too.
	notFound := 0
	for _, e := range auditEvents(t, env) {
		if e["event"] == "person-not-found" {
			notFound++
		}
	}
	if notFound != 1 {
		t.Errorf("want one person-not-found audit event, got %d", notFound)
	}
}

// TestExitCodeFourWhenABackEndFails federates a demo back end with one that answers 500 to
// everything: the person is found, the record printed, the failure named, exit code 4.
func TestExitCodeFourWhenABackEndFails(t *testing.T) {
	t.Parallel() // runs the binary with its own home, config and state
	file, nhsBackend := brokenCouncilConfig(t)
	p := demoPerson(t, "Active home-care package")
	env := testEnv(t)

	r := shcr(t, env, "get", "--config", file, "--purpose", "direct-care", p.NHSNumber)
	if r.code != 4 {
		t.Fatalf("want exit 4\n%s", r)
	}
	if !strings.Contains(r.stdout, nhsnumber.Format(p.NHSNumber)) {
		t.Errorf("the record should still be printed\n%s", r)
	}
	if !strings.Contains(r.stderr, "broken-council") || !strings.Contains(r.stdout, "broken-council") {
		t.Errorf("the failing back end should be named on stderr and in the output\n%s", r)
	}

	r = shcr(t, env, "get", "--config", file, "--purpose", "direct-care", p.NHSNumber, "--output", "json")
	if r.code != 4 {
		t.Fatalf("want exit 4\n%s", r)
	}
	doc := parseJSON(t, r)
	if doc.Person == nil || doc.Person.NHSNumber != p.NHSNumber {
		t.Errorf("the person should be in the JSON")
	}
	var failed bool
	for _, b := range doc.Backends {
		if b.Name == "broken-council" {
			failed = b.Status == "failed" && b.Error != ""
		}
	}
	if !failed {
		t.Errorf("backends should say broken-council failed, with an error: %+v", doc.Backends)
	}

	// Nobody found, but a back end could not be asked: not a certain "not known" (3) but 4.
	r = shcr(t, env, "get", "--config", file, "--purpose", "direct-care", unknownNHSNumber(t), "--section", "alerts")
	if r.code != 4 || !strings.Contains(r.stderr, "not every back end could be asked") || !strings.Contains(r.stderr, "broken-council") {
		t.Errorf("not found with a failed back end: want exit 4 naming it\n%s", r)
	}

	// --demo ignores the configured back ends: real and demo data never mix.
	r = shcr(t, env, "get", "--config", file, "--demo", p.NHSNumber, "--output", "json", "--section", "alerts")
	if r.code != 0 {
		t.Fatalf("--demo with a config: want exit 0\n%s", r)
	}
	demoNames := demoBackendNames(t)
	for _, b := range parseJSON(t, r).Backends {
		if !slices.Contains(demoNames, b.Name) {
			t.Errorf("--demo asked configured back end %q", b.Name)
		}
	}

	// A back end needing a sign-in, with --no-login: not queried, named, exit 4.
	withSignIn := filepath.Join(t.TempDir(), "signin.yaml")
	cfg2 := fmt.Sprintf(`backends:
  - name: %q
    kind: %s
    url: %s
    domain: %s
  - name: needs-sign-in
    kind: fhir-r4
    url: %s
    domain: health
    auth: {type: pkce, client_id: shcr, issuer: "http://127.0.0.1:1"}
`, nhsBackend.Name, nhsBackend.Kind, nhsBackend.URL, nhsBackend.Domain, nhsBackend.URL)
	if err := os.WriteFile(withSignIn, []byte(cfg2), 0o600); err != nil {
		t.Fatal(err)
	}
	r = shcr(t, env, "get", "--config", withSignIn, "--purpose", "direct-care", "--no-login", p.NHSNumber, "--section", "alerts")
	if r.code != 4 || !strings.Contains(r.stderr, "needs-sign-in") || !strings.Contains(r.stdout, nhsnumber.Format(p.NHSNumber)) {
		t.Errorf("--no-login with a back end needing sign-in: want exit 4, the record, and the back end named\n%s", r)
	}

	// Without a preset purpose, get records direct-care and says so once on stderr.
	r = shcr(t, env, "get", "--config", file, p.NHSNumber, "--section", "alerts")
	if n := strings.Count(r.stderr, "direct-care"); n != 1 {
		t.Errorf("want one notice that direct-care is recorded, got %d\n%s", n, r)
	}
}

func TestBadConfigIsOneLine(t *testing.T) {
	t.Parallel() // runs the binary with its own home, config and state
	env := testEnv(t)
	// The default path under $XDG_CONFIG_HOME is read when there is no --config.
	path := filepath.Join(envValue(env, "XDG_CONFIG_HOME"), "shcr", "config.yaml")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	yaml := "backends:\n  - name: a\n    kind: fhir-r4\n    url: https://a.example.org/fhir\n    domain: health\n  - name: b\n    kind: fhir-r5\n    url: https://b.example.org/fhir\n    domain: health\n"
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	want := "config " + path + `:7:11: backends[1].kind: "fhir-r5" is not a back end kind (fhir-r4 | gp-connect | pds | nrl | flags)` + "\n"
	for _, args := range [][]string{{"get", "9991230009"}, {}, {"demo"}} {
		r := shcr(t, env, args...)
		if r.code != 2 || r.stderr != want || r.stdout != "" {
			t.Errorf("shcr %v: want exit 2 and exactly\n%s%s", args, want, r)
		}
	}

	// A typo'd key, through SHCR_CONFIG.
	other := filepath.Join(t.TempDir(), "typo.yaml")
	if err := os.WriteFile(other, []byte("vocabluary: health\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := shcr(t, append(env, "SHCR_CONFIG="+other), "get", "9991230009")
	if want := "config " + other + ":1:1: vocabluary: unknown key (did you mean vocabulary?)\n"; r.code != 2 || r.stderr != want {
		t.Errorf("want exit 2 and exactly\n%s%s", want, r)
	}
	// A missing file named by SHCR_CONFIG is an error, not "no config".
	r = shcr(t, append(env, "SHCR_CONFIG="+filepath.Join("testdata", "nonexistent.yaml")), "get", "9991230009")
	if r.code != 2 || !strings.Contains(r.stderr, "no such file") {
		t.Errorf("missing SHCR_CONFIG file should be exit 2\n%s", r)
	}
}

func TestDemoServe(t *testing.T) {
	t.Parallel() // runs the binary with its own home, config and state
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, "demo", "--serve")
	cmd.Env = testEnv(t)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()

	want := len(demoBackendNames(t))
	sc := bufio.NewScanner(stdout)
	var lines []string
	for len(lines) < want && sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if len(lines) != want {
		t.Fatalf("want %d lines, got %q (stderr %s)", want, lines, stderr.String())
	}
	urlRe := regexp.MustCompile(`https?://\S+`)
	for i, line := range lines {
		urls := urlRe.FindAllString(line, -1)
		if len(urls) != 1 || !strings.HasSuffix(line, urls[0]) {
			t.Errorf("line %d should end with exactly one base URL: %q", i, line)
			continue
		}
		if !slices.ContainsFunc(config.Kinds(), func(k config.Kind) bool { return slices.Contains(strings.Fields(line), string(k)) }) {
			t.Errorf("line %d does not give the kind: %q", i, line)
		}
		resp, err := http.Get(urls[0] + "/metadata")
		if err != nil {
			t.Errorf("GET %s/metadata: %v", urls[0], err)
			continue
		}
		var cs struct{ ResourceType string }
		err = json.NewDecoder(resp.Body).Decode(&cs)
		resp.Body.Close()
		national := strings.Contains(line, " "+string(config.KindPDS)+" ") || strings.Contains(line, " "+string(config.KindNRL)+" ")
		if national {
			// The national services answer only requests with the headers they require
			// (X-Request-ID…), as the real ones do: an OperationOutcome says what is missing.
			if resp.StatusCode != http.StatusBadRequest || err != nil || cs.ResourceType != "OperationOutcome" {
				t.Errorf("GET %s/metadata without headers: %d %q %v", urls[0], resp.StatusCode, cs.ResourceType, err)
			}
			continue
		}
		if resp.StatusCode != 200 || err != nil || cs.ResourceType != "CapabilityStatement" {
			t.Errorf("GET %s/metadata: %d %q %v", urls[0], resp.StatusCode, cs.ResourceType, err)
		}
	}
	for _, n := range demoBackendNames(t) {
		if !strings.Contains(strings.Join(lines, "\n"), n) {
			t.Errorf("no line names %q", n)
		}
	}

	// ctrl+c stops it cleanly, and nothing else was printed on stdout.
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	rest, _ := io.ReadAll(stdout)
	if err := cmd.Wait(); err != nil {
		t.Errorf("after ctrl+c: %v (stderr %s)", err, stderr.String())
	}
	if len(bytes.TrimSpace(rest)) != 0 {
		t.Errorf("more on stdout after the back ends: %q", rest)
	}
	if urlRe.MatchString(stderr.String()) {
		t.Errorf("stderr has URLs: %q", stderr.String())
	}
}

func demoBackendNames(t *testing.T) []string {
	t.Helper()
	s, err := demo.Start(demoOptions(nil)) // as shcr demo and --demo start them
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var names []string
	for _, b := range s.Backends {
		names = append(names, b.Name)
	}
	return names
}

func TestLogFlag(t *testing.T) {
	t.Parallel() // runs the binary with its own home, config and state
	p := demoPerson(t, "Dispatcher case")
	logFile := filepath.Join(t.TempDir(), "debug.jsonl")
	r := shcr(t, testEnv(t), "get", "--demo", p.NHSNumber, "--output", "json", "--log", logFile)
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("want exit 0 and nothing on stderr\n%s", r)
	}
	parseJSON(t, r) // stdout is only the JSON document
	data, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) < 2 {
		t.Fatalf("want several log lines, got %q", data)
	}
	for i, l := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil || m["msg"] == nil || m["time"] == nil {
			t.Errorf("log line %d is not a slog JSON line: %q", i, l)
		}
	}
	for _, pii := range []string{p.NHSNumber, nhsnumber.Format(p.NHSNumber), p.Family, p.Phone} {
		if pii != "" && strings.Contains(string(data), pii) {
			t.Errorf("the log contains personal data %q", pii)
		}
	}
	if fi, err := os.Stat(logFile); err == nil && runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Errorf("log file mode %v, want 0600", fi.Mode().Perm())
	}

	// Without --log nothing is logged anywhere on the terminal either.
	r = shcr(t, testEnv(t), "get", "--demo", p.NHSNumber, "--section", "alerts")
	if r.code != 0 || r.stderr != "" {
		t.Errorf("want exit 0 and an empty stderr\n%s", r)
	}
}

func TestVersion(t *testing.T) {
	t.Parallel() // runs the binary with its own home, config and state
	for _, args := range [][]string{{"version"}, {"--version"}} {
		r := shcr(t, testEnv(t), args...)
		if r.code != 0 || !regexp.MustCompile(`^shcr \S+( \((commit [0-9a-f]+)?(, )?(built \S+)?\))?\n$`).MatchString(r.stdout) {
			t.Errorf("shcr %v\n%s", args, r)
		}
	}
}

// TestREADMENHSNumbers: every NHS-number-looking token in README.md passes Modulus 11,
// every demo person's number is there, and the screenshots it shows exist.
func TestREADMENHSNumbers(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	// Every picture and file the README links to exists.
	links := regexp.MustCompile(`\]\((screenshots/[^)\s]*)\)`).FindAllStringSubmatch(text, -1)
	if len(links) == 0 {
		t.Error("README.md shows no screenshot")
	}
	for _, m := range links {
		if _, err := os.Stat(filepath.Join("..", "..", m[1])); err != nil {
			t.Errorf("README.md links to %s: %v", m[1], err)
		}
	}
	found := regexp.MustCompile(`\b\d{3} \d{3} \d{4}\b`).FindAllString(text, -1)
	if len(found) == 0 {
		t.Fatal("README.md shows no NHS numbers")
	}
	for _, n := range found {
		if !nhsnumber.Valid(n) {
			t.Errorf("README.md shows %q, which fails Modulus 11", n)
		}
	}
	for _, p := range demo.People() {
		if p.NHSNumber == "" {
			continue
		}
		if !strings.Contains(text, nhsnumber.Format(p.NHSNumber)) {
			t.Errorf("README.md does not list demo person %s %s (%s)", p.Given, p.Family, nhsnumber.Format(p.NHSNumber))
		}
	}
}

// brokenCouncilConfig writes a config of two back ends: the demo's regional record, and
// "broken-council", which answers 500 with an HTML page to everything. It returns its path
// and the regional record's back end.
func brokenCouncilConfig(t *testing.T) (string, config.Backend) {
	t.Helper()
	servers, err := demo.Start(demo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(servers.Close)
	broken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusInternalServerError)
		io.WriteString(w, "<html><body><h1>500 Internal Server Error</h1></body></html>")
	}))
	t.Cleanup(broken.Close)
	nhsBackend := servers.Config()[0]
	cfg := fmt.Sprintf(`backends:
  - name: %q
    kind: %s
    url: %s
    domain: %s
  - name: broken-council
    kind: fhir-r4
    url: %s/fhir
    domain: social-care
    timeout: 10s
`, nhsBackend.Name, nhsBackend.Kind, nhsBackend.URL, nhsBackend.Domain, broken.URL)
	file := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(file, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return file, nhsBackend
}
