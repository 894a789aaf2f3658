package main

import (
	"io"
	"reflect"
	"strings"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/shcr-project/shcr/record"
)

// The item types of get's "sections", written by hand (get_json_enc.go): each writes its
// embedded record.Item, then its own fields in declared order with their tags' rules; the
// caller opens and closes the object, members at depth d.

// flushAt: the writer hands its buffer to the output between items once it holds this much.
const flushAt = 256 << 10

// section writes one section's list (a slice of record.SectionsData, [] when nil) with its
// elements at depth d+1. A list type it does not know, or an item it cannot write as the
// generic marshal would, goes to the generic marshal.
func (w *itemWriter) section(out io.Writer, d int, list reflect.Value) error {
	if ok, err := w.handSection(out, d, list); ok || err != nil {
		return err
	}
	if list.IsNil() {
		list = reflect.MakeSlice(list.Type(), 0, 0)
	}
	return w.marshal(d, list.Interface())
}

// handSection writes the list by hand if it is of an item type known here (ok).
func (w *itemWriter) handSection(out io.Writer, d int, list reflect.Value) (ok bool, err error) {
	switch s := list.Interface().(type) {
	case []record.CarePackage:
		return true, writeItems(w, out, d, s, (*itemWriter).carePackage)
	case []record.CareTeamMember:
		return true, writeItems(w, out, d, s, (*itemWriter).careTeamMember)
	case []record.Medication:
		return true, writeItems(w, out, d, s, (*itemWriter).medication)
	case []record.Allergy:
		return true, writeItems(w, out, d, s, (*itemWriter).allergy)
	case []record.Contact:
		return true, writeItems(w, out, d, s, (*itemWriter).contact)
	case []record.Encounter:
		return true, writeItems(w, out, d, s, (*itemWriter).encounter)
	case []record.Note:
		return true, writeItems(w, out, d, s, (*itemWriter).note)
	case []record.Alert:
		return true, writeItems(w, out, d, s, (*itemWriter).alert)
	case []record.ChildProtectionPlan:
		return true, writeItems(w, out, d, s, (*itemWriter).childProtectionPlan)
	case []record.ConsentRecord:
		return true, writeItems(w, out, d, s, (*itemWriter).consentRecord)
	}
	return false, nil
}

// handWritten reports whether a list of this type is written by hand (for the tests).
func handWritten(t reflect.Type) bool {
	var w itemWriter
	ok, _ := w.handSection(io.Discard, 1, reflect.Zero(t))
	return ok
}

// writeItems writes a list of items, each with fields; an item that sets bad is written
// again by the generic marshal. A long list is written by several goroutines at once
// (get_json_chunks.go) when w.chunks says so: the same bytes.
func writeItems[T any](w *itemWriter, out io.Writer, d int, items []T, fields func(*itemWriter, []byte, int, *T) []byte) error {
	if w.chunks.chunked(len(items)) {
		return writeItemsChunked(w, out, d, items, fields)
	}
	b := w.open(w.b, '[')
	for i := range items {
		var err error
		if b, err = writeItem(w, b, d, &items[i], fields); err != nil {
			return err
		}
		if len(b) > flushAt {
			w.b = b
			if err := w.flush(out); err != nil {
				return err
			}
			b = w.b
		}
	}
	w.b = w.close(b, d+1, ']')
	return nil
}

// writeItem appends one item of a list at depth d (an element at depth d+1) to b and
// returns it; an item that sets bad is dropped from b and written by the generic marshal.
func writeItem[T any](w *itemWriter, b []byte, d int, it *T, fields func(*itemWriter, []byte, int, *T) []byte) ([]byte, error) {
	b = w.elem(b, d+1)
	start := len(b)
	b = w.open(b, '{')
	b = fields(w, b, d+2, it)
	b = w.close(b, d+2, '}')
	if !w.bad {
		return b, nil
	}
	w.b, w.bad = b[:start], false
	w.generic++
	err := w.marshal(d+1, it)
	return w.b, err
}

// marshal writes v, a value at depth d, with the generic marshal and the options the
// sections were always written with.
func (w *itemWriter) marshal(d int, v any) error {
	b, err := jsonv2.Marshal(v, getJSONOptions, sectionJSONOptions, jsontext.WithIndentPrefix(strings.Repeat("  ", d)))
	w.b = append(w.b, b...)
	return err
}

func (w *itemWriter) carePackage(b []byte, d int, c *record.CarePackage) []byte {
	b = w.item(b, d, &c.Item)
	b = w.str(b, d, "kind", string(c.Kind))
	b = w.str(b, d, "category", c.PackageCategory)
	b = w.str(b, d, "type", c.Type)
	b = w.str(b, d, "status", c.Status)
	b = w.strOmit(b, d, "reported_status", c.ReportedStatus)
	b = w.str(b, d, "description", c.Description)
	b = w.str(b, d, "provider", c.Provider)
	b = w.period(b, d, "period", &c.Period, false)
	b = w.strOmit(b, d, "schedule", c.Schedule)
	b = w.floatOmit(b, d, "hours_per_week", c.HoursPerWeek)
	b = w.strOmit(b, d, "care_manager", c.CareManager)
	if len(c.StatusHistory) > 0 {
		b = w.key(b, d, "status_history")
		b = list(w, b, d, c.StatusHistory, func(b []byte, d int, s *record.StatusPeriod) []byte {
			b = w.open(b, '{')
			b = w.str(b, d+1, "status", s.Status)
			b = w.period(b, d+1, "period", &s.Period, false)
			return w.close(b, d+1, '}')
		})
	}
	return b
}

func (w *itemWriter) careTeamMember(b []byte, d int, m *record.CareTeamMember) []byte {
	b = w.item(b, d, &m.Item)
	b = w.str(b, d, "name", m.Name)
	b = w.str(b, d, "role", m.Role)
	b = w.str(b, d, "role_code", m.RoleCode)
	b = w.strOmit(b, d, "team", m.Team)
	b = w.strOmit(b, d, "organisation", m.Organisation)
	b = w.phones(b, d, "phones", m.Phones, true)
	b = w.strOmit(b, d, "email", m.Email)
	b = w.period(b, d, "period", &m.Period, false)
	b = w.strOmit(b, d, "status", m.Status)
	return b
}

func (w *itemWriter) medication(b []byte, d int, m *record.Medication) []byte {
	b = w.item(b, d, &m.Item)
	b = w.str(b, d, "kind", m.Kind)
	b = w.str(b, d, "name", m.Name)
	b = w.strOmit(b, d, "code", m.Code)
	b = w.strOmit(b, d, "code_system", m.CodeSystem)
	b = w.str(b, d, "dosage", m.Dosage)
	b = w.str(b, d, "status", m.Status)
	b = w.strOmit(b, d, "intent", m.Intent)
	b = w.period(b, d, "period", &m.Period, false)
	b = w.strOmit(b, d, "prescriber", m.Prescriber)
	b = w.strOmit(b, d, "note", m.Note)
	return b
}

func (w *itemWriter) allergy(b []byte, d int, a *record.Allergy) []byte {
	b = w.item(b, d, &a.Item)
	b = w.str(b, d, "substance", a.Substance)
	b = w.strOmit(b, d, "code", a.Code)
	b = w.str(b, d, "clinical_status", a.ClinicalStatus)
	b = w.str(b, d, "verification_status", a.VerificationStatus)
	b = w.strOmit(b, d, "criticality", a.Criticality)
	b = w.strings(b, d, "category", a.Category, true)
	b = w.strings(b, d, "reactions", a.Reactions, true)
	b = w.strOmit(b, d, "onset", a.Onset)
	b = w.timeOmitZero(b, d, "asserted", a.Asserted)
	b = w.boolOmit(b, d, "no_known_allergies", a.NoKnownAllergies)
	return b
}

func (w *itemWriter) contact(b []byte, d int, c *record.Contact) []byte {
	b = w.item(b, d, &c.Item)
	b = w.str(b, d, "name", c.Name)
	b = w.strings(b, d, "roles", c.Roles, false)
	b = w.str(b, d, "relationship", c.Relationship)
	b = w.phones(b, d, "phones", c.Phones, false)
	b = w.strOmit(b, d, "email", c.Email)
	b = w.address(b, d, "address", &c.Address)
	b = w.intOmit(b, d, "rank", int64(c.Rank))
	b = w.period(b, d, "period", &c.Period, false)
	b = w.boolOmit(b, d, "inactive", c.Inactive)
	b = w.str(b, d, "source", c.Source)
	return b
}

func (w *itemWriter) encounter(b []byte, d int, e *record.Encounter) []byte {
	b = w.item(b, d, &e.Item)
	b = w.str(b, d, "class", e.Class)
	b = w.str(b, d, "type", e.Type)
	b = w.str(b, d, "status", e.Status)
	b = w.period(b, d, "period", &e.Period, false)
	b = w.strOmit(b, d, "location", e.Location)
	b = w.strOmit(b, d, "provider", e.Provider)
	b = w.strOmit(b, d, "reason", e.Reason)
	b = w.strOmit(b, d, "clinician", e.Clinician)
	b = w.strOmit(b, d, "admit_source", e.AdmitSource)
	b = w.strOmit(b, d, "discharge_disposition", e.DischargeDisposition)
	b = w.strOmit(b, d, "discharge_destination", e.DischargeDestination)
	b = w.period(b, d, "medically_safe_for_discharge", &e.MedicallySafe, true)
	b = w.strOmit(b, d, "legal_status", e.LegalStatus)
	return b
}

func (w *itemWriter) note(b []byte, d int, n *record.Note) []byte {
	b = w.item(b, d, &n.Item)
	b = w.str(b, d, "kind", n.Kind)
	b = w.str(b, d, "title", n.Title)
	b = w.timeOmitZero(b, d, "date", n.Date)
	b = w.strOmit(b, d, "date_text", n.DateText)
	b = w.strOmit(b, d, "status", n.Status)
	b = w.str(b, d, "text", n.Text)
	b = w.strOmit(b, d, "content_type", n.ContentType)
	b = w.intOmit(b, d, "size", n.Size)
	b = w.strOmit(b, d, "url", n.URL)
	return b
}

func (w *itemWriter) alert(b []byte, d int, a *record.Alert) []byte {
	b = w.item(b, d, &a.Item)
	b = w.str(b, d, "kind", a.Kind)
	b = w.str(b, d, "category", a.Category)
	b = w.str(b, d, "text", a.Text)
	b = w.str(b, d, "status", a.Status)
	b = w.period(b, d, "period", &a.Period, false)
	b = w.strOmit(b, d, "programme", a.Programme)
	b = w.strOmit(b, d, "notes", a.Notes)
	return b
}

func (w *itemWriter) childProtectionPlan(b []byte, d int, p *record.ChildProtectionPlan) []byte {
	b = w.item(b, d, &p.Item)
	b = w.str(b, d, "plan_type", p.PlanType)
	b = w.strOmit(b, d, "plan_text", p.PlanText)
	b = w.str(b, d, "local_authority", p.LocalAuthority)
	b = w.strOmit(b, d, "local_authority_code", p.LocalAuthorityCode)
	b = w.phones(b, d, "office_hours", p.OfficeHours, false)
	b = w.phones(b, d, "out_of_hours", p.OutOfHours, false)
	b = w.period(b, d, "period", &p.Period, false)
	b = w.strOmit(b, d, "status", p.Status)
	b = w.boolOmit(b, d, "unscheduled_access_notified", p.UnscheduledNotified)
	if len(p.RecentAccesses) > 0 {
		b = w.key(b, d, "recent_accesses")
		b = list(w, b, d, p.RecentAccesses, func(b []byte, d int, a *record.ChildProtectionAccess) []byte {
			b = w.open(b, '{')
			b = w.timeOmitZero(b, d+1, "at", a.At)
			b = w.strOmit(b, d+1, "at_text", a.AtText)
			b = w.str(b, d+1, "organisation", a.Organisation)
			b = w.strOmit(b, d+1, "organisation_code", a.OrganisationCode)
			return w.close(b, d+1, '}')
		})
	}
	b = w.boolOmit(b, d, "recent_accesses_read", p.AccessesRead)
	b = w.strOmit(b, d, "recent_accesses_error", p.AccessesError)
	return b
}

func (w *itemWriter) consentRecord(b []byte, d int, c *record.ConsentRecord) []byte {
	b = w.item(b, d, &c.Item)
	b = w.str(b, d, "kind", c.Kind)
	b = w.str(b, d, "decision", c.Decision)
	b = w.boolean(b, d, "emergency_only", c.EmergencyOnly)
	b = w.strOmit(b, d, "status", c.Status)
	b = w.str(b, d, "text", c.Text)
	b = w.timeOmitZero(b, d, "date", c.Date)
	b = w.strOmit(b, d, "date_text", c.DateText)
	b = w.period(b, d, "period", &c.Period, true)
	b = w.boolOmit(b, d, "national", c.National)
	return b
}
