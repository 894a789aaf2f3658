package record

import (
	"testing"
	"time"
)

// Coverage is the one place that decides whether a section may be called "none recorded":
// every back end that knows the person must have returned it whole.
func TestCoverageAndNoneRecorded(t *testing.T) {
	sec := SectionAllergies
	for _, tc := range []struct {
		name      string
		backends  []BackendStatus
		statuses  []SectionStatus
		items     int
		none      bool
		unchecked int
	}{
		{"all returned empty", nil, []SectionStatus{{Backend: "a", State: StateReturned}, {Backend: "b", State: StateReturned}}, 0, true, 0},
		{"one failed", nil, []SectionStatus{{Backend: "a", State: StateReturned}, {Backend: "b", State: StateFailed}}, 0, false, 1},
		{"one timed out", nil, []SectionStatus{{Backend: "a", State: StateReturned}, {Backend: "b", State: StateTimedOut}}, 0, false, 1},
		{"one truncated", nil, []SectionStatus{{Backend: "a", State: StateTruncated}}, 0, false, 1},
		{"one not queried", nil, []SectionStatus{{Backend: "a", State: StateReturned}, {Backend: "b", State: StateNotQueried}}, 0, false, 1},
		{"still loading", nil, []SectionStatus{{Backend: "a", State: StateLoading}}, 0, false, 1},
		{"not supported elsewhere is an answer", nil, []SectionStatus{{Backend: "a", State: StateReturned}, {Backend: "b", State: StateNotSupported}}, 0, true, 0},
		{"nobody serves it", nil, []SectionStatus{{Backend: "a", State: StateNotSupported}}, 0, false, 0},
		{"not known elsewhere", []BackendStatus{{Name: "b", Status: BackendNotKnown}}, []SectionStatus{{Backend: "a", State: StateReturned}}, 0, true, 0},
		{"a back end with no status for the section is not checked", []BackendStatus{{Name: "a", Status: BackendOK}, {Name: "b", Status: BackendOK}}, []SectionStatus{{Backend: "a", State: StateReturned}}, 0, false, 1},
		{"a failed back end with no section status", []BackendStatus{{Name: "b", Status: BackendFailed, Error: "x"}}, []SectionStatus{{Backend: "a", State: StateReturned}}, 0, false, 1},
		{"items are never none", nil, []SectionStatus{{Backend: "a", State: StateReturned}}, 1, false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &Record{Backends: tc.backends}
			for _, st := range tc.statuses {
				st.Section = sec
				r.SetStatus(st)
			}
			for range tc.items {
				r.Sections.Allergies = append(r.Sections.Allergies, Allergy{Item: Item{Restricted: true}})
			}
			if got := r.NoneRecorded(sec); got != tc.none {
				t.Errorf("NoneRecorded = %v, want %v", got, tc.none)
			}
			if got := len(r.Coverage(sec).Unchecked); got != tc.unchecked {
				t.Errorf("Unchecked = %d, want %d: %+v", got, tc.unchecked, r.Coverage(sec))
			}
		})
	}
}

func TestReferralsAreNotCarePackages(t *testing.T) {
	r := &Record{}
	r.Merge(Part{Backend: "a", Sections: SectionsData{Referrals: []CarePackage{{Item: Item{Key: "k"}, PackageCategory: PackageOrder}}},
		Status: []SectionStatus{{Backend: "a", Section: SectionCarePackages, State: StateReturned}}})
	if r.Count(SectionCarePackages) != 0 || len(r.Sections.Items(SectionCarePackages)) != 0 || len(r.Sections.Referrals) != 1 || !r.NoneRecorded(SectionCarePackages) {
		t.Errorf("count %d, referrals %d, none %v", r.Count(SectionCarePackages), len(r.Sections.Referrals), r.NoneRecorded(SectionCarePackages))
	}
}

func TestMergePersonKeepsLanguageAndDateOfDeathAsWritten(t *testing.T) {
	r := &Record{}
	r.Merge(Part{Backend: "a", Person: &Person{NHSNumber: "9434765919"}})
	r.Merge(Part{Backend: "b", Person: &Person{Language: "Welsh", Deceased: true,
		DeceasedAt: time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC), DeceasedText: "2025-03"}})
	if p := r.Person; p.Language != "Welsh" || p.DeceasedText != "2025-03" || !p.Deceased {
		t.Errorf("person = %+v", p)
	}
}

func TestNowVersusThen(t *testing.T) {
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	past := now.AddDate(-1, 0, 0)
	if (Contact{Period: Period{End: past}}).Current(now) || (Contact{Inactive: true}).Current(now) || !(Contact{}).Current(now) {
		t.Error("Contact.Current")
	}
	for _, p := range []Phone{{Number: "1", System: PhoneFax}, {Number: "1", System: PhonePager}, {Number: "1", System: PhoneTextphone},
		{Number: "1", Period: Period{End: past}}, {Number: "1", Use: "old"}} {
		if p.Callable(now) {
			t.Errorf("%+v is callable", p)
		}
	}
	if !(Phone{Number: "1", Use: "mobile"}).Callable(now) {
		t.Error("a current mobile is not callable")
	}
	if (Alert{Period: Period{End: past}}).Current(now) || (CareTeamMember{Period: Period{End: past}}).Current(now) {
		t.Error("ended alert or member is current")
	}
}
