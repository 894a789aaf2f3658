package config

import (
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"strconv"
	"strings"
)

// Audit is where the audit trail is kept and where it is forwarded (the `audit:` key).
//
//	audit:
//	  file: ~/.local/state/shcr/audit.jsonl
//	  forward:
//	    - kind: fhir
//	      url: https://audit.example.org/fhir
//	      auth: { type: client-credentials, ... }
//	    - kind: syslog
//	      address: siem.example.org:6514
//	      ca_file: /etc/shcr/siem-ca.pem
type Audit struct {
	// File is the audit trail; "" for the default ($XDG_STATE_HOME/shcr/audit.jsonl).
	File string `mapstructure:"file"`
	// Forward lists the central sinks every audit event is delivered to.
	Forward []AuditSink `mapstructure:"forward"`
}

// Audit sink kinds.
const (
	SinkFHIR   = "fhir"   // POST [url]/AuditEvent (IHE ATNA RESTful feed)
	SinkSyslog = "syslog" // RFC 5424 over TLS, RFC 5425 octet counting
)

// SinkKinds lists the audit sink kinds.
func SinkKinds() []string { return []string{SinkFHIR, SinkSyslog} }

// AuditSink is one central audit service.
type AuditSink struct {
	Kind string `mapstructure:"kind"` // fhir | syslog
	// fhir
	URL  string `mapstructure:"url"`  // FHIR base URL; events go to [url]/AuditEvent
	Auth Auth   `mapstructure:"auth"` // the same block as a back end's (none, bearer, client-credentials)
	// syslog
	Address  string `mapstructure:"address"`   // host:port (6514 is the RFC 5425 port)
	CAFile   string `mapstructure:"ca_file"`   // CA to verify the server with; system roots otherwise
	CertFile string `mapstructure:"cert_file"` // client certificate (mutual TLS)
	KeyFile  string `mapstructure:"key_file"`  // its private key
}

// Target is what the sink delivers to: the FHIR base URL or the syslog address.
func (s AuditSink) Target() string {
	if s.Kind == SinkFHIR {
		return s.URL
	}
	return s.Address
}

// Name is how the sink is named in messages and logs ("syslog siem.example.org:6514").
func (s AuditSink) Name() string { return s.Kind + " " + s.Target() }

// expandAudit turns a leading "~/" into the home directory in the audit file paths.
func expandAudit(a *Audit, getenv func(string) string) {
	a.File = expandHome(strings.TrimSpace(a.File), getenv)
	for i := range a.Forward {
		s := &a.Forward[i]
		s.Kind = strings.TrimSpace(s.Kind)
		s.URL = strings.TrimRight(strings.TrimSpace(s.URL), "/")
		s.Address = strings.TrimSpace(s.Address)
		s.CAFile = expandHome(s.CAFile, getenv)
		s.CertFile = expandHome(s.CertFile, getenv)
		s.KeyFile = expandHome(s.KeyFile, getenv)
		s.Auth.KeyFile = expandHome(s.Auth.KeyFile, getenv)
		if s.Kind == SinkFHIR && s.Auth.Type == "" {
			s.Auth.Type = AuthNone
		}
	}
}

// validate checks the audit block; errors are *keyError relative to "audit".
func (a Audit) validate() error {
	if a.File != "" && !filepath.IsAbs(a.File) {
		return keyErr("file", "%q is not an absolute path: write it in full or from ~/ (e.g. ~/.local/state/shcr/audit.jsonl)", a.File)
	}
	seen := map[string]int{}
	for i, s := range a.Forward {
		at := fmt.Sprintf("forward[%d]", i)
		if err := s.validate(); err != nil {
			var ke *keyError
			if errors.As(err, &ke) {
				return &keyError{at + "." + ke.key, ke.err}
			}
			return &keyError{at, err}
		}
		id := s.Kind + " " + s.Target()
		if j, dup := seen[id]; dup {
			return keyErr(at, "the same sink as forward[%d]: each sink is listed once", j)
		}
		seen[id] = i
	}
	return nil
}

func (s AuditSink) validate() error {
	if err := oneOf(s.Kind, "an audit sink kind", SinkKinds()); err != nil {
		return &keyError{"kind", err}
	}
	switch s.Kind {
	case SinkFHIR:
		if s.URL == "" {
			return keyErr("url", "missing: the audit service's FHIR base URL, e.g. https://audit.example.org/fhir")
		}
		if err := checkURL(s.URL); err != nil {
			return &keyError{"url", err}
		}
		for _, k := range []struct{ key, val string }{{"address", s.Address}, {"ca_file", s.CAFile}, {"cert_file", s.CertFile}, {"key_file", s.KeyFile}} {
			if k.val != "" {
				return keyErr(k.key, "is for kind syslog; a fhir sink has url and auth")
			}
		}
		switch s.Auth.Type {
		case AuthPKCE, AuthDevice:
			return keyErr("auth.type", "%q needs a person at the keyboard; an audit sink is fed in the background: use client-credentials, bearer or none", s.Auth.Type)
		}
		if err := s.Auth.validate(); err != nil {
			var ke *keyError
			if errors.As(err, &ke) {
				return &keyError{"auth." + ke.key, ke.err}
			}
			return err
		}
	case SinkSyslog:
		if s.Address == "" {
			return keyErr("address", "missing: the syslog server as host:port, e.g. siem.example.org:6514")
		}
		host, port, err := net.SplitHostPort(s.Address)
		if err != nil || host == "" {
			return keyErr("address", "%q is not host:port (e.g. siem.example.org:6514)", s.Address)
		}
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return keyErr("address", "%q: the port must be a number from 1 to 65535 (6514 for syslog over TLS)", s.Address)
		}
		if s.URL != "" {
			return keyErr("url", "is for kind fhir; a syslog sink has address")
		}
		if s.Auth.Type != "" || s.Auth.ClientID != "" || s.Auth.TokenEnv != "" || s.Auth.KeyFile != "" || s.Auth.TokenURL != "" || s.Auth.Issuer != "" || len(s.Auth.Scopes) > 0 {
			return keyErr("auth", "is for kind fhir; a syslog sink authenticates with cert_file and key_file (mutual TLS)")
		}
		if (s.CertFile == "") != (s.KeyFile == "") {
			if s.CertFile == "" {
				return keyErr("cert_file", "missing: key_file is set, so the client certificate is needed too")
			}
			return keyErr("key_file", "missing: cert_file is set, so its private key is needed too")
		}
	}
	return nil
}

// auditShape refuses an `audit.forward` that is not a list (weak decoding would otherwise
// read `forward: syslog` as a list of one string).
func auditShape(file string, data []byte, settings map[string]any) error {
	a, ok := settings["audit"].(map[string]any)
	if !ok {
		return nil
	}
	if f, ok := a["forward"]; ok && f != nil {
		if _, list := f.([]any); !list {
			return locate(&Error{File: file, Key: "audit.forward", Msg: "expected a list (lines starting with -), got " + valueKind(f)}, data, false)
		}
	}
	return nil
}
