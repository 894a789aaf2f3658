package main

import (
	"strings"
	"testing"
)

// --role social-worker brings social care words when no vocabulary was chosen; an explicit
// --vocabulary still wins; other roles keep health words.
func TestRoleSetsTheVocabularyUnlessChosen(t *testing.T) {
	t.Parallel() // runs the binary with its own home, config and state
	for _, tc := range []struct {
		args      []string
		want, not string
	}{
		{[]string{"--role", "social-worker"}, "Family and friends", "Next of kin"},
		{[]string{"--role", "social-worker", "--vocabulary", "health"}, "Next of kin", "Family and friends"},
		{[]string{"--role", "dispatcher"}, "Next of kin", "Family and friends"},
	} {
		args := append([]string{"get", "--demo", "9992340002", "--section", "next-of-kin"}, tc.args...)
		r := shcr(t, testEnv(t), args...)
		if r.code != 0 || !strings.Contains(r.stdout, tc.want) || strings.Contains(r.stdout, tc.not) {
			t.Errorf("shcr %v: want %q and not %q\n%s", args, tc.want, tc.not, r)
		}
	}
}
