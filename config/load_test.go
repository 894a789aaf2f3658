package config

import (
	"bufio"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// env returns a Getenv over a fixed map, so tests never read the real environment.
func env(kv map[string]string) func(string) string {
	return func(k string) string { return kv[k] }
}

func TestBrokenConfigsGiveOneExactLine(t *testing.T) {
	files, err := filepath.Glob("testdata/bad/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no broken configs found: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			want := wantLine(t, file)
			_, err := Load(Options{File: file, Getenv: env(nil), Warn: func(string) {}})
			if err == nil {
				t.Fatalf("Load(%s) succeeded; want %q", file, want)
			}
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("error is %T, not *config.Error: %v", err, err)
			}
			got := err.Error()
			if strings.Contains(got, "\n") {
				t.Errorf("message has more than one line: %q", got)
			}
			if full := strings.Replace(want, "FILE", file, 1); got != full {
				t.Errorf("message\n got: %s\nwant: %s", got, full)
			}
		})
	}
}

// wantLine reads the expected message from the file's first line: "# want: config FILE:…",
// where FILE stands for the file's path.
func wantLine(t *testing.T, file string) string {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan()
	line, ok := strings.CutPrefix(sc.Text(), "# want: ")
	if !ok {
		t.Fatalf("%s: first line must be '# want: <message>'", file)
	}
	return line
}

func TestFullConfig(t *testing.T) {
	c, err := Load(Options{File: "testdata/good/full.yaml", Getenv: env(map[string]string{"HOME": "/home/jc"})})
	if err != nil {
		t.Fatal(err)
	}
	if c.File != "testdata/good/full.yaml" || c.Vocabulary != "social-care" || c.Role != "discharge" ||
		c.Purpose != "direct-care" || c.IdleLock != 10*time.Minute {
		t.Errorf("top level: %+v", c)
	}
	if c.User != (User{Name: "Dr Jane Carter", ID: "555021935107", Role: "R8000", Email: "jane.carter@example.nhs.uk"}) {
		t.Errorf("user: %+v", c.User)
	}
	if len(c.Backends) != 3 {
		t.Fatalf("want 3 back ends, got %d", len(c.Backends))
	}
	want0 := Backend{
		Name: "essex-shcr", Kind: KindFHIRR4, URL: "https://shcr.example.org/fhir/R4", Domain: "health",
		Timeout: 20 * time.Second, MaxEntries: 5000,
		Auth: Auth{Type: AuthPKCE, Issuer: "https://auth.example.org", ClientID: "shcr",
			Scopes: []string{"openid", "offline_access", "patient/*.rs"}, Audience: "https://shcr.example.org/fhir/R4"},
	}
	if !reflect.DeepEqual(c.Backends[0], want0) {
		t.Errorf("backends[0]\n got: %+v\nwant: %+v", c.Backends[0], want0)
	}
	b1 := c.Backends[1]
	if b1.Domain != "social-care" || b1.Timeout != DefaultTimeout || b1.MaxEntries != DefaultMaxEntries || b1.Auth.Type != AuthDevice {
		t.Errorf("backends[1] defaults: %+v", b1)
	}
	gp := c.Backends[2]
	if gp.Timeout != 30*time.Second {
		t.Errorf("timeout: 30 should be 30s, got %v", gp.Timeout)
	}
	if gp.Auth.KeyFile != filepath.Join("/home/jc", ".config/shcr/desk-key.pem") {
		t.Errorf("key_file ~ not expanded: %q", gp.Auth.KeyFile)
	}
	if gp.GPConnect != (GPConnect{FromASID: "200000000359", ToASID: "918999198738", FromODS: "RR8",
		MedicationMonths: DefaultMedicationMonths, ConsultationsRecent: DefaultConsultationsRecent}) {
		t.Errorf("gp_connect: %+v", gp.GPConnect)
	}
	if gp.TLS != (TLS{CertFile: "/etc/shcr/client.crt", KeyFile: "/etc/shcr/client.key"}) {
		t.Errorf("tls: %+v", gp.TLS)
	}
}

func TestDefaults(t *testing.T) {
	c, err := Load(Options{File: "testdata/good/minimal.yaml", Getenv: env(nil)})
	if err != nil {
		t.Fatal(err)
	}
	if c.Vocabulary != "health" || c.IdleLock != 5*time.Minute || c.Role != "" || c.Purpose != "" {
		t.Errorf("defaults: %+v", c)
	}
	b := c.Backends[0]
	if b.Timeout != 15*time.Second || b.MaxEntries != 60000 || b.Auth.Type != "none" || b.URL != "http://127.0.0.1:8080/fhir" {
		t.Errorf("back end defaults: %+v", b)
	}

	c, err = Load(Options{File: "testdata/good/empty.yaml", Getenv: env(nil)})
	if err != nil || len(c.Backends) != 0 || c.Vocabulary != "health" {
		t.Errorf("empty file: %+v, %v", c, err)
	}
	c, err = Load(Options{File: "testdata/good/bare-idle-lock.yaml", Getenv: env(nil)})
	if err != nil || c.IdleLock != 3*time.Minute {
		t.Errorf("idle_lock: 3 should be 3 minutes: %v, %v", c.IdleLock, err)
	}
}

func TestEnvironmentOverridesFile(t *testing.T) {
	c, err := Load(Options{File: "testdata/good/full.yaml", Getenv: env(map[string]string{
		"SHCR_VOCABULARY": "health",
		"SHCR_ROLE":       "dispatcher",
		"SHCR_IDLE_LOCK":  "2m",
		"SHCR_USER_NAME":  "Sam Okafor",
	})})
	if err != nil {
		t.Fatal(err)
	}
	if c.Vocabulary != "health" || c.Role != "dispatcher" || c.IdleLock != 2*time.Minute {
		t.Errorf("env did not override: %+v", c)
	}
	if c.User.Name != "Sam Okafor" || c.User.ID != "555021935107" {
		t.Errorf("user: env should override name only: %+v", c.User)
	}

	// A bad value from the environment names the variable.
	_, err = Load(Options{File: "testdata/good/minimal.yaml", Getenv: env(map[string]string{"SHCR_ROLE": "nurse"})})
	want := `config testdata/good/minimal.yaml: role (from SHCR_ROLE): "nurse" is not a role (discharge | social-worker | dispatcher)`
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
}

func TestPathResolution(t *testing.T) {
	dir := t.TempDir()
	xdg := filepath.Join(dir, "xdg")
	home := filepath.Join(dir, "home")

	// Default path under $XDG_CONFIG_HOME, missing: no config, no error.
	c, err := Load(Options{Getenv: env(map[string]string{"XDG_CONFIG_HOME": xdg, "HOME": home})})
	if err != nil || c.File != "" || len(c.Backends) != 0 {
		t.Fatalf("missing default file should mean no config: %+v, %v", c, err)
	}

	// Present under $XDG_CONFIG_HOME: read.
	write(t, filepath.Join(xdg, "shcr", "config.yaml"), "role: social-worker\n")
	c, err = Load(Options{Getenv: env(map[string]string{"XDG_CONFIG_HOME": xdg, "HOME": home})})
	if err != nil || c.Role != "social-worker" || c.File != filepath.Join(xdg, "shcr", "config.yaml") {
		t.Fatalf("XDG config not read: %+v, %v", c, err)
	}

	// No $XDG_CONFIG_HOME (or a relative one, which the spec says to ignore): ~/.config.
	write(t, filepath.Join(home, ".config", "shcr", "config.yaml"), "role: dispatcher\n")
	for _, x := range []string{"", "relative/dir"} {
		c, err = Load(Options{Getenv: env(map[string]string{"XDG_CONFIG_HOME": x, "HOME": home})})
		if err != nil || c.Role != "dispatcher" {
			t.Fatalf("XDG_CONFIG_HOME=%q: ~/.config not read: %+v, %v", x, c, err)
		}
	}

	// SHCR_CONFIG beats the default; --config beats SHCR_CONFIG.
	other := filepath.Join(dir, "other.yaml")
	write(t, other, "role: discharge\n")
	c, err = Load(Options{Getenv: env(map[string]string{"SHCR_CONFIG": other, "XDG_CONFIG_HOME": xdg})})
	if err != nil || c.Role != "discharge" {
		t.Fatalf("SHCR_CONFIG not used: %+v, %v", c, err)
	}
	c, err = Load(Options{File: filepath.Join(xdg, "shcr", "config.yaml"), Getenv: env(map[string]string{"SHCR_CONFIG": other})})
	if err != nil || c.Role != "social-worker" {
		t.Fatalf("--config should beat SHCR_CONFIG: %+v, %v", c, err)
	}

	// An explicit file that is missing is an error, by either route.
	missing := filepath.Join(dir, "nope.yaml")
	for _, o := range []Options{{File: missing, Getenv: env(nil)}, {Getenv: env(map[string]string{"SHCR_CONFIG": missing})}} {
		_, err = Load(o)
		if want := "config " + missing + ": no such file"; err == nil || err.Error() != want {
			t.Errorf("got %v, want %s", err, want)
		}
	}

	// A directory is not a config file.
	_, err = Load(Options{File: dir, Getenv: env(nil)})
	if err == nil || !strings.HasPrefix(err.Error(), "config "+dir+": cannot read: ") {
		t.Errorf("directory as config: %v", err)
	}
}

func TestDemoPurposeOnlyForDemo(t *testing.T) {
	c := Config{Purpose: "demo", Demo: true}
	ApplyDefaults(&c)
	if err := c.Validate(); err != nil {
		t.Errorf("demo config with purpose demo: %v", err)
	}
}

func TestFlagValueChecks(t *testing.T) {
	if err := CheckVocabulary("social-care"); err != nil {
		t.Error(err)
	}
	if err := CheckVocabulary(""); err == nil || err.Error() != "missing: say health or social-care" {
		t.Errorf("empty vocabulary: %v", err)
	}
	if err := CheckRole(""); err != nil {
		t.Errorf("no role is allowed: %v", err)
	}
	if err := CheckPurpose("snooping", false); err == nil || !strings.Contains(err.Error(), `"snooping"`) {
		t.Errorf("purpose: %v", err)
	}
	if err := CheckPurpose("other: checking a referral", false); err != nil {
		t.Errorf("purpose other with reason: %v", err)
	}
	if err := CheckPurpose("demo", false); err == nil {
		t.Error("purpose demo outside the demo should be refused")
	}
}

func write(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestOrganisationsBothShapes(t *testing.T) {
	want := []Organisation{
		{Code: "706", Name: "London Borough of Islington", Domain: "social-care"},
		{Code: "RR8", Name: "Leeds Teaching Hospitals NHS Trust", Domain: "health"},
	}
	for _, file := range []string{"testdata/good/organisations-map.yaml", "testdata/good/organisations-list.yaml"} {
		t.Run(filepath.Base(file), func(t *testing.T) {
			c, err := Load(Options{File: file, Getenv: env(nil)})
			if err != nil {
				t.Fatal(err)
			}
			if len(c.Organisations) != len(want) {
				t.Fatalf("organisations = %+v", c.Organisations)
			}
			for i, o := range c.Organisations {
				o.key = ""
				if o != want[i] {
					t.Errorf("organisations[%d] = %+v, want %+v", i, o, want[i])
				}
			}
		})
	}
	c, err := Load(Options{File: "testdata/good/minimal.yaml", Getenv: env(nil)})
	if err != nil || len(c.Organisations) != 0 {
		t.Errorf("no organisations: got %+v, %v", c.Organisations, err)
	}
}
