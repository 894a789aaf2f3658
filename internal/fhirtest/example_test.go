package fhirtest_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"github.com/shcr-project/shcr/internal/fhirtest"
)

// Serve the published corpus with an incomplete CapabilityStatement (only Patient declared,
// DeviceRequest declared but refused) and search it as any FHIR client would. In a test,
// fhirtest.StartDir(t, opts, dir) does the same and closes the server when the test ends.
func Example() {
	rs, err := fhirtest.Load("testdata/published")
	if err != nil {
		panic(err)
	}
	srv := fhirtest.New(rs, fhirtest.Options{Capability: fhirtest.Incomplete})
	defer srv.Close()

	q := url.Values{"patient": {"UKCore-Patient-RichardSmith-Example"}, "_count": {"2"}}
	resp, err := http.Get(srv.URL + "/AllergyIntolerance?" + q.Encode())
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	var b struct {
		Total int
		Entry []json.RawMessage
		Link  []struct{ Relation string }
	}
	_ = json.NewDecoder(resp.Body).Decode(&b)
	fmt.Println(resp.StatusCode, b.Total, len(b.Entry), b.Link[len(b.Link)-1].Relation)

	resp, err = http.Get(srv.URL + "/DeviceRequest?patient=x")
	if err != nil {
		panic(err)
	}
	resp.Body.Close()
	fmt.Println(resp.StatusCode)
	// Output:
	// 200 7 2 next
	// 404
}
