package config

import "testing"

// A national flags back end needs no domain (health); any other kind still does.
func TestFlagsBackendNeedsNoDomain(t *testing.T) {
	c, err := loadYAML(t, `
backends:
  - name: flags
    kind: flags
    url: https://flags.example.nhs.uk/FHIR/R4
`)
	if err != nil {
		t.Fatal(err)
	}
	if b := c.Backends[0]; b.Kind != KindFlags || b.Domain != DomainHealth {
		t.Errorf("flags back end = %+v", b)
	}
	if _, err := loadYAML(t, `
backends:
  - name: regional
    kind: fhir-r4
    url: https://shcr.example.org/fhir
`); err == nil {
		t.Error("a fhir-r4 back end without a domain was accepted")
	}
}
