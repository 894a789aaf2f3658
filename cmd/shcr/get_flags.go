package main

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/shcr-project/shcr/client"
	"github.com/shcr-project/shcr/config"
	"github.com/shcr-project/shcr/internal/audit"
	"github.com/shcr-project/shcr/internal/purpose"
	"github.com/shcr-project/shcr/record"
)

// National flags and objections to sharing in `shcr get` (README "Flags, child protection
// and objections to sharing"): --unscheduled-access and --break-glass, the audit events they
// add, and the "flags" and "consent" members of --output json.

// flagsOptions are get's options for child protection and objections.
type flagsOptions struct {
	unscheduled   bool   // --unscheduled-access: read CP-IS with IsUnscheduledAccessEvent: true
	breakGlass    string // --break-glass REASON: emergency access to objected data
	breakGlassSet bool
}

func addFlagsOptions(cmd *cobra.Command, o *flagsOptions) {
	cmd.Flags().BoolVar(&o.unscheduled, "unscheduled-access", false,
		"read the child protection plan (CP-IS) as unscheduled care: the local authority is told; recorded in the audit trail")
	cmd.Flags().StringVar(&o.breakGlass, "break-glass", "",
		"emergency access: show data the person objected to sharing; needs --purpose emergency; the `REASON` is recorded in the audit trail")
}

// check validates the options against the purpose of access.
func (o *flagsOptions) check(choice purpose.Choice) error {
	o.breakGlass = strings.Join(strings.Fields(o.breakGlass), " ")
	switch {
	case o.breakGlassSet && o.breakGlass == "":
		return exitf(exitUsage, `shcr get: --break-glass needs a reason, e.g. --break-glass "unconscious, no history available"`)
	case o.breakGlassSet && choice.Purpose != purpose.Emergency:
		return exitf(exitUsage, "shcr get: --break-glass is emergency access: give --purpose emergency (now %s)", orUnknown(string(choice.Purpose)))
	}
	return nil
}

// childProtectionContext says how the fetch may read the child protection plan: with the
// notification when asked (--unscheduled-access); not at all for a dispatcher otherwise (an
// unscheduled-care role must not read it without saying so); else as scheduled care.
func (o flagsOptions) childProtectionContext(ctx context.Context, role config.Role) context.Context {
	switch {
	case o.unscheduled:
		return client.WithChildProtectionAccess(ctx, client.CPUnscheduled)
	case role == config.RoleDispatcher:
		return client.WithChildProtectionAccess(ctx, client.CPDeferred)
	}
	return client.WithChildProtectionAccess(ctx, client.CPScheduled)
}

// events are the audit events of the options for an opened record: the unscheduled read
// of the child protection plan, and break glass; revealKeys gains the objection keys.
func (o flagsOptions) events(rec *record.Record, choice purpose.Choice, revealKeys *[]string) []audit.Event {
	var out []audit.Event
	if o.unscheduled {
		var asked []string
		for _, st := range rec.StatusOf(record.SectionChildProtection) {
			if st.Answered() {
				asked = append(asked, st.Backend)
			}
		}
		if len(asked) > 0 {
			out = append(out, audit.ChildProtection(rec, choice, asked))
		}
	}
	if o.breakGlass != "" {
		if keys := rec.ObjectionKeys(time.Now()); len(keys) > 0 {
			*revealKeys = append(*revealKeys, keys...)
			out = append(out, audit.BreakGlass(rec, choice, o.breakGlass, keys...))
		}
	}
	return out
}

// flagJSON is one national flag in --output json "flags".
type flagJSON struct {
	Programme string            `json:"programme"` // child-protection | reasonable-adjustment | fgm
	Text      string            `json:"text"`
	Notes     string            `json:"notes,omitempty"`
	Status    string            `json:"status"`
	Current   bool              `json:"current"` // holds now: not ended, not inactive
	Period    record.Period     `json:"period"`
	Backend   string            `json:"backend"`
	Key       string            `json:"key"`
	Also      []string          `json:"also_reported_by,omitempty"`
	Withheld  string            `json:"withheld,omitempty"`
	Plan      *childPlanSummary `json:"child_protection_plan,omitempty"`
}

// childPlanSummary is the current child protection plan beside its flag.
type childPlanSummary struct {
	PlanType       string         `json:"plan_type"`
	LocalAuthority string         `json:"local_authority"`
	OfficeHours    []record.Phone `json:"office_hours"`
	OutOfHours     []record.Phone `json:"out_of_hours"`
	Notified       bool           `json:"unscheduled_access_notified"`
}

// consentJSON is --output json "consent": the objections in force and what this document
// withholds because of them.
type consentJSON struct {
	ObjectedBackends []string               `json:"objected_backends"` // back ends the person objected to sharing from
	Withheld         bool                   `json:"withheld"`          // items from them are withheld here ("withheld": "objection")
	EmergencyAccess  []string               `json:"emergency_access"`  // objected back ends shown by --break-glass
	Records          []record.ConsentRecord `json:"records"`           // every consent record, as in sections.consent
	NationalOptOut   string                 `json:"national_data_opt_out"`
}

// nationalOptOutNote is the same in every document: shcr never withholds for it.
const nationalOptOutNote = "not applied: the National Data Opt-out does not apply to individual (direct) care"

func flagsJSON(rec *record.Record, now time.Time) []flagJSON {
	out := []flagJSON{}
	for _, a := range rec.AllNationalFlags() {
		f := flagJSON{Programme: a.Programme, Text: a.Text, Notes: a.Notes, Status: a.Status, Current: a.Current(now),
			Period: a.Period, Backend: a.Provenance.Backend, Key: a.Key, Withheld: a.Withheld}
		for _, p := range a.AlsoFrom {
			f.Also = append(f.Also, p.Backend)
		}
		if a.Programme == record.FlagChildProtection && f.Current {
			for _, p := range rec.Sections.ChildProtection {
				if p.Current(now) && p.Withheld == "" && !p.Restricted {
					f.Plan = &childPlanSummary{PlanType: p.PlanType, LocalAuthority: p.LocalAuthority,
						OfficeHours: nonNil(p.OfficeHours), OutOfHours: nonNil(p.OutOfHours), Notified: p.UnscheduledNotified}
					break
				}
			}
		}
		out = append(out, f)
	}
	return out
}

func consentOf(rec *record.Record, now time.Time) consentJSON {
	c := consentJSON{ObjectedBackends: nonNil(rec.ObjectedBackends(now)), EmergencyAccess: nonNil(slices.Clone(rec.EmergencyAccess)),
		Withheld: rec.WithheldByObjection(), Records: nonNil(rec.Sections.Consent), NationalOptOut: nationalOptOutNote}
	return c
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// withConsent is the sections to fetch for those asked: the consent section too, always,
// since an objection to sharing governs what every other section may show (only the
// sections asked are printed).
func withConsent(sections []record.Section) []record.Section {
	if slices.Contains(sections, record.SectionConsent) {
		return sections
	}
	return append(slices.Clone(sections), record.SectionConsent)
}
