package audit

import (
	"slices"
	"testing"

	"github.com/shcr-project/shcr/internal/purpose"
	"github.com/shcr-project/shcr/record"
)

func TestChildProtectionAndBreakGlassEvents(t *testing.T) {
	rec := &record.Record{Person: record.Person{NHSNumber: "9993010006"}, RequestID: "0b7a3c2e-1f4d-4e8a-9c6b-2d5e7f8a9b0c"}
	cp := ChildProtection(rec, purpose.Choice{Purpose: purpose.Emergency}, []string{"flags"})
	if cp.Event != ChildProtectionAccessed || cp.NHSNumber != "9993010006" || !slices.Equal(cp.Sections, []string{"child-protection"}) ||
		cp.Detail != DetailUnscheduledAccess || cp.RequestID != rec.RequestID {
		t.Errorf("child protection event = %+v", cp)
	}
	ae := ToAuditEvent(cp, "id", Site{})
	// A PatientRead of the child's record, with the X-Request-ID, ETREAT: the local authority's
	// notification is the detail.
	if ae.Type.Code != "rest" || ae.Action != "R" || ae.OutcomeDesc != DetailUnscheduledAccess ||
		ae.PurposeOfEvent[0].Coding[0].Code != "ETREAT" || !slices.ContainsFunc(ae.Subtype, func(c Coding) bool { return c.Code == ChildProtectionAccessed }) {
		t.Errorf("AuditEvent = %+v", ae)
	}

	bg := BreakGlass(rec, purpose.Choice{Purpose: purpose.Emergency, Reason: "x"}, "  unconscious,   no history ",
		record.RevealObjectionKey("shcr"), "Encounter/1", record.RevealObjectionKey("shcr"))
	if bg.Event != BreakGlassStarted || bg.Reason != "unconscious, no history" || !slices.Equal(bg.Backends, []string{"shcr"}) ||
		!slices.Equal(bg.Items, []string{"objection:shcr"}) || bg.Purpose != "emergency" {
		t.Errorf("break glass event = %+v", bg)
	}
	if Severity(bg.Event) != 4 {
		t.Error("break glass is not a warning")
	}
}
