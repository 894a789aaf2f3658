package config

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func loadYAML(t *testing.T, yaml string) (Config, error) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(p, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	return Load(Options{File: p, Getenv: env(map[string]string{"HOME": "/home/u"})})
}

func TestAuditForwardConfig(t *testing.T) {
	c, err := loadYAML(t, `
audit:
  file: ~/audit/trail.jsonl
  forward:
    - kind: fhir
      url: https://audit.example.org/fhir/
      auth: { type: client-credentials, client_id: shcr, key_file: ~/k.pem, issuer: https://login.example.org }
    - kind: syslog
      address: siem.example.org:6514
      ca_file: /etc/shcr/siem-ca.pem
      cert_file: ~/client.pem
      key_file: ~/client-key.pem
`)
	if err != nil {
		t.Fatal(err)
	}
	if c.Audit.File != "/home/u/audit/trail.jsonl" {
		t.Errorf("file = %q", c.Audit.File)
	}
	if len(c.Audit.Forward) != 2 {
		t.Fatalf("forward = %+v", c.Audit.Forward)
	}
	f, s := c.Audit.Forward[0], c.Audit.Forward[1]
	if f.Kind != SinkFHIR || f.URL != "https://audit.example.org/fhir" || f.Auth.Type != AuthClientCredentials || f.Auth.KeyFile != "/home/u/k.pem" {
		t.Errorf("fhir sink = %+v", f)
	}
	if s.Kind != SinkSyslog || s.Address != "siem.example.org:6514" || s.CAFile != "/etc/shcr/siem-ca.pem" || s.CertFile != "/home/u/client.pem" || s.KeyFile != "/home/u/client-key.pem" {
		t.Errorf("syslog sink = %+v", s)
	}
	if s.Name() != "syslog siem.example.org:6514" || f.Name() != "fhir https://audit.example.org/fhir" {
		t.Errorf("names %q, %q", s.Name(), f.Name())
	}
}

func TestAuditForwardConfigErrors(t *testing.T) {
	cases := []struct{ yaml, want string }{
		{"audit:\n  forward:\n    - kind: syslog\n      adress: a:6514\n", "audit.forward[0].adress: unknown key (did you mean address?)"},
		{"audit:\n  fiel: x\n", "audit.fiel: unknown key (did you mean file?)"},
		{"audit:\n  file: audit.jsonl\n", `audit.file: "audit.jsonl" is not an absolute path: write it in full or from ~/ (e.g. ~/.local/state/shcr/audit.jsonl)`},
		{"audit:\n  forward:\n    - kind: kafka\n", `audit.forward[0].kind: "kafka" is not an audit sink kind (fhir | syslog)`},
		{"audit:\n  forward:\n    - kind: syslog\n", "audit.forward[0].address: missing: the syslog server as host:port, e.g. siem.example.org:6514"},
		{"audit:\n  forward:\n    - kind: syslog\n      address: siem.example.org\n", `audit.forward[0].address: "siem.example.org" is not host:port (e.g. siem.example.org:6514)`},
		{"audit:\n  forward:\n    - kind: syslog\n      address: siem:99999\n", `audit.forward[0].address: "siem:99999": the port must be a number from 1 to 65535 (6514 for syslog over TLS)`},
		{"audit:\n  forward:\n    - kind: syslog\n      address: siem:6514\n      cert_file: c.pem\n", "audit.forward[0].key_file: missing: cert_file is set, so its private key is needed too"},
		{"audit:\n  forward:\n    - kind: syslog\n      address: siem:6514\n      auth: {type: bearer, token_env: T}\n", "audit.forward[0].auth: is for kind fhir; a syslog sink authenticates with cert_file and key_file (mutual TLS)"},
		{"audit:\n  forward:\n    - kind: fhir\n", "audit.forward[0].url: missing: the audit service's FHIR base URL, e.g. https://audit.example.org/fhir"},
		{"audit:\n  forward:\n    - kind: fhir\n      url: http://audit.example.org/fhir\n", "audit.forward[0].url: must be https:// (http:// only for 127.0.0.1/localhost)"},
		{"audit:\n  forward:\n    - kind: fhir\n      url: https://a.example.org\n      address: x:1\n", "audit.forward[0].address: is for kind syslog; a fhir sink has url and auth"},
		{"audit:\n  forward:\n    - kind: fhir\n      url: https://a.example.org\n      auth: {type: pkce, client_id: x}\n", `audit.forward[0].auth.type: "pkce" needs a person at the keyboard; an audit sink is fed in the background: use client-credentials, bearer or none`},
		{"audit:\n  forward:\n    - kind: fhir\n      url: https://a.example.org\n      auth: {type: bearer}\n", "audit.forward[0].auth.token_env: missing: name the environment variable that holds the token (type bearer)"},
		{"audit:\n  forward:\n    - kind: syslog\n      address: s:6514\n    - kind: syslog\n      address: s:6514\n", "audit.forward[1]: the same sink as forward[0]: each sink is listed once"},
		{"audit:\n  forward: syslog\n", "audit.forward: expected a list (lines starting with -), got"},
	}
	for _, c := range cases {
		_, err := loadYAML(t, c.yaml)
		if err == nil {
			t.Errorf("%q loaded; want %q", c.yaml, c.want)
			continue
		}
		msg := err.Error()
		if strings.Contains(msg, "\n") {
			t.Errorf("not one line: %q", msg)
		}
		// Every message names the file, line and column: "config …/config.yaml:4:12: …".
		loc := filePosition.FindStringIndex(msg)
		if loc == nil {
			t.Errorf("%q: no file:line:col in %s", c.yaml, msg)
			continue
		}
		if rest := msg[loc[1]:]; !strings.HasPrefix(rest, c.want) {
			t.Errorf("%q:\n got %s\nwant …%s", c.yaml, msg, c.want)
		}
	}
}

// filePosition finds "config.yaml:LINE:COL: " in a message.
var filePosition = regexp.MustCompile(`config\.yaml:\d+:\d+: `)
