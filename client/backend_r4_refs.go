package client

// Reading the references a FHIR R4 back end's _include did not bring.

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"sync"

	"github.com/shcr-project/shcr/client/fhir"
)

// readableRefs are the referenced types the mapping needs for names, phones and medicines.
var readableRefs = map[string]bool{"Practitioner": true, "PractitionerRole": true, "Organization": true,
	"Medication": true, "Location": true, "CareTeam": true}

// maxReads caps the references read for one section of one back end.
const maxReads = 50

// readReferences reads, all at once, the referenced resources (practitioners, organisations,
// medicines…) that a server without _include support did not send, so that names and phone
// numbers show instead of bare references. Failures only lose the detail: they are logged.
func (b *fhirBackend) readReferences(ctx context.Context, resources []fhir.Resource) []fhir.Resource {
	have := map[string]bool{}
	for _, r := range resources {
		have[r.Ref()] = true
	}
	var want []string
	for _, r := range resources {
		if !isMatch(r) {
			continue
		}
		for _, ref := range references(r.Raw, b.baseStr) {
			typ, _, _ := strings.Cut(ref, "/")
			if have[ref] || !readableRefs[typ] || len(want) >= maxReads {
				continue
			}
			have[ref] = true
			want = append(want, ref)
		}
	}
	var (
		mu  sync.Mutex
		wg  sync.WaitGroup
		out []fhir.Resource
	)
	for _, ref := range want {
		typ, id, _ := strings.Cut(ref, "/")
		wg.Go(func() {
			body, err := b.get(ctx, b.baseStr+"/"+typ+"/"+url.PathEscape(id), nil, typ)
			if err != nil {
				b.log.Info("reference not read", "resource", typ, "error", err)
				return
			}
			res, err := fhir.ParseResource(body)
			if err != nil || res.Type != typ {
				b.log.Info("reference not read", "resource", typ, "malformed", true)
				return
			}
			res.Mode = "include"
			mu.Lock()
			out = append(out, res)
			mu.Unlock()
		})
	}
	wg.Wait()
	if len(want) > 0 {
		b.log.Debug("references read", "asked", len(want), "read", len(out))
	}
	return out
}

// references lists the literal references ("Type/id", relative or under base) in a
// resource's JSON, in order, without duplicates. Contained ("#…") and absolute references
// to other servers are left alone.
func references(raw []byte, base string) []string {
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return nil
	}
	seen := map[string]bool{}
	var out []string
	var walk func(any)
	walk = func(v any) {
		switch t := v.(type) {
		case map[string]any:
			if s, ok := t["reference"].(string); ok {
				s = strings.TrimPrefix(strings.TrimSpace(s), base+"/")
				typ, id, ok := strings.Cut(s, "/")
				if ok && typ != "" && id != "" && !strings.ContainsAny(id, "/:#?") && !strings.Contains(typ, ":") && !seen[s] {
					seen[s] = true
					out = append(out, s)
				}
			}
			for _, c := range t {
				walk(c)
			}
		case []any:
			for _, c := range t {
				walk(c)
			}
		}
	}
	walk(v)
	return out
}
