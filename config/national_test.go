package config

import (
	"slices"
	"testing"
)

// The national back ends (demographics, record locator) need no domain, share the auth
// block of every back end, and a record back end lists the organisations it covers.
func TestNationalConfig(t *testing.T) {
	c, err := Load(Options{File: "testdata/good/national.yaml", Getenv: env(nil), Warn: func(string) {}})
	if err != nil {
		t.Fatal(err)
	}
	if c.User.Organisation != "RAJ" {
		t.Errorf("user.organisation = %q, want RAJ (upper case)", c.User.Organisation)
	}
	if got := c.Backends[0].Organisations; !slices.Equal(got, []string{"Y12345", "RAJ"}) {
		t.Errorf("backends[0].organisations = %q", got)
	}
	pds, nrl := c.Backends[1], c.Backends[2]
	if pds.Kind != KindPDS || !pds.Kind.National() || pds.Domain != "" {
		t.Errorf("pds back end: %+v", pds)
	}
	if pds.Auth.Type != AuthClientCredentials || pds.Auth.Alg != "RS512" || pds.Auth.KeyFile == "" {
		t.Errorf("pds auth: %+v", pds.Auth)
	}
	if nrl.Kind != KindNRL || nrl.Auth.Type != AuthNone || nrl.Timeout != DefaultTimeout {
		t.Errorf("nrl back end: %+v", nrl)
	}
	if KindFHIRR4.National() || KindGPConnect.National() {
		t.Error("record back ends are not national")
	}
}

func TestUserOrganisationFromEnvironment(t *testing.T) {
	c, err := Load(Options{File: "testdata/good/minimal.yaml", Getenv: env(map[string]string{"SHCR_USER_ORGANISATION": "y12345"})})
	if err != nil {
		t.Fatal(err)
	}
	if c.User.Organisation != "Y12345" {
		t.Errorf("user.organisation = %q", c.User.Organisation)
	}
	_, err = Load(Options{File: "testdata/good/minimal.yaml", Getenv: env(map[string]string{"SHCR_USER_ORGANISATION": "not ods"})})
	if err == nil || err.Error() != `config testdata/good/minimal.yaml: user.organisation (from SHCR_USER_ORGANISATION): "NOT ODS" is not an ODS code (3 to 10 letters and digits, e.g. RAJ)` {
		t.Errorf("bad organisation from the environment: %v", err)
	}
}
