// Package client talks to shared care record back ends (FHIR R4 servers and GP Connect),
// queries several at once and merges what they say into one record.Record.
package client

import (
	"context"
	"errors"

	"github.com/shcr-project/shcr/config"
	"github.com/shcr-project/shcr/record"
)

// Info describes a configured back end.
type Info struct {
	Name    string // configured name, shown as provenance
	Kind    config.Kind
	Domain  record.Domain // default domain of its items
	BaseURL string
	// Organisations are the ODS codes of the organisations whose records it holds (config
	// organisations: of a back end): routing asks it first for their patients.
	Organisations []string
}

// Backend is one shared care record. Implementations: the FHIR R4 back end and GP Connect.
type Backend interface {
	Info() Info
	// Search finds people matching q. No match and no error means the person is not known there.
	Search(ctx context.Context, q record.Query) ([]record.Person, error)
	// Fetch asks for the given sections of the person as this back end knows them (who.ID is
	// the Patient id there; nhs the NHS number, "" when unknown) and calls emit as each section
	// (or group of sections) completes, with a SectionStatus for every section asked — failed
	// sections included. emit may be called from several goroutines at once. Fetch returns once
	// every section has been emitted or ctx is done; it never panics on bad data.
	Fetch(ctx context.Context, who record.PersonSource, nhs string, sections []record.Section, emit func(record.Part))
}

// ErrSignInRequired is returned (wrapped) when a back end needs an interactive sign-in
// before it can be queried.
var ErrSignInRequired = errors.New("sign-in required")
