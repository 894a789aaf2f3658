package tui

import (
	"strings"
	"testing"

	"github.com/shcr-project/shcr/internal/demo"
	"github.com/shcr-project/shcr/internal/gate"
	"github.com/shcr-project/shcr/internal/nhsnumber"
	"github.com/shcr-project/shcr/views/vocab"
)

// gatedNationalProgram is gatedProgram with the national services (PDS, NRL) configured.
func gatedNationalProgram(t *testing.T, opts Options) (*flow, *gate.Gate) {
	t.Helper()
	f, g, _ := gatedDemoProgram(t, demo.Options{National: true}, opts)
	return f, g
}

// With PDS configured a slow council does not hold the record: a superseded NHS number is
// verified by PDS, the record opens under the new number at once, with the replaced number on
// the banner and PDS and NRL in the back end line, while the council is still held; its
// sections fill in when it answers.
func TestFlowNationalRecordOpensBeforeSlowBackEnd(t *testing.T) {
	for _, v := range []vocab.Vocabulary{vocab.Health(), vocab.SocialCare()} {
		t.Run(v.Name, func(t *testing.T) {
			f, g := gatedNationalProgram(t, Options{Role: RoleDischarge, Vocabulary: v})
			f.typeText(nhsnumber.Format(demo.NHSSuperseded))
			f.waitFor("valid. Press enter")
			f.press("enter")
			<-g.Arrived() // the council has been asked with the new number, and is held
			f.waitRecord("FENWICK,")
			f.waitFor("WAS REPLACED BY " + nhsnumber.Format(demo.NHSReplacedBy))
			f.waitFor(demo.NamePDS + " ok")
			f.waitFor(demo.NameNRL + " ok")
			f.waitFor(strings.ReplaceAll(v.VerdictChecking, "%s", demo.NameCouncil))
			g.Open()
			f.waitLoaded()
			m := f.settled()
			if s := stripped(m); strings.Contains(s, strings.ReplaceAll(v.VerdictChecking, "%s", demo.NameCouncil)) || !strings.Contains(s, "FENWICK") {
				t.Errorf("settled screen:\n%s", s)
			}
		})
	}
}
