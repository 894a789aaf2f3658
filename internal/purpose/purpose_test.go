package purpose

import (
	"errors"
	"strings"
	"sync"
	"testing"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Choice
	}{
		{"direct-care", Choice{Purpose: DirectCare}},
		{"  Direct Care ", Choice{Purpose: DirectCare}},
		{"directcare", Choice{Purpose: DirectCare}},
		{"DIRECT_CARE", Choice{Purpose: DirectCare}},
		{"safeguarding", Choice{Purpose: Safeguarding}},
		{"emergency", Choice{Purpose: Emergency}},
		{"demo", Choice{Purpose: Demo}},
		{"other: checking   a complaint", Choice{Purpose: Other, Reason: "checking a complaint"}},
		{"other=service audit", Choice{Purpose: Other, Reason: "service audit"}},
		{"other: a=b", Choice{Purpose: Other, Reason: "a=b"}},
		{"safeguarding: strategy meeting", Choice{Purpose: Safeguarding, Reason: "strategy meeting"}},
	} {
		got, err := Parse(tc.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.in, err)
			continue
		}
		if got != tc.want {
			t.Errorf("Parse(%q) = %+v, want %+v", tc.in, got, tc.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		in      string
		err     error
		message string
	}{
		{"", ErrEmpty, "no purpose of access given"},
		{"   ", ErrEmpty, "no purpose of access given"},
		{"curiosity", ErrUnknown, `unknown purpose of access "curiosity": choose one of direct-care, safeguarding, emergency, or "other: REASON"`},
		{"other", ErrNeedsReason, `purpose "other" needs a reason: type it as --purpose "other: REASON"`},
		{"other:   ", ErrNeedsReason, `needs a reason`},
		{"other: " + strings.Repeat("x", MaxReason+1), ErrReasonTooBig, "501 characters, at most 500"},
	} {
		_, err := Parse(tc.in)
		if !errors.Is(err, tc.err) {
			t.Errorf("Parse(%q) error = %v, want %v", tc.in, err, tc.err)
			continue
		}
		if !strings.Contains(err.Error(), tc.message) {
			t.Errorf("Parse(%q) message %q does not contain %q", tc.in, err, tc.message)
		}
	}
}

func TestChoosableExcludesDemo(t *testing.T) {
	got := Choosable()
	want := []Purpose{DirectCare, Safeguarding, Emergency, Other}
	if len(got) != len(want) {
		t.Fatalf("Choosable() = %v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("Choosable() = %v, want %v", got, want)
		}
	}
}

func TestResolveOrder(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   Inputs
		want Resolved
	}{
		{"flag beats all", Inputs{Flag: "safeguarding", Config: "direct-care", Role: "dispatcher", Demo: true},
			Resolved{Choice{Purpose: Safeguarding}, FromFlag}},
		{"config beats role", Inputs{Config: "other: ward round review", Role: "dispatcher"},
			Resolved{Choice{Purpose: Other, Reason: "ward round review"}, FromConfig}},
		{"dispatcher role gives emergency", Inputs{Role: "dispatcher", Demo: true},
			Resolved{Choice{Purpose: Emergency}, FromRole}},
		{"other roles preset nothing", Inputs{Role: "discharge"}, Resolved{}},
		{"demo", Inputs{Demo: true}, Resolved{Choice{Purpose: Demo}, FromDemo}},
		{"demo flag in demo", Inputs{Flag: "demo", Demo: true}, Resolved{Choice{Purpose: Demo}, FromFlag}},
		{"nothing", Inputs{}, Resolved{}},
	} {
		got, err := Resolve(tc.in)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if got != tc.want {
			t.Errorf("%s: got %+v, want %+v", tc.name, got, tc.want)
		}
		if got.Preset() != (tc.want.Source != FromNone) {
			t.Errorf("%s: Preset() = %v", tc.name, got.Preset())
		}
	}
}

func TestResolveErrors(t *testing.T) {
	_, err := Resolve(Inputs{Flag: "nosy"})
	if err == nil || !strings.HasPrefix(err.Error(), "--purpose: unknown purpose of access \"nosy\"") {
		t.Errorf("bad flag: %v", err)
	}
	_, err = Resolve(Inputs{Config: "other"})
	if !errors.Is(err, ErrNeedsReason) || !strings.HasPrefix(err.Error(), "config purpose:") {
		t.Errorf("bad config: %v", err)
	}
	_, err = Resolve(Inputs{Flag: "demo"})
	if !errors.Is(err, ErrDemoOnly) {
		t.Errorf("demo outside demo: %v", err)
	}
	// A bad flag is an error even though config would have given a valid purpose.
	if _, err := Resolve(Inputs{Flag: "x", Config: "direct-care"}); !errors.Is(err, ErrUnknown) {
		t.Errorf("bad flag with good config: %v", err)
	}
}

func TestForGet(t *testing.T) {
	c, notice := ForGet(Resolved{})
	if c != (Choice{Purpose: DirectCare}) || notice == "" || !strings.Contains(notice, `"direct-care"`) {
		t.Errorf("ForGet(none) = %+v, %q", c, notice)
	}
	c, notice = ForGet(Resolved{Choice{Purpose: Emergency}, FromRole})
	if c != (Choice{Purpose: Emergency}) || notice != "" {
		t.Errorf("ForGet(emergency) = %+v, %q", c, notice)
	}
}

func TestSessionAsksOncePerPerson(t *testing.T) {
	var s Session
	none := Resolved{}
	if _, ask := s.For(none, "9434765919"); !ask {
		t.Fatal("first open should ask")
	}
	s.Set("9434765919", Choice{Purpose: Safeguarding})
	if c, ask := s.For(none, "9434765919"); ask || c.Purpose != Safeguarding {
		t.Fatalf("second open: %+v ask=%v", c, ask)
	}
	if _, ask := s.For(none, "9991234567"); !ask {
		t.Fatal("another person should be asked")
	}
	if !s.Asked("9434765919") || s.Asked("9991234567") {
		t.Fatal("Asked wrong")
	}
	preset := Resolved{Choice{Purpose: Emergency}, FromRole}
	if c, ask := s.For(preset, "9991234567"); ask || c.Purpose != Emergency {
		t.Fatalf("preset: %+v ask=%v", c, ask)
	}
	s.Reset()
	if _, ask := s.For(none, "9434765919"); !ask {
		t.Fatal("after Reset (sign-out) the next user must be asked")
	}
}

func TestSessionConcurrent(t *testing.T) {
	var s Session
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 100 {
				k := string(rune('a'+i)) + string(rune('a'+j%26))
				s.Set(k, Choice{Purpose: DirectCare})
				s.Get(k)
			}
		}()
	}
	wg.Wait()
	if !s.Asked("az") {
		t.Fatal("lost a choice")
	}
}

func TestChoiceString(t *testing.T) {
	if s := (Choice{Purpose: Other, Reason: "audit"}).String(); s != "other: audit" {
		t.Errorf("got %q", s)
	}
	if s := (Choice{Purpose: Emergency}).String(); s != "emergency" {
		t.Errorf("got %q", s)
	}
}
