package tui

import "github.com/shcr-project/shcr/record"

// benchOpen starts an open of p.match without asking any back end (BenchmarkUpdateFiftyBackends):
// the record as fetch starts it.
func benchOpen(p *recordPage) {
	names := backendNames(p.c.opts.Federation)
	base := func() *record.Record {
		rec := &record.Record{Person: p.match.Person}
		for _, name := range names {
			rec.SetBackend(record.BackendStatus{Name: name, Status: string(record.StateLoading)})
			for _, sec := range record.Sections() {
				rec.SetStatus(record.SectionStatus{Backend: name, Section: sec, State: record.StateLoading})
			}
		}
		return rec
	}
	p.gen++
	p.arr = record.NewArrivals(base, names)
	p.rec = p.arr.Record()
}
