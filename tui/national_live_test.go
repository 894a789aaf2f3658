package tui

import (
	"context"
	"strings"
	"testing"

	"github.com/shcr-project/shcr/client"
	"github.com/shcr-project/shcr/config"
	"github.com/shcr-project/shcr/internal/demo"
	"github.com/shcr-project/shcr/internal/gate"
	"github.com/shcr-project/shcr/internal/nhsnumber"
	"github.com/shcr-project/shcr/views/vocab"
)

// gatedNationalProgram is gatedProgram with the national services (PDS, NRL) configured.
func gatedNationalProgram(t *testing.T, opts Options) (*flow, *gate.Gate) {
	t.Helper()
	srv, err := demo.Start(demo.Options{National: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	g, err := gate.New(mustBackend(t, srv, demo.NameCouncil).URL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(g.Close)
	user := config.User{Name: "Dr Test User", ID: "999999999999", Role: "R8000", Organisation: demo.DemoUserOrganisation}
	cfg := config.Config{Demo: true, User: user, Backends: srv.Config()}
	for i := range cfg.Backends {
		if cfg.Backends[i].Name == demo.NameCouncil {
			cfg.Backends[i].URL = g.URL
		}
	}
	clock := &fakeClock{t: demo.ReferenceDate}
	fed, err := client.NewFederation(cfg.Backends, client.Options{User: user, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fed.Close)
	opts.Federation, opts.Config, opts.Purpose, opts.Clock = fed, cfg, demoPurpose, clock.Now
	m, err := New(context.Background(), withDemoNumbers(opts))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.close)
	return newFlow(t, m, 120, 40), g
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
