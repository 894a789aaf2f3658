package demo

import (
	"bytes"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/google/uuid"
)

// bundle writes one page of a searchset Bundle, with the included resources of that page.
func (h *r4Handler) bundle(typ string, q url.Values, matches []*resource, sr searchRequest) []byte {
	total := len(matches)
	start := min(sr.offset, total)
	end := min(start+sr.count, total)
	page := matches[start:end]

	var b bytes.Buffer
	b.Grow(256 + 512*len(page))
	b.WriteString(`{"resourceType":"Bundle","id":`)
	writeJSONString(&b, uuid.NewString())
	b.WriteString(`,"meta":{"lastUpdated":`)
	writeJSONString(&b, ReferenceDate.Format("2006-01-02T15:04:05Z"))
	b.WriteString(`},"type":"searchset","total":`)
	b.WriteString(strconv.Itoa(total))
	b.WriteString(`,"link":[{"relation":"self","url":`)
	writeJSONString(&b, h.base+"/"+typ+"?"+q.Encode())
	b.WriteString(`}`)
	if sr.count > 0 && end < total {
		nq := url.Values{}
		for k, v := range q {
			nq[k] = v
		}
		nq.Set(offsetParam, strconv.Itoa(end))
		b.WriteString(`,{"relation":"next","url":`)
		writeJSONString(&b, h.base+"/"+typ+"?"+nq.Encode())
		b.WriteString(`}`)
	}
	if start > 0 && sr.count > 0 {
		pq := url.Values{}
		for k, v := range q {
			pq[k] = v
		}
		pq.Set(offsetParam, strconv.Itoa(max(0, start-sr.count)))
		b.WriteString(`,{"relation":"previous","url":`)
		writeJSONString(&b, h.base+"/"+typ+"?"+pq.Encode())
		b.WriteString(`}`)
	}
	b.WriteString(`],"entry":[`)
	first := true
	entry := func(res *resource, mode string) {
		if !first {
			b.WriteByte(',')
		}
		first = false
		b.WriteString(`{"fullUrl":`)
		writeJSONString(&b, h.base+"/"+res.typ+"/"+res.id)
		b.WriteString(`,"resource":`)
		b.Write(res.raw)
		b.WriteString(`,"search":{"mode":"`)
		b.WriteString(mode)
		b.WriteString(`"}}`)
	}
	seen := make(map[string]bool, len(page))
	var emitted []*resource // for _include:iterate
	for _, res := range page {
		seen[res.typ+"/"+res.id] = true
		entry(res, "match")
	}
	emitted = append(emitted, page...)
	for _, res := range page {
		for _, inc := range sr.includes {
			for _, target := range res.refs[inc] {
				if seen[target] {
					continue
				}
				if t, ok := h.st.byID[target]; ok {
					seen[target] = true
					entry(t, "include")
					emitted = append(emitted, t)
				}
			}
		}
		if sr.revProvenance {
			for _, p := range h.st.provOf[res.typ+"/"+res.id] {
				if k := "Provenance/" + p.id; !seen[k] {
					seen[k] = true
					entry(p, "include")
				}
			}
		}
	}
	for i := 0; len(sr.iterate) > 0 && i < len(emitted); i++ {
		res := emitted[i]
		for _, it := range sr.iterate {
			if res.typ != it[0] {
				continue
			}
			for _, target := range res.refs[it[1]] {
				if t, ok := h.st.byID[target]; ok && !seen[target] {
					seen[target] = true
					entry(t, "include")
					emitted = append(emitted, t)
				}
			}
		}
	}
	b.WriteString(`]}`)
	return b.Bytes()
}

// capabilityStatement describes what the store serves.
func capabilityStatement(base string, st *store) jobj {
	var resources jarr
	for _, typ := range st.types {
		var sps jarr
		names := make([]string, 0, len(st.search[typ]))
		for n := range st.search[typ] {
			names = append(names, n)
		}
		slices.Sort(names)
		for _, n := range names {
			sps = append(sps, jobj{"name": n, "type": st.search[typ][n]})
		}
		incs := jarr{}
		for _, i := range st.includes[typ] {
			incs = append(incs, typ+":"+i)
		}
		res := jobj{
			"type":             typ,
			"interaction":      jarr{jobj{"code": "read"}, jobj{"code": "search-type"}},
			"searchParam":      sps,
			"searchInclude":    incs,
			"searchRevInclude": jarr{"Provenance:target"},
		}
		if typ == "Provenance" {
			res["searchRevInclude"] = jarr{}
		}
		resources = append(resources, res)
	}
	return jobj{
		"resourceType": "CapabilityStatement",
		"id":           strings.ToLower(strings.ReplaceAll(st.name, " ", "-")),
		"name":         strings.ReplaceAll(st.name, " ", ""),
		"title":        st.name + " (synthetic demo data)",
		"status":       "active",
		"date":         ReferenceDate.Format("2006-01-02"),
		"publisher":    "shcr demo",
		"kind":         "instance",
		"software":     jobj{"name": "shcr embedded demo back end"},
		"implementation": jobj{
			"description": st.name + ": synthetic data for demonstration and tests",
			"url":         base,
		},
		"fhirVersion": "4.0.1",
		"format":      jarr{"application/fhir+json", "json"},
		"rest": jarr{jobj{
			"mode":     "server",
			"resource": resources,
			"searchParam": jarr{
				jobj{"name": "_count", "type": "number", "documentation": fmt.Sprintf("page size: default %d, at most %d", defaultCount, maxCount)},
				jobj{"name": "_id", "type": "token"},
			},
		}},
	}
}
