package tui

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/shcr-project/shcr/client"
	"github.com/shcr-project/shcr/record"
	"github.com/shcr-project/shcr/views/viewstest"
	"github.com/shcr-project/shcr/views/vocab"
)

// TestBannerFactsFollowTheRecord: the banner's whole-record facts (is any item restricted?)
// are worked out once per record change, not every frame — and a part that brings the
// first restricted encounter, or a vocabulary switch, still shows in the very next frame.
func TestBannerFactsFollowTheRecord(t *testing.T) {
	for _, v := range []vocab.Vocabulary{vocab.Health(), vocab.SocialCare()} {
		t.Run(v.Name, func(t *testing.T) {
			m, err := New(context.Background(), Options{Federation: offlineFederation(t), Vocabulary: v,
				Clock: func() time.Time { return viewstest.Now }})
			if err != nil {
				t.Fatal(err)
			}
			noTimers(m)
			m.Update(tea.WindowSizeMsg{Width: 200, Height: 60})
			rec := viewstest.Large(300)
			rec.Person.Restricted = false
			rec.Sections.EachItem(func(_ record.Section, it *record.Item) { it.Restricted = false }) // nothing restricted yet
			m.record.reset()
			m.record.match = client.Match{Person: rec.Person}
			m.record.rec = rec
			m.record.setTab(6) // encounters
			m.page = pageRecord
			m.setKeys()
			chip := "[" + v.RestrictedExist + "]"
			if strings.Contains(m.View(), chip) {
				t.Fatalf("%q shown with nothing restricted", chip)
			}
			// Frames drawn again and again with nothing new: still no chip.
			_ = m.View()
			enc := rec.Sections.Encounters[len(rec.Sections.Encounters)-1]
			enc.Key, enc.Restricted = enc.Key+"-later", true
			m.Update(partMsg{gen: m.record.gen, part: record.Part{Backend: enc.Provenance.Backend,
				Sections: record.SectionsData{Encounters: []record.Encounter{enc}}}})
			if got := m.View(); !strings.Contains(got, chip) {
				t.Fatalf("a restricted encounter arrived but the banner has no %q:\n%s", chip, got)
			}
			other := vocab.SocialCare()
			if v.Name == other.Name {
				other = vocab.Health()
			}
			m.Update(keyMsg("v")) // the other vocabulary: the chip in its words
			if got := m.View(); !strings.Contains(got, "["+other.RestrictedExist+"]") {
				t.Fatalf("after switching vocabulary the banner has no %q:\n%s", "["+other.RestrictedExist+"]", got)
			}
		})
	}
}
