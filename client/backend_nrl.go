package client

import (
	"context"
	"net/url"
	"strings"

	"github.com/shcr-project/shcr/client/fhir"
	"github.com/shcr-project/shcr/config"
	"github.com/shcr-project/shcr/internal/nhsnumber"
	"github.com/shcr-project/shcr/record"
)

// The national record locator's consumer API (NRL): pointers (DocumentReference) to records
// about a person held by other organisations. It requires the end user's organisation
// (NHSD-End-User-Organisation-ODS: config user.organisation) and an X-Request-ID.
// Source: ../shared/research/national-services.md §2.

type nrlBackend struct {
	nationalCore
}

func newNRL(cfg config.Backend, base *url.URL, opts Options) (*nrlBackend, error) {
	n, err := newNationalCore(cfg, base, opts)
	if err != nil {
		return nil, err
	}
	return &nrlBackend{nationalCore: n}, nil
}

// Pointers asks for every pointer about the person.
func (b *nrlBackend) Pointers(ctx context.Context, nhs string) ([]record.Pointer, error) {
	n, err := nhsnumber.Parse(nhs)
	if err != nil {
		return nil, &NotQueriedError{Backend: b.cfg.Name, Reason: "not a valid NHS number"}
	}
	if b.opts.user().Organisation == "" {
		return nil, &NotQueriedError{Backend: b.cfg.Name, Reason: "the record locator needs your organisation's ODS code (config user.organisation)"}
	}
	q := url.Values{"subject:identifier": {nhsNumberSystem + "|" + n}}
	body, err := b.get(ctx, "DocumentReference", q, "DocumentReference")
	if err != nil {
		if he, ok := err.(*HTTPError); ok && he.Status == 404 && he.Code == "RESOURCE_NOT_FOUND" {
			return []record.Pointer{}, nil
		}
		return nil, err
	}
	bundle, err := fhir.ParseBundle(body)
	if err != nil {
		return nil, &Error{Backend: b.cfg.Name, Reason: "sent malformed FHIR for DocumentReference", Err: ErrMalformedFHIR}
	}
	ps, err := fhir.MapNRLPointers(bundle.Entries, b.src.Organisations)
	if err != nil {
		return nil, &Error{Backend: b.cfg.Name, Reason: "sent malformed FHIR: " + err.Error(), Err: ErrMalformedFHIR}
	}
	return record.Sanitised(ps), nil
}

// Search is not a locator's: it finds records, not people.
func (b *nrlBackend) Search(context.Context, record.Query) ([]record.Person, error) {
	return nil, &NotQueriedError{Backend: b.cfg.Name, Reason: "the record locator finds records, not people"}
}

// Fetch is never asked of a national service: every section is not-queried.
func (b *nrlBackend) Fetch(_ context.Context, _ record.PersonSource, _ string, sections []record.Section, emit func(record.Part)) {
	emit(notServedPart(b.cfg.Name, "the record locator holds pointers only, not care records", sections))
}

// openable says which configured back end opens a pointer: one whose organisations list
// the pointer's custodian, or whose base URL the pointer's URL starts with.
func openable(p record.Pointer, backends []Info) string {
	for _, b := range backends {
		for _, code := range b.Organisations {
			if strings.EqualFold(code, p.CustodianCode) {
				return b.Name
			}
		}
	}
	u := strings.ToLower(p.URL)
	for _, b := range backends {
		base := strings.ToLower(strings.TrimRight(b.BaseURL, "/"))
		if base != "" && (u == base || strings.HasPrefix(u, base+"/")) {
			return b.Name
		}
	}
	return ""
}
