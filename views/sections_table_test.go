package views

import (
	"testing"

	"github.com/shcr-project/shcr/record"
	"github.com/shcr-project/shcr/views/vocab"
)

// Every section of record's section table has a view (title, table, details), and the
// views hold none for a section the table does not list.
func TestEverySectionHasAView(t *testing.T) {
	for _, sec := range record.Sections() {
		sv, ok := sectionViews[sec]
		if !ok || sv.title == nil || sv.table == nil || sv.fields == nil {
			t.Errorf("section %q has no complete view", sec)
			continue
		}
		for _, v := range []vocab.Vocabulary{vocab.Health(), vocab.SocialCare()} {
			if sv.title(v) == "" {
				t.Errorf("section %q has no title", sec)
			}
		}
	}
	if len(sectionViews) != len(record.Sections()) {
		t.Errorf("%d views for %d sections", len(sectionViews), len(record.Sections()))
	}
}
