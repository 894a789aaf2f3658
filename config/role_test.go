package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A social worker reads social care words unless a vocabulary was chosen: in the file, in
// the environment (SHCR_VOCABULARY), or (cmd/shcr) by flag. Other roles keep health words.
func TestRoleChoosesTheVocabularyNobodyChose(t *testing.T) {
	for _, tc := range []struct {
		name, yaml string
		envVocab   string
		want       Vocabulary
	}{
		{"social worker, nothing chosen", "role: social-worker\n", "", VocabularySocialCare},
		{"social worker, file chose health", "role: social-worker\nvocabulary: health\n", "", VocabularyHealth},
		{"social worker, environment chose health", "role: social-worker\n", "health", VocabularyHealth},
		{"dispatcher, nothing chosen", "role: dispatcher\n", "", VocabularyHealth},
		{"no role", "", "", VocabularyHealth},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "config.yaml")
			if err := os.WriteFile(p, []byte(tc.yaml), 0o600); err != nil {
				t.Fatal(err)
			}
			e := map[string]string{"HOME": "/home/u"}
			if tc.envVocab != "" {
				e["SHCR_VOCABULARY"] = tc.envVocab
			}
			c, err := Load(Options{File: p, Getenv: env(e), Warn: func(string) {}})
			if err != nil {
				t.Fatal(err)
			}
			if c.Vocabulary != tc.want {
				t.Errorf("vocabulary = %q, want %q", c.Vocabulary, tc.want)
			}
		})
	}
}

// Each role's start tab; start_tab in the file wins, and a name that is not a tab stops
// shcr with the key named.
func TestStartTab(t *testing.T) {
	for role, want := range map[Role]string{RoleDischarge: "summary", RoleSocialWorker: "notes", RoleDispatcher: "next-of-kin", "": "summary"} {
		if got := role.StartTab(); got != want {
			t.Errorf("%q.StartTab() = %q, want %q", role, got, want)
		}
		if err := CheckStartTab(role.StartTab()); err != nil {
			t.Errorf("%q: %v", role, err)
		}
	}
	load := func(yaml string, e map[string]string) (Config, error) {
		p := filepath.Join(t.TempDir(), "config.yaml")
		if err := os.WriteFile(p, []byte(yaml), 0o600); err != nil {
			t.Fatal(err)
		}
		e["HOME"] = "/home/u"
		return Load(Options{File: p, Getenv: env(e), Warn: func(string) {}})
	}
	c, err := load("role: dispatcher\nstart_tab: care-team\n", map[string]string{})
	if err != nil || c.StartTab != "care-team" {
		t.Errorf("start_tab: %q, %v", c.StartTab, err)
	}
	c, err = load("role: dispatcher\n", map[string]string{"SHCR_START_TAB": "medications"})
	if err != nil || c.StartTab != "medications" {
		t.Errorf("SHCR_START_TAB: %q, %v", c.StartTab, err)
	}
	if _, err := load("start_tab: alerts\n", map[string]string{}); err == nil || !strings.Contains(err.Error(), `start_tab: "alerts" is not a tab`) {
		t.Errorf("start_tab: alerts: %v", err)
	}
}
