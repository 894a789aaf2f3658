package tui

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/shcr-project/shcr/client"
	"github.com/shcr-project/shcr/config"
	"github.com/shcr-project/shcr/internal/demo"
	"github.com/shcr-project/shcr/internal/gate"
	"github.com/shcr-project/shcr/internal/nhsnumber"
	"github.com/shcr-project/shcr/record"
	"github.com/shcr-project/shcr/views"
	"github.com/shcr-project/shcr/views/viewstest"
	"github.com/shcr-project/shcr/views/vocab"
)

// gatedProgram runs the real program against the demo back ends with the council behind a
// gate that holds every request until the test opens it: a back end as slow as the test
// wants, with nobody sleeping. The clock is the test's.
func gatedProgram(t *testing.T, opts Options) (*flow, *gate.Gate, *fakeClock) {
	t.Helper()
	return gatedDemoProgram(t, demo.Options{}, opts)
}

// gatedDemoProgram is gatedProgram over the demo started with demoOpts.
func gatedDemoProgram(t *testing.T, demoOpts demo.Options, opts Options) (*flow, *gate.Gate, *fakeClock) {
	t.Helper()
	gd := startGatedDemo(t, demoOpts)
	opts.Federation, opts.Config, opts.Purpose, opts.Clock = gd.fed, gd.cfg, demoPurpose, gd.clock.Now
	m, err := New(context.Background(), withDemoNumbers(opts))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.close)
	return newFlow(t, m, 120, 40), gd.gate, gd.clock
}

// gatedDemo is the demo back ends with the council behind a gate, the config naming them and
// a federation over them on a clock the test moves.
type gatedDemo struct {
	cfg   config.Config
	fed   *client.Federation
	gate  *gate.Gate
	clock *fakeClock
}

func startGatedDemo(tb testing.TB, demoOpts demo.Options) gatedDemo {
	tb.Helper()
	srv, err := demo.Start(demoOpts)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(srv.Close)
	council, ok := srv.Backend(demo.NameCouncil)
	if !ok {
		tb.Fatalf("no demo back end %q", demo.NameCouncil)
	}
	g, err := gate.New(council.URL)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(g.Close)
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
		tb.Fatal(err)
	}
	tb.Cleanup(fed.Close)
	return gatedDemo{cfg: cfg, fed: fed, gate: g, clock: clock}
}

// The evidence of issue 14 §1: with the council held (as if it took its whole timeout), the
// record is readable as soon as the NHS back end has answered — banner, the NHS back end's
// next of kin, tabs that switch — while the care package verdict says "checking Demo County
// Council…" (never No) and the council's sections wait with the spinner, its name and the
// time waited; when the council answers, the verdict settles and its sections fill in.
func TestFlowRecordReadableBeforeSlowBackEnd(t *testing.T) {
	for _, v := range []vocab.Vocabulary{vocab.Health(), vocab.SocialCare()} {
		t.Run(v.Name, func(t *testing.T) {
			f, g, clock := gatedProgram(t, Options{Role: RoleDischarge, Vocabulary: v})
			checking := strings.ReplaceAll(v.VerdictChecking, "%s", demo.NameCouncil)
			f.typeText(nhsnumber.Format(nhsMarchbank))
			f.waitFor("valid. Press enter")
			f.press("enter")
			<-g.Arrived() // the council has been asked, and is held
			// The record opens on the discharge role's Care packages tab, with the verdict
			// waiting for the council and the council's section waiting with the spinner.
			f.waitRecord("MARCHBANK,")
			f.waitFor(checking)
			f.waitForRe(`[` + spinnerFrames + `] waiting for ` + regexp.QuoteMeta(demo.NameCouncil) + ` \(0 s\)`)
			// The time waited is the injected clock's.
			clock.Advance(4 * time.Second)
			f.press("6") // next of kin: the NHS back end's contacts are there to read
			f.waitForRe(`waiting for ` + regexp.QuoteMeta(demo.NameCouncil) + ` \(4 s\)`)
			f.waitFor("07700 900101") // the next of kin's phone, from the NHS back end
			f.press("1")
			f.waitFor(checking) // the Summary's care package line
			for _, s := range f.log.since(0) {
				s = views.Strip(s)
				for _, never := range []string{strings.ReplaceAll(v.VerdictNo, "%s", ""), strings.ReplaceAll(v.VerdictUnknown, "%s", ""), v.NoneRecorded[:10]} {
					if strings.Contains(s, strings.TrimSpace(never)) {
						t.Fatalf("%q on screen while the council was still being asked:\n%s", never, s)
					}
				}
			}
			// The council answers: its care package fills in, the verdict settles.
			g.Open()
			f.press("2")
			f.waitFor("Brightwater Home Care Ltd")
			f.waitForRe(regexp.QuoteMeta(strings.ReplaceAll(v.VerdictYes, "%s", "")) + `.*Brightwater`)
			f.waitLoaded()
			m := f.settled()
			if !strings.Contains(stripped(m), "Brightwater") || strings.Contains(stripped(m), checking) {
				t.Errorf("settled screen:\n%s", stripped(m))
			}
		})
	}
}

// A later back end that finds a different person under the same NHS number is said in the
// banner as soon as its search answers, before its sections.
func TestFlowLateDiscrepancyAtOnce(t *testing.T) {
	f, g, _ := gatedProgram(t, Options{})
	f.typeText(nhsnumber.Format("9999010008")) // Etheridge: the council has another date of birth
	f.waitFor("valid. Press enter")
	f.press("enter")
	f.waitRecord("ETHERIDGE,")
	for _, s := range f.log.since(0) {
		if strings.Contains(s, vocab.Health().BackendsDisagree) {
			t.Fatal("a discrepancy before the council answered")
		}
	}
	g.Open()
	f.waitFor(vocab.Health().BackendsDisagree)
	f.waitLoaded()
	f.settled()
}

// A name search lists the people found while the council is still searching, and the line
// naming it turns and says how long the search has taken (on the injected clock).
func TestFlowSearchWaitingLine(t *testing.T) {
	for _, v := range []vocab.Vocabulary{vocab.Health(), vocab.SocialCare()} {
		t.Run(v.Name, func(t *testing.T) {
			f, g, clock := gatedProgram(t, Options{Vocabulary: v})
			f.typeText("Marchbank 14-Apr-1938")
			f.press("enter")
			<-g.Arrived()
			still := regexp.QuoteMeta(strings.ReplaceAll(v.StillSearching, "%s", demo.NameCouncil))
			f.waitFor("MARCHBANK") // listed from the back ends that answered
			f.waitForRe(`[` + spinnerFrames + `] ` + still + ` \(0 s\)`)
			clock.Advance(7 * time.Second)
			f.waitForRe(still + ` \(7 s\)`)
			g.Open()
			f.waitLoaded()
			f.settled()
		})
	}
}

// The reader open on the Summary while the council is still being asked reads the record as
// it arrives: "checking Demo County Council…" turns into the care package when it answers.
func TestFlowReaderFillsInLateSections(t *testing.T) {
	v := vocab.Health()
	f, g, _ := gatedProgram(t, Options{Role: RoleDischarge, Vocabulary: v})
	checking := strings.ReplaceAll(v.VerdictChecking, "%s", demo.NameCouncil)
	f.typeText(nhsnumber.Format(nhsMarchbank))
	f.waitFor("valid. Press enter")
	f.press("enter")
	<-g.Arrived()
	f.waitRecord("MARCHBANK,")
	f.waitFor(checking)
	f.press("enter") // the Summary in the reader: "lines 1–20 of 44" at its foot
	f.waitForRe(`lines \d+–\d+ of \d+`)
	for _, s := range f.log.since(0) {
		if strings.Contains(views.Strip(s), "Brightwater") {
			t.Fatal("the council's care package on screen before the council answered")
		}
	}
	g.Open()
	// In the reader, still open: its position line is on the screen with the care package.
	f.waitForRe(`(?s)lines \d+–\d+ of \d+.*Brightwater Home Care Ltd`)
	f.press("esc")
	f.waitLoaded()
	f.settled()
}

// loadingRecord is the fixture record while the council is still being asked: the NHS back
// end's sections are in, the council's are loading.
func loadingRecord() *record.Record {
	full := viewstest.Record()
	rec := &record.Record{Person: full.Person}
	for _, sec := range record.Sections() {
		rec.SetStatus(record.SectionStatus{Backend: viewstest.Social, Section: sec, State: record.StateLoading})
	}
	s := full.Sections
	keep := func(p record.Provenance) bool { return p.Backend == viewstest.Health }
	for _, c := range s.NextOfKin {
		if keep(c.Provenance) {
			rec.Sections.NextOfKin = append(rec.Sections.NextOfKin, c)
		}
	}
	for _, m := range s.Medications {
		if keep(m.Provenance) {
			rec.Sections.Medications = append(rec.Sections.Medications, m)
		}
	}
	for _, e := range s.Encounters {
		if keep(e.Provenance) {
			rec.Sections.Encounters = append(rec.Sections.Encounters, e)
		}
	}
	for _, a := range s.Allergies {
		if keep(a.Provenance) {
			rec.Sections.Allergies = append(rec.Sections.Allergies, a)
		}
	}
	for _, sec := range record.Sections() {
		rec.SetStatus(record.SectionStatus{Backend: viewstest.Health, Section: sec, State: record.StateReturned, Count: rec.Count(sec)})
	}
	rec.SetBackend(record.BackendStatus{Name: viewstest.Health, Kind: "fhir-r4", Domain: record.DomainHealth, Status: record.BackendOK})
	rec.SetBackend(record.BackendStatus{Name: viewstest.Social, Status: string(record.StateLoading)})
	return rec
}
