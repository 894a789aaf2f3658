package client

// Reading the references a FHIR R4 back end's _include did not bring: batched by type
// (GET [base]/Practitioner?_id=a,b,c), each read once per fetch across every section.

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/shcr-project/shcr/client/fhir"
)

// readableRefs are the referenced types the mapping needs for names, phones and medicines.
var readableRefs = map[string]bool{"Practitioner": true, "PractitionerRole": true, "Organization": true,
	"Medication": true, "Location": true, "CareTeam": true}

// maxReads caps the references read for one section of one back end.
const maxReads = 50

// maxBatchIDs and maxBatchIDBytes cut one _id search: at most this many ids, and ids whose
// escaped length stays well inside the URL lengths servers and proxies accept.
const (
	maxBatchIDs     = 100
	maxBatchIDBytes = 1500
)

// refCache holds the references read during one fetch (every section of one back end), so
// that a practitioner named by the encounters and the medications is read once: the first
// section to want it reads it, the others wait for that read (singleflight).
type refCache struct {
	mu   sync.Mutex
	refs map[string]*refRead
}

type refRead struct {
	done chan struct{}
	res  *fhir.Resource // nil when it could not be read
}

func newRefCache() *refCache { return &refCache{refs: map[string]*refRead{}} }

// known records the resources a search brought (included ones) as read.
func (c *refCache) known(rs []fhir.Resource) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := range rs {
		if !readableRefs[rs[i].Type] || rs[i].ID == "" {
			continue
		}
		ref := rs[i].Ref()
		if _, ok := c.refs[ref]; ok {
			continue
		}
		done := make(chan struct{})
		close(done)
		r := rs[i].Detached() // a copy of its bytes: the cache must not hold the page's buffer
		r.Mode = "include"
		c.refs[ref] = &refRead{done: done, res: &r}
	}
}

// claim returns, for each ref, its read: those this caller must read (mine) and those
// already read or being read by another section.
func (c *refCache) claim(refs []string) (mine, others map[string]*refRead) {
	mine, others = map[string]*refRead{}, map[string]*refRead{}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, ref := range refs {
		if rr, ok := c.refs[ref]; ok {
			others[ref] = rr
			continue
		}
		rr := &refRead{done: make(chan struct{})}
		c.refs[ref] = rr
		mine[ref] = rr
	}
	return mine, others
}

// readReferences reads the referenced resources (practitioners, organisations, medicines…)
// that a server without _include support did not send, so that names and phone numbers
// show instead of bare references: one _id search per type (chunked), individual reads for
// a type whose _id search the server refuses and for ids the search did not return; a
// reference another section of the same fetch already read (or is reading) is not read
// again. Failures only lose the detail: they are logged.
func (b *fhirBackend) readReferences(ctx context.Context, cache *refCache, resources []fhir.Resource) []fhir.Resource {
	out, _ := b.readReferencesMax(ctx, cache, resources, maxReads, nil)
	return out
}

// readReferencesMax is readReferences wanting at most max references (a section read page
// by page shares maxReads across its pages); it also returns how many it wanted.
//
// included are the _include values the searches that brought resources were answered
// with: a reference that one of them brings (by element and type, fhir.IncludeBrings),
// wherever it stands, and that the answer did not carry, is not on the server to be read
// (a dangling reference): it is not read, so that it costs no round trip.
func (b *fhirBackend) readReferencesMax(ctx context.Context, cache *refCache, resources []fhir.Resource, max int, included []string) ([]fhir.Resource, int) {
	want := b.wantedRefs(resources, included)
	if len(want) > max {
		want = want[:max]
	}
	return b.readWanted(ctx, cache, want), len(want)
}

// wantedRefs are the references of readable types that resources' matches name and
// resources do not hold, each once, in the order named, less those an answered _include
// brings (notIncluded). Only CPU: a section read page by page finds them while the next
// page is read.
func (b *fhirBackend) wantedRefs(resources []fhir.Resource, included []string) []string {
	// Only resources of a readable type can be a wanted reference: the others (a page's
	// Encounters) are not put in have, which saves a "Type/id" string each.
	readable := 0
	for i := range resources {
		if readableRefs[resources[i].Type] {
			readable++
		}
	}
	have := make(map[string]bool, readable)
	for i := range resources {
		if readableRefs[resources[i].Type] {
			have[resources[i].Ref()] = true
		}
	}
	var want []string
	var holders []int // the resources naming a wanted reference
	var refs []string // one resource's references, the list reused resource after resource
	for i, r := range resources {
		if !isMatch(r) {
			continue
		}
		named := false
		refs = fhir.AppendReferencesOf(refs[:0], r, b.baseStr)
		for _, ref := range refs {
			typ, _, _ := strings.Cut(ref, "/")
			if !readableRefs[typ] || have[ref] {
				continue
			}
			have[ref] = true
			want = append(want, ref)
			named = true
		}
		if named {
			holders = append(holders, i)
		}
	}
	if len(want) > 0 && len(included) > 0 {
		want = b.notIncluded(resources, holders, want, included)
	}
	return want
}

// readWanted reads the wanted references (wantedRefs), each once per fetch across
// sections: one _id search per type, chunked; those another section reads are waited for.
func (b *fhirBackend) readWanted(ctx context.Context, cache *refCache, want []string) []fhir.Resource {
	if len(want) == 0 {
		return nil
	}
	if cache == nil {
		cache = newRefCache()
	}
	mine, others := cache.claim(want)
	// Mine, by type, in the order wanted.
	byType := map[string][]string{}
	var types []string
	for _, ref := range want {
		if _, ok := mine[ref]; !ok {
			continue
		}
		typ, id, _ := strings.Cut(ref, "/")
		if byType[typ] == nil {
			types = append(types, typ)
		}
		byType[typ] = append(byType[typ], id)
	}
	var wg sync.WaitGroup
	for _, typ := range types {
		for _, ids := range chunkIDs(byType[typ]) {
			wg.Go(func() {
				got := b.readBatch(ctx, typ, ids)
				for _, id := range ids {
					rr := mine[typ+"/"+id]
					if r, ok := got[id]; ok {
						r = r.Detached()
						rr.res = &r
					}
					close(rr.done)
				}
			})
		}
	}
	wg.Wait()
	var out []fhir.Resource
	read := 0
	for _, ref := range want {
		rr := mine[ref]
		if rr == nil {
			rr = others[ref]
			select {
			case <-rr.done:
			case <-ctx.Done():
				continue
			}
		} else {
			read++
		}
		if rr.res != nil {
			out = append(out, *rr.res)
		}
	}
	b.log.Debug("references read", "asked", len(want), "read here", read, "found", len(out))
	return out
}

// notIncluded keeps the wanted references that some resource names from an element no
// _include sent brings: the others were asked for and are not there.
func (b *fhirBackend) notIncluded(resources []fhir.Resource, holders []int, want, included []string) []string {
	wanted := make(map[string]bool, len(want))
	for _, ref := range want {
		wanted[ref] = false // false: named only where an include brings it, so far
	}
	for _, i := range holders {
		r := resources[i]
		for _, at := range fhir.ReferencePaths(r.Raw, b.baseStr) {
			brought, ok := wanted[at.Ref]
			if !ok || brought {
				continue
			}
			typ, _, _ := strings.Cut(at.Ref, "/")
			if !fhir.IncludeBrings(included, r.Type, at.Path, typ) {
				wanted[at.Ref] = true // named where no include brings it: read it
			}
		}
	}
	kept := want[:0:0]
	for _, ref := range want {
		if wanted[ref] {
			kept = append(kept, ref)
		}
	}
	if n := len(want) - len(kept); n > 0 {
		b.log.Debug("references an include brings were not sent: not read", "count", n)
	}
	return kept
}

// chunkIDs cuts ids into _id searches of at most maxBatchIDs ids and maxBatchIDBytes.
func chunkIDs(ids []string) [][]string {
	var out [][]string
	var cur []string
	n := 0
	for _, id := range ids {
		l := len(url.QueryEscape(id)) + 3
		if len(cur) > 0 && (len(cur) == maxBatchIDs || n+l > maxBatchIDBytes) {
			out = append(out, cur)
			cur, n = nil, 0
		}
		cur = append(cur, id)
		n += l
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// readBatch reads resources of one type by id: one id is read (GET [base]/Type/id), several
// are searched (GET [base]/Type?_id=a,b,c); when the server refuses the search, or shows
// it ignored _id (answering with resources not asked for), they are read one by one.
func (b *fhirBackend) readBatch(ctx context.Context, typ string, ids []string) map[string]fhir.Resource {
	got := map[string]fhir.Resource{}
	var mu sync.Mutex
	missing := ids
	if len(ids) > 1 {
		params := url.Values{"_id": {strings.Join(ids, ",")}, "_count": {strconv.Itoa(len(ids))}}
		res, err := b.search(ctx, typ, params, len(ids))
		if err != nil {
			b.log.Info("references not searched by _id: read one by one", "resource", typ, "error", err)
		} else {
			want := map[string]bool{}
			for _, id := range ids {
				want[id] = true
			}
			ignored := false // the server answered with others: it did not search by _id
			for _, r := range res.entries {
				if r.Type != typ || !isMatch(r) {
					continue
				}
				if !want[r.ID] {
					ignored = true
					continue
				}
				r.Mode = "include"
				got[r.ID] = r
			}
			// An id a search by _id did not return does not exist there: not read again,
			// unless the server showed it ignores _id.
			missing = nil
			for _, id := range ids {
				if _, ok := got[id]; !ok && (ignored || res.truncated) {
					missing = append(missing, id)
				}
			}
		}
	}
	if ctx.Err() != nil {
		return got
	}
	var wg sync.WaitGroup
	for _, id := range missing {
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
			got[id] = res
			mu.Unlock()
		})
	}
	wg.Wait()
	return got
}
