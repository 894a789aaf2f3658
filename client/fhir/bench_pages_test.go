package fhir

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"runtime"
	"testing"

	"github.com/shcr-project/shcr/internal/demo"
	"github.com/shcr-project/shcr/record"
)

// demoEncounterPages reads the demo large record's encounters as shcr get asks for them
// (1,000 a page, with the same _include and _revinclude), over loopback from the demo's
// own server: the pages the 50,000-encounter get decodes and maps, n encounters in all.
func demoEncounterPages(tb testing.TB, n int) [][]byte {
	tb.Helper()
	s, err := demo.Start(demo.Options{LargeEncounters: n, PageSize: 1000})
	if err != nil {
		tb.Fatal(err)
	}
	defer s.Close()
	base := s.Backends[0].URL
	get := func(u string) []byte {
		resp, err := http.Get(u)
		if err != nil {
			tb.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil || resp.StatusCode != http.StatusOK {
			tb.Fatalf("%s: %d %v", u, resp.StatusCode, err)
		}
		return body
	}
	var found struct {
		Entry []struct {
			Resource struct {
				ID string `json:"id"`
			} `json:"resource"`
		} `json:"entry"`
	}
	if err := json.Unmarshal(get(base+"/Patient?identifier="+url.QueryEscape(SystemNHSNumber+"|9990120005")), &found); err != nil || len(found.Entry) != 1 {
		tb.Fatalf("the large record's person: %v %d", err, len(found.Entry))
	}
	q := url.Values{"patient": {found.Entry[0].Resource.ID}, "_count": {"1000"},
		"_include":    {"Encounter:location", "Encounter:service-provider", "Encounter:practitioner"},
		"_revinclude": {"Provenance:target"}}
	var pages [][]byte
	for u := base + "/Encounter?" + q.Encode(); u != ""; {
		page := get(u)
		pages = append(pages, page)
		var links struct {
			Link []struct{ Relation, URL string } `json:"link"`
		}
		if err := json.Unmarshal(page, &links); err != nil {
			tb.Fatal(err)
		}
		u = ""
		for _, l := range links.Link {
			if l.Relation == "next" {
				u = l.URL
			}
		}
	}
	return pages
}

// BenchmarkDecodeMapDemoPages measures what the 50,000-encounter get does with each page
// of encounters, on the demo's own pages (5 of 1,000): "decode" is DecodeBundleSize from the
// body (the search goroutine), "map" is PageMapper.Map and AppendData of the decoded pages
// (the mapping goroutine), "decode+map" both. MB/s is of the pages' bytes.
func BenchmarkDecodeMapDemoPages(b *testing.B) {
	pages := demoEncounterPages(b, 5000)
	size := 0
	for _, p := range pages {
		size += len(p)
	}
	decode := func(b *testing.B) []*Bundle {
		out := make([]*Bundle, len(pages))
		for i, p := range pages {
			bun, err := DecodeBundleSize(bytes.NewReader(p), 1<<30, int64(len(p)), nil)
			if err != nil {
				b.Fatal(err)
			}
			out[i] = bun
		}
		return out
	}
	mapAll := func(b *testing.B, buns []*Bundle) {
		// As the client does: each page's items handed on (emitted) once mapped.
		pm := NewPageMapper(record.SectionEncounters, nil, healthSrc)
		n := 0
		for _, bun := range buns {
			var data record.SectionsData
			AppendData(&data, pm.Map(bun.Entries, nil), 0)
			n += len(data.Encounters)
		}
		if n != 5000 {
			b.Fatalf("%d encounters", n)
		}
	}
	entries := 0
	for _, bun := range decode(b) {
		entries += len(bun.Entries)
	}
	// As the client's streamed section does: each page's Encounters decoded first
	// (Predecoder), then mapped into the list held for the next emit (MapAppend), handed
	// on (gathered into a record, the list taken back) once it holds 1,000.
	predecodeMap := func(b *testing.B, buns []*Bundle) {
		var pre Predecoder
		pm := NewPageMapper(record.SectionEncounters, nil, healthSrc)
		pm.Reserve(5000) // the first page's total
		rec := &record.Record{}
		g := record.NewGather(rec)
		for _, bun := range buns {
			var data record.SectionsData
			pre.Decode(bun.Entries)
			pm.MapAppend(&data, bun.Entries, nil, func(int) int { return 0 })
			pre.Release()
			g.Add(&record.Part{Backend: healthSrc.Backend, Sections: data}, 0)
		}
		g.Done()
		if n := len(rec.Sections.Encounters); n != 5000 {
			b.Fatalf("%d encounters", n)
		}
	}
	for _, name := range []string{"decode", "map", "decode+map", "predecode+map+gather"} {
		b.Run(name, func(b *testing.B) {
			var decoded []*Bundle
			if name == "map" || name == "predecode+map+gather" {
				decoded = decode(b)
			}
			b.SetBytes(int64(size))
			b.ReportAllocs()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			n := 0
			for b.Loop() {
				switch name {
				case "decode":
					decode(b)
				case "map":
					mapAll(b, decoded)
				case "predecode+map+gather":
					predecodeMap(b, decoded)
				default:
					mapAll(b, decode(b))
				}
				n++
			}
			runtime.ReadMemStats(&after)
			if n > 0 {
				b.ReportMetric(float64(after.Mallocs-before.Mallocs)/float64(n)/float64(entries), "allocs/entry")
			}
		})
	}
}
