package fhir

import (
	"testing"

	"github.com/shcr-project/shcr/record"
)

// Every section of record's section table has a mapping with its R4 searches, and client/fhir
// holds none for a section the table does not list.
func TestEverySectionHasAMapping(t *testing.T) {
	for _, sec := range record.Sections() {
		sm, ok := sectionMappings[sec]
		if !ok || sm.mapR4 == nil || (len(SectionQueries(sec)) == 0 && !sm.nationalOnly) {
			t.Errorf("section %q has no complete mapping", sec)
		}
		if sm.gpc != nil && sm.gpc.mapping == nil {
			t.Errorf("section %q: GP Connect part without a mapping", sec)
		}
	}
	if len(sectionMappings) != len(record.Sections()) {
		t.Errorf("%d mappings for %d sections", len(sectionMappings), len(record.Sections()))
	}
}
