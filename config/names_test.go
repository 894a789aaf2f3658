package config

import (
	"strings"
	"testing"
)

// Back end and organisation names are shown on every row: a name that would act on the
// terminal (an escape sequence, a bidi override, an invisible character) is refused with the
// key named and the character escaped.
func TestNamesThatActOnTheTerminalAreRefused(t *testing.T) {
	backend := func(name, org string) Config {
		c := Config{Backends: []Backend{{Name: name, Kind: KindFHIRR4, URL: "https://shcr.example.org/fhir/R4", Domain: "health",
			GPConnect: GPConnect{OrgName: org}}}}
		ApplyDefaults(&c)
		return c
	}
	for _, tc := range []struct{ name, org, key, shown string }{
		{"council\x1b]0;pwned\x07", "", "backends[0].name", `\x1b`},
		{"council\u202e", "", "backends[0].name", `\u202e`},
		{"coun\u200bcil", "", "backends[0].name", `\u200b`},
		{"coun\u0085cil", "", "backends[0].name", `\u0085`},
		{"council", "Leeds\x1b[2J", "backends[0].gp_connect.org_name", `\x1b`},
	} {
		c := backend(tc.name, tc.org)
		err := c.Validate()
		if err == nil {
			t.Errorf("name %q, org %q: accepted", tc.name, tc.org)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, tc.key) || !strings.Contains(msg, tc.shown) || !strings.Contains(msg, "use plain text") {
			t.Errorf("name %q, org %q: %q should name %s and show %s escaped", tc.name, tc.org, msg, tc.key, tc.shown)
		}
		if strings.ContainsAny(msg, "\x1b\u202e\u200b\u0085") {
			t.Errorf("the message itself carries the character: %q", msg)
		}
	}
	for _, name := range []string{"Leeds Care Record", "Cyngor Gwynedd — Môn", "王 council"} {
		if c := backend(name, name); c.Validate() != nil {
			t.Errorf("%q refused: %v", name, c.Validate())
		}
	}
}
