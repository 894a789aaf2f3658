package client

// A national patient flags service (config kind "flags"): NHS England's Patient Flags API
// (reasonable adjustments, FGM, the CP-IS child protection flag) and the CP-IS care team.
// It is asked by NHS number only, for the alerts (Flag?patient=<NHS number>) and the child
// protection plan (CareTeam?patient:identifier=https://fhir.nhs.uk/Id/nhs-number|<NHS number>,
// with IsUnscheduledAccessEvent); every other section is not-supported there, without a
// request. It does not search people: the record's NHS number, verified by another back
// end, is what it is asked with.

import (
	"context"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/go-resty/resty/v2"

	"github.com/shcr-project/shcr/client/fhir"
	"github.com/shcr-project/shcr/config"
	"github.com/shcr-project/shcr/record"
)

// Headers the national flags services require or read.
const (
	HeaderUnscheduledAccess = "IsUnscheduledAccessEvent" // CP-IS: true tells the local authority of an unscheduled-care access
	headerTraceID           = "TraceID"                  // CP-IS: the request's trace id (the request id)
)

// ChildProtectionAccess is how a record open may read the child protection plan (CP-IS).
// In unscheduled care (an ambulance, an emergency department) reading it notifies the
// responsible local authority; shcr does that only when the member of staff chooses to.
type ChildProtectionAccess int

const (
	// CPScheduled (the default) reads the plan with IsUnscheduledAccessEvent: false: no
	// notification. For scheduled care: social work, discharge planning.
	CPScheduled ChildProtectionAccess = iota
	// CPDeferred does not read the plan: the section is not-queried until the user opens it.
	// For unscheduled-care roles (dispatcher), so that no background read happens.
	CPDeferred
	// CPUnscheduled reads the plan with IsUnscheduledAccessEvent: true: the local authority
	// is told. Only on the user's explicit, audited choice (TUI) or `get --unscheduled-access`.
	CPUnscheduled
)

type cpAccessKey struct{}

// WithChildProtectionAccess returns ctx carrying how the child protection plan may be read.
func WithChildProtectionAccess(ctx context.Context, a ChildProtectionAccess) context.Context {
	return context.WithValue(ctx, cpAccessKey{}, a)
}

func childProtectionAccess(ctx context.Context) ChildProtectionAccess {
	a, _ := ctx.Value(cpAccessKey{}).(ChildProtectionAccess)
	return a
}

type unscheduledHeaderKey struct{}

// nationalByNHS is a back end asked by NHS number rather than found by a search.
type nationalByNHS interface{ ByNHSNumber() bool }

// flagsBackend is a national flags service. It shares the R4 back end's transport (auth,
// X-Request-ID, retries, size caps) and searches.
type flagsBackend struct{ *fhirBackend }

func newFlags(cfg config.Backend, base *url.URL, opts Options) (*flagsBackend, error) {
	fb, err := newFHIR(cfg, base, opts)
	if err != nil {
		return nil, err
	}
	fb.http.OnBeforeRequest(func(_ *resty.Client, r *resty.Request) error {
		if id := RequestID(r.Context()); id != "" {
			r.SetHeader(headerTraceID, id)
		}
		if v, ok := r.Context().Value(unscheduledHeaderKey{}).(bool); ok {
			r.SetHeader(HeaderUnscheduledAccess, strconv.FormatBool(v))
		}
		return nil
	})
	return &flagsBackend{fb}, nil
}

// ByNHSNumber: the flags service is asked by NHS number.
func (b *flagsBackend) ByNHSNumber() bool { return true }

// Search finds nobody: a flags service holds flags, not people.
func (b *flagsBackend) Search(context.Context, record.Query) ([]record.Person, error) {
	return nil, nil
}

// Fetch asks for the alerts and the child protection plan; every other section is
// not-supported without a request. With CPDeferred (an unscheduled-care role), the plan is
// not read: where the flags hold a current child protection flag the section is not-queried
// (opened on request), else it is returned empty (no flag, no plan).
func (b *flagsBackend) Fetch(ctx context.Context, who record.PersonSource, nhs string, sections []record.Section, emit func(record.Part)) {
	if nhs == "" {
		nhs = who.ID
	}
	var (
		wg       sync.WaitGroup
		deferred = slices.Contains(sections, record.SectionChildProtection) && childProtectionAccess(ctx) == CPDeferred
		flags    = make(chan record.Part, 1) // the alerts' part, for a deferred plan
	)
	for _, sec := range sections {
		st := record.SectionStatus{Backend: b.cfg.Name, Section: sec}
		switch {
		case sec != record.SectionAlerts && sec != record.SectionChildProtection:
			st.State, st.Error, st.National = record.StateNotSupported, "back end "+b.cfg.Name+" is a national flags service: not asked for "+string(sec), true
			emit(record.Part{Backend: b.cfg.Name, Status: []record.SectionStatus{st}})
		case nhs == "":
			st.State, st.Error = record.StateNotQueried, "back end "+b.cfg.Name+" is asked by NHS number only"
			emit(record.Part{Backend: b.cfg.Name, Status: []record.SectionStatus{st}})
		case sec == record.SectionChildProtection && deferred:
			wg.Go(func() {
				var alerts record.Part
				if slices.Contains(sections, record.SectionAlerts) {
					select {
					case alerts = <-flags:
					case <-ctx.Done():
					}
				} else {
					alerts = b.fetchFlags(ctx, record.SectionAlerts, nhs)
				}
				emit(b.deferredPlan(alerts, st))
			})
		default:
			wg.Go(func() {
				p := b.fetchFlags(ctx, sec, nhs)
				if sec == record.SectionAlerts && deferred {
					flags <- p
				}
				emit(p)
			})
		}
	}
	wg.Wait()
}

// deferredPlan is the state of a child protection plan not read (CPDeferred): not-queried
// where the flags service holds a current child protection flag, returned empty where it
// holds none; failed as the flags were.
func (b *flagsBackend) deferredPlan(alerts record.Part, st record.SectionStatus) record.Part {
	now := b.opts.now()
	flagged := (&record.Record{Sections: alerts.Sections}).HasChildProtectionFlag(now)
	switch {
	case len(alerts.Status) == 0 || !alerts.Status[0].Answered():
		st.State, st.Error = record.StateNotQueried, "not asked: the flags could not be read"
		if len(alerts.Status) > 0 {
			st.Error = "not asked: " + alerts.Status[0].Error
		}
	case flagged:
		st.State, st.Error, st.National = record.StateNotQueried, "opened on request: in unscheduled care the local authority is told", true
	default:
		st.State = record.StateReturned // no child protection flag: no plan to read
	}
	return record.Part{Backend: b.cfg.Name, Status: []record.SectionStatus{st}}
}

// fetchFlags runs one section's search on the flags service and maps it.
func (b *flagsBackend) fetchFlags(ctx context.Context, sec record.Section, nhs string) record.Part {
	q := url.Values{}
	typ := "Flag"
	unscheduled := false
	if sec == record.SectionChildProtection {
		typ = "CareTeam"
		q.Set("patient:identifier", fhir.SystemNHSNumber+"|"+nhs)
		unscheduled = childProtectionAccess(ctx) == CPUnscheduled
		ctx = context.WithValue(ctx, unscheduledHeaderKey{}, unscheduled)
	} else {
		q.Set("patient", nhs)
	}
	res, err := b.search(ctx, typ, q, b.cfg.MaxEntries)
	st := record.SectionStatus{Backend: b.cfg.Name, Section: sec}
	part := record.Part{Backend: b.cfg.Name}
	if err != nil {
		part.Status = []record.SectionStatus{withError(st, err)}
		return part
	}
	var kept []fhir.Resource
	for _, r := range res.entries {
		if r.Type != "OperationOutcome" {
			kept = append(kept, r)
		}
	}
	data, warnings := fhir.MapSection(sec, nil, kept, b.src)
	for i := range data.ChildProtection {
		data.ChildProtection[i].UnscheduledNotified = unscheduled
	}
	if len(data.ChildProtection) > 0 {
		b.recentAccesses(ctx, nhs, data.ChildProtection)
	}
	part.Sections = data
	st.State = record.StateReturned
	st.Count = (&record.Record{Sections: data}).Count(sec)
	st.Warnings = append(res.warnings, warnings...)
	if res.truncated {
		st.State, st.Error, st.Total = record.StateTruncated, strings.TrimSpace(res.broken), res.total
	}
	part.Status = []record.SectionStatus{st}
	return part
}

// maxRecentAccesses is how many unscheduled-care accesses CP-IS keeps for a child (the 25
// most recent, research note §3.1).
const maxRecentAccesses = 25

// recentAccesses reads the unscheduled-care accesses CP-IS records for the child (AuditEvent,
// with the accessing organisations included) into every plan read. It is read with the plan,
// as part of the same access: with IsUnscheduledAccessEvent: false, so that the local
// authority is told once, by the plan's read, never twice. A failure is said on the plan.
func (b *flagsBackend) recentAccesses(ctx context.Context, nhs string, plans []record.ChildProtectionPlan) {
	q := url.Values{"patient:identifier": {fhir.SystemNHSNumber + "|" + nhs},
		"_include": {"AuditEvent:entity-type=http://terminology.hl7.org/CodeSystem/v3-RoleClass|ASSIGNED"}}
	res, err := b.search(context.WithValue(ctx, unscheduledHeaderKey{}, false), "AuditEvent", q, maxRecentAccesses*2)
	var acc []record.ChildProtectionAccess
	if err == nil {
		acc, err = fhir.MapCPISAccesses(res.entries, b.src.Organisations, maxRecentAccesses)
	}
	for i := range plans {
		if err != nil {
			plans[i].AccessesError = err.Error()
			continue
		}
		plans[i].RecentAccesses, plans[i].AccessesRead = slices.Clone(acc), true
	}
}

// OpenChildProtection reads the child protection plan of the person with this NHS number
// from the national flags back ends named (every one when none is named) as unscheduled
// care, with IsUnscheduledAccessEvent: true: the responsible local authority is told. Call
// it only on the member of staff's explicit, audited choice. It returns the parts, sanitised.
func (f *Federation) OpenChildProtection(ctx context.Context, nhs string, backends []string) []record.Part {
	ctx, _ = ensureRequestID(ctx) // the services refuse a request without one
	ctx = WithChildProtectionAccess(ctx, CPUnscheduled)
	var (
		mu    sync.Mutex
		parts []record.Part
		wg    sync.WaitGroup
	)
	for _, b := range f.backends {
		fb, ok := b.(*flagsBackend)
		if !ok || (len(backends) > 0 && !slices.Contains(backends, fb.cfg.Name)) {
			continue
		}
		wg.Go(func() {
			fb.Fetch(ctx, record.PersonSource{Backend: fb.cfg.Name, ID: nhs}, nhs, []record.Section{record.SectionChildProtection}, func(p record.Part) {
				mu.Lock()
				defer mu.Unlock()
				parts = append(parts, record.Sanitised(p))
			})
		})
	}
	wg.Wait()
	return parts
}
