package config

import "testing"

// The SDS ids GP Connect names the user by come from the file or the environment.
func TestUserSDSIDs(t *testing.T) {
	c, err := Load(Options{File: "testdata/good/user-sds.yaml", Getenv: env(nil)})
	if err != nil {
		t.Fatal(err)
	}
	if c.User.SDSUserID != "555021935107" || c.User.SDSRoleProfileID != "555254242106" || c.User.ID != "jcarter" {
		t.Errorf("user: %+v", c.User)
	}
	c, err = Load(Options{File: "testdata/good/user-sds.yaml", Getenv: env(map[string]string{
		"SHCR_USER_SDS_ROLE_PROFILE_ID": "UNK", "SHCR_USER_SDS_USER_ID": "555000111222",
	})})
	if err != nil {
		t.Fatal(err)
	}
	if c.User.SDSUserID != "555000111222" || c.User.SDSRoleProfileID != "UNK" {
		t.Errorf("env did not override: %+v", c.User)
	}
	for _, bad := range []string{"R8000", "5550 2193", "unk"} {
		if CheckSDSID(bad) == nil {
			t.Errorf("CheckSDSID(%q) = nil", bad)
		}
	}
}
