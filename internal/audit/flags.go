package audit

import (
	"slices"
	"strings"

	"github.com/shcr-project/shcr/internal/purpose"
	"github.com/shcr-project/shcr/record"
)

// ChildProtectionAccessed is a child protection plan (CP-IS) read in unscheduled care, with
// IsUnscheduledAccessEvent: true: the responsible local authority is told of the access. It
// is only ever the member of staff's explicit choice (TUI, or `shcr get --unscheduled-access`).
const ChildProtectionAccessed Kind = "child-protection-accessed"

// DetailUnscheduledAccess is the detail of a ChildProtectionAccessed event.
const DetailUnscheduledAccess = "unscheduled-care access: the local authority is notified (CP-IS IsUnscheduledAccessEvent: true)"

// ChildProtection is the event of reading the child protection plan in unscheduled care from
// the back ends named (the national flags services asked).
func ChildProtection(rec *record.Record, c purpose.Choice, backends []string) Event {
	e := base(ChildProtectionAccessed, rec.Person.NHSNumber, c)
	e.Sections = []string{string(record.SectionChildProtection)}
	e.Backends = slices.Clone(backends)
	e.Detail = DetailUnscheduledAccess
	e.RequestID = rec.RequestID
	return e
}

// BreakGlass is emergency access to data the person objected to sharing: purpose emergency
// (ETREAT) and a reason, recorded as break-glass-started (a DICOM Security Alert, Emergency
// Override Started, with purposes ETREAT and BTG in its AuditEvent form). keys are the
// record.RevealObjectionKey of the back ends whose data it shows; the event names them.
func BreakGlass(rec *record.Record, c purpose.Choice, reason string, keys ...string) Event {
	e := base(BreakGlassStarted, rec.Person.NHSNumber, c)
	e.Reason = strings.Join(strings.Fields(reason), " ")
	for _, k := range keys {
		if b, ok := record.IsObjectionKey(k); ok && !slices.Contains(e.Backends, b) {
			e.Backends = append(e.Backends, b)
			e.Items = append(e.Items, k)
		}
	}
	e.Detail = "emergency access to data the person objected to sharing"
	e.RequestID = rec.RequestID
	return e
}
