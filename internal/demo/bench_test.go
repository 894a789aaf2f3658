package demo_test

import (
	"io"
	"net/http"
	"net/url"
	"testing"

	"github.com/shcr-project/shcr/internal/demo"
)

// BenchmarkLargeRecordPage serves one 500-encounter page of the large record over loopback
// HTTP, with its includes: the cost the client pays per page when it pages the record.
func BenchmarkLargeRecordPage(b *testing.B) {
	s, err := demo.Start(demo.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	nhs, _ := s.Backend(demo.NameNHS)
	q := url.Values{"patient": {"shcr-0010"}, "_count": {"500"}, "_getpagesoffset": {"2500"},
		"_include": {"Encounter:location", "Encounter:service-provider"}}
	u := nhs.URL + "/Encounter?" + q.Encode()
	b.ReportAllocs()
	for b.Loop() {
		resp, err := http.Get(u)
		if err != nil {
			b.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || n < 100000 {
			b.Fatalf("status %d, %d bytes", resp.StatusCode, n)
		}
	}
}

// BenchmarkStart starts the three back ends (the data set built once per process, the large
// record only when first asked for; BenchmarkStartCold measures a new process).
func BenchmarkStart(b *testing.B) {
	for b.Loop() {
		s, err := demo.Start(demo.Options{})
		if err != nil {
			b.Fatal(err)
		}
		s.Close()
	}
}
