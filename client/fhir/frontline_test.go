package fhir

import (
	"testing"

	"github.com/shcr-project/shcr/record"
)

// A care and support plan written by a social worker does not name the social worker as
// its provider: the author is in the provenance. An organisation that wrote it, or a
// performer of its activities, is the provider.
func TestCarePlanProviderIsNeverItsAuthorByName(t *testing.T) {
	for _, tt := range []struct {
		name, author, performer, want, wantAuthor string
	}{
		{"written by a social worker", `{"reference":"Practitioner/sw"}`, ``, "", "Ms Maya Hollis"},
		{"written by the council", `{"reference":"Organization/la"}`, ``, "Demo County Council", "Demo County Council"},
		{"an activity's performer", `{"reference":"Practitioner/sw"}`, `,"performer":[{"reference":"Organization/hc"}]`, "Brightwater Home Care", "Ms Maya Hollis"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			plan := inline(t, `{"resourceType":"CarePlan","id":"cp","status":"active","intent":"plan","subject":{"reference":"Patient/p"},
				"title":"Care and support plan","author":`+tt.author+`,"activity":[{"detail":{"status":"in-progress","description":"Morning visit"`+tt.performer+`}}]}`)
			res := []Resource{plan,
				inline(t, `{"resourceType":"Practitioner","id":"sw","name":[{"family":"Hollis","given":["Maya"],"prefix":["Ms"]}]}`),
				inline(t, `{"resourceType":"Organization","id":"la","name":"Demo County Council"}`),
				inline(t, `{"resourceType":"Organization","id":"hc","name":"Brightwater Home Care"}`)}
			for i := 1; i < len(res); i++ {
				res[i].Mode = "include"
			}
			d, w := MapSection(record.SectionCarePackages, nil, res, socialSrc)
			if len(w) != 0 || len(d.CarePackages) != 1 {
				t.Fatalf("care packages %+v warnings %q", d.CarePackages, w)
			}
			cp := d.CarePackages[0]
			if cp.Provider != tt.want || cp.Provenance.Author.Name != tt.wantAuthor {
				t.Errorf("provider %q author %q, want %q and %q", cp.Provider, cp.Provenance.Author.Name, tt.want, tt.wantAuthor)
			}
		})
	}
}
