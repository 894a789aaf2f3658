package client

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/shcr-project/shcr/client/fhir"
	"github.com/shcr-project/shcr/record"
)

// readPatients reads the person's Patient records, emits each as a Part, and follows their
// links to further Patient records on this server (one notice for those).
func (b *fhirBackend) readPatients(ctx context.Context, ids []string, emit func(record.Part)) patients {
	out := patients{ids: slices.Clone(ids)}
	var (
		mu   sync.Mutex
		wg   sync.WaitGroup
		more []string
	)
	read := func(id string, asked bool) {
		// The Patient the person search just returned is not read again.
		r, ok := b.searchedPatient(id)
		var err error
		if !ok {
			var body []byte
			body, err = b.get(ctx, b.baseStr+"/Patient/"+url.PathEscape(id), nil, "Patient")
			if err == nil {
				if r, err = fhir.ParseResource(body); err != nil || r.Type != "Patient" {
					err = &Error{Backend: b.cfg.Name, Reason: "sent a malformed Patient: " + parseReason(orNotPatient(err)), Err: ErrMalformedFHIR}
				}
			}
		}
		if err == nil {
			if p, merr := fhir.MapPerson(r, b.src); merr == nil {
				p = withSource(p, b.cfg.Name, id)
				emit(record.Part{Backend: b.cfg.Name, Person: &p})
			}
		}
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			if asked {
				out.err = worse(out.err, err)
			} else {
				b.log.Info("linked Patient not read", "error", err)
			}
			return
		}
		out.resources = append(out.resources, r)
		for _, l := range fhir.PatientLinks(r) {
			switch l.Type {
			case "replaced-by", "replaces", "seealso", "refer":
			default:
				continue
			}
			if lid, ok := b.patientID(l.Reference); ok && !slices.Contains(out.ids, lid) && !slices.Contains(more, lid) && len(out.ids)+len(more) < maxLinked {
				more = append(more, lid)
			}
		}
	}
	for _, id := range ids {
		wg.Go(func() { read(id, true) })
	}
	wg.Wait()
	linked := 0
	// Links of links, a hop at a time, up to maxLinked records in all.
	for len(more) > 0 && ctx.Err() == nil {
		hop := more
		more = nil
		for _, id := range hop {
			wg.Go(func() { read(id, false) })
		}
		wg.Wait()
		for _, id := range hop {
			if slices.ContainsFunc(out.resources, func(r fhir.Resource) bool { return r.ID == id }) {
				out.ids = append(out.ids, id)
				linked++
			}
		}
	}
	if linked > 0 {
		b.log.Info("linked Patient records followed", "count", linked)
		emit(record.Part{Backend: b.cfg.Name, Notices: []record.Notice{{Backend: b.cfg.Name, Kind: record.NoticeLinked,
			Text: fmt.Sprintf("links this person's record to %d other %s: shown together", linked, plural(linked, "record", "records"))}}})
	}
	return out
}

func orNotPatient(err error) error {
	if err == nil {
		return errors.New("not a Patient")
	}
	return err
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// patientID is the logical id a Patient reference names on this server ("Patient/1",
// "[base]/Patient/1", with or without a version), false for another server's or any other
// type's.
func (b *fhirBackend) patientID(ref string) (string, bool) {
	ref = strings.TrimSpace(ref)
	if strings.Contains(ref, "://") {
		u, err := url.Parse(ref)
		if err != nil || origin(u) != origin(b.base) || !strings.HasPrefix(strings.TrimRight(u.Path, "/"), strings.TrimRight(b.base.Path, "/")+"/") {
			return "", false
		}
		ref = strings.TrimPrefix(u.Path, strings.TrimRight(b.base.Path, "/")+"/")
	}
	ref, _, _ = strings.Cut(ref, "/_history/")
	typ, id, ok := strings.Cut(ref, "/")
	if !ok || typ != "Patient" || id == "" || strings.ContainsAny(id, "/?#") {
		return "", false
	}
	return id, true
}

// aboutPerson reports whether r is about the person (one of ids on this server): true when
// r names no subject, patient or beneficiary at all, or names it in a way that cannot be
// checked (a contained or urn: reference); false when it names someone else.
func (b *fhirBackend) aboutPerson(r fhir.Resource, ids []string, nhs string) bool {
	ref, ok := fhir.Subject(r)
	if !ok {
		return true
	}
	s := strings.TrimSpace(ref.Reference)
	switch {
	case s == "":
		// Identifier only: an NHS number says who it is.
		id := ref.Identifier
		return id == nil || id.System != nhsNumberSystem || nhs == "" || strings.ReplaceAll(id.Value, " ", "") == nhs
	case strings.HasPrefix(s, "#"), strings.HasPrefix(s, "urn:"):
		return true
	case strings.Contains(s, "?"):
		// A conditional reference ("Patient?identifier=system|value"): only an NHS number
		// in it can say it is someone else.
		_, query, _ := strings.Cut(s, "?")
		v, err := url.ParseQuery(query)
		if err != nil {
			return true
		}
		for _, id := range v["identifier"] {
			if sys, val, ok := strings.Cut(id, "|"); ok && sys == nhsNumberSystem && nhs != "" && val != nhs {
				return false
			}
		}
		return true
	}
	id, ok := b.patientID(s)
	return ok && slices.Contains(ids, id)
}
