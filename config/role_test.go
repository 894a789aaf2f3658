package config

import (
	"os"
	"path/filepath"
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
