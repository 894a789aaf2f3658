package tui

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/shcr-project/shcr/config"
	"github.com/shcr-project/shcr/internal/audit"
	"github.com/shcr-project/shcr/internal/demo"
	"github.com/shcr-project/shcr/internal/purpose"
	"github.com/shcr-project/shcr/views/vocab"
)

// startFlagsDemo starts the demo back ends with the national flags service, and gives the
// flags service's configuration.
func startFlagsDemo(t *testing.T) (*demo.Servers, config.Backend) {
	t.Helper()
	srv, err := demo.Start(demo.Options{Flags: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	var flags config.Backend
	for _, b := range srv.Config() {
		if b.Kind == config.KindFlags {
			flags = b
		}
	}
	return srv, flags
}

// flagsRig is a governance rig (the demo back ends, a real audit trail) with the demo
// national flags service added; its Notified says when a local authority was told.
func flagsRig(t *testing.T, opts Options) (*govRig, *demo.Servers) {
	t.Helper()
	srv, flags := startFlagsDemo(t)
	return newGovRig(t, opts, flags), srv
}

// A dispatcher opening a child with a protection plan: the record opens without reading the
// plan (nobody told); C asks first, and only enter reads it, telling the local authority,
// after the audit trail took child-protection-accessed. In both vocabularies.
func TestChildProtectionOpenedOnRequestInUnscheduledCare(t *testing.T) {
	for _, v := range []vocab.Vocabulary{vocab.Health(), vocab.SocialCare()} {
		t.Run(v.Name, func(t *testing.T) {
			r, srv := flagsRig(t, Options{Role: config.RoleDispatcher, Vocabulary: v, Purpose: demoPurpose})
			r.search(demo.FlagsChildNHS)
			if !strings.Contains(r.view(), v.CPNotAsked[:30]) {
				t.Fatalf("banner does not say the contacts were not asked:\n%s", r.view())
			}
			if strings.Contains(r.view(), "01632 960599") || len(srv.Notified()) != 0 {
				t.Fatalf("the plan was read in the background: notified %v", srv.Notified())
			}
			if !r.m.c.keys.ChildProtection.Enabled() {
				t.Fatal("C is not offered")
			}
			r.keys("C")
			if !strings.Contains(r.view(), v.CPOpenTitle) || len(srv.Notified()) != 0 {
				t.Fatalf("no confirmation before telling the local authority:\n%s", r.view())
			}
			r.keys("esc")
			if len(srv.Notified()) != 0 || find(r.events(t), audit.ChildProtectionAccessed) != nil {
				t.Fatal("cancelled, yet the plan was read or recorded")
			}
			r.keys("C", "enter")
			if n := srv.Notified(); !slices.Equal(n, []string{demo.FlagsChildNHS}) {
				t.Fatalf("notified = %v", n)
			}
			e := find(r.events(t), audit.ChildProtectionAccessed)
			if e == nil || e.NHSNumber != demo.FlagsChildNHS || !slices.Equal(e.Backends, []string{demo.NameFlags}) ||
				e.Detail != audit.DetailUnscheduledAccess || e.RequestID == "" {
				t.Fatalf("audit event = %+v", e)
			}
			view := r.view()
			for _, want := range []string{"01632 960500", "01632 960599", "Demo County Council Children's Services", v.CPNotified} {
				if !strings.Contains(strings.Join(strings.Fields(view), " "), want) {
					t.Errorf("banner lacks %q:\n%s", want, view)
				}
			}
			if r.m.c.keys.ChildProtection.Enabled() {
				t.Error("C still offered once the plan is read")
			}
		})
	}
}

// Nothing is sent when the audit trail does not take the event.
func TestChildProtectionNotReadWithoutAudit(t *testing.T) {
	r, srv := flagsRig(t, Options{Role: config.RoleDispatcher, Purpose: demoPurpose})
	r.search(demo.FlagsChildNHS)
	fail := errors.New("disk full")
	r.m.c.opts.Audit = func(audit.Event) error { return fail }
	r.keys("C", "enter")
	if len(srv.Notified()) != 0 {
		t.Fatal("the local authority was told of an access the audit trail did not record")
	}
	if !strings.Contains(r.view(), "disk full") {
		t.Errorf("the dialog does not say why:\n%s", r.view())
	}
}

// Scheduled care (a social worker): the plan comes with the record, read with
// IsUnscheduledAccessEvent: false: nobody is told, and C is not offered.
func TestChildProtectionScheduledCare(t *testing.T) {
	r, srv := flagsRig(t, Options{Role: config.RoleSocialWorker, Vocabulary: vocab.SocialCare(),
		Purpose: purpose.Resolved{Choice: purpose.Choice{Purpose: purpose.Safeguarding}, Source: purpose.FromFlag}})
	r.search(demo.FlagsChildNHS)
	if !strings.Contains(r.view(), "01632 960599") || len(srv.Notified()) != 0 || r.m.c.keys.ChildProtection.Enabled() {
		t.Fatalf("scheduled read: notified %v, C %v\n%s", srv.Notified(), r.m.c.keys.ChildProtection.Enabled(), r.view())
	}
}

// An objection to sharing: what the objected back end holds is withheld ("emergency access
// only"); x asks for a reason, and emergency access shows it, the purpose now emergency,
// recorded as break-glass-started. The GP's own data is shown throughout.
func TestBreakGlassShowsObjectedData(t *testing.T) {
	for _, v := range []vocab.Vocabulary{vocab.Health(), vocab.SocialCare()} {
		t.Run(v.Name, func(t *testing.T) {
			r, _ := flagsRig(t, Options{Vocabulary: v, Purpose: purpose.Resolved{Choice: purpose.Choice{Purpose: purpose.DirectCare}, Source: purpose.FromFlag}})
			r.search(demo.FlagsObjectionNHS)
			banner := strings.Join(strings.Fields(r.view()), " ")
			if !strings.Contains(banner, "OBJECTED TO SHARING FROM "+demo.NameNHS+" — EMERGENCY ACCESS ONLY") {
				t.Fatalf("no objection banner:\n%s", r.view())
			}
			r.keys("7") // encounters: the NHS record's inpatient stay
			if !strings.Contains(r.view(), v.WithheldObjection) || strings.Contains(r.view(), "Inpatient stay") {
				t.Fatalf("objected data shown, or not said to be withheld:\n%s", r.view())
			}
			if strings.Contains(r.view(), v.SumNone) {
				t.Errorf("withheld shown as none recorded:\n%s", r.view())
			}
			r.keys("x")
			if !strings.Contains(r.view(), v.BreakGlassTitle) {
				t.Fatalf("x does not ask for emergency access:\n%s", r.view())
			}
			r.keys("enter")
			if !strings.Contains(r.view(), v.BreakGlassNeedReason) || find(r.events(t), audit.BreakGlassStarted) != nil {
				t.Fatal("emergency access without a reason")
			}
			r.typeText("collapsed at home, no history")
			r.keys("enter")
			e := find(r.events(t), audit.BreakGlassStarted)
			if e == nil || e.Purpose != string(purpose.Emergency) || e.Reason != "collapsed at home, no history" ||
				!slices.Equal(e.Backends, []string{demo.NameNHS}) || e.NHSNumber != demo.FlagsObjectionNHS {
				t.Fatalf("break-glass event = %+v", e)
			}
			// Its AuditEvent form: Security Alert, Emergency Override Started, ETREAT and BTG.
			ae := audit.ToAuditEvent(*e, "id-1", audit.Site{})
			if ae.Type.Code != "110113" || ae.Subtype[0].Code != "110127" || len(ae.PurposeOfEvent) != 1 ||
				ae.PurposeOfEvent[0].Coding[0].Code != "ETREAT" || ae.PurposeOfEvent[0].Coding[1].Code != "BTG" {
				t.Errorf("AuditEvent = %+v", ae)
			}
			if !strings.Contains(r.view(), "Inpatient stay") {
				t.Fatalf("emergency access does not show the data:\n%s", r.view())
			}
			if !strings.Contains(strings.Join(strings.Fields(r.view()), " "), "SHOWN UNDER EMERGENCY ACCESS") {
				t.Errorf("banner does not say emergency access:\n%s", r.view())
			}
			if r.m.record.choice.Purpose != purpose.Emergency {
				t.Errorf("purpose after break glass = %+v", r.m.record.choice)
			}
		})
	}
}

// The same as a user runs it (teatest, the real program): a dispatcher opens the child,
// presses C, confirms, and the local authority's numbers appear; the service was told once.
func TestFlowChildProtectionDispatcher(t *testing.T) {
	srv, flags := startFlagsDemo(t)
	f := startProgram(t, Options{Role: config.RoleDispatcher}, flags)
	f.open(demo.FlagsChildNHS, "Ashgrove")
	f.waitFor("contacts not asked yet")
	f.press("C")
	f.waitFor("Child protection: open the local authority's contacts")
	if len(srv.Notified()) != 0 {
		t.Fatal("told before enter")
	}
	f.press("enter")
	f.waitForRe(`out of\s+hours 01632 960599`)
	f.settled()
	if n := srv.Notified(); !slices.Equal(n, []string{demo.FlagsChildNHS}) {
		t.Errorf("notified = %v", n)
	}
}
