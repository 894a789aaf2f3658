package vocab_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/shcr-project/shcr/views/vocab"
)

// Every field of both tables is filled in: a missing word would show as a blank on screen.
func TestEveryWordIsSet(t *testing.T) {
	for _, v := range []vocab.Vocabulary{vocab.Health(), vocab.SocialCare()} {
		rv := reflect.ValueOf(v)
		for i := range rv.NumField() {
			f := rv.Type().Field(i)
			if f.Type.Kind() == reflect.String && rv.Field(i).String() == "" {
				t.Errorf("%s: %s is empty", v.Name, f.Name)
			}
		}
	}
}

// The pairs the issue names, tab names first.
func TestPairs(t *testing.T) {
	h, s := vocab.Health(), vocab.SocialCare()
	pairs := [][2]string{
		{h.TabSummary, "Summary"}, {s.TabSummary, "Summary"},
		{h.TabCarePackages, "Care packages"}, {s.TabCarePackages, "Care and support"},
		{h.TabCareTeam, "Care team"}, {s.TabCareTeam, "Professionals"},
		{h.TabMedications, "Medications"}, {s.TabMedications, "Medicines"},
		{h.TabAllergies, "Allergies"}, {s.TabAllergies, "Allergies"},
		{h.TabNextOfKin, "Next of kin"}, {s.TabNextOfKin, "Family and friends"},
		{h.TabEncounters, "Encounters"}, {s.TabEncounters, "Visits and appointments"},
		{h.TabNotes, "Clinical notes"}, {s.TabNotes, "Case notes"},
		{h.Person, "patient"}, {s.Person, "person"},
		{h.Professional, "clinician"}, {s.Professional, "professional"},
		{h.Discharge, "discharge"}, {s.Discharge, "leaving hospital"},
	}
	for _, p := range pairs {
		if p[0] != p[1] {
			t.Errorf("got %q, want %q", p[0], p[1])
		}
	}
}

// No distinctive word of one vocabulary appears anywhere in the other's table.
func TestTablesDoNotMix(t *testing.T) {
	for _, v := range []vocab.Vocabulary{vocab.Health(), vocab.SocialCare()} {
		other := v.Other()
		rv := reflect.ValueOf(v)
		for i := range rv.NumField() {
			if rv.Field(i).Kind() != reflect.String {
				continue
			}
			val := strings.ToLower(rv.Field(i).String())
			for _, w := range other.Distinctive() {
				if containsWord(val, strings.ToLower(w)) {
					t.Errorf("%s.%s = %q uses %q from %s", v.Name, rv.Type().Field(i).Name, rv.Field(i).String(), w, other.Name)
				}
			}
		}
	}
}

func containsWord(s, w string) bool {
	for i := 0; ; {
		j := strings.Index(s[i:], w)
		if j < 0 {
			return false
		}
		j += i
		before := j == 0 || !isLetter(s[j-1])
		end := j + len(w)
		after := end == len(s) || !isLetter(s[end])
		if before && after {
			return true
		}
		i = j + 1
	}
}

func isLetter(b byte) bool { return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' }

func TestParse(t *testing.T) {
	for in, want := range map[string]string{"": "health", "health": "health", "social-care": "social-care", " Social-Care ": "social-care"} {
		v, err := vocab.Parse(in)
		if err != nil || v.Name != want {
			t.Errorf("Parse(%q) = %q, %v; want %q", in, v.Name, err, want)
		}
	}
	if _, err := vocab.Parse("nursing"); err == nil || !strings.Contains(err.Error(), "health or social-care") {
		t.Errorf("Parse(nursing) error = %v", err)
	}
	if vocab.Health().Other().Name != "social-care" || vocab.SocialCare().Other().Name != "health" {
		t.Error("Other does not switch")
	}
}

func TestWords(t *testing.T) {
	v := vocab.SocialCare()
	if got := v.ContactRole("lasting-power-of-attorney"); got != "lasting power of attorney" {
		t.Errorf("ContactRole = %q", got)
	}
	if got := v.StatusWord("onhold"); got != "on hold" {
		t.Errorf("StatusWord(onhold) = %q", got)
	}
	if got := v.StatusWord("some-new-code"); got != "some new code" {
		t.Errorf("StatusWord(unknown) = %q", got)
	}
	if got := v.GenderWord(""); got != "Unknown" {
		t.Errorf("GenderWord('') = %q", got)
	}
}
