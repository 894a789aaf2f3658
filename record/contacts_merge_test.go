package record

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

func contact(backend, key, name, rel string, rank int, roles []string, phones ...string) Contact {
	c := Contact{Item: Item{Key: key, Provenance: Provenance{Backend: backend}}, Name: name, Relationship: rel, Rank: rank, Roles: roles}
	for _, p := range phones {
		num, use, _ := strings.Cut(p, "/")
		c.Phones = append(c.Phones, Phone{Number: num, Use: use})
	}
	return c
}

func TestMergeFoldsTheSameContactFromSeveralBackends(t *testing.T) {
	tests := []struct {
		name  string
		parts [][]Contact // one part per back end, merged in order
		want  []string    // each row: "name|relationship|roles|phones|rank|backends"
	}{{
		name: "NHS next of kin, council key holder, GP text-only: one row with every role and provenance",
		parts: [][]Contact{
			{contact("shcr", "Patient/1#contact-1@epr", "Mrs Margaret Brackenbury", "Wife", 1, []string{RoleNextOfKin}, "01632 960202/home", "07700 900201/mobile")},
			{contact("council", "https://la/id|rp-1", "Mrs Margaret Brackenbury", "wife", 2, []string{RoleKeyHolder, RoleNextOfKin}, "+44 (0)7700 900201/mobile")},
			{contact("gp", "Patient/gp-1#contact-1@gp", "Margaret Brackenbury", "", 0, []string{RoleNextOfKin}, "01632-960202", "01632 960299/work")},
		},
		want: []string{"Mrs Margaret Brackenbury|Wife|next-of-kin,key-holder|01632 960202 home,07700 900201 mobile,01632 960299 work|1|shcr,council,gp"},
	}, {
		name: "the same name with no number in common: two people",
		parts: [][]Contact{
			{contact("shcr", "a", "Mr John Smith", "Son", 1, []string{RoleNextOfKin}, "07700 900001")},
			{contact("council", "b", "Mr John Smith", "Son", 2, []string{RoleKeyHolder}, "07700 900002")},
		},
		want: []string{"Mr John Smith|Son|next-of-kin|07700 900001|1|shcr", "Mr John Smith|Son|key-holder|07700 900002|2|council"},
	}, {
		name: "the same name and home phone but a different relationship (father and son): two people",
		parts: [][]Contact{
			{contact("shcr", "a", "Mr John Smith", "Husband", 1, []string{RoleNextOfKin}, "01632 960001/home")},
			{contact("council", "b", "Mr John Smith", "Son", 2, []string{RoleKeyHolder}, "01632 960001/home")},
		},
		want: []string{"Mr John Smith|Husband|next-of-kin|01632 960001 home|1|shcr", "Mr John Smith|Son|key-holder|01632 960001 home|2|council"},
	}, {
		name: "a different name sharing a phone: two people",
		parts: [][]Contact{
			{contact("shcr", "a", "Mrs Ann Smith", "Wife", 1, nil, "01632 960001")},
			{contact("council", "b", "Mr John Smith", "Husband", 0, nil, "01632 960001")},
		},
		want: []string{"Mrs Ann Smith|Wife||01632 960001|1|shcr", "Mr John Smith|Husband||01632 960001|0|council"},
	}, {
		name: "one back end listing two entries for one name is left as it is",
		parts: [][]Contact{
			{contact("shcr", "a", "Mr John Smith", "", 1, []string{RoleNextOfKin}, "01632 960001"),
				contact("shcr", "b", "Mr John Smith", "", 2, []string{RoleEmergencyContact}, "01632 960001")},
		},
		want: []string{"Mr John Smith||next-of-kin|01632 960001|1|shcr", "Mr John Smith||emergency-contact|01632 960001|2|shcr"},
	}, {
		name: "no phone at all: never folded by name alone",
		parts: [][]Contact{
			{contact("shcr", "a", "Mr John Smith", "Son", 1, nil)},
			{contact("council", "b", "Mr John Smith", "Son", 1, nil)},
		},
		want: []string{"Mr John Smith|Son|||1|shcr", "Mr John Smith|Son|||1|council"},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var r Record
			for _, p := range tc.parts {
				r.Merge(Part{Backend: p[0].Provenance.Backend, Sections: SectionsData{NextOfKin: p}})
			}
			// A second merge of the same parts (a refresh) changes nothing.
			for _, p := range tc.parts {
				r.Merge(Part{Backend: p[0].Provenance.Backend, Sections: SectionsData{NextOfKin: p}})
			}
			var got []string
			for _, c := range r.Sections.NextOfKin {
				var phones []string
				for _, p := range c.Phones {
					phones = append(phones, strings.TrimSpace(p.Number+" "+p.Use))
				}
				backends := []string{c.Provenance.Backend}
				for _, a := range c.AlsoFrom {
					backends = append(backends, a.Backend)
				}
				got = append(got, strings.Join([]string{c.Name, c.Relationship, strings.Join(c.Roles, ","),
					strings.Join(phones, ","), strconv.Itoa(c.Rank), strings.Join(backends, ",")}, "|"))
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("rows:\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestFoldingAContactDoesNotChangeAnEarlierMaskedCopy(t *testing.T) {
	var r Record
	a := contact("shcr", "a", "Mrs Ann Smith", "Wife", 1, []string{RoleNextOfKin}, "07700 900001")
	r.Merge(Part{Backend: "shcr", Sections: SectionsData{NextOfKin: []Contact{a}}})
	before := r.Masked(nil)
	r.Merge(Part{Backend: "council", Sections: SectionsData{NextOfKin: []Contact{
		contact("council", "b", "Ann Smith", "Wife", 0, []string{RoleKeyHolder}, "07700900001/mobile")}}})
	if got := r.Sections.NextOfKin[0]; !slices.Equal(got.Roles, []string{RoleNextOfKin, RoleKeyHolder}) || got.Phones[0].Use != "mobile" {
		t.Fatalf("folded = %+v", got)
	}
	if got := before.Sections.NextOfKin[0]; len(got.Roles) != 1 || got.Phones[0].Use != "" {
		t.Fatalf("the earlier copy changed: %+v", got)
	}
}

func TestNormalisePhone(t *testing.T) {
	for in, want := range map[string]string{
		"07700 900201":        "07700900201",
		"07700-900201":        "07700900201",
		"+44 7700 900201":     "07700900201",
		"+44 (0)7700 900201":  "07700900201",
		"0044 7700 900201":    "07700900201",
		"(01632) 960202":      "01632960202",
		"+1 555 0100":         "15550100",
		"ext. only":           "",
		"":                    "",
		"01632 960202 ext 12": "0163296020212",
	} {
		if got := NormalisePhone(in); got != want {
			t.Errorf("NormalisePhone(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNormaliseName(t *testing.T) {
	for in, want := range map[string]string{
		"Mrs Margaret  Brackenbury": "margaret brackenbury",
		"margaret brackenbury":      "margaret brackenbury",
		"Dr. Samuel Okafor":         "samuel okafor",
		"Mr O'Brien":                "o'brien",
		"Mr":                        "mr",
		"Susan Marchbank-Reed":      "susan marchbank reed",
	} {
		if got := NormaliseName(in); got != want {
			t.Errorf("NormaliseName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestBackendStatusJSONWritesMilliseconds(t *testing.T) {
	b := BackendStatus{Name: "Demo NHS ShCR", Status: BackendOK, Elapsed: 1500 * time.Millisecond}
	out, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatal(err)
	}
	if m["elapsed_ms"] != float64(1500) || m["name"] != "Demo NHS ShCR" || m["status"] != "ok" {
		t.Fatalf("JSON = %s", out)
	}
	if _, ok := m["Elapsed"]; ok {
		t.Fatalf("JSON has a nanosecond Elapsed too: %s", out)
	}
	var back BackendStatus
	if err := json.Unmarshal(out, &back); err != nil || back.Elapsed != b.Elapsed || back.Name != b.Name {
		t.Fatalf("round trip = %+v, %v", back, err)
	}
	// Inside a Record as well (the value is not addressable there).
	rec, _ := json.Marshal(Record{Backends: []BackendStatus{b}})
	if !strings.Contains(string(rec), `"elapsed_ms":1500`) {
		t.Fatalf("record JSON = %s", rec)
	}
}

func TestMergeFoldsAnItemReportedUnderTheIdentifierOfAResourceFoldedIntoIt(t *testing.T) {
	tests := []struct {
		name     string
		gp, shcr Medication
		wantRows int
	}{{
		name: "the shared care record holds the GP's issue: one row",
		gp: Medication{Item: Item{Key: "gp|statement-1", AlsoKnownAs: []string{"gp|plan-1", "gp|issue-1"}, Provenance: Provenance{Backend: "gp"}},
			Name: "Ramipril"},
		shcr:     Medication{Item: Item{Key: "gp|issue-1", Provenance: Provenance{Backend: "shcr"}}, Name: "Ramipril"},
		wantRows: 1,
	}, {
		name:     "a different identifier: two rows, even with the same medicine",
		gp:       Medication{Item: Item{Key: "gp|statement-1", AlsoKnownAs: []string{"gp|plan-1"}, Provenance: Provenance{Backend: "gp"}}, Name: "Ramipril"},
		shcr:     Medication{Item: Item{Key: "hospital|ms-9", Provenance: Provenance{Backend: "shcr"}}, Name: "Ramipril"},
		wantRows: 2,
	}}
	for _, tc := range tests {
		for _, order := range [][]Medication{{tc.gp, tc.shcr}, {tc.shcr, tc.gp}} {
			var r Record
			for _, m := range order {
				r.Merge(Part{Backend: m.Provenance.Backend, Sections: SectionsData{Medications: []Medication{m}}})
			}
			if got := len(r.Sections.Medications); got != tc.wantRows {
				t.Errorf("%s (%s first): rows = %d, want %d", tc.name, order[0].Provenance.Backend, got, tc.wantRows)
				continue
			}
			if tc.wantRows == 1 {
				first := r.Sections.Medications[0]
				if len(first.AlsoFrom) != 1 || first.AlsoFrom[0].Backend != order[1].Provenance.Backend {
					t.Errorf("%s: also from = %+v", tc.name, first.AlsoFrom)
				}
			}
		}
	}
}

func TestOneBackendsItemsSharingAPlanIdentifierStayApart(t *testing.T) {
	var r Record
	gp := func(key string, aka ...string) Medication {
		return Medication{Item: Item{Key: key, AlsoKnownAs: aka, Provenance: Provenance{Backend: "gp"}}}
	}
	p := Part{Backend: "gp", Sections: SectionsData{Medications: []Medication{gp("gp|s1", "gp|plan"), gp("gp|s2", "gp|plan")}}}
	r.Merge(p)
	r.Merge(p) // sent again: still two
	if len(r.Sections.Medications) != 2 {
		t.Fatalf("medications = %+v", r.Sections.Medications)
	}
}
